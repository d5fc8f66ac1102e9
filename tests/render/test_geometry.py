"""Rig geometry without GL: shapes, sizes, poses, batching."""

from __future__ import annotations

import numpy as np
import pytest

from shared.show import demo_show
from shared.show.model import ShowConfig
from tests.render.helpers import config, fixture, grid_config
from visualizer.render.geometry import (
    CONE_LIMIT,
    DETAIL_LIMIT,
    HEAD_DETAIL_LIMIT,
    Rig,
    body_template,
    build_rig,
    grid_lines,
    house_floor,
    lens_template,
    rigging_lines,
    shape_of,
)


@pytest.mark.parametrize(
    ("kind", "shape"),
    [("PAR", "cylinder"), ("par", "cylinder"), ("Wash", "cylinder"), ("BAR", "bar"), ("pixelbar", "bar"),
     ("SunStrip", "bar"), ("MH", "head"), ("mh", "head"), ("LASER", "box"), (None, "box"), ("", "box")],
)
def test_body_shape_follows_fixture_type_case_insensitively(kind: str | None, shape: str) -> None:
    assert shape_of(kind) == shape


def beam_direction(rig_rot: np.ndarray) -> np.ndarray:
    return rig_rot @ np.array([0.0, 0.0, 1.0])


def test_standing_body_rises_from_its_position_and_hanging_hangs_below() -> None:
    rig = build_rig(config(fixture("up", 0, 0, 0, mounting="standing", size=(0.2, 0.4, 0.2)),
                           fixture("down", 1, 0, 5, mounting="hanging", size=(0.2, 0.4, 0.2))))
    up, down = rig.index["up"], rig.index["down"]
    assert rig.centers[up] == pytest.approx([0, 0, 0.2], abs=1e-5)
    assert rig.centers[down] == pytest.approx([1, 0, 4.8], abs=1e-5)
    assert beam_direction(rig.rotations[up]) == pytest.approx([0, 0, 1], abs=1e-6)
    assert beam_direction(rig.rotations[down]) == pytest.approx([0, 0, -1], abs=1e-6)
    owner = rig.bodies.owner
    assert rig.bodies.positions[owner == down][:, 2].max() == pytest.approx(5.0, abs=1e-5)
    assert rig.bodies.positions[owner == down][:, 2].min() == pytest.approx(4.6, abs=1e-5)


@pytest.mark.parametrize(
    ("mounting", "angles", "aim"),
    [("hanging", (0, 0, 0), (0, 0, -1)), ("standing", (0, 0, 0), (0, 0, 1)),
     ("wall_left", (0, 0, 0), (1, 0, 0)), ("wall_right", (0, 0, 0), (-1, 0, 0)),
     ("wall_back", (0, 0, 0), (0, -1, 0)), ("wall_front", (0, 0, 0), (0, 1, 0)),
     ("hanging", (0, 90, 0), (0, 0, -1)), ("custom", (-90, 0, 0), (1, 0, 0)),
     ("hanging", (180, 50, 0), (0, np.cos(np.radians(50)), -np.sin(np.radians(50))))],
)
def test_body_points_where_the_orientation_table_says(mounting: str, angles: tuple[float, float, float],
                                                       aim: tuple[float, float, float]) -> None:
    yaw, pitch, roll = angles
    rig = build_rig(config(fixture("f", 0, 0, 3, mounting=mounting, yaw=yaw, pitch=pitch, roll=roll)))
    assert beam_direction(rig.rotations[0]) == pytest.approx(aim, abs=1e-5)
    # the body lies behind its lens: every body vertex is on the rigging side of the beam
    along = (rig.bodies.positions - rig.positions[0]) @ np.asarray(aim, np.float64)
    assert along.min() >= -1e-5 and along.max() > 0.1


def test_bar_is_sized_from_physical_with_one_lens_cell_per_segment() -> None:
    rig = build_rig(config(fixture("bar", 0, 0, 0, kind="BAR", size=(2.0, 0.1, 0.2), layout=(16, 1))))
    body = rig.bodies.positions
    assert np.ptp(body[:, 0]) == pytest.approx(2.0, abs=1e-5)  # width along x
    assert np.ptp(body[:, 1]) == pytest.approx(0.2, abs=1e-5)  # depth along y
    assert np.ptp(body[:, 2]) == pytest.approx(0.1, abs=1e-5)  # height along the beam
    assert len(rig.lenses.indices) // 3 == 16 * 2  # two triangles per cell
    assert len(lens_template("bar", (16, 1)).faces) == 32


