"""A venue network that lies: what hostile or odd traffic must not do to the receiver's state."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from shared.dmx import artnet
from shared.dmx.merge import MAX_SACN_SOURCES
from shared.dmx.state import MAX_STRAY_UNIVERSES, DmxState
from tests.dmx.conftest import Arrivals
from tests.dmx.packets import CID_A, CID_B, artdmx, artpoll, e131
from visualizer.dmx.receiver import DmxReceiver


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


def test_stray_universes_cannot_crowd_out_the_shows() -> None:
    # Traffic for universes the show does not use took rows until the limit, so a show loaded
    # afterwards got no row for its own universe and stayed dark.
    state = DmxState((1,))
    for pa in range(100, 5100):
        state.receive_artnet(artdmx(pa, bytes([1, 1])), "10.0.0.9:6454", 0.0)
    assert len(state.universes) <= 1 + MAX_STRAY_UNIVERSES
    state.expect((2,))
    state.receive_artnet(artdmx(1, bytes([200, 100])), "10.0.0.1:6454", 1.0)
    row = state.snapshot(1.0).universe(2)
    assert row is not None and [int(v) for v in row[:2]] == [200, 100]
    assert state.dropped["Art-Net too many universes"] == 5000 - MAX_STRAY_UNIVERSES


def test_artpoll_reply_announces_only_the_shows_universes(make_receiver: Callable[..., Arrivals],
                                                          udp: socket.socket) -> None:
    # Strays heard on the network were announced as our outputs: one ArtPoll drew up to 1,024 replies.
    arr = make_receiver((1,))
    for pa in range(100, 140):
        udp.sendto(artdmx(pa, bytes([1, 1])), arr.artnet)
    arr.wait(lambda: arr.state.received >= 40, "the strays")
    udp.sendto(artpoll(), arr.artnet)
    arr.wait(lambda: arr.receiver.polls_answered == 1, "the poll answered")
    udp.setblocking(False)
    replies = []
    with contextlib.suppress(BlockingIOError):
        while True:
            replies.append(artnet.parse_poll_reply(udp.recv(2048)))
    assert replies == [("127.0.0.1", "Stage Visualizer", [0], 1)]


def test_artpoll_reply_follows_a_changed_show(make_receiver: Callable[..., Arrivals], udp: socket.socket) -> None:
    arr = make_receiver((1, 2))
    arr.receiver.set_universes((3,))
    udp.sendto(artpoll(), arr.artnet)
    data, _ = udp.recvfrom(2048)
    assert artnet.parse_poll_reply(data) == ("127.0.0.1", "Stage Visualizer", [2], 1)


def test_sacn_multicast_beyond_twenty_universes(make_receiver: Callable[..., Arrivals]) -> None:
    # Linux lets one socket join 20 groups (net.ipv4.igmp_max_memberships): universes 21+ of a
    # bigger show were silently never joined, so their multicast sACN never arrived.
    universes = tuple(range(1, 41))
    arr = make_receiver(universes, sacn_bind="0.0.0.0")
    assert arr.receiver.joined == {f"239.255.0.{u}" for u in universes}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        for u in (1, 25, 40):
            sock.sendto(e131(u, bytes([u, 7])), (f"239.255.0.{u}", arr.sacn[1]))
            arr.wait(lambda u=u: arr.levels(u)[:2] == [u, 7], f"multicast levels on universe {u}")  # type: ignore[misc]
        arr.receiver.set_universes((25,))
        assert arr.receiver.joined == {"239.255.0.25"}
        sock.sendto(e131(25, bytes([99, 7]), sequence=1), ("239.255.0.25", arr.sacn[1]))
        arr.wait(lambda: arr.levels(25)[:2] == [99, 7], "universe 25 still joined after the others left")
    finally:
        sock.close()


def test_binding_an_address_this_machine_lacks_is_one_line_naming_the_right_flag() -> None:
    # The sACN line told the user to check --artnet-bind.
    receiver = DmxReceiver(DmxState([1]), artnet_bind="192.0.2.123", sacn_bind="192.0.2.123", artnet_port=0,
                           sacn_port=0)
    try:
        problems = receiver.start()
    finally:
        receiver.stop()
    assert problems == [
        "Art-Net: cannot listen on UDP 192.0.2.123:0: 192.0.2.123 is not an address of this machine "
        "(check --artnet-bind); running without Art-Net input",
        "sACN: cannot listen on UDP 192.0.2.123:0: 192.0.2.123 is not an address of this machine "
        "(check --sacn-bind); running without sACN input",
    ]
    assert not receiver.running


def test_a_late_stream_terminated_does_not_end_a_live_source() -> None:
    # A Stream_Terminated that arrives out of sequence (a delayed copy from an earlier stream, or a
    # replayed storm) ended the live top-priority source at once, so the lower one flashed up.
    state = DmxState((1,))
    state.receive_sacn(e131(1, bytes([200]), cid=CID_A, priority=150, sequence=50), "10.0.0.1:5568", 0.0)
    state.receive_sacn(e131(1, bytes([10]), cid=CID_B, priority=100, sequence=7), "10.0.0.2:5568", 0.0)
    for seq in range(31, 51):  # behind the last packet by 1..19, and a duplicate of it
        state.receive_sacn(e131(1, bytes([0]), cid=CID_A, priority=150, sequence=seq, options=0x40),
                           "10.0.0.1:5568", 0.1)
    row = state.snapshot(0.1).universe(1)
    assert row is not None and int(row[0]) == 200
    assert state.dropped["sACN out of sequence"] == 20
    # In sequence, it ends the source and the other takes over.
    state.receive_sacn(e131(1, bytes([0]), cid=CID_A, priority=150, sequence=51, options=0x40), "10.0.0.1:5568", 0.2)
    row = state.snapshot(0.2).universe(1)
    assert row is not None and int(row[0]) == 10


def test_an_artpoll_storm_is_not_answered_packet_for_packet(make_receiver: Callable[..., Arrivals],
                                                            udp: socket.socket) -> None:
    # Every ArtPoll was answered with ceil(universes / 4) replies: a storm of polls (a looping
    # controller, a spoofed flood) kept the receiver thread sending instead of reading DMX.
    arr = make_receiver(tuple(range(1, 257)))  # 64 replies per answered poll
    for _ in range(300):
        udp.sendto(artpoll(), arr.artnet)
    udp.sendto(artdmx(0, bytes([42, 43])), arr.artnet)
    arr.wait(lambda: arr.levels(1)[:2] == [42, 43], "the levels after the storm")
    assert 1 <= arr.receiver.polls_answered <= 30
    assert arr.state.dropped["Art-Net ArtPoll too often"] == 300 - arr.receiver.polls_answered


EMFILE_SCRIPT = """
import contextlib, os, resource, socket, threading
from shared.dmx.state import DmxState
from tests.dmx.packets import artdmx, artpoll
from visualizer.dmx.receiver import DmxReceiver

