"""The fixture test: patterns from personalities, sent at 44 Hz, received by our own receiver."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest

from server.dmx_test import DmxTestSender, TestPattern, add_arguments, start_from_args
from shared.dmx.universes import show_universes
from shared.show import demo_show
from tests.dmx.conftest import Arrivals
from visualizer.light.evaluate import RigEvaluator


def _look(config, frame):  # type: ignore[no-untyped-def]
    universes = sorted(frame)
    levels = np.stack([frame[u] for u in universes])
    return RigEvaluator(config).evaluate(levels, {u: i for i, u in enumerate(universes)},
                                         np.ones(len(universes), bool), 0.0)


def test_full_lights_every_patched_fixture_white() -> None:
    config = demo_show()
    look = _look(config, TestPattern(config, "full").frame(0.0))
    assert look.live.all()
    assert np.allclose(look.intensity[look.live], 1.0)
    lit = look.color.max(axis=1)
    assert (lit > 0.9).all()


def test_chase_lights_one_fixture_at_a_time() -> None:
    config = demo_show()
    pattern = TestPattern(config, "chase")
    first = _look(config, pattern.frame(0.0)).color.max(axis=1) > 0.5
    second = _look(config, pattern.frame(0.3)).color.max(axis=1) > 0.5
    assert first.sum() == 1 and second.sum() == 1 and not (first & second).any()


def test_groups_show_their_colours_and_rainbow_varies_across_the_rig() -> None:
    config = demo_show()
    look = _look(config, TestPattern(config, "groups").frame(0.5))
    for group in config.groups:
        i = next(k for k, f in enumerate(config.fixtures) if f.name == group.fixtures[0])
        if config.group_of(config.fixtures[i].name) is not group:
            continue
        # Colour-mixing fixtures show the group colour; colour-wheel ones its nearest slot.
        assert int(np.argmax(look.color[i])) == int(np.argmax(group.rgb)), (group.name, look.color[i], group.rgb)
        assert look.color[i].max() > 0.05
    rainbow = _look(config, TestPattern(config, "rainbow").frame(0.0)).color
    assert len({tuple(np.round(c, 1)) for c in rainbow}) > 5


def test_sweep_moves_every_moving_head_through_its_personality() -> None:
    """What the sender encodes as pan/tilt is what the viewer's evaluator reads back (16-bit heads)."""
    config = demo_show()
    pattern = TestPattern(config, "sweep")
    heads = [i for i, f in enumerate(config.fixtures) if f.kind == "MH"]
    assert heads
    for t in (0.0, 1.3, 4.0):
        _rgb, _inten, pan, tilt = pattern.state(t)
        look = _look(config, pattern.frame(t))
        assert np.allclose(look.pan_deg[heads], pan[heads], atol=0.1), t
        assert np.allclose(look.tilt_deg[heads], tilt[heads], atol=0.1), t
    assert np.ptp(pan[heads]) > 10.0 or np.ptp(_look(config, pattern.frame(2.0)).pan_deg[heads]) > 10.0


def test_unknown_pattern() -> None:
    with pytest.raises(ValueError, match="choose one of chase, rainbow, groups, full"):
        TestPattern(demo_show(), "strobe")


def test_sender_is_received_by_our_receiver(make_receiver: Callable[..., Arrivals]) -> None:
    config = demo_show()
    arr = make_receiver(show_universes(config))
    sender = DmxTestSender(config, "full", artnet_port=arr.artnet[1], sacn_enabled=True, sacn_port=arr.sacn[1])
    expected = TestPattern(config, "full").frame(0.0)
    sender.start()
    try:
        arr.wait(lambda: all(arr.levels(u) == expected[u].tolist() for u in expected), "the full pattern")
        arr.wait(lambda: all(len(arr.state.snapshot(0).sources.get(u, ())) == 2 for u in expected),
                 "Art-Net and sACN sources on every universe")
        start = arr.state.packets
        arr.wait(lambda: arr.state.packets >= start + 2 * len(expected) * 10, "ten more frames")  # it keeps sending
    finally:
        sender.stop()
    assert sender.frames > 0