def test_missing_orientation_and_size_get_sensible_defaults() -> None:
    floor = fixture("x", 0, 0, 0).replace(orientation=None, physical=None)
    high = fixture("y", 0, 0, 6.0).replace(orientation=None)
    rig = build_rig(config(floor, high))
    assert rig.centers[0][2] > 0  # on the floor: standing
    assert rig.centers[1][2] < 6.0  # rigged high: hanging
    assert np.isfinite(rig.bodies.positions).all()


def test_group_colour_of_first_group_else_grey() -> None:
    rig = build_rig(config(fixture("a", 0, 0), fixture("b", 1, 0), fixture("c", 2, 0),
                           groups=(("one", (10, 20, 30), ("a",)), ("two", (40, 50, 60), ("a", "b")))))
    assert rig.base_rgb[rig.index["a"]].tolist() == [10, 20, 30]
    assert rig.base_rgb[rig.index["b"]].tolist() == [40, 50, 60]
    assert rig.base_rgb[rig.index["c"]].tolist() == [140, 144, 150]


def test_every_vertex_belongs_to_its_fixture_and_indices_stay_in_range() -> None:
    rig = build_rig(demo_show())
    for layer in (rig.bodies, rig.lenses, rig.beams):
        assert layer.indices.max() < len(layer.positions)
        assert set(np.unique(layer.owner)) == set(range(len(rig)))
        assert len(layer.owner) == len(layer.positions)


def test_templates_are_closed_and_wound_outwards_for_back_face_culling() -> None:
    for detail in ("full", "lite"):
        for shape in ("cylinder", "head", "bar", "box"):
            mesh = body_template(shape, detail)
            p, f = mesh.positions, mesh.faces.astype(int)
            winding = np.cross(p[f[:, 1]] - p[f[:, 0]], p[f[:, 2]] - p[f[:, 0]])
            assert ((winding * mesh.normals[f].mean(axis=1)).sum(axis=1) > 0).all(), (shape, detail)


