"""What the scene draws, checked on grabbed framebuffers (real GL under Xvfb)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PyQt6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from shared.show import demo_show
from tests.render.helpers import AMBER, BLUE, GREEN, RED, config, count_color, fixture, has_color, patch
from visualizer.render import StageScene

Grab = Callable[[], npt.NDArray[np.uint8]]


def two_pars(*, red_at: float = -2.0, third: bool = False) -> object:
    fixtures = [fixture("red", red_at, 0.0, 0.0), fixture("green", 2.0, 0.0, 0.0)]
    members = [("reds", RED, ("red",)), ("greens", GREEN, ("green",))]
    if third:
        fixtures.append(fixture("blue", 0.0, 2.5, 0.0))
        members.append(("blues", BLUE, ("blue",)))
    return config(*fixtures, groups=tuple(members))


def test_demo_show_draws_every_fixture_in_its_group_colour(scene: StageScene, grab: Grab) -> None:
    show = demo_show()
    scene.set_config(show)
    img = grab()
    for group in show.groups:
        for name in group.fixtures:
            at = scene.fixture_screen_position(name)
            assert at is not None and 0 <= at.x() < scene.width() and 0 <= at.y() < scene.height(), name
            assert has_color(img, at, group.rgb), f"{name} is not drawn in {group.color} near {at}"
    # the group colours are a visible part of the picture, not a stray pixel each
    assert count_color(img, (255, 87, 34)) > 300  # Front Wash


def test_ungrouped_fixture_is_neutral_grey(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("lonely", 0, 0, 0, size=(0.6, 0.6, 0.6))))
    scene.set_camera_preset("front")
    img = grab()
    at = scene.fixture_screen_position("lonely")
    assert at is not None
    assert has_color(img, at, (140, 144, 150), tol=12)
    assert not has_color(img, at, RED) and not has_color(img, at, BLUE)


def test_each_camera_preset_draws_a_different_picture(scene: StageScene, grab: Grab) -> None:
    scene.set_config(demo_show())
    images = {}
    for preset in ("perspective", "front", "top", "side"):
        scene.set_camera_preset(preset)
        images[preset] = grab()
    names = list(images)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            changed = (np.abs(images[a].astype(int) - images[b]).max(axis=2) > 30).mean()
            assert changed > 0.02, f"{a} and {b} look the same"


def test_top_view_is_a_plan_with_the_audience_below_and_front_view_looks_from_the_audience(
        scene: StageScene, grab: Grab) -> None:
    # Show Creator's convention: +x is stage right, the audience's LEFT
    scene.set_config(config(fixture("stage_left", -3, 0, 0), fixture("stage_right", 3, 0, 0),
                            fixture("back", 0, 3, 0), fixture("high", 0, 0, 4, mounting="hanging"),
                            groups=(("sl", RED, ("stage_left",)), ("sr", GREEN, ("stage_right",)))))
    scene.set_camera_preset("top")
    pos = {n: scene.fixture_screen_position(n) for n in ("stage_left", "stage_right", "back", "high")}
    assert pos["stage_left"].x() > pos["stage_right"].x()  # type: ignore[union-attr]  # +x to the left
    assert pos["back"].y() < pos["stage_left"].y()  # type: ignore[union-attr]  # audience at the bottom
    scene.set_camera_preset("front")
    assert scene.opts["azimuth"] == -90  # camera on the audience (-y) side
    pos = {n: scene.fixture_screen_position(n) for n in ("stage_left", "stage_right", "back", "high")}
    assert pos["high"].y() < pos["stage_left"].y()  # type: ignore[union-attr]
    # x = -3 (stage left) is in the right half of the picture, in its colour, and x = 3 in the left half
    scene.set_legend_visible(False)  # its swatches are in the top-left corner
    img = grab()
    w = img.shape[1]
    assert count_color(img[:, w // 2:], RED) > 50 and count_color(img[:, :w // 2], RED) == 0
    assert count_color(img[:, :w // 2], GREEN) > 50 and count_color(img[:, w // 2:], GREEN) == 0


def test_moving_a_fixture_moves_it_in_the_image(scene: StageScene, grab: Grab) -> None:
    scene.set_config(two_pars(red_at=-2.0))
    scene.set_camera_preset("top")
    before_at = scene.fixture_screen_position("red")
    assert before_at is not None
    before = grab()
    assert has_color(before, before_at, RED)
    camera = dict(scene.opts)
    scene.set_config(two_pars(red_at=-4.0))
    after = grab()
    after_at = scene.fixture_screen_position("red")
    assert after_at is not None
    assert after_at.x() > before_at.x() + 20  # further to stage left: to the right in the plan
    assert has_color(after, after_at, RED)
    assert not has_color(after, before_at, RED)
    assert dict(scene.opts) == camera  # an update never moves the camera


def test_removed_fixtures_vanish_and_new_ones_appear(scene: StageScene, grab: Grab) -> None:
    scene.set_config(two_pars(third=False))
    scene.set_camera_preset("top")
    never_blue = count_color(grab(), BLUE)  # the blue "z up" of the axes gizmo
    scene.set_config(two_pars(third=True))
    scene.set_camera_preset("top")
    img = grab()
    blue_at = scene.fixture_screen_position("blue")
    assert blue_at is not None and has_color(img, blue_at, BLUE)
    scene.set_config(two_pars(third=False))
    img = grab()
    assert scene.fixture_screen_position("blue") is None
    assert not has_color(img, blue_at, BLUE)
    assert count_color(img, BLUE) == never_blue
    scene.set_config(two_pars(third=True))
    img = grab()
    assert has_color(img, blue_at, BLUE)


def test_selected_fixture_is_highlighted(scene: StageScene, grab: Grab) -> None:
    scene.set_config(two_pars())
    scene.set_camera_preset("perspective")
    at = scene.fixture_screen_position("green")
    assert at is not None

    def white_near(img: npt.NDArray[np.uint8]) -> int:
        return int((patch(img, at, 30) >= 235).all(axis=1).sum())

    plain = grab()
    assert white_near(plain) == 0
    scene.select_fixture(1)
    assert scene.selected_fixture() == 1
    lit = grab()
    assert white_near(lit) > 40  # ring, outline box, brighter body
    body = patch(lit, at, 3).mean(axis=0)
    assert body.sum() > patch(plain, at, 3).mean(axis=0).sum() + 60  # the body itself got brighter
    other = scene.fixture_screen_position("red")
    assert other is not None and int((patch(lit, other, 30) >= 235).all(axis=1).sum()) == 0
    scene.select_fixture(None)
    assert white_near(grab()) == 0
    scene.select_fixture(7)
    assert scene.selected_fixture() is None


def test_emitted_colours_light_the_lenses(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("up", 0, 0, 0, size=(0.8, 0.8, 0.4)), fixture("other", 2, 0, 0)))
    scene.set_camera_preset("top")  # looking down into the upward beam of "up"
    at = scene.fixture_screen_position("up")
    assert at is not None
    idle = grab()
    assert not has_color(idle, at, (255, 0, 0), tol=40, radius=2)
    scene.set_fixture_colors(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32))
    red = patch(grab(), at, 2).mean(axis=0)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
    scene.set_fixture_colors({"up": (0.0, 1.0, 0.0)})
    green = patch(grab(), at, 2).mean(axis=0)
    assert green[1] > 200 and green[0] < 60 and green[2] < 60
    with pytest.raises(ValueError, match="colors must be"):
        scene.set_fixture_colors(np.zeros((3, 3)))


def test_labels_on_and_off(scene: StageScene, grab: Grab) -> None:
    # aimed at the audience: its aim stub points at the front camera, not up into the label
    scene.set_config(config(fixture("Labelled", 0, 0, 0.5, size=(0.5, 0.5, 0.5), mounting="wall_back")))
    scene.set_camera_preset("front")
    at = scene.fixture_screen_position("Labelled")
    assert at is not None
    above = type(at)(at.x(), at.y() - 45)

    def text_pixels(img: npt.NDArray[np.uint8]) -> int:
        return int((patch(img, above, 40).min(axis=1) > 150).sum())

    assert not scene.labels_visible()
    assert text_pixels(grab()) == 0
    scene.set_labels_visible(True)
    assert [lb.text for lb in scene.labels.labels if lb.text == "Labelled"] == ["Labelled"]
    assert text_pixels(grab()) > 15
    scene.set_labels_visible(False)
    assert text_pixels(grab()) == 0


def test_big_rigs_label_only_the_selected_fixture(scene: StageScene) -> None:
    n = StageScene.LABEL_LIMIT + 1
    scene.set_config(config(*[fixture(f"F{i}", (i % 20) * 0.5 - 5, (i // 20) * 0.5 - 3, 0) for i in range(n)]))
    scene.set_labels_visible(True)
    assert not any(lb.text.startswith("F") for lb in scene.labels.labels)
    scene.select_fixture(7)
    assert "F7" in {lb.text for lb in scene.labels.labels}
    assert sum(lb.text.startswith("F") for lb in scene.labels.labels) == 1


def test_frame_cache_draws_exactly_what_a_full_redraw_draws(scene: StageScene, grab: Grab) -> None:
    scene.set_config(demo_show())
    scene.select_fixture(scene.index_of("Spot 2"))
    scene.set_labels_visible(True)
    scene.set_fixture_colors(np.random.default_rng(3).random((len(demo_show().fixtures), 3)))
    cached = [grab() for _ in range(3)]  # direct, then cache built, then cache reused
    assert scene._cache_key is not None
    scene.set_fixture_colors({"Front Par 1": (0.0, 0.0, 1.0)})
    cached.append(grab())
    scene.frame_cache = False
    full = grab()
    # Exact, but for a handful of pixels where additive beams graze a body's
    # edge (the depth values there come through a blit): at most 1 in 10,000.
    assert (cached[-1] != full).any(axis=2).sum() <= full.shape[0] * full.shape[1] // 10_000
    assert all((c != cached[0]).any(axis=2).sum() <= c.shape[0] * c.shape[1] // 10_000 for c in cached[:3])
    scene.set_beams_visible(False)
    scene.frame_cache = True
    still = [grab() for _ in range(3)]
    scene.frame_cache = False
    assert all((c == grab()).all() for c in still)


def test_pixel_bars_show_in_amber_from_the_front(scene: StageScene, grab: Grab) -> None:
    scene.set_config(demo_show())
    scene.set_camera_preset("front")
    img = grab()
    for name in ("Pixel Bar 1", "Pixel Bar 2"):
        at = scene.fixture_screen_position(name)
        assert at is not None and has_color(img, at, AMBER)


def test_overlapping_labels_are_decluttered_but_the_selected_one_always_shows(scene: StageScene,
                                                                             grab: Grab) -> None:
    # a tight cluster: their names cannot all fit side by side
    scene.set_config(config(*[fixture(f"Crowded {i}", 0.1 * i, 0.0, 0.0) for i in range(12)],
                            fixture("Far away", 4.0, 3.0, 0.0)))
    scene.set_labels_visible(True)
    grab()
    drawn = set(scene.labels.drawn)
    assert "Far away" in drawn
    crowded = {t for t in drawn if t.startswith("Crowded")}
    assert 1 <= len(crowded) < 12
    hidden = next(f"Crowded {i}" for i in range(12) if f"Crowded {i}" not in drawn)
    scene.select_fixture(scene.index_of(hidden))
    grab()
    assert hidden in scene.labels.drawn


@pytest.mark.parametrize(("preset", "hidden", "shown"), [
    # listed first but behind the other one as the plan sees them
    ("front", (0.0, 2.0, 2.0), (0.0, -2.0, 2.0)),
    ("top", (0.0, 0.0, 0.5), (0.0, 0.0, 4.0)),
    ("side", (-3.0, 0.0, 2.0), (3.0, 0.0, 2.0)),
    ("perspective", (-3.0, 2.0, 2.0), (-3.0, -2.0, 2.0)),
])
def test_overlapping_labels_name_the_fixture_in_front(scene: StageScene, grab: Grab, preset: str,
                                                      hidden: tuple[float, float, float],
                                                      shown: tuple[float, float, float]) -> None:
    # Two fixtures one behind the other: the label names the one drawn in front
    # (and picked by a click there), in the plans too, where clip w is 1 for all.
    scene.set_config(config(fixture("Behind", *hidden), fixture("In front", *shown)))
    scene.set_camera_preset(preset)
    scene.set_labels_visible(True)
    grab()
    at = scene.fixture_screen_position("In front")
    assert at is not None and scene.fixture_at(at) == scene.index_of("In front")
    drawn = set(scene.labels.drawn)
    if preset != "perspective":  # one on top of the other on screen: only one label fits
        assert "Behind" not in drawn, preset
    assert "In front" in drawn, preset


def test_empty_and_degenerate_configs_draw_without_errors(scene: StageScene, grab: Grab) -> None:
    from shared.show.model import ShowConfig, Stage

    for cfg in (ShowConfig(Stage(10.0, 8.0)), ShowConfig(Stage(0.0, -3.0, 0.0)),
                ShowConfig(Stage(float("nan"), 8.0, 1e-9)),
                config(fixture("odd", 0, 0, 0, kind="laser", size=(1e-6, 3.0, 0.1)),
                       groups=(("bad colour", (1, 2, 3), ("odd",)),))):
        scene.set_config(cfg)
        scene.set_fixture_colors(np.ones((len(cfg.fixtures), 4)))
        scene.select_fixture(0 if cfg.fixtures else None)
        img = grab()
        assert img.shape == (600, 800, 3)
    scene.fit_to_stage()
    assert np.isfinite(scene.opts["distance"])


def test_beams_show_the_emitted_colour_and_can_be_hidden(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("up", 0, 0, 0, size=(0.4, 0.4, 0.4))))
    scene.set_camera_preset("front")
    at = scene.fixture_screen_position("up")
    assert at is not None
    above = type(at)(at.x(), at.y() - 45)  # in the beam, above the body
    dark = patch(grab(), above, 2).mean(axis=0)
    scene.set_fixture_colors(np.array([[0.0, 0.0, 1.0]]))
    lit = patch(grab(), above, 2).mean(axis=0)
    assert lit[2] > dark[2] + 40 and abs(lit[0] - dark[0]) < 10
    scene.set_beams_visible(False)
    assert abs(patch(grab(), above, 2).mean(axis=0)[2] - dark[2]) < 5


def test_render_module_writes_a_png_of_the_demo(qtbot: object, tmp_path: object) -> None:
    from pathlib import Path

    from PyQt6 import QtGui

    from visualizer.render.__main__ import main

    out = Path(str(tmp_path)) / "scene.png"
    assert main([str(out), "--size", "400x300", "--labels", "--colors", "--select", "Spot 1"]) == 0
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (400, 300)
    assert count_color(pixels_of(image), (76, 175, 80)) > 20  # the moving heads' group colour


@pytest.mark.parametrize("size", ["1x1", "159x300", "400x119"])
def test_render_module_refuses_a_size_below_the_views_minimum(size: str, tmp_path: object,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from visualizer.render.__main__ import main

    out = Path(str(tmp_path)) / "scene.png"
    with pytest.raises(SystemExit) as exit_:
        main([str(out), "--size", size])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"--size {size}" in err and "160x120" in err
    assert not out.exists()


def test_a_lens_covers_the_light_whatever_alpha_its_beam_has(scene: StageScene) -> None:
    """Alpha scales a beam's opacity; the lens stays opaque glass (its alpha is its coverage of the light)."""
    scene.set_config(demo_show())
    n = len(demo_show().fixtures)
    scene.set_fixture_colors(np.tile([0.0, 1.0, 0.0, 0.3], (n, 1)))
    assert (scene.lenses._arrays["color"][:, 3] == 255).all()
    assert (scene.beams._arrays["color"][:, 3] < 255).all()
    scene.set_fixture_colors({"Spot 1": (1.0, 0.0, 0.0, 0.2)})
    assert (scene.lenses._arrays["color"][:, 3] == 255).all()


