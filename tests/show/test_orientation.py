"""Show Creator's orientation convention (issue 7 §2), as numbers."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest

from shared.show.model import Fixture, Orientation, Vec3
from shared.show.orientation import (
    MOUNTINGS,
    PRESETS,
    aim_vectors,
    angles_of_rotation,
    axis_rotation,
    base_rotation,
    head_rotations,
    mounting_of,
    orientation_of_rotation,
    resolved_angles,
)

TABLE = [  # mounting, preset (yaw, pitch, roll), beam direction: the table of docs/PROTOCOL.md
    ("hanging", (0, 90, 0), (0, 0, -1)),
    ("standing", (0, -90, 0), (0, 0, 1)),
    ("wall_left", (-90, 0, 0), (1, 0, 0)),
    ("wall_right", (90, 0, 0), (-1, 0, 0)),
    ("wall_back", (0, 0, 0), (0, -1, 0)),
    ("wall_front", (180, 0, 0), (0, 1, 0)),
]


def orientation(mounting: str, yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> Orientation:
    return Orientation(cast(Any, mounting), yaw, pitch, roll)


def fixture(o: Orientation | None, z: float = 3.0) -> Fixture:
    return Fixture(name="f", manufacturer="m", model="m", mode="m", universe=1, address=1,
                   position=Vec3(0.0, 0.0, z), orientation=o)


@pytest.mark.parametrize(("mounting", "preset", "aim"), TABLE)
def test_each_row_of_the_table(mounting: str, preset: tuple[float, float, float],
                               aim: tuple[float, float, float]) -> None:
    assert PRESETS[mounting] == preset
    assert base_rotation(*preset) @ np.array([0, 0, 1.0]) == pytest.approx(aim, abs=1e-9)
    # written as the dialog writes it (the absolute preset angles) or as bundled files do (0, 0, 0)
    for o in (orientation(mounting, *preset), orientation(mounting)):
        assert resolved_angles(o) == preset
        assert aim_vectors([fixture(o)])[0] == pytest.approx(aim, abs=1e-9)


def test_angles_are_absolute_not_added_to_the_mounting() -> None:
    # a real "hanging, pitch 90" points down, not at the audience
    assert aim_vectors([fixture(orientation("hanging", 0, 90, 0))])[0] == pytest.approx([0, 0, -1], abs=1e-9)
    # "hanging" with pitch 30 only: 30 degrees below the audience direction
    d = aim_vectors([fixture(orientation("hanging", 0, 30, 0))])[0]
    assert d == pytest.approx([0, -np.cos(np.radians(30)), -0.5], abs=1e-9)


def test_signs_of_yaw_pitch_and_roll() -> None:
    down = np.array([0, 0, 1.0])
    assert base_rotation(-90, 0, 0) @ down == pytest.approx([1, 0, 0], abs=1e-9)  # stage right
    assert base_rotation(90, 0, 0) @ down == pytest.approx([-1, 0, 0], abs=1e-9)  # stage left
    assert (base_rotation(0, 10, 0) @ down)[2] < 0  # positive pitch tips the beam down
    # yaw first, then pitch about the turned body: a stage-right beam tipped down 45 degrees
    assert base_rotation(-90, 45, 0) @ down == pytest.approx([np.sqrt(0.5), 0, -np.sqrt(0.5)], abs=1e-9)
    # roll keeps the beam and turns the body's sideways axis: +x side goes down
    r = base_rotation(0, 0, 90)
    assert r @ down == pytest.approx([0, -1, 0], abs=1e-9)
    assert r @ np.array([1.0, 0, 0]) == pytest.approx([0, 0, -1], abs=1e-9)
    # every result is a proper rotation
    rng = np.random.default_rng(1)
    for yaw, pitch, roll in rng.uniform(-360, 360, (20, 3)):
        m = base_rotation(yaw, pitch, roll)
        assert m @ m.T == pytest.approx(np.eye(3), abs=1e-9)
        assert np.linalg.det(m) == pytest.approx(1.0)


def test_unknown_mounting_is_custom_and_missing_orientation_depends_on_height() -> None:
    assert set(MOUNTINGS) == {*PRESETS, "custom"}
    assert mounting_of(orientation("trapeze")) == "custom"
    assert mounting_of(orientation("Wall_Left")) == "wall_left"
    assert resolved_angles(orientation("trapeze")) == (0.0, 0.0, 0.0)  # custom: the angles as given
    assert resolved_angles(orientation("custom", 10, 20, 30)) == (10, 20, 30)
    assert resolved_angles(None, 6.0) == PRESETS["hanging"]
    assert resolved_angles(None, 0.0) == PRESETS["standing"]
    assert resolved_angles(orientation("hanging", float("nan"), 0, 0)) == PRESETS["hanging"]


def test_moving_head_points_along_its_base_normal_at_centre_and_tilts_to_its_top() -> None:
    hanging = fixture(orientation("hanging"))
    assert aim_vectors([hanging], 0.0, 0.0)[0] == pytest.approx([0, 0, -1], abs=1e-9)
    # tilt swings a hanging head (yaw 0) toward the audience; pan turns it like yaw
    t = np.radians(30)
    assert aim_vectors([hanging], 0.0, 30.0)[0] == pytest.approx([0, -np.sin(t), -np.cos(t)], abs=1e-9)
    standing = fixture(orientation("standing"), z=0.0)
    # a standing head's top faces upstage: tilt goes upstage, and pan turns that like yaw would
    assert aim_vectors([standing], 0.0, 30.0)[0] == pytest.approx([0, np.sin(t), np.cos(t)], abs=1e-9)
    assert aim_vectors([standing], 90.0, 30.0)[0] == pytest.approx([np.sin(t), 0, np.cos(t)], abs=1e-9)
    assert head_rotations([0.0], [0.0])[0] == pytest.approx(np.eye(3))


def test_angles_of_rotation_inverts_base_rotation() -> None:
    rng = np.random.default_rng(9)
    for yaw, pitch, roll in rng.uniform((-180, -89.9, -180), (180, 89.9, 180), (500, 3)):
        r = base_rotation(yaw, pitch, roll)
        assert angles_of_rotation(r) == pytest.approx((yaw, pitch, roll), abs=1e-6)
    # beam straight down or up: yaw and roll turn about the same axis, yaw carries both
    for pitch in (90.0, -90.0):
        r = base_rotation(30.0, pitch, 20.0)
        got = angles_of_rotation(r)
        assert got[1:] == (pitch, 0.0) and base_rotation(*got) == pytest.approx(r, abs=1e-9)


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_preset_pose_is_written_as_show_creator_writes_the_preset(name: str) -> None:
    assert orientation_of_rotation(base_rotation(*PRESETS[name])) == {
        "mounting": name, "yaw": 0.0, "pitch": 0.0, "roll": 0.0}


def test_other_poses_get_absolute_angles_and_a_mounting_by_the_beam() -> None:
    assert orientation_of_rotation(base_rotation(10.0, 30.0, 5.0)) == {
        "mounting": "hanging", "yaw": 10.0, "pitch": 30.0, "roll": 5.0}
    assert orientation_of_rotation(base_rotation(10.0, -30.0, 0.0))["mounting"] == "standing"
    # horizontal but not a preset: custom, never a named mounting that could read as its preset
    assert orientation_of_rotation(base_rotation(0.0, 0.0, 40.0))["mounting"] == "custom"


def test_axis_rotation_is_the_right_hand_rotation_about_each_axis() -> None:
    # 90 degrees: y -> z about x, z -> x about y, x -> y about z
    assert axis_rotation(0, 90.0) @ np.array([0, 1.0, 0]) == pytest.approx([0, 0, 1], abs=1e-12)
    assert axis_rotation(1, 90.0) @ np.array([0, 0, 1.0]) == pytest.approx([1, 0, 0], abs=1e-12)
    assert axis_rotation(2, 90.0) @ np.array([1.0, 0, 0]) == pytest.approx([0, 1, 0], abs=1e-12)
    assert axis_rotation(2, 30.0) @ axis_rotation(2, -30.0) == pytest.approx(np.eye(3), abs=1e-12)
    assert axis_rotation(0, 90.0).shape == (3, 3)


@pytest.mark.parametrize("pitch", [89.99, 89.9999, 89.99999, 89.999999, 89.9999999, -89.9999, -89.999999])
def test_angles_of_rotation_near_gimbal_lock_give_the_same_rotation(pitch: float) -> None:
    """Just off straight down/up, yaw came from two entries of size cos(pitch): the 1e-9 rounding of
    an exported MVR matrix turned a pitch of 89.9999 with yaw 30 into yaw 30.018 (0.02 degrees off)."""
    for yaw, roll in ((30.0, 0.0), (30.0, 45.0), (-120.0, -170.0)):
        r = base_rotation(yaw, pitch, roll)
        written = np.round(r, 9)  # what mvr_export writes
        # within orientation.LOCK (0.0001 degrees) where roll is folded into yaw, else within the file's rounding
        assert base_rotation(*angles_of_rotation(written)) == pytest.approx(r, abs=1.5e-6), (yaw, roll)
