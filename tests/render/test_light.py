"""Beams as quads lit per pixel (glitems.BeamItem): the numpy mirror (motion) against brute force and pixels."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PyQt6 import QtGui

from tests.render.helpers import config, fixture
from tests.render.test_beams import head, make_look
from visualizer.render import StageScene, motion

Grab = Callable[[], npt.NDArray[np.uint8]]


def beams_of(scene: StageScene) -> motion.LitBeams:
    beams = scene.lit_beams()
    assert beams is not None
    return beams


def random_beams(rng: np.random.Generator, n: int) -> motion.LitBeams:
    origin = np.column_stack([rng.uniform(-3, 3, n), rng.uniform(-3, 3, n), rng.uniform(0.3, 6, n)])
    direction = rng.normal(size=(n, 3))
    direction[: n // 2, 2] = -np.abs(direction[: n // 2, 2]) - 1.0  # half of them aim at the floor
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    radius = rng.uniform(0.05, 0.2, n)
    k = np.tan(np.radians(rng.uniform(2, 60, n)) / 2)
    length = rng.uniform(5, 15, n)
    start, end = motion.beam_spans(origin, direction, radius, k, length)
    keep = end > start
    return motion.LitBeams(np.flatnonzero(keep), origin[keep], direction[keep], radius[keep], k[keep], length[keep],
                           start[keep], end[keep])


def inside_cone(points: npt.NDArray[np.float64], b: motion.LitBeams) -> npt.NDArray[np.bool_]:
    """(P, 3) points against every beam (N): inside its cone, between its ends, above the floor: (P, N)."""
    rel = points[:, None, :] - b.origin[None, :, :]
    s = np.einsum("pnj,nj->pn", rel, b.direction)
    rho2 = np.einsum("pnj,pnj->pn", rel, rel) - s**2
    r = b.lens_radius[None, :] + b.tan_half[None, :] * s
    out: npt.NDArray[np.bool_] = (s >= 0) & (s <= b.length[None, :]) & (rho2 <= r**2) & (points[:, 2:3] >= 0)
    return out


def test_chords_are_where_a_walk_along_the_ray_is_inside_the_beam() -> None:
    rng = np.random.default_rng(1)
    b = random_beams(rng, 40)
    ray_o = np.column_stack([rng.uniform(-12, 12, 60), rng.uniform(-12, 12, 60), rng.uniform(0, 10, 60)])
    aim = np.column_stack([rng.uniform(-3, 3, 60), rng.uniform(-3, 3, 60), rng.uniform(0, 5, 60)])
    ray_v = aim - ray_o
    chords = motion.beam_chords(ray_o, ray_v, b)
    steps = np.linspace(0.0, 3.0, 6001)  # the rays reach their aim at t = 1 and go on
    got = np.maximum(np.minimum(chords.t1, 3.0) - np.maximum(chords.t0, 0.0), 0.0)
    walked = np.zeros_like(got)
    for i in range(len(ray_o)):
        pts = ray_o[i] + steps[:, None] * ray_v[i]
        walked[i] = inside_cone(pts, b).sum(axis=0) * (steps[1] - steps[0])
    step = steps[1] - steps[0]
    assert np.abs(got - walked).max() <= 2 * step
    assert (walked > 0).sum() > 100  # the rays do cross beams


def test_light_is_zero_off_the_chord_and_grows_toward_the_axis() -> None:
    # a beam straight down from 5 m, seen side-on from the audience, level with its middle
    b = motion.LitBeams(np.array([0]), np.array([[0.0, 0.0, 5.0]]), np.array([[0.0, 0.0, -1.0]]), np.array([0.1]),
                        np.array([np.tan(np.radians(10))]), np.array([12.0]), np.array([0.0]), np.array([5.0]))
    across = np.linspace(-1.5, 1.5, 31)
    ray_o = np.column_stack([across, np.full(31, -20.0), np.full(31, 2.5)])
    ray_v = np.tile([0.0, 1.0, 0.0], (31, 1))
    light = motion.beam_light(ray_o, ray_v, b, gain=1.0, knee=0.0, spread=10.0, pool=0.0, soft=True)[:, 0]
    r = 0.1 + 2.5 * np.tan(np.radians(10))  # the cone's radius 2.5 m below the lens
    assert (light[np.abs(across) > r] == 0).all() and (light[np.abs(across) < 0.9 * r] > 0).all()
    assert light[15] == pytest.approx(2.0 * (1 - 2.5 / 12), rel=1e-3)  # x = 2 through the axis, times the fade
    assert np.all(np.diff(light[:16]) >= 0) and np.all(np.diff(light[15:]) <= 0)
    # the floor ends it: a ray level with z = -0.5 sees nothing
    below = motion.beam_light(np.array([[0.0, -20.0, -0.5]]), np.array([[0.0, 1.0, 0.0]]), b, gain=1.0, knee=0.0,
                              spread=10.0, pool=0.45, soft=True)
    assert below[0, 0] == 0.0


CAMERAS = [  # preset, or (centre, distance, elevation, azimuth) of a perspective camera
    "perspective", "front", "top", "side",
    ((0.0, 0.0, 0.0), 30.0, 5.0, -90.0),  # from the audience, level with the floor
    ((0.5, -1.0, 0.0), 2.0, 40.0, -70.0),  # among the beams: some reach behind the eye
]


@pytest.mark.parametrize("view", CAMERAS)
def test_every_beam_is_inside_its_quad_on_screen(scene: StageScene, view: object) -> None:
    rng = np.random.default_rng(2)
    fixtures = [head(f"h{i}", float(x), float(y), float(z)) for i, (x, y, z) in
                enumerate(zip(rng.uniform(-4, 4, 12), rng.uniform(-3, 3, 12), rng.uniform(1, 6, 12), strict=True))]
    scene.set_config(config(*fixtures, width=12, depth=10))
    if isinstance(view, str):
        scene.set_camera_preset(view)
    else:
        centre, distance, elevation, azimuth = view  # type: ignore[misc]
        scene.set_orthographic(False)
        scene.setCameraPosition(pos=QtGui.QVector3D(*centre), distance=distance, elevation=elevation, azimuth=azimuth)
    n = len(fixtures)
    scene.set_look(make_look(n, pan=rng.uniform(-180, 180, n), tilt=rng.uniform(-100, 100, n),
                             beam=30.0))
    b = beams_of(scene)
    cam = scene.light_camera()
    corners, _, fitted = motion.beam_quads(b, cam)
    checked = 0
    for i in np.flatnonzero(fitted):
        # points filling the beam's cone between its ends, above the floor
        m = 4000
        s = rng.uniform(b.start[i], b.end[i], m)
        r = (b.lens_radius[i] + b.tan_half[i] * s) * np.sqrt(rng.uniform(0, 1, m))
        a = rng.uniform(0, 2 * np.pi, m)
        e1 = np.cross(b.direction[i], [1.0, 0.0, 0.0] if abs(b.direction[i, 0]) < 0.9 else [0.0, 1.0, 0.0])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(b.direction[i], e1)
        pts = b.origin[i] + s[:, None] * b.direction[i] + (r * np.cos(a))[:, None] * e1 + (r * np.sin(a))[:, None] * e2
        pts = pts[pts[:, 2] >= 0]
        clip = np.column_stack([pts, np.ones(len(pts))]) @ cam.vp.T
        assert (clip[:, 3] > 0).all()  # a fitted quad: the whole beam is in front of the eye
        ndc = clip[:, :2] / clip[:, 3:]
        px = ndc * np.asarray(cam.half_px)
        quad = corners[i] * np.asarray(cam.half_px)
        # inside the convex quad: on the same side of all four edges (either winding), with a pixel's slack
        edges = np.roll(quad, -1, axis=0) - quad
        cross = edges[None, :, 0] * (px[:, None, 1] - quad[None, :, 1]) - edges[None, :, 1] * (
            px[:, None, 0] - quad[None, :, 0])
        lengths = np.linalg.norm(edges, axis=1)[None, :]
        signed = cross / np.maximum(lengths, 1e-9)
        ok = (signed >= -1.0).all(axis=1) | (signed <= 1.0).all(axis=1)
        assert ok.all(), (view, int(i))
        checked += 1
    assert checked >= 6
    if view == CAMERAS[-1]:
        assert not fitted.all()  # the close camera has beams reaching behind it: those cover the screen


def light_at(scene: StageScene, xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The numpy mirror's light (summed over beams) at image pixels (x right, y down), as the scene draws it."""
    cam = scene.light_camera()
    w, h = scene.deviceWidth(), scene.deviceHeight()
    ndc = np.column_stack([xy[:, 0] / w * 2 - 1, 1 - xy[:, 1] / h * 2])
    o, v = motion.camera_rays(cam, ndc)
    q = scene.beam_quality()
    out: npt.NDArray[np.float64] = motion.beam_light(
        o, v, beams_of(scene), gain=scene.BEAM_GAIN, knee=scene.BEAM_KNEE, spread=scene.BEAM_SPREAD,
        pool=scene.POOL_GAIN if q == "full" else 0.0, soft=q == "full").sum(axis=1)
    return out