def test_show_creator_dmx_test_flag(make_receiver: Callable[..., Arrivals]) -> None:
    config = demo_show()
    arr = make_receiver(show_universes(config))
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--headless", "--host", "127.0.0.1", "--port", "0",
         "--dmx-test", "full", "--dmx-artnet-port", str(arr.artnet[1])],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        expected = TestPattern(config, "full").frame(0.0)
        arr.wait(lambda: all(arr.levels(u) == expected[u].tolist() for u in expected), "show-creator's pattern",
                 timeout=20)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "DMX test pattern 'full': Art-Net to 127.0.0.1, 3 universe(s), 44 Hz" in err


def test_sender_follows_a_reloaded_show(make_receiver: Callable[..., Arrivals]) -> None:
    config = demo_show()
    arr = make_receiver(show_universes(config))
    current = [config]
    sender = DmxTestSender(config, "full", artnet_port=arr.artnet[1], follow=lambda: current[0])
    sender.start()
    try:
        arr.wait(lambda: bool(arr.levels(1)) and any(arr.levels(1)), "the first show's levels")
        moved = (config.fixtures[0].replace(universe=7), *config.fixtures[1:])
        current[0] = type(config)(config.stage, moved, config.groups)
        arr.wait(lambda: any(arr.levels(7)), "levels on universe 7 after the show changed")
    finally:
        sender.stop()


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_unresolvable_target_is_one_line_and_no_sender(caplog: pytest.LogCaptureFixture) -> None:
    # It used to start anyway and look the name up again for every packet (44 Hz × universes).
    caplog.set_level(logging.INFO, logger="server.dmx_test")
    sender = start_from_args(_args("--dmx-test", "full", "--dmx-target", "no-such-host.invalid"), demo_show())
    assert sender is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "\n" not in lines[0], lines
    assert lines[0].startswith("DMX test pattern: cannot send to no-such-host.invalid: "), lines
    assert caplog.records[0].levelno == logging.ERROR


def test_sender_resolves_its_target_once(make_receiver: Callable[..., Arrivals]) -> None:
    config = demo_show()
    arr = make_receiver(show_universes(config))
    sender = DmxTestSender(config, "full", target="localhost", artnet_port=arr.artnet[1])
    sender.start()
    try:
        assert sender.address == "127.0.0.1"
        arr.wait(lambda: any(arr.levels(1)), "the pattern sent to localhost")
    finally:
        sender.stop()


def test_broadcast_target_without_the_flag_says_which_flag(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="server.dmx_test")
    sender = start_from_args(_args("--dmx-test", "full", "--dmx-target", "255.255.255.255"), demo_show())
    assert sender is None
    assert [r.getMessage() for r in caplog.records] == [
        "DMX test pattern: cannot send to 255.255.255.255: it is a broadcast address; add --dmx-broadcast"]


def test_fixtures_on_a_universe_the_wire_lacks_are_named_not_skipped_silently(
        caplog: pytest.LogCaptureFixture) -> None:
    # Universe 0 under --dmx-universe-base 1 has no Art-Net Port-Address: the fixture test skipped
    # those fixtures without a word.
    config = demo_show()
    moved = (config.fixtures[0].replace(universe=0), *config.fixtures[1:])
    config = type(config)(config.stage, moved, config.groups)
    caplog.set_level(logging.INFO, logger="server.dmx_test")
    sender = start_from_args(_args("--dmx-test", "full", "--dmx-artnet-port", "9"), config)
    assert sender is not None
    sender.stop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["DMX test pattern: universe 0 cannot be sent when universes are numbered from 1 "
                        "(no Art-Net Port-Address or sACN universe); try --dmx-universe-base 0"]