def pixels_of(image: object) -> npt.NDArray[np.uint8]:
    from tests.render.helpers import pixels

    return pixels(image)  # type: ignore[arg-type]


def test_one_update_paints_one_frame(scene: StageScene, qtbot: QtBot) -> None:
    """Qt's own repaint request (a timer behind ``update``) finds the frame painted and paints nothing."""
    scene.set_config(demo_show())
    scene.update()
    qtbot.waitUntil(lambda: scene.frames_rendered > 0 and not scene._requested)
    painted = scene.frames_rendered
    QCoreApplication.sendEvent(scene, QEvent(QEvent.Type.UpdateRequest))
    assert scene.frames_rendered == painted
    scene.update()
    QCoreApplication.sendEvent(scene, QEvent(QEvent.Type.UpdateRequest))
    assert scene.frames_rendered == painted + 1


def test_the_picture_presented_is_the_frame_drawn_pixel_for_pixel(scene: StageScene, grab: Grab) -> None:
    """``_present`` samples the frame nearest at texel centres: no shift, no blur (beams off: nothing added)."""
    from OpenGL import GL

    scene.set_config(demo_show())
    scene.set_labels_visible(True)
    scene.set_beams_visible(False)
    shown = grab()
    frame = scene._frame_fbo
    assert frame is not None
    scene.makeCurrent()
    try:
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, frame.handle)
        GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
        raw = GL.glReadPixels(0, 0, frame.width, frame.height, GL.GL_RGB, GL.GL_UNSIGNED_BYTE)
    finally:
        scene.doneCurrent()
    drawn = np.frombuffer(raw, np.uint8).reshape(frame.height, frame.width, 3)[::-1]
    assert shown.shape == drawn.shape
    assert (shown == drawn).all()
