"""Property tests: whatever arrives, parsing never raises and every datagram is accounted for once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.dmx import artnet, sacn
from shared.dmx.errors import Ignored, PacketError
from shared.dmx.state import DmxState
from tests.dmx.packets import artdmx, e131

VALID = [artdmx(0, bytes(range(20))), artdmx(0x7FFF, bytes(512), 200), e131(1, bytes(512), sequence=9),
         e131(63999, bytes(3), options=0x40), e131(7, bytes(10), start_code=0xDD)]


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(0, 4))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) + draw(st.binary(max_size=64))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(mangled(), st.binary(max_size=700)), max_size=30))
def test_any_datagrams_are_counted_once_and_never_raise(datagrams: list[bytes]) -> None:
    state = DmxState((1,))
    polls = 0
    for i, d in enumerate(datagrams):
        a = state.receive_artnet(d, "10.0.0.1:6454", i * 0.01)
        s = state.receive_sacn(memoryview(d), "10.0.0.2:5568", i * 0.01)
        assert isinstance(a, artnet.ArtDmx | artnet.ArtPoll | Ignored | PacketError)
        assert isinstance(s, sacn.SacnData | Ignored | PacketError)
        polls += isinstance(a, artnet.ArtPoll)
    snap = state.snapshot(1.0)
    assert snap.received == 2 * len(datagrams)
    assert sum(snap.errors.values()) + sum(snap.dropped.values()) + snap.packets + polls == snap.received
    assert snap.levels.shape[1] == 512 and len(snap.rows) <= 1 + state.max_stray_universes
