"""A venue network that lies: what hostile or odd traffic must not do to the receiver's state."""

from __future__ import annotations

import numpy as np

from shared.dmx.merge import MAX_SACN_SOURCES
from shared.dmx.state import DmxState
from tests.dmx.packets import artdmx, e131


def test_sacn_sources_with_random_cids_do_not_grow_without_bound() -> None:
    # Every packet from a new CID used to add a source (512 bytes each) and made every later
    # packet merge over all of them: 6,000 forged CIDs took seconds and 3 MB per universe.
    state = DmxState((1,))
    rng = np.random.default_rng(7)
    for i in range(2000):
        cid = rng.bytes(16)
        state.receive_sacn(e131(1, bytes([i % 256]) * 8, cid=cid, sequence=i % 256), f"10.0.{i >> 8}.{i & 255}:5568",
                           0.0)
    snap = state.snapshot(0.0)
    assert len(snap.sources[1]) == MAX_SACN_SOURCES
    assert state.dropped["sACN too many sources"] == 2000 - MAX_SACN_SOURCES
    # The sources that got in keep working, and one leaving lets a new one in.
    first = rng.bytes(16)
    state.expire(100.0)
    state.receive_sacn(e131(1, bytes([9]) * 8, cid=first), "10.1.0.1:5568", 100.0)
    assert state.snapshot(100.0).universe(1) is not None
    assert [int(v) for v in state.snapshot(100.0).universe(1)[:2]] == [9, 9]  # type: ignore[index]


def test_unknown_artnet_opcodes_share_one_counter() -> None:
    # A counter key per OpCode let 65,536 keys pile up, copied into every snapshot.
    state = DmxState((1,))
    for op in range(0x6000, 0x6000 + 3000):
        pkt = bytearray(artdmx(0, bytes(2)))
        pkt[8], pkt[9] = op & 0xFF, op >> 8
        state.receive_artnet(bytes(pkt), "10.0.0.1:6454", 0.0)
    dropped = state.snapshot(0.0).dropped
    assert len(dropped) <= 2
    assert sum(dropped.values()) == 3000
