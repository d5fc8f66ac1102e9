"""The receivers over real loopback UDP: raw spec packets, stupidArtnet and the sacn package as peers."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
import sacn as sacn_package
from sacn.sending.sender_socket_udp import SenderSocketUDP
from stupidArtnet import StupidArtnet

from shared.dmx import artnet
from shared.dmx.state import DmxState
from tests.dmx.conftest import Arrivals
from tests.dmx.packets import CID_A, CID_B, artdmx, artpoll, e131
from visualizer.dmx.receiver import DmxReceiver


def test_raw_artdmx_and_sacn_arrive(arrivals: Arrivals, udp: socket.socket) -> None:
    udp.sendto(artdmx(0, bytes([1, 2, 3, 4])), arrivals.artnet)
    arrivals.wait(lambda: arrivals.levels(1)[:4] == [1, 2, 3, 4], "Art-Net levels")
    udp.sendto(e131(1, bytes([9, 9]), priority=150), arrivals.sacn)
    arrivals.wait(lambda: arrivals.levels(1)[:4] == [9, 9, 0, 0], "sACN at priority 150 winning")
    sources = arrivals.state.snapshot(0).sources[1]
    assert [(s.protocol, s.priority) for s in sources] == [("sACN", 150), ("Art-Net", 100)]


def test_net_and_subnet_addressing_over_udp(make_receiver: Callable[..., Arrivals], udp: socket.socket) -> None:
    # Port-Address 0x0123 (Net 1, Sub-Net 2, Universe 3) is fixture universe 0x124 under base 1.
    arr = make_receiver((0x124,))
    udp.sendto(artdmx(artnet.port_address(1, 2, 3), bytes([77, 78])), arr.artnet)
    arr.wait(lambda: arr.levels(0x124)[:2] == [77, 78], "levels on universe 292")


def test_malformed_short_and_odd_are_counted_and_ignored(arrivals: Arrivals, udp: socket.socket) -> None:
    udp.sendto(artdmx(0, bytes([5, 6, 7])), arrivals.artnet)  # odd length: fine
    for bad in (b"Art-Net\x00\x00\x50\x00", artdmx(0, bytes(40), length=400), b"garbage", artdmx(0, bytes(600))):
        udp.sendto(bad, arrivals.artnet)
    udp.sendto(e131(1, bytes(100))[:-3], arrivals.sacn)
    arrivals.wait(lambda: arrivals.state.received == 6, "six datagrams")
    assert arrivals.levels(1)[:4] == [5, 6, 7, 0]
    assert dict(arrivals.state.snapshot(0).errors) == {
        "Art-Net short": 1, "Art-Net truncated": 1, "Art-Net not-artnet": 1, "Art-Net bad-length": 1,
        "sACN bad-length": 1}
    assert arrivals.receiver.running  # nothing raised in the loop


def test_start_code_dd_from_the_sacn_package_is_not_levels(arrivals: Arrivals) -> None:
    sender = _sacn_sender(arrivals.sacn[1])
    try:
        sender.activate_output(1)
        out = sender[1]
        out.multicast = False
        out.destination = "127.0.0.1"
        out.per_address_priority = tuple([200] * 512)  # the package sends a 0xDD packet before each frame
        out.dmx_data = tuple([10, 20, 30] + [0] * 509)
        sender.start()
        arrivals.wait(lambda: arrivals.levels(1)[:3] == [10, 20, 30], "levels from the sacn package")
        arrivals.wait(lambda: arrivals.state.dropped["sACN START code 0xDD"] >= 1, "a 0xDD packet")
        assert arrivals.levels(1)[:3] == [10, 20, 30]
        assert arrivals.state.snapshot(0).sources[1][0].name == "dmx tests"
    finally:
        sender.stop()


def test_sacn_package_stream_terminated_ends_the_source(arrivals: Arrivals) -> None:
    sender = _sacn_sender(arrivals.sacn[1])
    try:
        sender.activate_output(1)
        sender[1].multicast = False
        sender[1].destination = "127.0.0.1"
        sender[1].dmx_data = (50,) * 8
        sender.start()
        arrivals.wait(lambda: arrivals.levels(1)[:1] == [50], "levels")
        sender.deactivate_output(1)  # sends three Stream_Terminated packets (E1.31 §6.2.6)
        arrivals.wait(lambda: 1 not in arrivals.state.snapshot(0).sources, "the source to end")
    finally:
        sender.stop()


def _sacn_sender(port: int) -> sacn_package.sACNsender:
    """The sacn package's sender, pointed at our test port (it always sends to 5568 otherwise)."""

    class ToPort(SenderSocketUDP):  # type: ignore[misc]
        def send_packet(self, data: bytearray, destination: str) -> None:
            self._socket.sendto(bytes(data), (destination, port))

    sock = ToPort(None, "127.0.0.1", 0, 44)
    sender = sacn_package.sACNsender(bind_address="127.0.0.1", bind_port=0, source_name="dmx tests",
                                     fps=44, socket=sock)
    sock._listener = sender._sender_handler
    return sender