def test_looking_straight_down_a_beam_shows_a_round_light_where_the_maths_says(scene: StageScene,
                                                                               grab: Grab) -> None:
    scene.set_config(config(head("h", 1.0, 2.0, 5.0), width=12, depth=10))
    scene.set_camera_preset("top")
    scene.set_beams_visible(False)
    off = grab().astype(int)
    scene.set_beams_visible(True)
    scene.set_look(make_look(1, color=(0.0, 1.0, 0.0), beam=20.0))
    img = grab().astype(int)
    b = beams_of(scene)
    assert b.direction[0] == pytest.approx([0, 0, -1], abs=1e-6)  # straight down, seen down its axis
    floor_r = b.lens_radius[0] + b.tan_half[0] * b.origin[0, 2]  # the light's radius on the floor
    centre = np.array([b.origin[0, 0], b.origin[0, 1], 0.0])
    cam = scene.light_camera()
    ppm = cam.half_px[0] / scene.half_width_at_centre()  # the plan's scale, pixels per metre
    at = scene.fixture_screen_position(0)
    assert at is not None
    cx, cy = at.x(), at.y()
    # the fixture's body hides the middle; look around it, on rings
    green = img[:, :, 1] - off[:, :, 1]

    def ring(radius_m: float) -> npt.NDArray[np.int64]:
        a = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        x = np.round(cx + radius_m * ppm * np.cos(a)).astype(int)
        y = np.round(cy + radius_m * ppm * np.sin(a)).astype(int)
        out: npt.NDArray[np.int64] = green[y, x]
        return out

    inner = ring(0.55 * floor_r)
    assert inner.min() > 40, inner  # lit all round
    assert inner.max() - inner.min() <= 0.25 * inner.mean() + 6, inner  # and round: the same all round
    assert (ring(0.85 * floor_r) < inner.mean()).all()  # dimmer toward its edge
    assert np.abs(ring(1.35 * floor_r)).max() <= 3  # nothing outside it
    # where the numpy mirror says so
    at = np.column_stack([cx + np.array([0.55, -0.55, 0.0, 0.0]) * floor_r * ppm,
                          cy + np.array([0.0, 0.0, 0.55, -0.55]) * floor_r * ppm])
    want = light_at(scene, at) * 255
    got = green[np.round(at[:, 1]).astype(int), np.round(at[:, 0]).astype(int)]
    assert np.abs(got - want).max() <= 0.15 * want.max() + 8, (got, want)
    # centred on the floor below the fixture
    floor = scene.light_camera().vp @ np.append(centre, 1.0)
    assert abs((floor[0] / floor[3] + 1) / 2 * scene.deviceWidth() - cx) < 1.5
    assert abs((1 - floor[1] / floor[3]) / 2 * scene.deviceHeight() - cy) < 1.5


