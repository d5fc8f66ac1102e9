"""Helpers for the app tests: subprocesses, image checks, config edits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
from PyQt6.QtGui import QColor, QImage

from shared.show import ShowConfig

REPO = Path(__file__).resolve().parents[2]
WAIT_MS = 5000


def free_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_python(args: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
        env=os.environ.copy() if env is None else env,
    )


def image_array(img: QImage) -> np.ndarray:
    """(H, W, 3) uint8 RGB copy of a QImage."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    ptr = img.constBits()
    assert ptr is not None
    ptr.setsize(h * stride)
    return np.frombuffer(ptr, np.uint8).reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


def hue_pixels(rgb: np.ndarray, color: str, hue_tol: float = 12.0) -> int:
    """Pixels of (about) the hue of ``color``, saturated and not dark: a lit body of that group."""
    target = QColor(color).hueF() * 360
    f = rgb.astype(np.float32) / 255
    mx, mn = f.max(axis=2), f.min(axis=2)
    delta = mx - mn
    sat = np.where(mx > 0, delta / np.maximum(mx, 1e-6), 0)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    d = np.maximum(delta, 1e-6)
    hue = np.select(
        [mx == r, mx == g],
        [((g - b) / d) % 6, (b - r) / d + 2],
        (r - g) / d + 4,
    ) * 60
    diff = np.abs((hue - target + 180) % 360 - 180)
    return int(((diff <= hue_tol) & (sat > 0.45) & (mx > 0.3)).sum())


def moved(config: ShowConfig, name: str, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> ShowConfig:
    f = config.fixture(name)
    assert f is not None
    x, y, z = f.position
    new = f.replace(position=type(f.position)(x + dx, y + dy, z + dz))
    return ShowConfig(config.stage, tuple(new if g.name == name else g for g in config.fixtures), config.groups)
