"""ArtDmx / ArtPoll / ArtPollReply against packets built from the Art-Net 4 spec."""

from __future__ import annotations

import pytest

from shared.dmx import artnet
from shared.dmx.artnet import ArtDmx, ArtPoll, PollReplyInfo
from shared.dmx.errors import Ignored, PacketError
from tests.dmx.packets import artdmx, artpoll


def test_artdmx_fields() -> None:
    pkt = artnet.parse(artdmx(0x0123, bytes([1, 2, 3, 4]), sequence=7, physical=2))
    assert pkt == ArtDmx(0x0123, bytes([1, 2, 3, 4]), 7, 2)
    assert isinstance(pkt, ArtDmx)
    assert (pkt.net, pkt.sub_net, pkt.universe) == (1, 2, 3)


@pytest.mark.parametrize(("net", "sub", "uni"), [(0, 0, 0), (0, 0, 15), (0, 1, 0), (0, 15, 15), (1, 0, 0),
                                                 (127, 15, 15)])
def test_net_subnet_universe_make_the_15_bit_port_address(net: int, sub: int, uni: int) -> None:
    pa = artnet.port_address(net, sub, uni)
    assert pa == net * 256 + sub * 16 + uni
    raw = artdmx(pa, b"\x00\x01")
    assert raw[14] == (sub << 4) | uni and raw[15] == net  # SubUni, Net
    pkt = artnet.parse(raw)
    assert isinstance(pkt, ArtDmx) and pkt.port_address == pa


def test_builder_matches_the_spec_bytes() -> None:
    assert artnet.build_dmx(0x0123, bytes([1, 2, 3, 4]), 7, 2) == artdmx(0x0123, bytes([1, 2, 3, 4]), 7, 2)
    # An odd count is padded to even by the sender (the spec asks senders for even lengths).
    assert artnet.build_dmx(5, b"\x09\x08\x07") == artdmx(5, b"\x09\x08\x07\x00")


def test_odd_length_is_accepted() -> None:
    pkt = artnet.parse(artdmx(0, bytes([10, 20, 30])))
    assert isinstance(pkt, ArtDmx) and pkt.data == bytes([10, 20, 30])


@pytest.mark.parametrize(("raw", "reason"), [
    (b"Art-Net\x00\x00\x50", "short"),
    (b"Art-Net\x00\x00\x50\x00\x0e\x00\x00\x00\x00\x00", "short"),
    (artdmx(0, b"\x01"), "bad-length"),
    (artdmx(0, bytes(513)), "bad-length"),
    (artdmx(0, bytes(10), length=0), "bad-length"),
    (artdmx(0, bytes(100), length=512), "truncated"),
    (artdmx(0, bytes(2), version=13), "old-version"),
    (b"Art-Nix\x00\x00\x50\x00\x0e" + bytes(20), "not-artnet"),
    (b"hello", "not-artnet"),
])
def test_bad_packets_are_typed_errors(raw: bytes, reason: str) -> None:
    pkt = artnet.parse(raw)
    assert isinstance(pkt, PacketError), pkt
    assert pkt.reason == reason
    assert pkt.describe("10.0.0.5:6454").startswith("Art-Net packet from 10.0.0.5:6454: ")


def test_truncated_error_names_the_port_address() -> None:
    pkt = artnet.parse(artdmx(0x0102, bytes(100), length=512))
    assert str(pkt) == "Art-Net packet: ArtDmx for Port-Address 258: length says 512 channels but 100 arrived"


def test_other_opcodes_are_ignored_not_errors() -> None:
    sync = b"Art-Net\x00\x00\x52\x00\x0e\x00\x00"
    assert artnet.parse(sync) == Ignored("Art-Net", "ArtSync")


def test_artpoll_parses() -> None:
    assert artnet.parse(artpoll()) == ArtPoll(0x02, 0x10)
    assert artnet.parse(artnet.build_poll()) == ArtPoll(0, 0x10)


def test_poll_reply_layout() -> None:
    replies = artnet.build_poll_reply(PollReplyInfo("192.168.1.20", short_name="Viz"), [0, 1, 2, 3, 4, 0x0110])
    assert len(replies) == 3  # 4 ports per reply; another Sub-Net needs its own
    r = replies[0]
    assert len(r) == 239
    assert r[:8] == b"Art-Net\x00" and r[8:10] == b"\x00\x21"  # OpPollReply, little-endian
    assert r[10:14] == bytes([192, 168, 1, 20]) and r[14:16] == b"\x36\x19"  # port 0x1936 LE
    assert r[26:29] == b"Viz" and r[29] == 0
    assert r[172:174] == b"\x00\x04" and r[174:178] == b"\x80" * 4  # four DMX outputs
    assert r[190:194] == bytes([0, 1, 2, 3])  # SwOut
    assert r[207:211] == bytes([192, 168, 1, 20]) and r[211] == 1  # BindIp, BindIndex
    assert artnet.parse_poll_reply(replies[1]) == ("192.168.1.20", "Viz", [4], 2)
    assert replies[2][18] == 1 and replies[2][19] == 1 and replies[2][190] == 0  # Net 1, Sub-Net 1, Universe 0
    assert artnet.parse_poll_reply(replies[2])[2] == [0x0110]  # type: ignore[index]


def test_sequence_steps_wrap_to_one() -> None:
    assert artnet.next_sequence(1) == 2
    assert artnet.next_sequence(255) == 1
    assert artnet.next_sequence(0) == 0
