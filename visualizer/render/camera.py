"""Camera maths for pyqtgraph's GL view (``GLViewMixin``, euler mode), vectorised with numpy.

The view's camera orbits ``center`` at ``distance`` with ``azimuth`` (degrees,
counter-clockwise from +x, the camera sits at that bearing from the centre) and
``elevation``; ``fov`` is the *horizontal* field of view.  Everything here builds
the same matrices the widget draws with, so a projected point lands on the pixel
the fixture is drawn at.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PyQt6 import QtGui

from visualizer.render.presets import PLAUSIBLE_STAGE as PLAUSIBLE_STAGE
from visualizer.render.presets import PRESETS as PRESETS
from visualizer.render.presets import Preset as Preset

F64 = npt.NDArray[np.float64]


def qmatrix_to_numpy(m: QtGui.QMatrix4x4) -> F64:
    """Row-major numpy copy of a (column-major stored) QMatrix4x4."""
    return np.array(m.data(), dtype=np.float64).reshape(4, 4).T


def rotation(azimuth: float, elevation: float) -> F64:
    """World -> camera rotation exactly as ``GLViewMixin.viewMatrix`` builds it."""
    tr = QtGui.QMatrix4x4()
    tr.rotate(elevation - 90.0, 1.0, 0.0, 0.0)
    tr.rotate(azimuth + 90.0, 0.0, 0.0, -1.0)
    return qmatrix_to_numpy(tr)[:3, :3]


def project(points: npt.ArrayLike, mvp: F64, width: float, height: float) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Widget pixel coordinates (N, 2) of world points, and which are in front of the camera."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    clip = np.concatenate([p, np.ones((len(p), 1))], axis=1) @ mvp.T
    w = clip[:, 3]
    front = w > 1e-9
    safe = np.where(front, w, 1.0)
    x = (clip[:, 0] / safe + 1.0) * 0.5 * width
    y = (1.0 - clip[:, 1] / safe) * 0.5 * height
    return np.stack([x, y], axis=1), front


def fit(points: npt.ArrayLike, azimuth: float, elevation: float, fov: float, aspect: float,
        margin: float = 1.08) -> tuple[F64, float]:
    """Centre and distance so every point is in view for this camera orientation.

    ``aspect`` is width / height.  The centre is shifted in the image plane until the
    framing is symmetric (a perspective view of a box is not symmetric around the
    box centre), then the distance is the smallest that keeps every point inside
    both the horizontal and the vertical field of view, times ``margin``.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if len(p) == 0:
        return np.zeros(3), 10.0
    r = rotation(azimuth, elevation)
    tan_h = math.tan(math.radians(fov) / 2)
    tan_v = tan_h / max(aspect, 1e-6)
    center = (p.min(axis=0) + p.max(axis=0)) / 2
    dist = 1.0
    for _ in range(4):
        q = (p - center) @ r.T  # camera-aligned offsets: x right, y up, z towards the camera
        need_x = q[:, 2] + np.abs(q[:, 0]) / tan_h
        need_y = q[:, 2] + np.abs(q[:, 1]) / tan_v
        dist = float(max(need_x.max(), need_y.max(), 1e-3))
        depth = dist - q[:, 2]
        sx = q[:, 0] / depth / tan_h  # normalised device coordinates at that distance
        sy = q[:, 1] / depth / tan_v
        off_x = (sx.max() + sx.min()) / 2 * tan_h * dist
        off_y = (sy.max() + sy.min()) / 2 * tan_v * dist
        if abs(off_x) < 1e-4 * dist and abs(off_y) < 1e-4 * dist:
            break
        center = center + r.T @ np.array([off_x, off_y, 0.0])
    q = (p - center) @ r.T
    dist = float(max((q[:, 2] + np.abs(q[:, 0]) / tan_h).max(), (q[:, 2] + np.abs(q[:, 1]) / tan_v).max()))
    dist = max(dist, 0.5) * margin
    return center, dist


def fit_orthographic(points: npt.ArrayLike, azimuth: float, elevation: float, fov: float, aspect: float,
                     margin: float = 1.08) -> tuple[F64, float]:
    """Centre and distance of an orthographic view showing every point.

    The visible half width at any depth is ``distance · tan(fov / 2)``
    (``GLView.projectionMatrix``), so the distance only sets the scale.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if len(p) == 0:
        return np.zeros(3), 10.0
    r = rotation(azimuth, elevation)
    center = (p.min(axis=0) + p.max(axis=0)) / 2
    q = (p - center) @ r.T
    shift = np.array([(q[:, 0].max() + q[:, 0].min()) / 2, (q[:, 1].max() + q[:, 1].min()) / 2, 0.0])
    center = center + r.T @ shift
    q = (p - center) @ r.T
    tan_h = math.tan(math.radians(fov) / 2)
    half_w = max(float(np.abs(q[:, 0]).max()), float(np.abs(q[:, 1]).max()) * aspect, 0.25)
    depth = float(np.abs(q[:, 2]).max())
    return center, max(half_w * margin / tan_h, depth + 1.0)
