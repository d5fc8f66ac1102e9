"""Issue 9: pan/tilt on the GPU, beams, pools, strobe, cells, plans — numbers and pixels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PyQt6.QtCore import QPointF
from pytestqt.qtbot import QtBot

from shared.show.model import Fixture
from shared.show.orientation import aim_vectors
from tests.render.helpers import GREEN, config, count_color, fixture, patch
from visualizer.light.look import Look
from visualizer.render import StageScene, camera, motion
from visualizer.render.geometry import HEAD_DETAIL_LIMIT
from visualizer.render.glitems import PART_HEAD, PART_STATIC

Grab = Callable[[], npt.NDArray[np.uint8]]


def make_look(n: int, color: npt.ArrayLike = (0.0, 1.0, 0.0), live: bool = True, pan: npt.ArrayLike = 0.0,
              tilt: npt.ArrayLike = 0.0, beam: float = 15.0,
              cells: npt.NDArray[np.float32] | None = None, owner: npt.NDArray[np.int32] | None = None) -> Look:
    """A Look as the evaluator builds it (visualizer.light.look), made by hand."""
    c = np.broadcast_to(np.asarray(color, np.float32), (n, 3)).copy()
    return Look(
        color=c, intensity=c.max(axis=1), live=np.full(n, live),
        pan_deg=np.broadcast_to(np.asarray(pan, np.float32), (n,)).copy(),
        tilt_deg=np.broadcast_to(np.asarray(tilt, np.float32), (n,)).copy(),
        beam_deg=np.full(n, beam, np.float32),
        cell_color=np.zeros((0, 3), np.float32) if cells is None else cells,
        cell_owner=np.zeros(0, np.int32) if owner is None else owner,
    )


def head(name: str, x: float, y: float, z: float, mounting: str = "hanging", **kw: float) -> Fixture:
    return fixture(name, x, y, z, kind="MH", mounting=mounting, size=(0.35, 0.3, 0.5), **kw)


def screen(scene: StageScene, p: npt.ArrayLike) -> QPointF:
    xy, front = camera.project(p, scene.view_projection(), scene.width(), scene.height())
    assert front[0]
    return QPointF(float(xy[0, 0]), float(xy[0, 1]))


CASES = [  # mounting, yaw/pitch/roll, pan, tilt -> beam direction
    ("hanging", (0, 0, 0), 0, 0, (0, 0, -1)),
    ("hanging", (0, 0, 0), 0, 30, (0, -0.5, -np.sqrt(3) / 2)),  # toward the audience
    ("hanging", (0, 0, 0), 90, 90, (1, 0, 0)),  # pan turns like yaw seen from the base
    ("hanging", (0, 0, 0), -90, 45, (-np.sqrt(0.5), 0, -np.sqrt(0.5))),
    ("standing", (0, 0, 0), 0, 45, (0, np.sqrt(0.5), np.sqrt(0.5))),
    ("standing", (0, 0, 0), 180, 45, (0, -np.sqrt(0.5), np.sqrt(0.5))),
    ("wall_left", (0, 0, 0), 0, 0, (1, 0, 0)),
    ("wall_back", (0, 0, 0), 0, 90, (0, 0, 1)),  # the top of a wall_back fixture is up
    ("custom", (0, 90, 0), 0, -20, (0, np.sin(np.radians(20)), -np.cos(np.radians(20)))),
]


@pytest.mark.parametrize(("mounting", "angles", "pan", "tilt", "want"), CASES)
def test_beam_direction_for_pan_tilt_and_orientation(mounting: str, angles: tuple[float, float, float],
                                                     pan: float, tilt: float,
                                                     want: tuple[float, float, float]) -> None:
    from visualizer.render.geometry import build_rig

    f = head("h", 0, 0, 5, mounting=mounting, yaw=angles[0], pitch=angles[1], roll=angles[2])
    rig = build_rig(config(f))
    s = motion.statics(rig, ["head"], np.array([540.0], np.float32), np.array([270.0], np.float32))
    origin, direction = motion.beams(s, [pan], [tilt])  # the vertex shader's maths
    assert direction[0] == pytest.approx(want, abs=1e-6)
    assert aim_vectors([f], pan, tilt)[0] == pytest.approx(want, abs=1e-6)  # the convention's
    # the beam leaves the lens, in front of the head's pivot
    pivot = rig.positions[0] + rig.rotations[0] @ np.array([0, 0, s.pivot[0]])
    assert np.dot(origin[0] - pivot, direction[0]) == pytest.approx(s.lens_height[0] - s.pivot[0], abs=1e-5)


def test_dmx_to_angle_and_default_ranges() -> None:
    assert motion.angle_to_dmx_degrees(0, 255, 540) == -270
    assert motion.angle_to_dmx_degrees(65535, 65535, 270) == 135
    assert motion.angle_to_dmx_degrees(32768, 65536, 540) == 0
    assert (motion.DEFAULT_PAN_RANGE, motion.DEFAULT_TILT_RANGE) == (540.0, 270.0)


def test_pool_centre_of_a_hanging_head_tilted_by_a_known_angle(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(head("h", 0.0, 0.0, 6.0), width=12, depth=12))
    scene.set_camera_preset("top")
    s = scene._statics
    assert s is not None
    origin, direction = motion.beams(s, [0.0], [25.0])
    centre = motion.pool_centres(origin, direction, s.length)[0]
    assert centre[0] == pytest.approx(0.0, abs=1e-6)
    # from the lens (swung toward the audience with the head) 25 degrees off vertical, to the floor
    assert origin[0, 1] < 0
    assert centre[1] == pytest.approx(origin[0, 1] - origin[0, 2] * np.tan(np.radians(25)), abs=1e-5)
    assert centre[1] < -2.0
    scene.set_look(make_look(1, tilt=25.0, beam=12.0))
    img = grab()
    lit = patch(img, screen(scene, centre), 2).mean(axis=0)
    mirror = patch(img, screen(scene, centre * [1, -1, 1]), 2).mean(axis=0)
    assert lit[1] > mirror[1] + 60 and lit[1] > lit[0] + 40
    # pointing up or sideways: no pool
    _, up = motion.beams(s, [0.0], [180.0])
    assert np.isnan(motion.pool_centres(origin, up, s.length)).all()


def test_beam_colour_appears_where_the_maths_says_and_follows_pan(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(head("h", 0.0, 0.0, 6.0), width=12, depth=10))
    scene.set_camera_preset("front")
    s = scene._statics
    assert s is not None
    bodies = scene.rig.bodies.positions if scene.rig else None
    for pan, tilt in ((0.0, 40.0), (90.0, 40.0), (-90.0, 40.0)):
        scene.set_look(make_look(1, pan=pan, tilt=tilt, beam=10.0))
        img = grab()
        origin, d = motion.beams(s, [pan], [tilt])
        inside = patch(img, screen(scene, origin[0] + 3.0 * d[0]), 2).mean(axis=0)
        assert inside[1] > inside[0] + 30 and inside[1] > inside[2] + 30, (pan, tilt, inside)
        # the other way round is dark
        away = origin[0] + 3.0 * (d[0] * [-1, 1, 1])
        if abs(d[0][0]) > 0.3:
            assert patch(img, screen(scene, away), 2).mean(axis=0)[1] < inside[1] - 40
    assert scene.rig is not None and scene.rig.bodies.positions is bodies  # no geometry was rebuilt


def test_closed_shutter_or_zero_intensity_means_no_beam_and_strobe_alternates(scene: StageScene,
                                                                               grab: Grab) -> None:
    scene.set_config(config(head("h", 0.0, 0.0, 5.0), width=10, depth=8))
    scene.set_camera_preset("front")
    scene.set_beams_visible(False)
    scene.set_look(make_look(1, tilt=0.0))
    no_beams = grab()
    scene.set_beams_visible(True)
    s = scene._statics
    assert s is not None
    origin, d = motion.beams(s, [0.0], [0.0])
    probe = screen(scene, origin[0] + 2.0 * d[0])
    frames = []
    for on in (True, False, True, False):  # a strobe as the evaluator reports it: dark every other frame
        scene.set_look(make_look(1, color=(0.0, 1.0, 0.0) if on else (0.0, 0.0, 0.0)))
        img = grab()
        frames.append(patch(img, probe, 2).mean(axis=0)[1])
        if not on:  # closed shutter: exactly the picture without beams
            assert (img == no_beams).all()
    assert frames[0] > frames[1] + 60 and frames[2] > frames[3] + 60


def test_fixtures_without_live_dmx_keep_idle_lenses_and_no_beam(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(head("h", 0.0, 0.0, 5.0)))
    scene.set_camera_preset("front")
    scene.set_beams_visible(False)
    dark = grab()
    scene.set_beams_visible(True)
    scene.set_look(make_look(1, live=False))
    assert (grab() == dark).all()


def test_pixel_bar_cells_glow_one_by_one(scene: StageScene, grab: Grab) -> None:
    bar = fixture("bar", 0.0, 0.0, 1.0, kind="PIXELBAR", mounting="wall_back", size=(2.0, 0.1, 0.1),
                  layout=(4, 1))
    scene.set_config(config(bar, width=4, depth=4))
    scene.set_camera_preset("front")
    cells = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], np.float32)
    scene.set_look(make_look(1, cells=cells, owner=np.zeros(4, np.int32)))
    img = grab()
    # body x of cell k: -1 + 0.25 + 0.5 k (cells run along +x, which is drawn to the LEFT)
    got = []
    for k in range(4):
        at = screen(scene, [-0.75 + 0.5 * k, -0.06, 1.0])
        got.append(patch(img, at, 1).mean(axis=0))
    assert got[0][0] > 150 and got[0][1] < 80
    assert got[1][1] > 150 and got[1][0] < 80
    assert got[2][2] > 150 and got[2][0] < 80
    assert min(got[3]) > 150
    assert screen(scene, [-0.75, 0, 1]).x() > screen(scene, [0.75, 0, 1]).x()


def test_orthographic_top_view_places_a_fixture_at_its_coordinates(scene: StageScene, grab: Grab) -> None:
    pts = [(2.0, 1.0, 6.0), (-3.0, -2.0, 0.5), (0.5, 2.5, 3.0)]
    fx = [fixture(f"f{i}", x, y, z, kind="box", mounting="hanging", size=(0.3, 0.3, 0.3))
          for i, (x, y, z) in enumerate(pts)]
    colours = [(230, 40, 40), (40, 200, 60), (40, 90, 230)]
    scene.set_config(config(*fx, groups=tuple((f"g{i}", c, (f"f{i}",)) for i, c in enumerate(colours)),
                            width=10, depth=8))
    scene.set_camera_preset("top")
    assert scene.is_orthographic()
    img = grab()
    w, h = scene.width(), scene.height()
    ppm = (w / 2) / scene.half_width_at_centre()  # the plan's scale, pixels per metre
    c = scene.opts["center"]
    for (x, y, _), rgb in zip(pts, colours, strict=True):
        from tests.render.helpers import shade_match

        mask = shade_match(img.reshape(-1, 3).astype(np.int64), rgb).reshape(img.shape[:2])
        want_x = w / 2 - (x - c.x()) * ppm  # +x (stage right) is drawn to the left
        want_y = h / 2 - (y - c.y()) * ppm  # upstage is up
        ys, xs = np.nonzero(mask)
        near = np.hypot(xs - want_x, ys - want_y) < 40  # leave out the axis labels' coloured text
        xs, ys = xs[near], ys[near]
        assert len(xs) > 20
        assert abs(xs.mean() + 0.5 - want_x) <= 2 and abs(ys.mean() + 0.5 - want_y) <= 2, (x, y)


def test_realistic_movement_takes_its_time(scene: StageScene, qtbot: QtBot) -> None:
    scene.set_config(config(head("h", 0.0, 0.0, 5.0)))
    scene.set_realistic_movement(True)
    scene.set_look(make_look(1, pan=180.0, tilt=90.0))
    assert scene._pan[0] < 180.0
    qtbot.waitUntil(lambda: scene._pan[0] > 30.0, timeout=3000)
    assert scene._pan[0] < 180.0  # 540 degrees take 4 s: 180 take 1.3 s
    qtbot.waitUntil(lambda: scene._pan[0] == 180.0 and scene._tilt[0] == 90.0, timeout=5000)
    scene.set_realistic_movement(False)
    scene.set_look(make_look(1, pan=-100.0))
    assert scene._pan[0] == -100.0  # screenshots see the target at once


def test_beam_quality_switch(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(head("h", 0.0, 0.0, 5.0)))
    scene.set_camera_preset("perspective")
    scene.set_look(make_look(1, tilt=20.0))
    lit = {}
    for q in ("off", "simple", "full"):
        scene.set_beam_quality(q)
        assert scene.beam_quality() == q
        lit[q] = count_color(grab(), GREEN, tol=60)
    assert lit["simple"] > lit["off"] + 300 and lit["full"] > lit["off"] + 300  # the lens alone is green when off
    with pytest.raises(ValueError, match="beam quality"):
        scene.set_beam_quality("ultra")


def test_plans_carry_dimension_lines_at_the_plan_scale(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("a", 0, 0, 4.0, mounting="hanging"), width=12, depth=8))
    for preset, wanted in (("top", {"width 12 m", "depth 8 m"}), ("front", {"width 12 m", "height 4 m"})):
        scene.set_camera_preset(preset)
        texts = {lb.text for lb in scene.labels.labels}
        assert wanted <= texts, (preset, texts)
        ppm = (scene.width() / 2) / scene.half_width_at_centre()
        a, b = scene._rulers[0]
        xy, _ = camera.project(np.array([a, b]), scene.view_projection(), scene.width(), scene.height())
        assert abs(np.hypot(*(xy[0] - xy[1])) - 12 * ppm) < 1.0
        assert (xy >= 0).all() and (xy[:, 0] <= scene.width()).all() and (xy[:, 1] <= scene.height()).all()
    scene.set_camera_preset("perspective")
    assert not scene.dimensions.visible() and "width 12 m" not in {lb.text for lb in scene.labels.labels}


def test_a_ruler_seen_end_on_is_not_drawn(scene: StageScene) -> None:
    """The Front plan looks along the depth ruler: its ticks would be a stray diagonal stroke."""
    scene.set_config(config(fixture("a", 0, 0, 4.0, mounting="hanging"), width=12, depth=8))
    drawn = {}
    for preset in ("front", "top", "side"):
        scene.set_camera_preset(preset)
        drawn[preset] = scene.dimensions.drawn_count
    total = len(scene._ruler_points)
    width, depth, height = (b - a for a, b in scene._ruler_rows)
    assert drawn == {"front": width + height, "top": width + depth, "side": depth + height}
    assert sum((width, depth, height)) == total


@pytest.mark.parametrize("pattern", ["rainbow", "white", "sweep", "chase"])
def test_reference_festival_rig_looks_lit_under_each_pattern(scene: StageScene, grab: Grab, pattern: str) -> None:
    from visualizer.render.reference import festival_show, pattern_look

    show = festival_show()
    assert 50 <= len(show.fixtures) <= 70
    scene.set_config(show)
    dark = grab()
    scene.set_look(pattern_look(show, pattern, t=1.0))
    img = grab().astype(int)
    brighter = (img.sum(axis=2) - dark.astype(int).sum(axis=2)) > 60
    assert brighter.mean() > 0.12, f"{pattern}: only {brighter.mean():.0%} of the picture is lit"
    if pattern != "white":
        saturated = (img.max(axis=2) - img.min(axis=2)) > 90
        assert saturated.mean() > 0.02


def test_the_light_layer_is_off_when_every_beam_is_dark(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(head("h", -4.0, 2.0, 6.0), fixture("p", 4.0, -3.0, 0.0), width=12, depth=10))
    scene.set_camera_preset("top")
    scene.set_look(make_look(2, color=[[0, 1, 0], [0, 0, 0]], tilt=20.0))
    assert scene.light_active()
    s = scene._statics
    assert s is not None
    origin, d = motion.beams(s, [0.0, 0.0], [20.0, 0.0])
    centre = motion.pool_centres(origin, d, s.length)[0]
    assert patch(grab(), screen(scene, centre), 2).mean(axis=0)[1] > 60
    scene.set_look(make_look(2, color=(0.0, 0.0, 0.0)))
    assert not scene.light_active()


def test_a_moving_head_in_front_of_a_pool_hides_it(scene: StageScene, grab: Grab) -> None:
    """Heads that move are drawn after the light layer: the light is added only where they leave room."""
    blocker = fixture("blocker", 0.0, 0.0, 2.0, kind="MH", mounting="hanging", size=(0.9, 0.9, 0.5))
    scene.set_config(config(head("lamp", 0.0, 0.0, 6.0), blocker, width=12, depth=10))
    scene.set_camera_preset("top")
    for pan in (0.0, 10.0, 0.0):  # the blocker keeps moving: it stays out of the frame cache
        scene.set_look(make_look(2, color=[[0, 1, 0], [0, 0, 0]], beam=30.0, pan=[0.0, pan]))
        img = grab()
    assert scene.head_bodies not in scene.static_items()
    s = scene._statics
    assert s is not None
    origin, d = motion.beams(s, [0.0, 0.0], [0.0, 0.0])
    pool = motion.pool_centres(origin, d, s.length)[0]
    covered = patch(img, screen(scene, pool), 2).mean(axis=0)
    beside = patch(img, screen(scene, pool + np.array([1.0, 0.0, 0.0])), 2).mean(axis=0)
    assert beside[1] > beside[0] + 40  # the pool, where nothing covers it
    assert covered[1] < covered[0] + 20  # the blocker's body, unlit


def test_the_festival_example_file_is_the_reference_rig() -> None:
    """examples/festival.json (served by ``make festival``) is ``festival_show()``, patched for the test patterns."""
    from pathlib import Path

    from shared.fixtures.resolve import resolve_personality
    from shared.show import load_show
    from visualizer.render.reference import festival_show

    config, warnings = load_show(Path(__file__).resolve().parents[2] / "examples" / "festival.json")
    expected = festival_show()
    assert config.fixtures == expected.fixtures and config.groups == expected.groups
    assert config.stage == expected.stage
    assert [str(w) for w in warnings] == []
    assert {resolve_personality(f)[1] for f in config.fixtures} == {"channel_mapping"}


def test_a_floor_beam_reaches_past_the_trusses(scene: StageScene, grab: Grab) -> None:
    """An uplight at floor level still shows 9 m up (its beam was 5 m long, cut off below the rig)."""
    truss = fixture("dark", 4.0, 0.0, 10.0, kind="PAR", mounting="hanging")  # frames the view up to 10 m
    scene.set_config(config(fixture("up", 0.0, 0.0, 0.0, kind="PAR", mounting="standing"), truss, width=12,
                            depth=10))
    scene.set_camera_preset("front")
    s = scene._statics
    assert s is not None and s.length[0] >= motion.MIN_THROW
    origin, d = motion.beams(s, [0.0, 0.0], [0.0, 0.0])
    assert d[0] == pytest.approx((0.0, 0.0, 1.0))
    scene.set_look(make_look(2, color=[(0.0, 1.0, 0.0), (0.0, 0.0, 0.0)], beam=20.0))
    img = grab()
    at = screen(scene, origin[0] + 9.0 * d[0])
    assert 0 <= at.y() < scene.height()
    lit = patch(img, at, 2).mean(axis=0)
    assert lit[1] > lit[0] + 15 and lit[1] > lit[2] + 15, lit


def test_a_lite_moving_head_still_pans_and_tilts_its_head(scene: StageScene) -> None:
    """Above HEAD_DETAIL_LIMIT heads, a head is a base and a head block; the block moves, the base stays."""
    heads = [head(f"H{i}", i % 20 * 0.6 - 6.0, i // 20 * 0.6 - 3.0, 6.0) for i in range(HEAD_DETAIL_LIMIT + 1)]
    scene.set_config(config(*heads, width=16, depth=12))
    rig = scene.rig
    assert rig is not None and rig.head_detail == "lite"
    pose = scene._vertex_pose(rig.bodies.owner, body=True)
    mine = rig.bodies.owner == rig.index["H0"]
    parts = pose[mine, 1]
    assert (parts[:24] == PART_STATIC).all() and (parts[24:] == PART_HEAD).all() and len(parts) > 24