def test_stupidartnet_sender(make_receiver: Callable[..., Arrivals]) -> None:
    arr = make_receiver((18,))
    sender = StupidArtnet("127.0.0.1", universe=1, packet_size=16, fps=44, port=arr.artnet[1])
    try:
        sender.set_simplified(False)
        sender.set_net(0)
        sender.set_subnet(1)
        sender.set_universe(1)  # Port-Address 0x11 = 17 -> fixture universe 18
        sender.set(bytearray([255, 128, 64] + [0] * 13))
        sender.show()
        arr.wait(lambda: arr.levels(18)[:3] == [255, 128, 64], "stupidArtnet levels")
        sender.set(bytearray([1, 2, 3] + [0] * 13))
        sender.show()
        arr.wait(lambda: arr.levels(18)[:3] == [1, 2, 3], "the second frame")
    finally:
        sender.close()


def test_two_artnet_sources_merge_htp_over_udp(arrivals: Arrivals) -> None:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        a.sendto(artdmx(0, bytes([200, 0, 10])), arrivals.artnet)
        b.sendto(artdmx(0, bytes([0, 200, 20])), arrivals.artnet)
        arrivals.wait(lambda: arrivals.levels(1)[:3] == [200, 200, 20], "an HTP merge")
        assert len(arrivals.state.snapshot(0).sources[1]) == 2
    finally:
        a.close()
        b.close()


def test_two_sacn_sources_by_priority_over_udp(arrivals: Arrivals, udp: socket.socket) -> None:
    udp.sendto(e131(1, bytes([10, 10]), cid=CID_A, priority=100), arrivals.sacn)
    udp.sendto(e131(1, bytes([0, 90]), cid=CID_B, priority=100), arrivals.sacn)
    arrivals.wait(lambda: arrivals.levels(1)[:2] == [10, 90], "equal priorities merged HTP")
    udp.sendto(e131(1, bytes([3, 3]), cid=CID_B, priority=101, sequence=1), arrivals.sacn)
    arrivals.wait(lambda: arrivals.levels(1)[:2] == [3, 3], "the higher priority alone")


def test_artpoll_is_answered(make_receiver: Callable[..., Arrivals], udp: socket.socket) -> None:
    arr = make_receiver((1, 2, 17))
    udp.sendto(artpoll(), arr.artnet)
    replies = []
    while len(replies) < 2:
        data, addr = udp.recvfrom(2048)
        assert addr == arr.artnet
        replies.append(artnet.parse_poll_reply(data))
    assert replies[0] == ("127.0.0.1", "Stage Visualizer", [0, 1], 1)
    assert replies[1] == ("127.0.0.1", "Stage Visualizer", [16], 2)


@pytest.mark.parametrize(("protocol", "culprit"), [
    ("Art-Net", "another Art-Net program, such as QLC+, is already using UDP"),
    ("sACN", "another sACN program, such as QLC+ or sACNView, is already using UDP"),
])
def test_port_in_use_is_one_clear_line(protocol: str, culprit: str, udp: socket.socket,
                                       make_receiver: Callable[..., Arrivals]) -> None:
    port = udp.getsockname()[1]
    key = "artnet" if protocol == "Art-Net" else "sacn"
    ports = {"artnet_port": 0, "sacn_port": 0, f"{key}_port": port}
    receiver = DmxReceiver(DmxState([1]), artnet_bind="127.0.0.1", sacn_bind="127.0.0.1",
                           artnet_port=ports["artnet_port"], sacn_port=ports["sacn_port"])
    try:
        problems = receiver.start()
        assert problems == [f"{protocol}: cannot listen on UDP 127.0.0.1:{port}: {culprit} {port}; "
                            f"running without {protocol} input"]
        assert receiver.running  # the other protocol still runs
        other = "sACN" if protocol == "Art-Net" else "Art-Net"
        assert receiver.port(other) is not None and receiver.port(protocol) is None
    finally:
        receiver.stop()


def test_multicast_groups_follow_the_universes(arrivals: Arrivals) -> None:
    arrivals.receiver.set_universes([1, 2, 300])
    joined = arrivals.receiver.joined
    if not joined:
        pytest.fail("could not join any multicast group on loopback")
    assert joined == {"239.255.0.1", "239.255.0.2", "239.255.1.44"}
    arrivals.receiver.set_universes([2])
    assert arrivals.receiver.joined == {"239.255.0.2"}


def test_stop_is_prompt_and_idempotent(arrivals: Arrivals) -> None:
    arrivals.receiver.stop()
    assert not arrivals.receiver.running
    arrivals.receiver.stop()


def test_sacn_multicast_is_received(make_receiver: Callable[..., Arrivals]) -> None:
    """239.255.0.5 for universe 5 (E1.31 §9.3.1), over loopback."""
    arr = make_receiver((5,), sacn_bind="0.0.0.0")
    assert "239.255.0.5" in arr.receiver.joined
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        sock.sendto(e131(5, bytes([42, 43])), ("239.255.0.5", arr.sacn[1]))
        arr.wait(lambda: arr.levels(5)[:2] == [42, 43], "multicast levels")
    finally:
        sock.close()
