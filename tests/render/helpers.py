"""Rigs to draw and ways to look at what was drawn."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PyQt6 import QtCore, QtGui

from shared.show.model import Dimensions, Fixture, Group, Layout, Orientation, ShowConfig, Stage, Vec3

RED = (230, 40, 40)
GREEN = (40, 200, 60)
BLUE = (40, 90, 230)
AMBER = (255, 193, 7)


def hex_of(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def fixture(name: str, x: float, y: float, z: float = 0.0, kind: str | None = "PAR", mounting: str = "standing",
            yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0,
            size: tuple[float, float, float] | None = None, layout: tuple[int, int] | None = None) -> Fixture:
    return Fixture(
        name=name, manufacturer="Test", model=kind or "Thing", mode="1ch", universe=1, address=1,
        position=Vec3(x, y, z),
        orientation=Orientation(mounting, yaw, pitch, roll),
        fixture_type=kind,
        physical=Dimensions(*size) if size else None,
        layout=Layout(*layout) if layout else None,
    )


def config(*fixtures: Fixture, groups: tuple[tuple[str, tuple[int, int, int], tuple[str, ...]], ...] = (),
           width: float = 10.0, depth: float = 8.0) -> ShowConfig:
    return ShowConfig(
        Stage(width, depth, 0.5), tuple(fixtures),
        tuple(Group(name, hex_of(rgb), members) for name, rgb, members in groups),
    )


def grid_config(n: int, kinds: tuple[str, ...] = ("PAR", "BAR", "MH", "WASH")) -> ShowConfig:
    """``n`` hanging fixtures in rows over a stage that holds them, in 8 groups."""
    cols = max(1, int(np.ceil(np.sqrt(n))))
    rows = max(1, int(np.ceil(n / cols)))
    fixtures = []
    for i in range(n):
        c, r = i % cols, i // cols
        kind = kinds[i % len(kinds)]
        fixtures.append(fixture(f"F{i}", (c - (cols - 1) / 2) * 0.5, (r - (rows - 1) / 2) * 0.5, 4.0,
                                kind=kind, mounting="hanging", pitch=-30.0,
                                size=(1.0, 0.09, 0.11) if kind == "BAR" else None,
                                layout=(8, 1) if kind == "BAR" else None))
    palette = [(255, 87, 34), (33, 150, 243), (76, 175, 80), (156, 39, 176),
               (255, 193, 7), (0, 188, 212), (233, 30, 99), (139, 195, 74)]
    groups = tuple((f"G{g}", palette[g], tuple(f.name for f in fixtures[g::8])) for g in range(min(8, n)))
    return config(*fixtures, groups=groups, width=max(10.0, cols * 0.5 + 1), depth=max(8.0, rows * 0.5 + 1))


def pixels(image: QtGui.QImage) -> npt.NDArray[np.uint8]:
    """(H, W, 3) RGB copy of a grabbed framebuffer."""
    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    stride = img.bytesPerLine()
    raw = np.frombuffer(img.constBits().asstring(img.sizeInBytes()), np.uint8).reshape(img.height(), stride)
    return raw[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy()


def patch(img: npt.NDArray[np.uint8], at: QtCore.QPointF, radius: int, dpr: float = 1.0) -> npt.NDArray[np.int64]:
    """The pixels within ``radius`` of a widget point, (K, 3)."""
    x, y = round(at.x() * dpr), round(at.y() * dpr)
    h, w = img.shape[:2]
    y0, y1, x0, x1 = max(0, y - radius), min(h, y + radius + 1), max(0, x - radius), min(w, x + radius + 1)
    return img[y0:y1, x0:x1].reshape(-1, 3).astype(np.int64)


def shade_match(pix: npt.NDArray[np.int64], rgb: tuple[int, int, int], tol: float = 22.0) -> npt.NDArray[np.bool_]:
    """Which pixels are ``rgb`` under some lighting: k * rgb with k in [0.5, 1.05], within ``tol``."""
    c = np.asarray(rgb, np.float64)
    k = pix @ c / (c @ c)
    residual = np.linalg.norm(pix - k[:, None] * c, axis=1)
    return (k >= 0.5) & (k <= 1.05) & (residual <= tol)


def has_color(img: npt.NDArray[np.uint8], at: QtCore.QPointF, rgb: tuple[int, int, int], radius: int = 5,
              tol: float = 22.0) -> bool:
    return bool(shade_match(patch(img, at, radius), rgb, tol).any())


def count_color(img: npt.NDArray[np.uint8], rgb: tuple[int, int, int], tol: float = 22.0) -> int:
    return int(shade_match(img.reshape(-1, 3).astype(np.int64), rgb, tol).sum())
