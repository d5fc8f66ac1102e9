"""Issue 7 in the picture: which way is left, where each fixture points, repeated names, framing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PyQt6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from shared.show.model import Stage
from shared.show.orientation import PRESETS
from tests.render.helpers import config, count_color, fixture, has_color, patch
from visualizer.render import StageScene, camera

Grab = Callable[[], npt.NDArray[np.uint8]]

FRONT = (0x44, 0x77, 0xCC)
BACK = (0xCC, 0x77, 0x44)


@pytest.mark.parametrize("mounting", list(PRESETS))
def test_each_mounting_preset_aims_where_the_table_says_in_the_picture(scene: StageScene, grab: Grab,
                                                                       mounting: str) -> None:
    aim = {"hanging": (0, 0, -1), "standing": (0, 0, 1), "wall_left": (1, 0, 0), "wall_right": (-1, 0, 0),
           "wall_back": (0, -1, 0), "wall_front": (0, 1, 0)}[mounting]
    # as bundled rigs write it: the mounting name with 0, 0, 0
    scene.set_config(config(fixture("f", 0, 0, 2.0, mounting=mounting, size=(0.3, 0.3, 0.3))))
    scene.set_camera_preset("top" if aim[2] == 0 and aim[0] == 0 else "front")
    scene.set_fixture_colors(np.array([[0.0, 0.2, 1.0]]))
    img = grab()
    rig = scene.rig
    assert rig is not None
    assert rig.rotations[0] @ np.array([0, 0, 1.0]) == pytest.approx(aim, abs=1e-6)
    lens = rig.positions[0] + np.asarray(aim, np.float64) * 0.3
    ahead, _ = camera.project(lens + np.asarray(aim) * 0.5, scene.view_projection(), scene.width(), scene.height())
    behind, _ = camera.project(lens - np.asarray(aim) * 1.1, scene.view_projection(), scene.width(),
                               scene.height())
    if aim[2] != 0:  # front view: up or down on the screen
        assert (ahead[0, 1] < behind[0, 1]) == (aim[2] > 0)
    elif aim[0] != 0:  # front view, mirrored to the real stage: +x (stage right) goes left
        assert (ahead[0, 0] < behind[0, 0]) == (aim[0] > 0)
    else:  # top plan: the audience (-y) is at the bottom
        assert (ahead[0, 1] > behind[0, 1]) == (aim[1] < 0)

    def blue(at: npt.NDArray[np.float64]) -> float:
        from PyQt6.QtCore import QPointF

        p = patch(img, QPointF(float(at[0, 0]), float(at[0, 1])), 3).mean(axis=0)
        return float(p[2] - p[0])

    assert blue(behind) < 14, f"light behind the fixture for {mounting}"  # the floor is a bluish grey
    assert blue(ahead) > blue(behind) + 25, f"no beam ahead of the lens for {mounting}"


def test_wall_booms_aim_across_the_stage_seen_from_the_audience(scene: StageScene, grab: Grab) -> None:
    # the theatre case: side booms at x = +-5.5, z = 1.5 among front and back washes
    scene.set_config(config(
        fixture("boom L", -5.5, 0.0, 1.5, mounting="wall_left"),  # on the stage-left wall, aims +x
        fixture("boom R", 5.5, 0.0, 1.5, mounting="wall_right"),
        fixture("front wash", 0.0, -4.0, 6.0, mounting="hanging", yaw=180, pitch=45),
        fixture("back wash", 0.0, 4.0, 6.0, mounting="hanging", pitch=60),
        width=14.0, depth=10.0))
    scene.set_camera_preset("front")
    left = scene.fixture_screen_position("boom L")
    right = scene.fixture_screen_position("boom R")
    assert left is not None and right is not None
    assert left.x() > scene.width() / 2 > right.x()  # stage left on the right, seen from the audience
    rig = scene.rig
    assert rig is not None
    aims = rig.rotations[:, :, 2]
    assert aims[0] == pytest.approx([1, 0, 0], abs=1e-6) and aims[1] == pytest.approx([-1, 0, 0], abs=1e-6)
    # both booms point at the centre of the picture: their beams light toward each other
    scene.set_fixture_colors(np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 0, 0], [0, 0, 0]]))
    img = grab()
    y = round(left.y())
    row = img[y - 2:y + 3].astype(int)
    red = (row[:, :, 0] - row[:, :, 2]).max(axis=0) > 40
    inner_l = red[round(right.x()) + 8: scene.width() // 2].sum()
    outer_l = red[: max(round(right.x()) - 25, 0)].sum()
    assert inner_l > 10 and outer_l == 0


def test_four_same_named_pars_in_two_groups_are_four_bodies_in_their_group_colours(scene: StageScene,
                                                                                   grab: Grab) -> None:
    pars = [fixture("Retro Flat Par", -3 + 2 * i, 0, 0, size=(0.5, 0.5, 0.4)) for i in range(4)]
    pars = [f.replace(address=1 + 8 * i) for i, f in enumerate(pars)]
    scene.set_config(config(*pars, groups=(("Front", FRONT, ("Retro Flat Par", "Retro Flat Par")),
                                           ("Back", BACK, ("Retro Flat Par", "Retro Flat Par")))))
    scene.set_camera_preset("front")
    rig = scene.rig
    assert rig is not None and len(rig) == 4
    assert rig.group.tolist() == [0, 0, 1, 1]
    img = grab()
    for i, rgb in enumerate((FRONT, FRONT, BACK, BACK)):
        at = scene.fixture_screen_position(i)
        assert at is not None and has_color(img, at, rgb), i
    # picking and selection tell them apart
    scene.select_fixture(2)
    assert scene.selected_fixture() == 2
    at = scene.fixture_screen_position(3)
    assert at is not None and scene.fixture_at(at) == 3
    scene.set_label_mode("patch")
    scene.set_labels_visible(True)
    assert {lb.text for lb in scene.labels.labels} >= {"1.1", "1.9", "1.17", "1.25"}


def corners_in_view(scene: StageScene, width: float, depth: float) -> bool:
    pts = np.array([[x, y, 0.0] for x in (-width / 2, width / 2) for y in (-depth / 2, depth / 2)])
    xy, front = camera.project(pts, scene.view_projection(), scene.width(), scene.height())
    return bool(front.all() and (xy >= 0).all() and (xy[:, 0] <= scene.width()).all()
                and (xy[:, 1] <= scene.height()).all())


def four_at_corners(width: float, depth: float) -> object:
    fx = [fixture(f"c{i}", sx * (width / 2 - 0.5), sy * (depth / 2 - 0.5), 0)
          for i, (sx, sy) in enumerate(((-1, -1), (1, -1), (1, 1), (-1, 1)))]
    return config(*fx, width=width, depth=depth)


def test_a_bigger_stage_reframes_keeping_the_direction(scene: StageScene) -> None:
    scene.set_config(four_at_corners(6, 4))  # type: ignore[arg-type]
    scene.orbit(25.0, 5.0)  # the user's own direction
    scene.opts["distance"] *= 0.9
    az, el = scene.opts["azimuth"], scene.opts["elevation"]
    scene.set_config(four_at_corners(24, 12))  # type: ignore[arg-type]
    assert (scene.opts["azimuth"], scene.opts["elevation"]) == (az, el)
    assert corners_in_view(scene, 24, 12)
    for i in range(4):
        at = scene.fixture_screen_position(i)
        assert at is not None and 0 <= at.x() <= scene.width() and 0 <= at.y() <= scene.height()


def test_a_rig_that_no_longer_fits_reframes_but_not_during_a_drag(scene: StageScene, qtbot: QtBot) -> None:
    scene.set_config(four_at_corners(10, 8))  # type: ignore[arg-type]
    scene.orbit(10.0, 0.0)
    start = QPoint(400, 300)
    qtbot.mousePress(scene, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(scene, start + QPoint(30, 0))
    qtbot.mouseMove(scene, start + QPoint(60, 0))
    assert scene.dragging
    during = dict(scene.opts)
    far = config(fixture("far", 30.0, 0.0, 3.0), *four_at_corners(10, 8).fixtures)  # type: ignore[attr-defined]
    scene.set_config(far)
    assert scene.opts["distance"] == during["distance"]  # never in the middle of a drag
    qtbot.mouseRelease(scene, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 0))
    assert scene.opts["distance"] > during["distance"]
    at = scene.fixture_screen_position("far")
    assert at is not None and 0 <= at.x() <= scene.width()
    # a small change that still fits keeps the user's camera
    kept = dict(scene.opts)
    scene.set_config(config(fixture("far", 29.0, 0.0, 3.0), *four_at_corners(10, 8).fixtures))  # type: ignore[attr-defined]
    assert dict(scene.opts) == kept


def test_millimetres_typed_as_metres_do_not_shrink_the_rig(scene: StageScene, grab: Grab) -> None:
    rig = [fixture(f"p{i}", -4 + 2 * i, 0, 0, size=(0.5, 0.5, 0.4)) for i in range(5)]
    scene.set_config(config(*rig, groups=(("g", FRONT, tuple(f.name for f in rig)),)))
    scene.set_camera_preset("top")
    normal = scene.opts["distance"]
    scene.set_config(config(*rig, fixture("mm", 1500, 2000, 3000),
                            groups=(("g", FRONT, tuple(f.name for f in rig)),)))
    scene.fit_to_stage()
    assert scene.opts["distance"] == pytest.approx(normal, rel=0.05)
    assert scene.rig is not None and scene.rig.plausible.tolist() == [True] * 5 + [False]
    assert count_color(grab(), FRONT) > 200  # the real rig is still a rig, not a dot


def test_an_absurd_stage_is_left_out_of_the_framing(scene: StageScene) -> None:
    from shared.show.model import ShowConfig

    scene.set_config(ShowConfig(Stage(12000.0, 8000.0), (fixture("a", -3, 0, 0), fixture("b", 3, 0, 0))))
    scene.set_camera_preset("top")
    a, b = scene.fixture_screen_position("a"), scene.fixture_screen_position("b")
    assert a is not None and b is not None and abs(a.x() - b.x()) > scene.width() / 3
