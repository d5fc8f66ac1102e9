"""Configuration updates that only move or recolour a few fixtures are applied in place."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import msgspec
import numpy as np
import numpy.typing as npt
import pytest

from shared.show.model import Orientation, ShowConfig, Vec3
from tests.render.helpers import BLUE, GREEN, RED, config, fixture, grid_config, has_color, hex_of
from visualizer.render import StageScene, build_rig
from visualizer.render.geometry import update_rig

Grab = Callable[[], npt.NDArray[np.uint8]]


def row_of_pars(n: int = 12) -> ShowConfig:
    """``n`` hanging PARs along x (the top view sees their bodies): the first red, the rest green."""
    fixtures = [fixture(f"P{i}", i * 0.8 - 4.4, -1.0, 3.0, mounting="hanging", size=(0.5, 0.5, 0.4)) for i in range(n)]
    return config(*fixtures, groups=(("lead", RED, ("P0",)), ("rest", GREEN, tuple(f"P{i}" for i in range(1, n)))))


def moved(cfg: ShowConfig, i: int, **changes: object) -> ShowConfig:
    fixtures = list(cfg.fixtures)
    fixtures[i] = msgspec.structs.replace(fixtures[i], **changes)
    return dataclasses.replace(cfg, fixtures=tuple(fixtures))


def recoloured(cfg: ShowConfig, group: str, rgb: tuple[int, int, int]) -> ShowConfig:
    groups = tuple(dataclasses.replace(g, color=hex_of(rgb)) if g.name == group else g for g in cfg.groups)
    return dataclasses.replace(cfg, groups=groups)


# ---------------------------------------------------------------------- geometry


def assert_same_rig(got: object, want: object) -> None:
    for field in ("names", "index", "detail", "head_detail", "beam_rays"):
        assert getattr(got, field) == getattr(want, field), field
    for field in ("base_rgb", "centers", "tops", "radii", "rotations", "sizes", "positions", "hanging"):
        np.testing.assert_allclose(getattr(got, field), getattr(want, field), atol=1e-6, err_msg=field)
    for name in ("bodies", "lenses", "beams"):
        a, b = getattr(got, name), getattr(want, name)
        for field in ("positions", "indices", "owner", "normals", "alpha"):
            x, y = getattr(a, field), getattr(b, field)
            assert (x is None) == (y is None), (name, field)
            if x is not None:
                np.testing.assert_allclose(x, y, atol=1e-5, err_msg=f"{name}.{field}")
    for x, y in zip(got.bounds, want.bounds, strict=True):  # type: ignore[attr-defined]
        np.testing.assert_allclose(x, y, atol=1e-6)


@pytest.mark.parametrize("n", [40, 1000, 2000])  # cones and full bodies; rays; lite bodies
def test_update_rig_builds_exactly_what_a_full_build_builds(n: int) -> None:
    old = grid_config(n)
    new = moved(old, 3, position=Vec3(1.0, 2.0, 3.0), orientation=Orientation("standing", 30.0, 10.0, 5.0))
    new = moved(new, n - 1, beam_angle=40.0, physical=None)  # a bar: its default size
    new = moved(new, 6, orientation=Orientation("hanging", -45.0, 0.0, 20.0))  # a moving head
    new = recoloured(new, "G1", BLUE)
    result = update_rig(build_rig(old), old, new)
    assert result is not None
    rig, change = result
    assert_same_rig(rig, build_rig(new))
    assert list(change.moved) == [3, 6, n - 1]
    assert change.recoloured
    owners = set(rig.bodies.owner[change.bodies])
    assert owners == {3, 6, n - 1}
    assert set(rig.lenses.owner[change.lenses]) == owners and set(rig.beams.owner[change.beams]) == owners


def test_update_rig_leaves_the_old_rig_untouched_and_shares_what_did_not_change() -> None:
    old = grid_config(40)
    before = build_rig(old)
    copy = before.bodies.positions.copy()
    result = update_rig(before, old, moved(old, 0, position=Vec3(0.0, 0.0, 1.0)))
    assert result is not None
    assert np.array_equal(before.bodies.positions, copy)
    assert result[0].bodies.indices is before.bodies.indices
    same = update_rig(before, old, recoloured(old, "G0", BLUE))
    assert same is not None and len(same[1].moved) == 0 and same[0].bodies is before.bodies


@pytest.mark.parametrize(
    "change",
    [
        lambda c: moved(c, 2, name="renamed"),
        lambda c: moved(c, 0, fixture_type="BAR"),  # a PAR becomes a bar: another vertex block
        lambda c: dataclasses.replace(c, fixtures=c.fixtures[:-1]),
        lambda c: dataclasses.replace(c, fixtures=c.fixtures[::-1]),
        lambda c: dataclasses.replace(c, fixtures=tuple(msgspec.structs.replace(f, position=Vec3(0.0, 0.0, 9.0))
                                                         for f in c.fixtures)),  # most moved
    ],
)
def test_update_rig_declines_what_needs_a_full_build(change: Callable[[ShowConfig], ShowConfig]) -> None:
    old = grid_config(40)
    assert update_rig(build_rig(old), old, change(old)) is None


# ---------------------------------------------------------------------- pixels


def test_a_moved_fixture_moves_in_the_image_and_a_group_colour_change_recolours(scene: StageScene,
                                                                                 grab: Grab) -> None:
    first = row_of_pars()
    scene.set_config(first)
    scene.set_camera_preset("top")
    scene.select_fixture(11)
    scene.set_fixture_colors({"P5": (0.0, 0.0, 1.0)})
    built = scene.rig
    assert built is not None
    old_at = scene.fixture_screen_position("P0")
    assert old_at is not None and has_color(grab(), old_at, RED)

    second = recoloured(moved(first, 0, position=Vec3(-4.4, 2.5, 3.0)), "rest", BLUE)
    scene.set_config(second)
    rig = scene.rig
    assert rig is not None and rig.bodies.indices is built.bodies.indices  # updated in place
    img = grab()
    new_at = scene.fixture_screen_position("P0")
    assert new_at is not None and new_at.y() < old_at.y() - 40
    assert has_color(img, new_at, RED) and not has_color(img, old_at, RED)
    for name in ("P1", "P7", "P10"):
        at = scene.fixture_screen_position(name)
        assert at is not None and has_color(img, at, BLUE) and not has_color(img, at, GREEN)
    assert scene.selected_fixture() == 11
    assert np.array_equal(scene._lens_rgba[5], [0, 0, 255, 255])  # emitted colours stay

    # Exactly the picture a scene that builds ``second`` from scratch draws.
    scene.set_config(config(fixture("other", 0, 0, 0)))
    scene.set_config(second)
    assert scene.rig is not None and scene.rig.bodies.indices is not rig.bodies.indices
    scene.select_fixture(11)
    scene.set_fixture_colors({"P5": (0.0, 0.0, 1.0)})
    assert np.array_equal(grab(), img)
