"""The house floor around the deck: pools past its edge land on a floor, the deck's edge still shows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from tests.render.helpers import config, fixture, patch
from tests.render.test_beams import head, make_look, screen
from visualizer.render import StageScene, camera, motion, palette

Grab = Callable[[], npt.NDArray[np.uint8]]

HOUSE = np.array(palette.HOUSE_FLOOR[:3])
DECK = np.array(palette.FLOOR[:3])
BACKGROUND = np.array(palette.BACKGROUND_RGB)


def is_colour(pixels: npt.NDArray[np.int64], rgb: npt.NDArray[np.int64], tol: int = 2) -> bool:
    """Every pixel of a patch is ``rgb`` (within ``tol`` per channel)."""
    return bool((np.abs(pixels - rgb) <= tol).all())


@pytest.mark.parametrize("preset", ["top", "perspective"])
def test_a_pool_past_the_stage_edge_lands_on_the_house_floor(scene: StageScene, grab: Grab, preset: str) -> None:
    # a head near the stage-right edge (x = 4), swung toward stage right: its pool lands off the deck
    # side booms 7.5 m out keep the pool in the picture (framing is the stage's and the rig's)
    booms = (fixture("b1", 7.5, 2.5, 1.0, mounting="wall_right"), fixture("b2", -7.5, 2.5, 1.0, mounting="wall_left"))
    scene.set_config(config(head("h", 3.0, 0.0, 5.0), *booms, width=8, depth=6))
    scene.set_camera_preset(preset)
    s = scene._statics
    assert s is not None
    origin, direction = motion.beams(s, [90.0], [30.0])
    centre = motion.pool_centres(origin, direction, s.length)[0]
    assert centre[0] > 4.0 + 0.8 and abs(centre[1]) < 0.1  # past the edge, on the floor's plane (z = 0)
    at = screen(scene, centre)
    assert 10 < at.x() < scene.width() - 10 and 10 < at.y() < scene.height() - 10
    scene.set_look(make_look(3, color=[[0, 1, 0], [0, 0, 0], [0, 0, 0]], pan=90.0, tilt=30.0, beam=14.0))
    scene.set_beams_visible(False)
    dark = patch(grab(), at, 2)
    # unlit: the house floor, not the background (the pool does not float in the void)
    assert is_colour(dark, HOUSE) and not is_colour(dark, BACKGROUND, tol=3)
    scene.set_beams_visible(True)
    lit = patch(grab(), at, 2).mean(axis=0)
    assert lit[1] > HOUSE[1] + 40 and lit[1] > lit[0] + 30  # the green pool on it
    assert scene.house in scene.static_items()  # drawn once into the frame cache


@pytest.mark.parametrize("preset", ["top", "perspective"])
def test_the_deck_edge_shows_and_the_house_floor_meets_it_without_z_fighting(scene: StageScene, grab: Grab,
                                                                             preset: str) -> None:
    scene.set_config(config(fixture("p", 0.0, 0.0, 4.0, mounting="hanging"), width=8, depth=6))
    scene.set_camera_preset(preset)
    img = grab().astype(np.int64)
    hx, hy = 4.0, 3.0
    # the outline, all round (the downstage edge brightest)
    for a, b in (((-hx, -hy), (hx, -hy)), ((hx, -hy), (hx, hy)), ((hx, hy), (-hx, hy)), ((-hx, hy), (-hx, -hy))):
        for t in (0.3, 0.63):
            p = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, 0.0)
            assert patch(img.astype(np.uint8), screen(scene, p), 1).max() >= palette.EDGE[0] - 10, (a, b, t)
    # just inside each edge the deck's colour, just outside the house floor's: nothing draws through
    # (at points clear of the captions)
    text = [r.adjusted(-3, -3, 3, 3) for r in scene.labels.drawn_rects]
    checked = 0
    for (x, y), (dx, dy) in (((-2.2, -hy), (0, -1)), ((-2.7, -hy), (0, -1)), ((2.2, -hy), (0, -1)),
                             ((hx, 1.3), (1, 0)), ((2.2, hy), (0, 1)), ((-hx, 1.3), (-1, 0))):
        inside, outside = (screen(scene, (x + k * dx, y + k * dy, 0.0)) for k in (-0.3, 0.3))
        if any(r.contains(p) for r in text for p in (inside, outside)):
            continue
        checked += 1
        assert is_colour(patch(img.astype(np.uint8), inside, 1), DECK), (x, y)
        assert is_colour(patch(img.astype(np.uint8), outside, 1), HOUSE), (x, y)
    assert checked >= 4
    # framing is the stage's and the rig's, not the house floor's: the deck spans most of the picture
    deck = np.array([[sx * hx, sy * hy, 0.0] for sx in (-1, 1) for sy in (-1, 1)])
    xy, _ = camera.project(deck, scene.view_projection(), scene.width(), scene.height())
    assert (xy >= 0).all() and (xy[:, 0] <= scene.width()).all() and (xy[:, 1] <= scene.height()).all()
    assert np.ptp(xy[:, 0]) > 0.6 * scene.width()


def test_the_house_floor_is_edge_on_in_the_front_elevation(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("p", 0.0, 0.0, 4.0, mounting="hanging"), width=8, depth=6))
    scene.set_camera_preset("front")
    img = grab()
    # beside the deck, above and below the floor line: the background (the house floor is a line)
    for z in (0.4, -0.2):
        assert is_colour(patch(img, screen(scene, (4.2, -3.0, z)), 2), BACKGROUND), z
    # the deck's lip below the floor line still reads as the deck
    lip = patch(img, screen(scene, (-2.0, -3.0, -0.2)), 1)
    lo, hi = np.minimum(DECK, palette.DECK_LIP[:3]), np.maximum(DECK, palette.DECK_LIP[:3])
    assert ((lip >= lo - 2) & (lip <= hi + 2)).all()  # shaded from the deck's colour down to the lip's