def test_a_beam_cut_by_the_floor_shows_nothing_below_it(scene: StageScene, grab: Grab) -> None:
    # seen from the front, level with the floor: a head 3 m up aims at the floor 2 m to its side
    scene.set_config(config(head("h", 0.0, 0.0, 3.0), width=12, depth=10))
    scene.set_camera_preset("front")
    scene.set_beams_visible(False)
    off = grab().astype(int)
    scene.set_beams_visible(True)
    scene.set_look(make_look(1, color=(0.0, 1.0, 0.0), pan=90.0, tilt=35.0, beam=12.0))
    img = grab().astype(int)
    b = beams_of(scene)
    hit = b.origin[0] + b.direction[0] * (-b.origin[0, 2] / b.direction[0, 2])  # where the axis meets the floor
    cam = scene.light_camera()
    w, h = scene.deviceWidth(), scene.deviceHeight()

    def image_xy(p: npt.ArrayLike) -> tuple[int, int]:
        c = cam.vp @ np.append(np.asarray(p, np.float64), 1.0)
        return round((c[0] / c[3] + 1) / 2 * w), round((1 - c[1] / c[3]) / 2 * h)

    x_hit, y_floor = image_xy(hit)
    x_mid, y_mid = image_xy((b.origin[0] + hit) / 2)
    assert img[y_mid, x_mid, 1] > off[y_mid, x_mid, 1] + 40  # the beam, half way down
    # below the floor line, around where the beam would go on: exactly the picture without it, past
    # the reach of the light layer's upsampling (a lit layer pixel's centre lies at most half a layer
    # pixel past the line, and bilinear filtering spreads it one layer pixel further)
    pad = math.ceil(1.5 / scene.light_layer_scale()) + 1
    below = (slice(y_floor + pad, min(y_floor + 60, h)), slice(max(x_hit - 60, 0), min(x_hit + 60, w)))
    assert (img[below] == off[below]).all()
    # and the mirror agrees it is dark there and lit above
    xy = np.array([[x_hit, y_floor + 10.0], [x_hit, y_floor + 40.0], [x_mid, y_mid]])
    light = light_at(scene, xy)
    assert light[0] == 0.0 and light[1] == 0.0 and light[2] > 0.2


