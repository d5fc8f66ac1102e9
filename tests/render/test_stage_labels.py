"""The stage's words (captions, axis names) in the plans: kept clear of each other and in the picture."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from pytestqt.qtbot import QtBot

from tests.render.helpers import config, fixture
from visualizer.render import StageScene

Grab = Callable[[], npt.NDArray[np.uint8]]

GIZMO = {"+x stage right", "+y upstage", "z up"}


def test_the_front_view_keeps_stage_left_on_the_right_and_names_the_axes_seen(scene: StageScene, grab: Grab) -> None:
    scene.set_config(config(fixture("p", 0.0, 0.0, 4.0, mounting="hanging"), width=10, depth=8))
    seen = {}
    for preset in ("front", "side", "top", "perspective"):
        scene.set_camera_preset(preset)
        grab()
        seen[preset] = set(scene.labels.drawn)
        if preset == "front":
            rects = dict(zip(scene.labels.drawn, scene.labels.drawn_rects, strict=True))
            assert rects["STAGE LEFT"].center().x() > rects["STAGE RIGHT"].center().x()
    # an axis seen end-on is a dot: no name on it; nor a caption on its opposite
    assert "+y upstage" not in seen["front"] and "UPSTAGE" not in seen["front"]
    assert "+x stage right" not in seen["side"] and not {"STAGE LEFT", "STAGE RIGHT"} & seen["side"]
    assert "z up" not in seen["top"]
    assert seen["perspective"] >= GIZMO


@pytest.mark.parametrize("preset", ["front", "side", "top"])
def test_gizmo_labels_and_stage_captions_never_overlap_in_the_plans(scene: StageScene, qtbot: QtBot, grab: Grab,
                                                                   preset: str) -> None:
    for width, height in ((480, 360), (1100, 700)):
        scene.container.resize(width, height)
        qtbot.waitUntil(lambda w=width, h=height: (scene.width(), scene.height()) == (w, h))
        for stage_w, stage_d in ((4.0, 3.0), (10.0, 8.0), (16.0, 10.0), (40.0, 20.0)):
            rig = (fixture("a", stage_w / 4, 0.0, 5.0, mounting="hanging"),
                   fixture("b", -stage_w / 4, stage_d / 4, 6.0, mounting="hanging"))
            scene.set_config(config(*rig, width=stage_w, depth=stage_d))
            scene.set_camera_preset(preset)
            grab()
            drawn = list(zip(scene.labels.drawn, scene.labels.drawn_rects, strict=True))
            gizmo = [(t, r) for t, r in drawn if t in GIZMO]
            captions = [(t, r) for t, r in drawn
                        if t.startswith(("DOWNSTAGE", "UPSTAGE", "STAGE RIGHT", "STAGE LEFT"))]
            where = (preset, width, height, stage_w, stage_d)
            assert gizmo and any(t.startswith("DOWNSTAGE") for t, _ in captions), where
            for t, r in gizmo:
                for c, q in captions:
                    assert not r.intersects(q), (*where, t, c)
            # and the stage size stays in the picture
            size = next(r for t, r in captions if t.startswith("DOWNSTAGE"))
            assert size.top() >= 0 and size.bottom() <= height, where
