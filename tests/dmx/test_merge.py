"""Sequence rules, priority, HTP merge and source loss, driven through DmxState without sockets."""

from __future__ import annotations

import numpy as np
import pytest

from shared.dmx.merge import artnet_sequence_is_old, sacn_sequence_is_old
from shared.dmx.state import DmxState
from tests.dmx.packets import CID_A, CID_B, artdmx, e131

A = "10.0.0.1:6454"
B = "10.0.0.2:6454"


def levels(state: DmxState, universe: int, now: float = 0.0) -> list[int]:
    snap = state.snapshot(now)
    row = snap.universe(universe)
    assert row is not None
    return [int(v) for v in row[:4]]


@pytest.mark.parametrize(("new", "last", "old"), [
    (5, 5, True), (4, 5, True), (0, 19, True), (0, 20, False), (236, 0, False), (237, 0, True), (6, 5, False),
    (0, 255, False), (1, 255, False), (255, 1, True), (100, 5, False),
])
def test_sacn_sequence_rule(new: int, last: int, old: bool) -> None:
    # E1.31-2018 §6.7.2: discard when (new − last) as a signed byte is in (−20, 0].
    assert sacn_sequence_is_old(new, last) is old


@pytest.mark.parametrize(("new", "last", "old"), [
    (0, 5, False), (5, 0, False), (6, 5, False), (4, 5, True), (1, 255, False), (255, 1, True),
    (250, 5, True), (5, 5, False), (100, 5, False),
])
def test_artnet_sequence_rule(new: int, last: int, old: bool) -> None:
    assert artnet_sequence_is_old(new, last) is old


def test_artnet_sequence_wrap_and_zero_through_state() -> None:
    state = DmxState([1])
    for seq, value in ((254, 1), (255, 2), (1, 3), (255, 99), (2, 4), (0, 5), (1, 6)):
        state.receive_artnet(artdmx(0, bytes([value, 0]), sequence=seq), A, 0.0)
    # 255 after 1 is older (dropped); 0 means "off" and always counts; then 1 after 0 counts.
    assert levels(state, 1)[:1] == [6]
    state2 = DmxState([1])
    for seq, value in ((254, 1), (255, 2), (1, 3), (255, 99), (2, 4)):
        state2.receive_artnet(artdmx(0, bytes([value, 0]), sequence=seq), A, 0.0)
    assert levels(state2, 1)[:1] == [4]
    assert state2.dropped["Art-Net out of sequence"] == 1


def test_sacn_sequence_through_state() -> None:
    state = DmxState([1])
    for seq, value in ((250, 1), (255, 2), (0, 3), (250, 99), (1, 4), (1, 98)):
        state.receive_sacn(e131(1, bytes([value]), sequence=seq), A, 0.0)
    assert levels(state, 1)[:1] == [4]
    assert state.dropped["sACN out of sequence"] == 2


def test_universe_numbering_base_1_and_0() -> None:
    state = DmxState([1, 2])
    state.receive_artnet(artdmx(0, b"\x0a\x0b"), A, 0.0)  # Port-Address 0 -> universe 1
    state.receive_sacn(e131(2, b"\x0c"), B, 0.0)  # sACN 2 -> universe 2
    assert levels(state, 1)[:2] == [10, 11] and levels(state, 2)[:1] == [12]
    zero = DmxState([0, 1], base=0)
    zero.receive_artnet(artdmx(1, b"\x0a\x0b"), A, 0.0)  # Port-Address 1 -> universe 1
    zero.receive_sacn(e131(1, b"\x0c"), B, 0.0)  # sACN 1 -> universe 0
    assert levels(zero, 1)[:2] == [10, 11] and levels(zero, 0)[:1] == [12]


def test_unexpected_universes_get_rows() -> None:
    state = DmxState([1])
    state.receive_artnet(artdmx(0x0105, b"\x01\x02"), A, 0.0)
    assert 0x0106 in state.snapshot(0.0).rows


def test_bad_packets_are_counted_and_ignored() -> None:
    state = DmxState([1])
    state.receive_artnet(artdmx(0, b"\x07\x07"), A, 0.0)
    for raw in (artdmx(0, bytes(100), length=300), b"Art-Net\x00\x00\x50", artdmx(0, b"\x01")):
        state.receive_artnet(raw, A, 1.0)
    state.receive_sacn(e131(1, b"\x01", root_vector=9), B, 1.0)
    snap = state.snapshot(1.0)
    assert dict(snap.errors) == {"Art-Net truncated": 1, "Art-Net short": 1, "Art-Net bad-length": 1,
                                 "sACN bad-vector": 1}
    assert levels(state, 1)[:2] == [7, 7]
    assert snap.packets == 1 and snap.received == 5
    assert state.last_error == "sACN packet from 10.0.0.2:6454: root vector 0x00000009 is not E1.31 data (E1.31 §5.5)"


