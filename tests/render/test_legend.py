"""The group legend (top left) covers nothing the default framing shows: rulers, their lengths, captions, fixtures."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PyQt6 import QtCore
from pytestqt.qtbot import QtBot

from shared.show.model import ShowConfig
from tests.render.helpers import BLUE, GREEN, RED, config, fixture
from visualizer.render import StageScene, camera
from visualizer.render.reference import festival_show

Grab = Callable[[], npt.NDArray[np.uint8]]

PRESETS = ("front", "top", "side", "perspective")
WINDOWS = ((800, 600), (1280, 800), (1600, 1000), (600, 900))
STAGES = ((6.0, 4.0), (10.0, 8.0), (16.0, 10.0), (20.0, 8.0), (40.0, 20.0))


def corner_rig(stage_w: float, stage_d: float, grouped: bool = True) -> ShowConfig:
    """Fixtures high and low at the stage's four corners (the legend's corner of every view has one)."""
    hx, hy = stage_w / 2 - 0.3, stage_d / 2 - 0.3
    top = 3.0 + 0.15 * stage_w
    fixtures = [fixture(f"{side}{level}{k}", x, y, z, mounting="hanging" if z > 1 else "standing")
                for k, (x, y) in enumerate(((hx, -hy), (-hx, -hy), (hx, hy), (-hx, hy)))
                for side in ("c",) for level, z in (("hi", top), ("lo", 0.0))]
    names = [f.name for f in fixtures]
    groups = ((("Front washes", RED, tuple(names[0:3])), ("Mid heads on the truss", GREEN, tuple(names[3:6])),
               ("Back heads", BLUE, tuple(names[6:8])))
              if grouped else ())
    return config(*fixtures, groups=groups, width=stage_w, depth=stage_d)


def resize(scene: StageScene, qtbot: QtBot, width: int, height: int) -> None:
    scene.container.resize(width, height)
    qtbot.waitUntil(lambda: (scene.width(), scene.height()) == (width, height))


def inside(xy: npt.NDArray[np.float64], rect: QtCore.QRectF) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = ((xy[:, 0] >= rect.left()) & (xy[:, 0] <= rect.right())
                                  & (xy[:, 1] >= rect.top()) & (xy[:, 1] <= rect.bottom()))
    return out


def under_legend(scene: StageScene) -> list[str]:
    """What the legend (as painted last) covers: ruler strokes, drawn words, fixture bodies."""
    legend = scene.labels.legend_rect()
    assert legend is not None
    mvp, w, h = scene.view_projection(), scene.width(), scene.height()
    covered: list[str] = []
    if scene.is_orthographic():
        pts = scene._ruler_points.astype(np.float64)
        for (a, b), seen in zip(scene._ruler_rows, scene._rulers_seen(), strict=True):
            if not seen:
                continue
            seg = pts[a:b].reshape(-1, 2, 3)  # GL_LINES: pairs of points
            t = np.linspace(0.0, 1.0, 65)[None, :, None]
            along = (seg[:, :1] + (seg[:, 1:] - seg[:, :1]) * t).reshape(-1, 3)
            xy, _ = camera.project(along, mvp, w, h)
            if inside(xy, legend).any():
                covered.append(f"ruler rows {a}:{b}")
    for text, rect in zip(scene.labels.drawn, scene.labels.drawn_rects, strict=True):
        if rect.intersects(legend):
            covered.append(text)
    rig = scene.rig
    assert rig is not None
    xy, _ = camera.project(rig.bodies.positions, mvp, w, h)
    hit = np.unique(rig.bodies.owner[inside(xy, legend)])
    covered += [rig.names[int(i)] for i in hit]
    return covered


@pytest.mark.parametrize("preset", PRESETS)
def test_the_legend_covers_no_ruler_caption_or_fixture(scene: StageScene, qtbot: QtBot, grab: Grab,
                                                       preset: str) -> None:
    for width, height in WINDOWS:
        resize(scene, qtbot, width, height)
        for (stage_w, stage_d), grouped in [(s, g) for s in STAGES for g in (True, False)]:
            scene.set_config(corner_rig(stage_w, stage_d, grouped))
            scene.set_camera_preset(preset)
            grab()
            where = (preset, width, height, stage_w, stage_d, grouped)
            # three groups, or one "no group" line
            assert [t for t, _ in scene.labels.legend][-1] == ("Back heads" if grouped else "no group"), where
            assert any(t.startswith("DOWNSTAGE") for t in scene.labels.drawn), where
            if preset != "perspective":
                assert any(t.startswith(("width", "depth")) for t in scene.labels.drawn), where
            assert under_legend(scene) == [], where
            # and the framing still shows everything
            assert scene._fits_view(), where


@pytest.mark.parametrize("preset", PRESETS)
def test_nothing_is_drawn_where_the_legend_goes(scene: StageScene, qtbot: QtBot, grab: Grab, preset: str) -> None:
    """The festival rig as framed with its legend, then painted without it from the same camera:
    the legend's rectangle is empty background (no ruler, word, fixture or gizmo in it)."""
    scene.set_config(festival_show())
    for width, height in ((1280, 800), (600, 900)):
        resize(scene, qtbot, width, height)
        scene.set_camera_preset(preset)
        legend = scene.labels.legend_rect()
        assert legend is not None
        camera_before = dict(scene.opts)
        scene.pan(0.0, 0.0, 0.0)  # the camera is the user's now: hiding the legend keeps it
        scene.set_legend_visible(False)
        assert scene.opts["distance"] == camera_before["distance"]
        img = grab()
        dpr = scene.devicePixelRatioF()
        top, bottom = int(legend.top() * dpr), int(legend.bottom() * dpr)
        box = img[top:bottom, int(legend.left() * dpr):int(legend.right() * dpr)]
        bright = int((box.max(axis=2) > 48).sum())
        assert bright == 0, (preset, width, height, bright)
        scene.set_legend_visible(True)


