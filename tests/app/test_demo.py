"""``python -m visualizer.demo`` on a machine without a display (``make demo`` on a server)."""

from __future__ import annotations

import os
from pathlib import Path

from PyQt6.QtGui import QImage

from tests.app.helpers import hue_pixels, image_array, run_python


def test_demo_without_display_writes_a_screenshot(tmp_path: Path) -> None:
    out = tmp_path / "demo.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = run_python(["-m", "visualizer.demo", "--screenshot", str(out), "--timeout", "20"], timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "no display" in proc.stderr.splitlines()[0]
    assert proc.stdout.strip() == f"visualizer.demo: wrote {out}"
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1400, 900)
    view = image_array(img)[60:-40, 400:]
    assert hue_pixels(view, "#FF5722") > 30 and hue_pixels(view, "#4CAF50") > 30
