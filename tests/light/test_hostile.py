"""Numbers a show file may carry that must not become NaN or infinite angles in a Look."""

from __future__ import annotations

import numpy as np
import pytest

from tests.light.helpers import fixture, frame, rig
from visualizer.light.evaluate import RigEvaluator

BAD = [float("nan"), float("inf"), -90.0, 0.0, 1e30]


@pytest.mark.parametrize("value", BAD)
def test_bad_pan_tilt_and_beam_fall_back_to_the_personality(value: float) -> None:
    # pan_max=NaN gave pan NaN degrees, inf gave inf, a negative tilt_max flipped the head,
    # beam_angle=inf or -5 went straight to the renderer.
    f = fixture(channel_mapping={0: "pan", 1: "tilt", 2: "dimmer"}, pan_max=value, tilt_max=value, beam_angle=value,
                fixture_type="MH")
    ev = RigEvaluator(rig(f))
    levels = frame()
    levels[0, :3] = [255, 255, 255]
    look = ev.evaluate(levels, {1: 0}, np.array([True]), 0.0)
    assert np.isfinite(look.pan_deg).all() and np.isfinite(look.tilt_deg).all() and np.isfinite(look.beam_deg).all()
    assert look.pan_deg[0] == pytest.approx(270.0, abs=0.5)  # the default 540° travel
    assert look.tilt_deg[0] == pytest.approx(135.0, abs=0.5)  # the default 270°
    assert 0 < look.beam_deg[0] <= 360
