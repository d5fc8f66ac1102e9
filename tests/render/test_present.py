"""The view's last pass and its repaints: the window shows the frame drawn, whatever the pixel ratio."""

from __future__ import annotations

import json
import os

import pytest
from PyQt6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from shared.show import demo_show
from tests.app.helpers import run_python
from visualizer.render import StageScene

#: Draws the demo in a 641 x 401 view, then compares what the window shows (X11's copy of it)
#: with ``grab_image`` and the labels' overlay with the frame.
_ON_SCREEN = """
import json, time
import numpy as np
from PyQt6 import QtCore, QtGui, QtWidgets
from shared.show import demo_show
from tests.render.helpers import pixels
from visualizer.render import StageScene

app = QtWidgets.QApplication([])
scene = StageScene()
scene.container.move(0, 0)
scene.container.resize(641, 401)
scene.container.show()
scene.set_config(demo_show())
scene.set_labels_visible(True)
deadline = time.monotonic() + 10
while time.monotonic() < deadline and not (scene.isExposed() and scene.frames_rendered >= 2 and not scene._requested):
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
end = time.monotonic() + 0.3  # anything still on its way (Qt's own update timer) comes in
while time.monotonic() < end:
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
shown = pixels(QtGui.QGuiApplication.primaryScreen().grabWindow(int(scene.winId())).toImage())
drawn = pixels(scene.grab_image())
overlay = scene.labels._overlay._image
same = shown.shape == drawn.shape and bool((np.abs(shown.astype(int) - drawn).max(axis=2) <= 8).all())
print(json.dumps({"dpr": scene.devicePixelRatio(), "shown": shown.shape[:2], "drawn": drawn.shape[:2],
                  "overlay": [overlay.height(), overlay.width()], "same": same}))
"""


@pytest.mark.parametrize("factor", ["1.5", "1.25"])
def test_the_window_shows_every_pixel_of_the_frame_at_a_fractional_pixel_ratio(factor: str) -> None:
    """Qt rounds the window's device size (641 x 1.5 = 962); the frame was truncated (961), a pixel short."""
    env = {**os.environ, "QT_SCALE_FACTOR": factor}
    env.pop("QT_QPA_PLATFORM", None)  # the X server the tests run on: the window's pixels can be read back
    result = run_python(["-c", _ON_SCREEN], timeout=60, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["dpr"] == float(factor)
    assert got["shown"] == got["drawn"] == got["overlay"]
    assert got["same"]


def test_a_view_squeezed_to_nothing_paints_nothing_and_comes_back(scene: StageScene, qtbot: QtBot) -> None:
    """A zero-height window (a layout that allows it, or mid-resize) still gets paint events: no framebuffer
    of no pixels (an exception out of paintGL aborts the app), no picture to grab, and the next size draws."""
    scene.set_config(demo_show())
    scene.container.setMinimumSize(0, 0)
    qtbot.waitUntil(lambda: scene.frames_rendered > 0)
    scene.container.resize(300, 0)
    assert scene.deviceHeight() == 0
    painted = scene.frames_rendered
    scene.update()
    QCoreApplication.sendEvent(scene, QEvent(QEvent.Type.UpdateRequest))  # paints now, as a repaint would
    assert scene.frames_rendered == painted
    assert scene.grab_image().isNull()
    scene.container.resize(300, 200)
    qtbot.waitUntil(lambda: scene._frame_fbo is not None and (scene._frame_fbo.width, scene._frame_fbo.height)
                    == (scene.deviceWidth(), scene.deviceHeight()) == (300, 200))
    image = scene.grab_image()
    assert (image.width(), image.height()) == (300, 200)


#: The selection ring's width on the picture, in device pixels, at the pixel ratio Qt was given.
_RING = """
import json, time
import numpy as np
from PyQt6 import QtCore, QtWidgets
from shared.show import demo_show
from tests.render.helpers import pixels
from visualizer.render import StageScene

app = QtWidgets.QApplication([])
scene = StageScene()
scene.container.resize(400, 300)
scene.container.show()
scene.set_config(demo_show())
scene.set_beams_visible(False)
deadline = time.monotonic() + 10
while time.monotonic() < deadline and not (scene.isExposed() and scene.frames_rendered >= 2):
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
plain = pixels(scene.grab_image()).astype(int)
scene.select_fixture(scene.index_of("Spot 2"))
ring = pixels(scene.grab_image()).astype(int)
changed = np.abs(ring - plain).max(axis=2) > 40
cols = np.flatnonzero(changed.any(axis=0))
print(json.dumps({"dpr": scene.devicePixelRatio(), "width": int(cols.max() - cols.min() + 1) if len(cols) else 0}))
"""


def test_the_selection_ring_keeps_its_size_on_a_high_density_screen() -> None:
    """Point sizes (and line widths) are logical pixels: at pixel ratio 2 the ring is twice as many device pixels."""
    widths = {}
    for factor in ("1", "2"):
        env = {**os.environ, "QT_SCALE_FACTOR": factor}
        result = run_python(["-c", _RING], timeout=60, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        got = json.loads(result.stdout.strip().splitlines()[-1])
        assert got["dpr"] == float(factor)
        widths[factor] = got["width"]
    assert widths["1"] >= 30
    assert abs(widths["2"] / widths["1"] - 2.0) < 0.25, widths
