"""E1.31 parsing against packets built field by field from E1.31-2018 Table 4-1."""

from __future__ import annotations

import pytest

from shared.dmx import sacn
from shared.dmx.errors import Ignored, PacketError
from shared.dmx.sacn import SacnData, SacnOtherStart
from tests.dmx.packets import CID_A, e131


def test_data_packet_fields() -> None:
    pkt = sacn.parse(e131(7, bytes([1, 2, 3]), name="Console", priority=150, sequence=9))
    assert pkt == SacnData(7, bytes([1, 2, 3]), CID_A, "Console", 150, 9, 0, 0)


def test_builder_matches_the_spec_bytes() -> None:
    built = sacn.build(7, bytes([1, 2, 3]), cid=CID_A, source_name="Console", priority=150, sequence=9)
    assert built == e131(7, bytes([1, 2, 3]), name="Console", priority=150, sequence=9)
    assert len(sacn.build(1, bytes(512), cid=CID_A)) == 638


def test_start_code_dd_is_not_levels() -> None:
    pkt = sacn.parse(e131(1, bytes([200] * 512), start_code=0xDD))
    assert isinstance(pkt, SacnOtherStart) and pkt.start_code == 0xDD and pkt.reason == "START code 0xDD"


def test_flags() -> None:
    pkt = sacn.parse(e131(1, b"\x01", options=sacn.OPTION_PREVIEW))
    assert isinstance(pkt, SacnData) and pkt.preview and not pkt.terminated
    pkt = sacn.parse(e131(1, b"\x01", options=sacn.OPTION_TERMINATED))
    assert isinstance(pkt, SacnData) and pkt.terminated


def _patch(raw: bytes, offset: int, value: bytes) -> bytes:
    return raw[:offset] + value + raw[offset + len(value):]


GOOD = e131(1, bytes(range(10)))


@pytest.mark.parametrize(("raw", "reason"), [
    (GOOD[:20], "short"),
    (GOOD[:125], "short"),
    (GOOD[:-1], "bad-length"),  # root length no longer matches
    (_patch(GOOD, 0, b"\x00\x11"), "not-sacn"),
    (e131(1, b"\x00", identifier=b"ASC-E1.18\x00\x00\x00"), "not-sacn"),
    (e131(1, b"\x00", root_vector=3), "bad-vector"),
    (e131(1, b"\x00", frame_vector=1), "bad-vector"),
    (e131(1, b"\x00", dmp_vector=1), "bad-vector"),
    (e131(1, b"\x00", address_type=0xA0), "bad-dmp"),
    (e131(0, b"\x00"), "bad-universe"),
    (e131(64000, b"\x00"), "bad-universe"),
    (e131(1, b"\x00", priority=201), "bad-priority"),
    (_patch(GOOD, 16, b"\x60\x00"), "bad-flags"),
    (_patch(GOOD, 38, bytes([0x70, GOOD[39] + 1])), "bad-length"),  # framing length
    (_patch(GOOD, 115, bytes([0x70, GOOD[116] - 1])), "bad-length"),  # DMP length
    (_patch(GOOD, 123, b"\x00\x05"), "bad-length"),  # property value count
    (_patch(GOOD, 119, b"\x00\x01"), "bad-dmp"),  # first property address
    (GOOD + bytes(600), "bad-length"),
])
def test_every_layer_is_checked(raw: bytes, reason: str) -> None:
    pkt = sacn.parse(raw)
    assert isinstance(pkt, PacketError), pkt
    assert pkt.reason == reason
    assert str(pkt).startswith("sACN packet: ")


def test_extended_packets_are_ignored() -> None:
    assert sacn.parse(e131(1, b"\x00", root_vector=8)) == Ignored("sACN", "sync or discovery")


def test_multicast_group() -> None:
    assert sacn.multicast_group(1) == "239.255.0.1"
    assert sacn.multicast_group(0x1234) == "239.255.18.52"
    with pytest.raises(ValueError):
        sacn.multicast_group(0)
