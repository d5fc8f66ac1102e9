"""DMX → look for every personality path, computed by the vectorised evaluator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from shared.fixtures import generic
from visualizer.light.evaluate import RigEvaluator
from visualizer.light.look import Look

from .helpers import fixture, frame, put, rig


def run(*fixtures_, levels=None, t: float = 0.0, rows=None, fresh=None) -> Look:  # type: ignore[no-untyped-def]
    ev = RigEvaluator(rig(*fixtures_))
    lv = frame() if levels is None else levels
    return ev.evaluate(lv, rows if rows is not None else {1: 0}, fresh if fresh is not None else [True] * len(lv), t)


def test_channel_mapping_rgbw_with_master_dimmer() -> None:
    f = fixture(channel_mapping={0: "dimmer", 1: "red", 2: "green", 3: "blue", 4: "white"}, address=10)
    lv = frame()
    put(lv, 10, [255, 255, 0, 0, 0])
    look = run(f, levels=lv)
    assert look.live.tolist() == [True]
    np.testing.assert_allclose(look.color[0], [1, 0, 0], atol=1e-6)
    put(lv, 10, [51, 0, 0, 0, 255])  # dimmer 20 %, white
    look = run(f, levels=lv)
    np.testing.assert_allclose(look.color[0], [0.2, 0.2, 0.2], atol=1e-6)
    np.testing.assert_allclose(look.intensity, [0.2], atol=1e-6)


def test_no_dimmer_channel_means_full() -> None:
    f = fixture(channel_mapping={0: "red", 1: "green", 2: "blue"})
    lv = frame()
    put(lv, 1, [0, 128, 255])
    look = run(f, levels=lv)
    np.testing.assert_allclose(look.color[0], [0, 128 / 255, 1], atol=1e-6)
    assert look.intensity[0] == 1.0


def test_amber_and_uv_add_their_tints_and_clamp() -> None:
    f = fixture(channel_mapping={0: "red", 1: "green", 2: "blue", 3: "amber", 4: "uv"})
    lv = frame()
    put(lv, 1, [0, 0, 0, 255, 0])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [1, 0.75, 0], atol=1e-6)
    put(lv, 1, [0, 0, 0, 0, 255])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [0.5, 0, 1], atol=1e-6)
    put(lv, 1, [255, 255, 0, 255, 255])  # red + green + amber + uv clamps at 1
    np.testing.assert_allclose(run(f, levels=lv).color[0], [1, 1, 1], atol=1e-6)


def test_cmy_filters_a_white_lamp() -> None:
    f = fixture(channel_mapping={0: "dimmer", 1: "cyan", 2: "magenta", 3: "yellow"})
    lv = frame()
    put(lv, 1, [255, 255, 0, 0])  # full cyan filter: no red
    np.testing.assert_allclose(run(f, levels=lv).color[0], [0, 1, 1], atol=1e-6)


def test_dimmer_only_fixture_is_a_white_lamp() -> None:
    f = fixture(manufacturer="Generic", model="Dimmer", mode="1 Channel")
    lv = frame()
    put(lv, 1, [102])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [0.4, 0.4, 0.4], atol=1e-6)


def test_generic_rgb_three_channel_just_works() -> None:
    f = fixture(manufacturer="Generic", model="RGB", mode="3 Channel", address=5)
    lv = frame()
    put(lv, 5, [0, 255, 0])
    look = run(f, levels=lv)
    assert look.live[0]
    np.testing.assert_allclose(look.color[0], [0, 1, 0], atol=1e-6)


def test_sixteen_bit_pan_and_tilt() -> None:
    f = fixture(
        channel_mapping={0: "pan", 1: "pan_fine", 2: "tilt", 3: "tilt_fine", 4: "dimmer"}, pan_max=540, tilt_max=270
    )
    lv = frame()
    put(lv, 1, [128, 0, 0, 0, 255])  # pan coarse 128, fine 0 → 32768/65535
    look = run(f, levels=lv)
    assert look.pan_deg[0] == pytest.approx((32768 / 65535 - 0.5) * 540, abs=1e-3)
    assert look.tilt_deg[0] == pytest.approx(-135.0, abs=1e-3)
    put(lv, 1, [127, 255, 255, 255, 255])  # 32767 → just below centre; tilt full
    look = run(f, levels=lv)
    assert look.pan_deg[0] == pytest.approx((32767 / 65535 - 0.5) * 540, abs=1e-3)
    assert look.pan_deg[0] < 0 < look.pan_deg[0] + 0.01
    assert look.tilt_deg[0] == pytest.approx(135.0, abs=1e-3)


def test_eight_bit_pan_uses_fixture_range() -> None:
    f = fixture(channel_mapping={0: "pan", 1: "tilt"}, pan_max=360, tilt_max=180)
    lv = frame()
    put(lv, 1, [255, 0])
    look = run(f, levels=lv)
    assert look.pan_deg[0] == pytest.approx(180.0)
    assert look.tilt_deg[0] == pytest.approx(-90.0)


def test_default_pan_tilt_ranges_are_540_and_270() -> None:
    f = fixture(channel_mapping={0: "pan", 1: "tilt"})
    lv = frame()
    put(lv, 1, [255, 255])
    look = run(f, levels=lv)
    assert (look.pan_deg[0], look.tilt_deg[0]) == (pytest.approx(270.0), pytest.approx(135.0))


WHEEL = [
    {"min": 0, "max": 9, "color": "#FFFFFF"},
    {"min": 10, "max": 19, "color": "#FF0000"},
    {"min": 20, "max": 29, "color": "#0000FF"},
]


def test_colour_wheel_from_wire_ranges() -> None:
    f = fixture(channel_mapping={0: "dimmer", 1: "color_wheel"}, color_wheel=WHEEL)
    lv = frame()
    put(lv, 1, [255, 15])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [1, 0, 0], atol=1e-6)
    put(lv, 1, [255, 29])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [0, 0, 1], atol=1e-6)
    put(lv, 1, [128, 5])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [128 / 255] * 3, atol=1e-6)


def test_colour_wheel_applies_only_when_rgb_mix_is_black() -> None:
    f = fixture(channel_mapping={0: "red", 1: "green", 2: "blue", 3: "color_wheel"}, color_wheel=WHEEL)
    lv = frame()
    put(lv, 1, [0, 0, 0, 15])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [1, 0, 0], atol=1e-6)
    put(lv, 1, [0, 255, 0, 15])
    np.testing.assert_allclose(run(f, levels=lv).color[0], [0, 1, 0], atol=1e-6)


def test_strobe_flashes_at_the_rate_of_its_range() -> None:
    f = fixture(manufacturer="Generic", model="RGB Strobe", mode="4 Channel")
    ev = RigEvaluator(rig(f))
    lv = frame()
    put(lv, 1, [255, 255, 255, 0])
    assert ev.evaluate(lv, {1: 0}, [True], 0.37).intensity[0] == 1.0  # 0..9: no strobe
    put(lv, 1, [255, 255, 255, 255])  # top of the range: 20 Hz, half on, half off
    samples = [ev.evaluate(lv, {1: 0}, [True], k / 200.0).intensity[0] for k in range(200)]  # one second
    assert set(samples) == {0.0, 1.0}
    rises = sum(1 for a, b in itertools.pairwise(samples) if a == 0.0 and b == 1.0)
    assert rises in (19, 20)
    put(lv, 1, [255, 255, 255, 10])  # bottom of the range: 1 Hz
    on = [ev.evaluate(lv, {1: 0}, [True], k / 10.0).intensity[0] for k in range(10)]
    assert on == [1.0] * 5 + [0.0] * 5


def test_closed_shutter_is_dark() -> None:
    f = fixture(manufacturer="Generic", model="Moving Head", mode="12 Channel", fixture_type="MH")
    lv = frame()
    head = generic.MOVING_HEAD
    dimmer, shutter, red = head.offset("dimmer"), head.offset("shutter"), head.offset("red")
    assert dimmer is not None and shutter is not None and red is not None
    lv[0, dimmer] = 255
    lv[0, red] = 255
    lv[0, shutter] = 0
    look = run(f, levels=lv)
    assert look.live[0]
    assert look.color[0].max() == 0.0
    lv[0, shutter] = 10
    np.testing.assert_allclose(run(f, levels=lv).color[0], [1, 0, 0], atol=1e-6)


def test_pixel_cells_from_repeated_channel_mapping() -> None:
    mapping = {3 * k + i: c for k in range(4) for i, c in enumerate(("red", "green", "blue"))}
    f = fixture(channel_mapping=mapping)
    lv = frame()
    put(lv, 1, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    look = run(f, levels=lv)
    assert look.cell_owner.tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(look.cell_color, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], atol=1e-6)
    np.testing.assert_allclose(look.color[0], [0.5, 0.5, 0.5], atol=1e-6)


def test_pixel_cells_from_pixel_segments_with_master_dimmer_in_mapping() -> None:
    segs = [
        {"channels": [1 + 3 * k, 2 + 3 * k, 3 + 3 * k], "red": 1 + 3 * k, "green": 2 + 3 * k, "blue": 3 + 3 * k}
        for k in range(2)
    ]
    plain = fixture("A", pixel_segments=segs)
    mapped = fixture(
        "B",
        address=20,
        channel_mapping={0: "dimmer", **{o: "cell" for s in segs for o in s["channels"]}},
        pixel_segments=segs,
    )
    lv = frame()
    put(lv, 1, [0, 255, 0, 0, 0, 0, 255])
    put(lv, 20, [51, 255, 0, 0, 0, 0, 255])
    look = run(plain, mapped, levels=lv)
    assert look.cell_owner.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(look.cell_color[:2], [[1, 0, 0], [0, 0, 1]], atol=1e-6)
    np.testing.assert_allclose(look.cell_color[2:], [[0.2, 0, 0], [0, 0, 0.2]], atol=1e-6)


def test_zoom_maps_onto_lens_range_else_beam_angle_else_type_default() -> None:
    head = fixture("MH", manufacturer="Generic", model="Moving Head", mode="12 Channel")
    par = fixture("PAR", address=100, channel_mapping={0: "red"}, beam_angle=19.0)
    wash = fixture("WASH", address=200, channel_mapping={0: "red"}, fixture_type="WASH")
    lv = frame()
    zoom = generic.MOVING_HEAD.offset("zoom")
    assert zoom is not None
    lv[0, zoom] = 0
    assert run(head, par, wash, levels=lv).beam_deg.tolist() == [8.0, 19.0, 40.0]
    lv[0, zoom] = 255
    assert run(head, levels=lv).beam_deg[0] == pytest.approx(40.0)
    lv[0, zoom] = 51
    assert run(head, levels=lv).beam_deg[0] == pytest.approx(8.0 + 0.2 * 32.0)


def test_not_live_when_stale_missing_or_unpatched() -> None:
    a = fixture("A", universe=1, channel_mapping={0: "red"})
    b = fixture("B", universe=2, channel_mapping={0: "red"})
    c = fixture("C", universe=3, channel_mapping={0: "red"})
    d = fixture("D", universe=1, address=5, manufacturer="Acme", model="Mystery 9000", mode="Standard")
    lv = frame(2)
    lv[:, 0] = 255
    lv[0, 4] = 255
    look = run(a, b, c, d, levels=lv, rows={1: 0, 2: 1}, fresh=[True, False])
    assert look.live.tolist() == [True, False, False, False]
    np.testing.assert_allclose(look.color[1:], 0.0)
    np.testing.assert_allclose(look.color[0], [1, 0, 0])


def test_channels_past_512_read_as_zero() -> None:
    f = fixture(address=511, channel_mapping={0: "red", 1: "green", 2: "blue"})
    lv = frame()
    lv[0, 510] = 255
    lv[0, 511] = 255
    look = run(f, levels=lv)
    np.testing.assert_allclose(look.color[0], [1, 1, 0])


def test_empty_rig_and_no_dmx() -> None:
    ev = RigEvaluator(rig())
    look = ev.evaluate(np.zeros((0, 512), np.uint8), {}, np.zeros(0, bool), 0.0)
    assert look.color.shape == (0, 3) and look.cell_color.shape == (0, 3)
    ev = RigEvaluator(rig(fixture(channel_mapping={0: "red"})))
    look = ev.evaluate(np.zeros((0, 512), np.uint8), {}, np.zeros(0, bool), 0.0)
    assert look.live.tolist() == [False]


def test_look_dtypes_and_shapes() -> None:
    f = fixture(channel_mapping={0: "red", 1: "green", 2: "blue", 3: "red", 4: "green", 5: "blue"})
    look = run(f, fixture("G", address=50, channel_mapping={0: "dimmer"}))
    assert look.color.dtype == np.float32 and look.color.shape == (2, 3)
    for arr in (look.intensity, look.pan_deg, look.tilt_deg, look.beam_deg):
        assert arr.dtype == np.float32 and arr.shape == (2,)
    assert look.live.dtype == np.bool_
    assert look.cell_color.dtype == np.float32 and look.cell_color.shape == (2, 3)
    assert look.cell_owner.dtype == np.int32


def test_unpatched_fixtures_are_named_as_warnings() -> None:
    ev = RigEvaluator(rig(fixture("A", channel_mapping={0: "red"}), fixture("B", manufacturer="Acme", model="X9")))
    assert ev.sources == ("channel_mapping", "unpatched")
    issues = ev.unpatched_issues()
    assert [(i.severity, i.where) for i in issues] == [("warning", 'fixtures[1] "B"')]
    assert "Acme / X9 / Default" in issues[0].problem