def test_without_a_legend_the_whole_view_is_framed(scene: StageScene, qtbot: QtBot, grab: Grab) -> None:
    resize(scene, qtbot, 1280, 800)
    scene.set_config(corner_rig(16.0, 10.0))
    scene.set_legend_visible(False)
    for preset in PRESETS:
        scene.set_camera_preset(preset)
        grab()
        assert scene.labels.legend == [] and scene.labels.legend_rect() is None
        assert scene.frame_rects() == [(0.0, 0.0, 1.0, 1.0)]
    # the plans are framed exactly as before the legend had a say
    scene.set_camera_preset("front")
    pts = scene._frame_points()
    center, dist = camera.fit_orthographic(pts, -90.0, 0.0, float(scene.opts["fov"]), 1280 / 800)
    assert scene.opts["distance"] == pytest.approx(dist)
    assert np.allclose([scene.opts["center"].x(), scene.opts["center"].y(), scene.opts["center"].z()], center)


def test_groups_coming_and_going_reframe_the_view_around_the_legend(scene: StageScene, qtbot: QtBot,
                                                                     grab: Grab) -> None:
    resize(scene, qtbot, 1280, 800)
    scene.set_config(corner_rig(16.0, 10.0, grouped=False))
    scene.set_camera_preset("front")
    one_line = scene.labels.legend_rect()
    framed = float(scene.opts["distance"])
    scene.set_config(corner_rig(16.0, 10.0))  # same stage, now with three groups: a taller legend
    grab()
    three_lines = scene.labels.legend_rect()
    assert one_line is not None and three_lines is not None and three_lines.height() > one_line.height()
    assert under_legend(scene) == []
    assert float(scene.opts["distance"]) >= framed  # a bigger legend never makes the stage bigger
    scene.set_legend_visible(False)  # the stage takes the corner back
    bare = float(scene.opts["distance"])
    assert bare <= framed
    scene.set_legend_visible(True)
    grab()
    assert under_legend(scene) == []
    # a camera the user moved stays where it is
    scene.pan(0.0, 0.0, 0.0)
    moved = float(scene.opts["distance"])
    scene.set_legend_visible(False)
    assert float(scene.opts["distance"]) == moved