@pytest.mark.parametrize("quality", ["full", "simple"])
def test_pixels_follow_the_numpy_mirror(scene: StageScene, grab: Grab, quality: str) -> None:
    scene.set_config(config(head("a", -2.0, 1.0, 5.0), head("b", 2.5, -1.0, 4.0),
                            fixture("w", 0.0, 3.0, 6.0, mounting="hanging", size=(0.4, 0.3, 0.4)),
                            width=12, depth=10))
    scene.set_beam_quality(quality)  # simple: no pools, no soft edges, a smaller light layer
    scene.set_camera_preset("perspective")
    scene.set_look(make_look(3, color=[[0, 1, 0], [0, 0, 1], [1, 0, 0]], pan=[30.0, -60.0, 0.0],
                             tilt=[25.0, 40.0, 0.0], beam=20.0))
    scene.set_beams_visible(False)
    off = grab().astype(int)  # lenses lit, no light
    scene.set_beams_visible(True)
    img = grab().astype(int)
    h, w = img.shape[:2]
    ys, xs = np.mgrid[4:h - 4:6, 4:w - 4:6]
    xy = np.column_stack([xs.ravel() + 0.5, ys.ravel() + 0.5]).astype(np.float64)
    want = light_at(scene, xy)
    added = (img - off)[ys.ravel(), xs.ravel()].sum(axis=1)
    # far from any light (the mirror says none within a few light pixels): not a bit of light added
    step = 1.0 / scene.light_layer_scale()
    near = np.zeros(len(xy), bool)
    for dx in (-3, 0, 3):
        for dy in (-3, 0, 3):
            near |= light_at(scene, xy + np.array([dx, dy]) * step) > 0
    dark = ~near
    assert dark.sum() > 1000 and (added[dark] == 0).all()
    # where the mirror says it is clearly lit, the picture is lit
    bright = want > 0.25
    assert bright.sum() > 200
    assert (added[bright] > 20).mean() > 0.97


def test_a_camera_inside_a_beam_sees_it_all_round(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("w", 0.0, 0.0, 6.0, kind="WASH", mounting="hanging", size=(0.4, 0.3, 0.4)),
                            width=12, depth=10))
    scene.set_beams_visible(False)
    scene.set_orthographic(False)
    scene.setCameraPosition(pos=QtGui.QVector3D(0.3, 0.0, 0.0), distance=2.0, elevation=35.0, azimuth=0.0)
    off = grab().astype(int)
    scene.set_beams_visible(True)
    scene.set_look(make_look(1, color=(1.0, 1.0, 1.0), beam=60.0))
    img = grab().astype(int)
    b = beams_of(scene)
    eye = scene.light_camera().eye
    assert inside_cone(eye[None, :], b)[0, 0]  # the eye is inside the beam
    _, _, fitted = motion.beam_quads(b, scene.light_camera())
    assert not fitted[0]  # so its quad is the whole picture
    added = (img - off).sum(axis=2)
    assert (added > 10).mean() > 0.6  # light nearly everywhere (the floor's pool, the haze)
    h, w = added.shape
    xy = np.array([[w * 0.25, h * 0.25], [w * 0.75, h * 0.75], [w * 0.5, h * 0.5]])
    assert (light_at(scene, xy) > 0).all()