def heads_config(n: int, pars: int = 10) -> ShowConfig:
    return config(*[fixture(f"H{i}", i % 20 * 0.6, i // 20 * 0.6, 6.0, kind="MH", mounting="hanging")
                    for i in range(n)], *[fixture(f"P{i}", i * 0.6, -3.0, 6.0) for i in range(pars)])


def test_many_moving_heads_get_lite_heads_and_everything_else_stays_full() -> None:
    few = build_rig(heads_config(HEAD_DETAIL_LIMIT))
    many = build_rig(heads_config(HEAD_DETAIL_LIMIT + 1))
    assert (few.detail, few.head_detail) == ("full", "full")
    assert (many.detail, many.head_detail) == ("full", "lite")

    def triangles(rig: Rig, name: str) -> int:
        owner = rig.bodies.owner[rig.bodies.indices.reshape(-1, 3)[:, 0]]
        return int((owner == rig.index[name]).sum())

    assert triangles(few, "H0") == len(body_template("head", "full").faces)
    assert triangles(many, "H0") == len(body_template("head", "lite").faces) < triangles(few, "H0") / 2
    assert triangles(many, "P0") == triangles(few, "P0")  # pars keep their full cylinders


def test_big_rigs_get_beam_rays_then_lite_bodies() -> None:
    small = build_rig(grid_config(CONE_LIMIT))
    medium = build_rig(grid_config(DETAIL_LIMIT))
    big = build_rig(grid_config(DETAIL_LIMIT + 1))
    assert small.detail == "full" and not small.beam_rays
    assert medium.detail == "full" and medium.beam_rays
    assert big.detail == "lite" and big.beam_rays
    assert len(big.bodies.indices) / len(big) < len(medium.bodies.indices) / len(medium)
    assert len(medium.beams.positions) == 2 * len(medium)


def test_grid_lines_cover_the_floor_and_are_capped() -> None:
    minor, major = grid_lines(10.0, 8.0, 0.5)
    lines = np.concatenate([minor, major])
    assert lines[:, 0].min() == -5.0 and lines[:, 0].max() == 5.0
    assert lines[:, 1].min() == -4.0 and lines[:, 1].max() == 4.0
    assert len(major) // 2 == 11 + 9  # every metre
    minor, major = grid_lines(100.0, 100.0, 0.001)
    assert (len(minor) + len(major)) // 2 <= 2 * 401
    assert sum(map(len, grid_lines(10.0, 8.0, 0.0))) > 0


def test_rigging_pipes_run_through_rows_and_columns_of_hanging_fixtures() -> None:
    rig = build_rig(config(
        *[fixture(f"row{i}", -2.0 + i, -3.0, 5.0, mounting="hanging") for i in range(4)],
        *[fixture(f"col{i}", 4.5, -1.0 + i, 4.0, mounting="hanging") for i in range(3)],
        fixture("alone", 0.0, 2.0, 6.0, mounting="hanging"),
        fixture("floor1", -1.0, 0.0, 0.0), fixture("floor2", 1.0, 0.0, 0.0),
    ))
    pipes = rigging_lines(rig.positions, rig.hanging).reshape(-1, 2, 3)
    assert len(pipes) == 2
    row = pipes[np.argmax(np.ptp(pipes[:, :, 0], axis=1))]
    assert sorted(row[:, 0]) == pytest.approx([-2.3, 1.3]) and row[:, 1] == pytest.approx([-3, -3])
    col = pipes[np.argmax(np.ptp(pipes[:, :, 1], axis=1))]
    assert sorted(col[:, 1]) == pytest.approx([-1.3, 1.3]) and col[:, 2] == pytest.approx([4, 4])


@pytest.mark.parametrize(("width", "depth", "reach", "fade"), [(16.0, 10.0, 16.0, 16.0), (4.0, 3.0, 10.0, 10.0),
                                                               (12.0, 12.0, 10.0, 0.0)])
def test_house_floor_frames_the_deck_out_to_its_reach_without_covering_it(width: float, depth: float, reach: float,
                                                                          fade: float) -> None:
    pos, idx, solid = house_floor(width, depth, reach, fade)
    hx, hy = width / 2, depth / 2
    assert pos.shape == (36, 3) and idx.shape == (6 * 24,) and solid.shape == (36,)
    assert (pos[:, 2] == 0).all()  # the floor the beams and pools are computed on
    out_x, out_y = hx + reach + fade, hy + reach + fade
    assert np.abs(pos[:, 0]).max() == pytest.approx(out_x) and np.abs(pos[:, 1]).max() == pytest.approx(out_y)
    # the solid part reaches ``reach`` past every edge; only the rim beyond it fades
    assert np.abs(pos[solid, 0]).max() == pytest.approx(hx + reach)
    assert np.abs(pos[solid, 1]).max() == pytest.approx(hy + reach)
    rim = (np.abs(pos[:, 0]) > hx + reach + 1e-5) | (np.abs(pos[:, 1]) > hy + reach + 1e-5)
    assert (rim == ~solid).all() if fade > 0 else (~solid).sum() == 20
    tri = pos[idx.reshape(-1, 3)].astype(np.float64)
    # counter-clockwise seen from above, no sliver, and none over the deck (nothing to z-fight with)
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    area = (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]) / 2
    assert (area >= 0).all() and (area > 0).sum() == (48 if fade > 0 else 16)  # two per cell
    centroid = tri.mean(axis=1)
    assert not ((np.abs(centroid[:, 0]) < hx) & (np.abs(centroid[:, 1]) < hy))[area > 0].any()
    # together they cover the whole rectangle but the deck, once
    assert area.sum() == pytest.approx(4 * out_x * out_y - width * depth, rel=1e-5)
    # the inner edge is the deck's edge: the deck's corners are vertices of the house floor
    for corner in ((hx, hy), (-hx, hy), (hx, -hy), (-hx, -hy)):
        assert np.isclose(pos[:, :2], corner).all(axis=1).any()
