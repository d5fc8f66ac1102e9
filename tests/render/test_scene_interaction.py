"""Mouse and keyboard on the real widget: picking, orbiting, presets, the camera staying put."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QEvent, QObject, QPoint, QPointF, QSize, Qt
from PyQt6.QtGui import QGuiApplication, QResizeEvent
from pytestqt.qtbot import QtBot

from shared.show import demo_show
from tests.render.helpers import config, fixture
from visualizer.render import StageScene


def focus_view(scene: StageScene, qtbot: QtBot) -> None:
    """Give the 3D view the keyboard as a click would (the window, not the container, gets the keys)."""
    scene.container.activateWindow()
    scene.container.setFocus()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is scene, timeout=2000)


def point(at: QPointF | None) -> QPoint:
    assert at is not None
    return QPoint(round(at.x()), round(at.y()))


def test_clicking_a_fixture_emits_its_index_and_selects_it(scene: StageScene, qtbot: QtBot) -> None:
    show = demo_show()
    scene.set_config(show)
    for name in ("Spot 3", "LED Bar 2", "Side Wash R", "Pixel Bar 1"):
        index = [f.name for f in show.fixtures].index(name)
        with qtbot.waitSignal(scene.fixture_clicked, timeout=2000) as blocker:
            qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=point(scene.fixture_screen_position(index)))
        assert blocker.args == [index]
        assert scene.selected_fixture() == index


def test_clicking_near_a_fixture_picks_it_and_empty_space_emits_none(scene: StageScene, qtbot: QtBot) -> None:
    scene.set_config(config(fixture("a", -2, 0, 0), fixture("b", 2, 0, 0)))
    at = point(scene.fixture_screen_position("b"))
    with qtbot.waitSignal(scene.fixture_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=at + QPoint(6, -5))
    assert blocker.args == [1]
    with qtbot.waitSignal(scene.fixture_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert blocker.args == [None]
    assert scene.selected_fixture() is None


def test_dragging_orbits_and_is_not_a_click(scene: StageScene, qtbot: QtBot) -> None:
    scene.set_config(demo_show())
    clicks: list[object] = []
    scene.fixture_clicked.connect(clicks.append)
    start = point(scene.fixture_screen_position("Spot 1"))
    azimuth = scene.opts["azimuth"]
    qtbot.mousePress(scene, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(scene, start + QPoint(12 * step, 0))
    qtbot.mouseRelease(scene, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 0))
    qtbot.wait(10)
    assert scene.opts["azimuth"] != azimuth
    assert clicks == []


def test_camera_stays_where_the_user_put_it_until_asked(scene: StageScene, qtbot: QtBot) -> None:
    show = demo_show()
    scene.set_config(show)
    framed = dict(scene.opts)
    scene.orbit(35.0, -10.0)
    scene.opts["distance"] *= 0.6
    moved = dict(scene.opts)
    assert moved != framed
    scene.set_config(config(fixture("new", 0, 0, 0)))
    scene.set_config(show)
    assert dict(scene.opts) == moved
    focus_view(scene, qtbot)
    qtbot.keyClick(scene, Qt.Key.Key_R)  # through the window system, to the focused 3D view
    assert scene.opts["azimuth"] == framed["azimuth"] and scene.opts["elevation"] == framed["elevation"]
    assert abs(scene.opts["distance"] - framed["distance"]) < 1e-6
    scene.orbit(20.0, 0.0)
    qtbot.keyClick(scene, Qt.Key.Key_Home)
    assert scene.opts["azimuth"] == framed["azimuth"]
    qtbot.keyClick(scene, Qt.Key.Key_2)
    assert scene.opts["elevation"] == 90


def test_fit_to_stage_keeps_stage_and_rig_in_view(scene: StageScene) -> None:
    scene.set_config(demo_show())
    for preset in ("perspective", "front", "top", "side"):
        scene.set_camera_preset(preset)
        for f in demo_show().fixtures:
            at = scene.fixture_screen_position(f.name)
            assert at is not None
            assert 0 <= at.x() <= scene.width() and 0 <= at.y() <= scene.height(), (preset, f.name)
    scene.opts["distance"] = 500.0
    scene.fit_to_stage()
    assert scene.opts["distance"] < 40


def test_unknown_preset_and_fixture(scene: StageScene) -> None:
    scene.set_config(demo_show())
    assert scene.fixture_screen_position("nope") is None
    with pytest.raises(ValueError, match="underneath"):
        scene.set_camera_preset("underneath")


def test_resizing_reframes_until_the_user_moves_the_camera(scene: StageScene, qtbot: QtBot) -> None:
    scene.set_config(demo_show())
    wide = scene.opts["distance"]
    resize(scene, qtbot, 800, 250)
    letterbox = scene.opts["distance"]
    assert letterbox > wide * 1.3  # fov is horizontal: a short window needs the camera further back
    scene.orbit(10.0, 0.0)
    resize(scene, qtbot, 800, 600)
    assert scene.opts["distance"] == letterbox


def resize(scene: StageScene, qtbot: QtBot, width: int, height: int) -> None:
    """Resize the view's container and wait for the view's own resize event.

    The window's size changes at once; its resize event (which re-frames) comes
    from the window system, later.
    """
    seen: list[QSize] = []

    class Watch(QObject):
        def eventFilter(self, obj: QObject | None, ev: QEvent | None) -> bool:
            if isinstance(ev, QResizeEvent):
                seen.append(ev.size())
            return False

    watch = Watch()
    scene.installEventFilter(watch)
    try:
        scene.container.resize(width, height)
        qtbot.waitUntil(lambda: QSize(width, height) in seen, timeout=2000)
    finally:
        scene.removeEventFilter(watch)


def test_the_wheel_zooms_and_ctrl_wheel_changes_the_lens(scene: StageScene, qtbot: QtBot) -> None:
    # A wheel event delivered to the view's window, as the window system delivers it.
    from PyQt6.QtCore import QCoreApplication
    from PyQt6.QtGui import QWheelEvent

    scene.set_config(demo_show())
    distance, fov = scene.opts["distance"], scene.opts["fov"]

    def wheel(steps: int, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        at = QPointF(400, 300)
        QCoreApplication.sendEvent(scene, QWheelEvent(at, QPointF(scene.mapToGlobal(at)), QPoint(0, 0),
                                                      QPoint(0, 120 * steps), Qt.MouseButton.NoButton, modifiers,
                                                      Qt.ScrollPhase.NoScrollPhase, False))

    wheel(1)  # away from the user: closer
    assert scene.opts["distance"] < distance and scene.opts["fov"] == fov
    wheel(-2)
    assert scene.opts["distance"] > distance
    wheel(1, Qt.KeyboardModifier.ControlModifier)
    assert scene.opts["fov"] < fov
    zoomed = scene.opts["distance"]
    resize(scene, qtbot, 800, 400)  # the user owns the camera now: no re-framing
    assert scene.opts["distance"] == zoomed
