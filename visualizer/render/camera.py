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


def fit_in_rect(points: npt.ArrayLike, azimuth: float, elevation: float, fov: float, aspect: float,
                orthographic: bool, rect: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
                margin: float = 1.08, mirror_x: bool = False) -> tuple[F64, float]:
    """Centre and distance showing every point inside ``rect`` of the picture, as big as that allows.

    ``rect`` is (left, top, right, bottom) in fractions of the picture's width and height
    (y down, as on screen; ``mirror_x``: the projection flips screen x, ``GLView.MIRROR_X``),
    so part of the picture can be kept free (the legend's corner).  The camera keeps its
    direction and looks straight ahead: only where it stands changes (the orbit centre goes
    to the depth of the points' middle).  Both projections are linear in the eye's position,
    so the nearest eye that keeps the points in the rectangle is found exactly; then, as in
    ``fit``, the eye moves back by ``margin`` (orthographic: the view widens by it), and the
    points are centred in the rectangle at that distance (their outermost ones as far from
    its opposite edges).  The whole picture gives the same
    framing as ``fit_orthographic`` (and, but for centring at the final distance, ``fit``).
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if len(p) == 0:
        return np.zeros(3), 10.0
    r = rotation(azimuth, elevation)
    q = p @ r.T  # camera frame: x right, y up, z towards the camera
    left, top, right, bottom = rect
    # the rectangle in normalised device coordinates of the camera frame (x right, y up)
    ax, bx = 2.0 * left - 1.0, 2.0 * right - 1.0
    if mirror_x:
        ax, bx = -bx, -ax
    ay, by = 1.0 - 2.0 * bottom, 1.0 - 2.0 * top
    if bx - ax <= 1e-6 or by - ay <= 1e-6:
        raise ValueError(f"rect {rect!r} is empty")
    tan_h = math.tan(math.radians(fov) / 2)
    tan_v = tan_h / max(aspect, 1e-6)
    cz = (q[:, 2].max() + q[:, 2].min()) / 2
    axes = ((q[:, 0], ax, bx, tan_h), (q[:, 1], ay, by, tan_v))

    def middle(v: F64, a: float, b: float, span: F64) -> float:
        """The eye's offset across the view that centres ``v`` in [a, b] (``span``: the half view at
        each point's depth): the outermost points' ndc ``(v - e) / span`` as far from a as from b."""
        lo, hi = float((v - b * span).max()), float((v - a * span).min())  # every point is in between
        for _ in range(50):  # the outermost ndc fall as the eye moves on: bisect
            e = (lo + hi) / 2
            ndc = (v - e) / span
            if ndc.max() + ndc.min() > a + b:
                lo = e
            else:
                hi = e
        return (lo + hi) / 2

    if orthographic:
        # ndc = (v - e) / half, half = distance · tan: every point in [a, b] needs half >= extent / (b - a)
        half = max(max(float(v.max() - v.min()) / (b - a) * (tan_h / t) for v, a, b, t in axes), 0.25)
        half *= margin
        e = [middle(v, a, b, np.full(len(v), half * t / tan_h)) for v, a, b, t in axes]
        dist = max(half / tan_h, float(np.abs(q[:, 2] - cz).max()) + 1.0)
    else:
        # ndc = (v - e) / ((ez - z) · tan): a <= ndc <= b for every pair of points when
        # ez >= (max(v + t·b·z) - min(v + t·a·z)) / ((b - a) · t)
        ez = max(float((v + t * b * q[:, 2]).max() - (v + t * a * q[:, 2]).min()) / ((b - a) * t)
                 for v, a, b, t in axes)
        dist = max(ez - cz, float(q[:, 2].max() - cz) + 1e-3, 0.5) * margin
        e = [middle(v, a, b, (cz + dist - q[:, 2]) * t) for v, a, b, t in axes]
    center: F64 = r.T @ np.array([e[0], e[1], cz])
    return center, float(dist)