def test_start_code_dd_never_becomes_levels() -> None:
    state = DmxState([1])
    state.receive_sacn(e131(1, bytes([10, 20]), sequence=1), A, 0.0)
    state.receive_sacn(e131(1, bytes([200, 200]), sequence=2, start_code=0xDD), A, 0.1)
    assert levels(state, 1)[:2] == [10, 20]
    assert state.dropped["sACN START code 0xDD"] == 1


def test_priority_wins_and_equal_priorities_merge_htp() -> None:
    state = DmxState([1])
    state.receive_sacn(e131(1, bytes([100, 0, 50]), cid=CID_A, priority=100, name="A"), A, 0.0)
    state.receive_sacn(e131(1, bytes([0, 100, 60]), cid=CID_B, priority=100, name="B"), B, 0.0)
    assert levels(state, 1)[:3] == [100, 100, 60]  # HTP, never one or the other
    for seq in range(1, 5):  # and it stays merged packet after packet (no alternating)
        state.receive_sacn(e131(1, bytes([100, 0, 50]), cid=CID_A, name="A", sequence=seq), A, 0.01 * seq)
        assert levels(state, 1)[:3] == [100, 100, 60]
    state.receive_sacn(e131(1, bytes([5, 5, 5]), cid=CID_B, priority=150, name="B", sequence=1), B, 0.1)
    assert levels(state, 1)[:3] == [5, 5, 5]  # the higher priority wins outright
    sources = state.snapshot(0.1).sources[1]
    assert [(s.name, s.priority) for s in sources] == [("B", 150), ("A", 100)]


def test_preview_data_is_ignored() -> None:
    state = DmxState([1])
    state.receive_sacn(e131(1, bytes([9]), options=0x80), A, 0.0)
    assert levels(state, 1)[:1] == [0] and state.dropped["sACN preview"] == 1


def test_sacn_source_lost_after_2_5_s_and_on_stream_terminated() -> None:
    state = DmxState([1])
    state.receive_sacn(e131(1, bytes([200]), cid=CID_A, priority=150), A, 0.0)
    state.receive_sacn(e131(1, bytes([30]), cid=CID_B, priority=100), B, 0.0)
    assert levels(state, 1)[:1] == [200]
    state.receive_sacn(e131(1, bytes([30]), cid=CID_B, priority=100, sequence=1), B, 2.0)
    assert not state.expire(2.4)
    assert state.expire(2.6)  # A silent for more than 2.5 s: B takes over
    assert levels(state, 1, 2.6)[:1] == [30]
    state.receive_sacn(e131(1, bytes([30]), cid=CID_B, sequence=2, options=0x40), B, 2.7)
    assert 1 not in state.snapshot(2.7).sources


def test_stream_terminated_on_a_dd_packet_also_ends_the_source() -> None:
    state = DmxState([1])
    state.receive_sacn(e131(1, bytes([200]), cid=CID_A, priority=150), A, 0.0)
    state.receive_sacn(e131(1, bytes([30]), cid=CID_B), B, 0.0)
    state.receive_sacn(e131(1, bytes([1]), cid=CID_A, start_code=0xDD, options=0x40, sequence=1), A, 0.1)
    assert levels(state, 1, 0.1)[:1] == [30]


def test_artnet_two_sources_htp_third_ignored_silent_dropped_after_10_s() -> None:
    state = DmxState([1])
    state.receive_artnet(artdmx(0, bytes([100, 0])), A, 0.0)
    state.receive_artnet(artdmx(0, bytes([0, 100])), B, 0.0)
    assert levels(state, 1)[:2] == [100, 100]
    state.receive_artnet(artdmx(0, bytes([255, 255])), "10.0.0.3:6454", 0.0)
    assert levels(state, 1)[:2] == [100, 100] and state.dropped["Art-Net third source"] == 1
    state.receive_artnet(artdmx(0, bytes([0, 100])), B, 9.0)
    assert state.expire(10.5)  # A silent 10.5 s
    assert levels(state, 1, 10.5)[:2] == [0, 100]


def test_freshness_after_2_5_s() -> None:
    state = DmxState([1, 2])
    state.receive_artnet(artdmx(0, b"\x01\x02"), A, 10.0)
    snap = state.snapshot(12.0)
    assert snap.fresh.tolist() == [True, False]
    assert state.snapshot(12.6).fresh.tolist() == [False, False]


def test_snapshot_is_a_copy() -> None:
    state = DmxState([1])
    snap = state.snapshot(0.0)
    state.receive_artnet(artdmx(0, b"\x01\x02"), A, 0.0)
    assert not snap.levels.any() and snap.version != state.version
    assert isinstance(snap.levels, np.ndarray) and snap.levels.dtype == np.uint8 and snap.levels.shape == (1, 512)
