"""The vectorised evaluator agrees with the plain per-fixture rules on random rigs and DMX."""

from __future__ import annotations

import numpy as np
import pytest

from shared.fixtures import generic
from shared.fixtures.library import FixtureLibrary
from shared.show.model import Fixture
from tests.fixtures.test_qxf import DATA
from visualizer.light.evaluate import RigEvaluator
from visualizer.light.reference import evaluate_reference

from .helpers import fixture, rig

WHEEL = [{"min": 0, "max": 9, "color": "#FFFFFF"}, {"min": 10, "max": 99, "color": "#FF8000"}]


def _random_rig(rng: np.random.Generator, n: int) -> list[Fixture]:
    kinds = [
        {"manufacturer": "Generic", "model": "RGB", "mode": "3 Channel"},
        {"manufacturer": "Generic", "model": "RGBW", "mode": "5 Channel"},
        {"manufacturer": "Generic", "model": "RGB Strobe", "mode": "4 Channel"},
        {"manufacturer": "Generic", "model": "RGBAW+UV", "mode": "6 Channel"},
        {"manufacturer": "Generic", "model": "Moving Head", "mode": "12 Channel"},
        {"manufacturer": "Testco", "model": "Spot 16", "mode": "Extended"},
        {"manufacturer": "Testco", "model": "Pixel Bar 8", "mode": "25 Channel"},
        {"manufacturer": "Testco", "model": "Par RGBW 7x10", "mode": "6 Channel"},
        {
            "channel_mapping": {0: "dimmer", 1: "cyan", 2: "magenta", 3: "yellow", 4: "color_wheel", 5: "shutter"},
            "color_wheel": WHEEL,
        },
        {"channel_mapping": {0: "dimmer", 1: "color_wheel", 2: "zoom"}, "color_wheel": WHEEL},
        {"manufacturer": "Acme", "model": "Unknown", "mode": "Standard"},
    ]
    out = []
    for i in range(n):
        kw = dict(kinds[int(rng.integers(len(kinds)))])
        out.append(fixture(f"F{i}", universe=int(rng.integers(1, 4)), address=int(rng.integers(1, 513)), **kw))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_matches_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    config = rig(*_random_rig(rng, 60))
    ev = RigEvaluator(config, FixtureLibrary([DATA], system=False))
    levels = rng.integers(0, 256, size=(3, 512), dtype=np.uint8)
    rows = {1: 0, 2: 2, 3: 1}
    fresh = np.array([True, True, seed % 2 == 0])
    for t in (0.0, 0.0137, 0.26, 1.7):
        fast = ev.evaluate(levels, rows, fresh, t)
        slow = evaluate_reference(config, ev.personalities, levels, rows, fresh, t)
        for name in ("color", "intensity", "pan_deg", "tilt_deg", "beam_deg", "cell_color"):
            np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), atol=2e-5, err_msg=name)
        assert fast.live.tolist() == slow.live.tolist()
        assert fast.cell_owner.tolist() == slow.cell_owner.tolist()
    assert "unpatched" in ev.sources and "qxf" in ev.sources and "generic" in ev.sources


def test_generic_head_sanity() -> None:
    assert generic.MOVING_HEAD.offset("pan_fine") == 1