state = DmxState((1,))
receiver = DmxReceiver(state, artnet_bind="0.0.0.0", artnet_port=0, sacn_enabled=False)
assert receiver.start() == []
arrived = threading.Event()
receiver.after_packet = lambda *_: arrived.set()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
target = ("127.0.0.1", receiver.port("Art-Net"))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
fillers = []
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1, hard))
    with contextlib.suppress(OSError):
        while True:  # take every descriptor left below the limit
            fillers.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    udp.sendto(artpoll(), target)
    poll_handled = arrived.wait(5)
finally:
    for sock in fillers:
        sock.close()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
arrived.clear()
udp.sendto(artdmx(0, bytes([11, 12])), target)
levels_handled = arrived.wait(5)
row = state.snapshot(0).universe(1)
print(poll_handled, levels_handled, receiver.running, row[:2].tolist() if row is not None else None, receiver.problems)
receiver.stop()
"""


def test_running_out_of_file_descriptors_does_not_kill_the_receiver() -> None:
    # Answering an ArtPoll opens a probe socket to learn our address; with no descriptor left
    # (EMFILE, a busy machine) the OSError escaped the loop and the receiver thread died for good.
    # In its own process: exhausting descriptors in the test process could abort Qt's threads.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", EMFILE_SCRIPT], cwd=root, capture_output=True, text=True,
                          timeout=30, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.stdout.strip() == "True True True [11, 12] []", done.stderr


def test_an_error_on_one_datagram_is_counted_and_the_loop_goes_on(make_receiver: Callable[..., Arrivals],
                                                                  udp: socket.socket) -> None:
    # Any exception while handling one datagram (here the public after_packet hook) ended the
    # thread: one bad moment and live DMX was gone until restart.
    arr = make_receiver((1,))
    calls: list[int] = []

    def hook(protocol: str, data: memoryview, now: float) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("hook bug")
        arr._arrived(protocol, data, now)

    arr.receiver.after_packet = hook
    udp.sendto(artdmx(0, bytes([1, 1])), arr.artnet)
    udp.sendto(artdmx(0, bytes([2, 2])), arr.artnet)
    arr.wait(lambda: arr.levels(1)[:2] == [2, 2], "the second datagram")
    assert arr.receiver.running and arr.receiver.problems == []
    assert arr.state.snapshot(0).errors == {"internal error": 1}
    assert arr.state.last_error == "DMX receiver: internal error on an Art-Net datagram from 127.0.0.1:" \
        f"{udp.getsockname()[1]}: hook bug"


def test_a_sender_that_opens_a_socket_per_frame_is_not_shut_out(arrivals: Arrivals) -> None:
    # Sources are told apart by IP and port; a sender that opens a new socket for each frame (many
    # scripts and apps, or a console restarting on a new port) became a "third source" from its
    # third frame on, and its levels froze for 10 s.
    for value in range(1, 8):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.sendto(artdmx(0, bytes([value, value])), arrivals.artnet)
            arrivals.wait(lambda value=value: arrivals.levels(1)[:2] == [value, value],  # type: ignore[misc]
                          f"frame {value} from a fresh socket")
        finally:
            sock.close()
    assert arrivals.state.dropped["Art-Net third source"] == 0
    assert len(arrivals.state.snapshot(0).sources[1]) == 2  # its two latest sockets, never more


def test_two_programs_on_one_machine_are_still_two_sources(arrivals: Arrivals) -> None:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        a.sendto(artdmx(0, bytes([200, 0])), arrivals.artnet)
        b.sendto(artdmx(0, bytes([0, 100])), arrivals.artnet)
        arrivals.wait(lambda: arrivals.levels(1)[:2] == [200, 100], "both programs merged HTP")
        a.sendto(artdmx(0, bytes([50, 0])), arrivals.artnet)
        arrivals.wait(lambda: arrivals.levels(1)[:2] == [50, 100], "each keeps its own levels")
    finally:
        a.close()
        b.close()


def test_multicast_that_cannot_be_joined_is_one_warning_line() -> None:
    # A failed join (no interface for the group: e.g. a show network without a default route) was
    # logged at INFO once per universe: multicast sACN silently never arrived.
    receiver = DmxReceiver(DmxState([1, 2, 3, 7]), artnet_enabled=False, sacn_bind="127.0.0.1", sacn_port=0,
                           multicast_interface="198.51.100.7")
    try:
        problems = receiver.start()
    finally:
        receiver.stop()
    # (an interface address this machine lacks fails the join too, and is named as the cause:
    # tests/dmx/test_sacn_interface.py)
    assert problems == [
        "sACN: cannot join multicast for universe 1-3, 7 on interface 198.51.100.7: 198.51.100.7 is not an "
        "address of this machine (check --sacn-interface); multicast sACN will not arrive; unicast sACN still "
        "works"]


def targeted_poll(bottom: int, top: int) -> bytes:
    """Art-Net 4 ArtPoll with Flags bit 5 (Targeted Mode) and TargetPortAddressTop/Bottom (big-endian)."""
    return b"Art-Net\x00" + bytes([0x00, 0x20, 0, 14, 0x20, 0x10, top >> 8, top & 0xFF, bottom >> 8, bottom & 0xFF])


def test_a_targeted_artpoll_outside_our_ports_gets_no_reply(make_receiver: Callable[..., Arrivals]) -> None:
    # Art-Net 4 Targeted Mode: only nodes with a Port-Address in [Bottom, Top] reply (with the pages
    # in range). We answered every targeted poll with every page.
    arr = make_receiver((1, 2, 40))  # Port-Addresses 0, 1, 39
    outside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    inside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        outside.sendto(targeted_poll(100, 200), arr.artnet)
        inside.sendto(targeted_poll(39, 39), arr.artnet)
        inside.settimeout(5)
        replies = [artnet.parse_poll_reply(inside.recv(2048))]
        # The outside poll was handled first (one socket, in order), and drew nothing.
        outside.setblocking(False)
        with pytest.raises(BlockingIOError):
            outside.recv(2048)
    finally:
        outside.close()
        inside.close()
    assert replies == [("127.0.0.1", "Stage Visualizer", [39], 2)]  # only the page in range, its BindIndex kept
