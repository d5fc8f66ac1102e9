"""Multi-select, search hits, the legend, thinned labels that name themselves on hover."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from shared.show import demo_show
from tests.render.helpers import config, fixture, patch
from visualizer.render import StageScene

Grab = Callable[[], npt.NDArray[np.uint8]]


def point(scene: StageScene, i: int) -> QPoint:
    at = scene.fixture_screen_position(i)
    assert at is not None
    return QPoint(round(at.x()), round(at.y()))


def test_ctrl_and_shift_click_build_a_multi_selection(scene: StageScene, qtbot: QtBot, grab: Grab) -> None:
    scene.set_config(config(*[fixture(f"p{i}", -3 + 2 * i, 0, 0) for i in range(4)]))
    scene.set_camera_preset("front")
    got: list[object] = []
    scene.fixtures_selected.connect(got.append)
    qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=point(scene, 0))
    assert scene.selected_fixtures() == (0,)
    qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos=point(scene, 2))
    qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=point(scene, 3))
    assert scene.selected_fixtures() == (0, 2, 3) and scene.selected_fixture() == 3
    assert got[-1] == (0, 2, 3)
    img = grab()
    for i in (0, 2, 3):  # each selected body has its white outline
        assert int((patch(img, scene.fixture_screen_position(i), 40) >= 235).all(axis=1).sum()) > 10  # type: ignore[arg-type]
    assert int((patch(img, scene.fixture_screen_position(1), 25) >= 235).all(axis=1).sum()) == 0  # type: ignore[arg-type]
    qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos=point(scene, 2))
    assert scene.selected_fixtures() == (0, 3)
    qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=point(scene, 1))
    assert scene.selected_fixtures() == (1,)
    scene.select_fixtures([3, 1, 99])
    assert scene.selected_fixtures() == (3, 1)


def test_search_hits_are_ringed_in_amber(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(*[fixture(f"p{i}", -3 + 2 * i, 0, 0) for i in range(4)]))
    scene.set_camera_preset("front")
    before = grab()
    scene.set_highlighted([1, 3])
    img = grab()

    def amber(at: object, im: npt.NDArray[np.uint8]) -> int:
        pix = patch(im, at, 16)  # type: ignore[arg-type]
        return int(((pix[:, 0] > 200) & (pix[:, 1] > 150) & (pix[:, 2] < 80)).sum())

    for i in (1, 3):
        at = scene.fixture_screen_position(i)
        assert amber(at, img) > 15 and amber(at, before) == 0
    assert amber(scene.fixture_screen_position(0), img) == 0
    scene.set_highlighted([])
    after = grab()
    assert (after != before).any(axis=2).sum() <= after.shape[0] * after.shape[1] // 10_000
    assert all(amber(scene.fixture_screen_position(i), after) == 0 for i in range(4))


def test_group_legend_lists_the_colours_in_use(scene: StageScene, grab: Grab) -> None:
    show = demo_show()
    scene.set_config(show)
    assert [t for t, _ in scene.labels.legend] == [g.name for g in show.groups]
    img = grab()
    corner = img[8:8 + 20 * len(show.groups), 8:160]
    assert (np.abs(corner.astype(int) - [255, 87, 34]).sum(axis=2) < 40).sum() > 20  # Front Wash swatch
    scene.set_legend_visible(False)
    assert scene.labels.legend == []


def test_thinned_labels_say_so_and_hover_names_a_hidden_one(scene: StageScene, qtbot: QtBot,
                                                           grab: Grab) -> None:
    scene.set_config(config(*[fixture(f"Crowded {i}", 0.1 * i, 0.0, 0.0) for i in range(12)]))
    scene.set_labels_visible(True)
    grab()
    assert scene.labels.hidden > 0
    hidden = next(i for i in range(12) if f"Crowded {i}" not in scene.labels.drawn)
    qtbot.mouseMove(scene, point(scene, hidden))
    qtbot.waitUntil(lambda: scene._hover is not None, timeout=2000)
    grab()
    assert scene.label_text(scene._hover) in scene.labels.drawn  # type: ignore[arg-type]


def test_the_camera_never_goes_under_the_floor(scene: StageScene, qtbot: QtBot) -> None:
    scene.set_config(demo_show())
    scene.set_camera_preset("front")
    start = QPoint(400, 300)
    qtbot.mousePress(scene, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 12):
        qtbot.mouseMove(scene, start + QPoint(0, -25 * step))  # drag up: tip the camera down and under
    qtbot.mouseRelease(scene, Qt.MouseButton.LeftButton, pos=start + QPoint(0, -275))
    assert scene.opts["elevation"] >= 0.0
    scene.orbit(0.0, -200.0)
    assert scene.opts["elevation"] == 0.0
    scene.pan(0.0, 0.0, -500.0, relative="view-upright")
    assert scene.camera_height() >= 0.0


def test_a_look_for_another_rig_size_is_skipped(scene: StageScene) -> None:
    from visualizer.light.look import Look

    scene.set_config(config(fixture("a", 0, 0, 0)))
    n = 3
    scene.set_look(Look(np.ones((n, 3), np.float32), np.ones(n, np.float32), np.ones(n, bool),
                        np.zeros(n, np.float32), np.zeros(n, np.float32), np.full(n, 20, np.float32),
                        np.zeros((0, 3), np.float32), np.zeros(0, np.int32)))
    assert scene._lens_rgba.shape == (1, 4)


def test_names_with_control_characters_are_labelled_on_one_line_in_their_own_order(scene: StageScene) -> None:
    """A name is any JSON string: a newline, a terminal escape or a right-to-left override is shown
    escaped in the 3D label (and the legend), never as a second line or reordered letters."""
    from shared.show.model import Group

    show = config(fixture("\u202eevil", 0.0, 0.0, 4.0), fixture("A\nB\x1b[31m", 2.0, 0.0, 4.0))
    show = replace(show, groups=(Group("G\u2028H", "#FF0000", ("A\nB\x1b[31m",)),))
    scene.set_config(show)
    assert [scene.label_text(i) for i in range(2)] == ["\\u202eevil", "A\\nB\\x1b[31m"]
    assert scene.labels.legend[0][0] == "G\\u2028H"
