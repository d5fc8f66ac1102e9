"""UDP receivers for Art-Net (6454) and sACN (5568): one background thread, one ``selectors`` loop.

The thread copies the TCP client's pattern (``visualizer/tcp/client.py``): a
socketpair wakes the ``select()`` so ``stop()`` returns at once.  Datagrams go
straight into one preallocated buffer (``recvfrom_into``) and from there into
the sans-IO ``DmxState``; nothing here parses bytes.  ArtPoll is answered with
ArtPollReply (one per four universes) so consoles that send only to
discovered nodes find us.

Binding happens in ``start()``, in the caller's thread, so a port that is
already taken is reported at once, as one line naming the port and the usual
culprit; the other protocol (and the viewer) keeps running.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.cli import format_address
from shared.dmx import artnet, sacn
from shared.dmx.artnet import ArtPoll, PollReplyInfo
from shared.dmx.errors import PacketError
from shared.dmx.state import DmxState
from shared.dmx.universes import format_ranges

log = logging.getLogger(__name__)

RECV_SIZE = 2048  # > the largest packet of either protocol (ArtDmx 530, E1.31 638)
#: How many datagrams one socket may deliver before the loop looks at the others.
BURST = 64
EXPIRE_EVERY = 0.25
SOCKET_BUFFER = 4 * 1024 * 1024
#: ArtPoll answers: at most one per poller (IP and port) a second, and 10 a second in all. Controllers
#: poll every 2.5 to 3 s (Art-Net 4, *ArtPoll*); a storm must not keep the thread sending replies.
POLL_PEER_INTERVAL = 1.0
POLL_MAX_PER_SECOND = 10

CULPRITS = {
    "Art-Net": "another Art-Net program, such as QLC+, is already using UDP {port}",
    "sACN": "another sACN program, such as QLC+ or sACNView, is already using UDP {port}",
}

BIND_FLAGS = {"Art-Net": "--artnet-bind", "sACN": "--sacn-bind"}


@dataclass(frozen=True, slots=True)
class Listen:
    """Where one protocol listens."""

    protocol: str  # "Art-Net" | "sACN"
    host: str
    port: int


def bind_problem(listen: Listen, exc: OSError) -> str:
    """The one line a user sees when a receiver cannot bind."""
    where = format_address(listen.host, listen.port)
    if exc.errno == errno.EADDRINUSE:
        culprit = CULPRITS[listen.protocol].format(port=listen.port)
        return f"{listen.protocol}: cannot listen on UDP {where}: {culprit}; running without {listen.protocol} input"
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"{listen.protocol}: cannot listen on UDP {where}: {listen.host} is not an address of this "
                f"machine (check {BIND_FLAGS[listen.protocol]}); running without {listen.protocol} input")
    reason = "permission denied" if exc.errno == errno.EACCES else exc.strerror or str(exc)
    return f"{listen.protocol}: cannot listen on UDP {where}: {reason}; running without {listen.protocol} input"


def _is_local(address: str) -> bool:
    """Whether a network card of this machine has ``address`` (0.0.0.0: the system's choice, always)."""
    if address == "0.0.0.0":
        return True
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


class _Wakeup:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.reader, self._writer = socket.socketpair()
        self.reader.setblocking(False)
        self._writer.setblocking(False)

    def set(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self._writer.send(b"\0")

    def drain(self) -> None:
        with contextlib.suppress(OSError):
            while self.reader.recv(4096):
                pass

    def close(self) -> None:
        self.reader.close()
        self._writer.close()


class DmxReceiver:
    """Receives Art-Net and/or sACN into ``state`` until ``stop()``.

    ``after_packet(protocol, datagram, now)``, when set, runs on the receiver
    thread after each datagram reached the state (the benchmark times it).
    """

    def __init__(
        self,
        state: DmxState,
        *,
        artnet_enabled: bool = True,
        sacn_enabled: bool = True,
        artnet_bind: str = "0.0.0.0",
        artnet_port: int = artnet.ARTNET_PORT,
        sacn_bind: str = "0.0.0.0",
        sacn_port: int = sacn.SACN_PORT,
        multicast_interface: str = "0.0.0.0",
        poll_reply: PollReplyInfo | None = None,
    ) -> None:
        self.state = state
        self.listens: list[Listen] = []
        if artnet_enabled:
            self.listens.append(Listen("Art-Net", artnet_bind, artnet_port))
        if sacn_enabled:
            self.listens.append(Listen("sACN", sacn_bind, sacn_port))
        self.multicast_interface = multicast_interface
        self.poll_reply = poll_reply or PollReplyInfo("0.0.0.0")
        self.after_packet: Callable[[str, memoryview, float], None] | None = None
        #: One line per input that could not start.
        self.problems: list[str] = []
        #: protocol -> "host:port" actually bound (port 0 resolved).
        self.bound: dict[str, str] = {}
        self.polls_answered = 0
        self._polled: dict[tuple[str, int], float] = {}
        self._answers: deque[float] = deque()
        self._sockets: dict[str, socket.socket] = {}
        self._joined: set[str] = set()
        #: Membership-only sockets for groups beyond the sACN socket's limit, and which socket holds each group.
        self._members: list[socket.socket] = []
        self._member_of: dict[str, socket.socket] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wakeup: _Wakeup | None = None

    # ---------------------------------------------------------------- public

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def joined(self) -> frozenset[str]:
        """Multicast groups joined for sACN."""
        with self._lock:
            return frozenset(self._joined)

    def port(self, protocol: str) -> int | None:
        sock = self._sockets.get(protocol)
        return None if sock is None else int(sock.getsockname()[1])

    def start(self) -> list[str]:
        """Bind every input and start the thread; returns the problems (also kept in ``problems``)."""
        if self._thread is not None:
            return self.problems
        self.problems = []
        for listen in self.listens:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
                if listen.protocol == "Art-Net":
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)  # replies may be broadcast
                sock.bind((listen.host, listen.port))
                sock.setblocking(False)
            except OSError as exc:
                sock.close()
                line = bind_problem(listen, exc)
                self.problems.append(line)
                log.warning("%s", line)
                continue
            self._sockets[listen.protocol] = sock
            host, port = sock.getsockname()[:2]
            self.bound[listen.protocol] = format_address(host, port)
            log.info("%s: listening on UDP %s", listen.protocol, self.bound[listen.protocol])
        if self._sockets:
            self.set_universes(self.state.expected)
            # Everything that needs a descriptor is made here, so the thread itself never fails to start.
            wakeup: _Wakeup | None = None
            sel: selectors.BaseSelector | None = None
            try:
                wakeup = _Wakeup()
                sel = selectors.DefaultSelector()
                sel.register(wakeup.reader, selectors.EVENT_READ, None)
                for protocol, sock in self._sockets.items():
                    sel.register(sock, selectors.EVENT_READ, protocol)
            except OSError as exc:
                if sel is not None:
                    sel.close()
                if wakeup is not None:
                    wakeup.close()
                line = f"DMX receiver: cannot start: {exc.strerror or exc}; running without live DMX input"
                self.problems.append(line)
                log.warning("%s", line)
                self.stop()
                return self.problems
            self._wakeup = wakeup
            self._thread = threading.Thread(target=self._run, args=(wakeup, sel), name="dmx-receiver",
                                            daemon=True)
            self._thread.start()
        return self.problems

    def stop(self, timeout: float = 1.0) -> None:
        """Stop the thread and close the sockets; safe to call more than once."""
        thread, wakeup = self._thread, self._wakeup
        if wakeup is not None:
            wakeup.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()
        with self._lock:
            for member in self._members:
                member.close()
            self._members.clear()
            self._member_of.clear()
            self._joined.clear()

    def set_universes(self, universes: Iterable[int]) -> None:
        """The show's fixture universes: rows in the state, and sACN multicast groups 239.255.hi.lo joined."""
        universes = tuple(universes)
        self.state.expect(universes, only=True)
        sock = self._sockets.get("sACN")
        if sock is None:
            return
        wanted: dict[str, int] = {}
        for u in universes:
            su = self.state.map.to_sacn(u)
            if su is not None:
                wanted[sacn.multicast_group(su)] = u
        failed: dict[str, list[int]] = {}
        with self._lock:
            for group in sorted(set(wanted) - self._joined):
                mreq = socket.inet_aton(group) + socket.inet_aton(self.multicast_interface)
                member = self._join(sock, mreq, group, failed, wanted[group])
                if member is not None:
                    self._joined.add(group)
                    self._member_of[group] = member
            for group in sorted(self._joined - set(wanted)):
                mreq = socket.inet_aton(group) + socket.inet_aton(self.multicast_interface)
                member = self._member_of.pop(group, sock)
                with contextlib.suppress(OSError):
                    member.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
                self._joined.discard(group)
        foreign = bool(failed) and not _is_local(self.multicast_interface)
        for reason, lost in failed.items():
            where = (f"sACN: cannot join multicast for universe {format_ranges(lost)} "
                     f"on interface {self.multicast_interface}")
            if foreign:
                line = (f"{where}: {self.multicast_interface} is not an address of this machine (check "
                        "--sacn-interface); multicast sACN will not arrive; unicast sACN still works")
            else:
                line = (f"{where} ({reason}); multicast sACN will not arrive (does this machine "
                        "have a route to 239.255.0.0/16, e.g. a default route?); unicast sACN still works")
            self.problems.append(line)
            log.warning("%s", line)

    def _join(self, sock: socket.socket, mreq: bytes, group: str, failed: dict[str, list[int]],
              universe: int) -> socket.socket | None:
        """Join ``group``: on the sACN socket, else on a membership-only socket once it is full.

        Linux caps memberships per socket (net.ipv4.igmp_max_memberships, 20 by
        default, ENOBUFS beyond); a group joined by any socket is delivered to
        the sACN socket bound to 0.0.0.0 (IP_MULTICAST_ALL, on by default), so
        spare sockets that only hold memberships take the rest.
        """
        for member in (sock, *self._members):
            try:
                member.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
                return member
            except OSError as exc:
                if exc.errno != errno.ENOBUFS:
                    failed.setdefault(exc.strerror or str(exc), []).append(universe)
                    return None
        member = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            member.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        except OSError as exc:
            member.close()
            failed.setdefault(exc.strerror or str(exc), []).append(universe)
            return None
        self._members.append(member)
        return member

    # ---------------------------------------------------------------- thread

    def _run(self, wakeup: _Wakeup, sel: selectors.BaseSelector) -> None:
        buf = bytearray(RECV_SIZE)
        view = memoryview(buf)
        state = self.state
        try:
            next_expire = time.monotonic() + EXPIRE_EVERY
            logged = False
            while not wakeup.stop.is_set():
                for key, _ in sel.select(max(0.0, next_expire - time.monotonic())):
                    protocol = key.data
                    if protocol is None:
                        wakeup.drain()
                        continue
                    sock = self._sockets[protocol]
                    for _ in range(BURST):
                        try:
                            n, addr = sock.recvfrom_into(buf)
                        except (BlockingIOError, InterruptedError):
                            break
                        except OSError as exc:  # e.g. ICMP port unreachable after a reply
                            log.debug("%s: receive: %s", protocol, exc)
                            break
                        now = time.monotonic()
                        sender = f"{addr[0]}:{addr[1]}"
                        try:
                            self._handle(protocol, sock, view[:n], addr, sender, now)
                        except Exception as exc:  # one datagram's trouble must not end live DMX
                            state.note_internal_error(
                                f"DMX receiver: internal error on an {protocol} datagram from {sender}: {exc}")
                            if not logged:
                                log.exception("DMX receiver: internal error (counted, receiving goes on)")
                                logged = True
                now = time.monotonic()
                if now >= next_expire:
                    state.expire(now)
                    next_expire = now + EXPIRE_EVERY
        except Exception as exc:  # a bug must not vanish silently in a daemon thread
            log.exception("DMX receiver failed")
            self.problems.append(f"DMX receiver stopped: internal error: {exc}")
        finally:
            sel.close()
            wakeup.close()

    def _handle(self, protocol: str, sock: socket.socket, data: memoryview, addr: tuple[str, int], sender: str,
                now: float) -> None:
        """One datagram into the state; ArtPoll answered."""
        state = self.state
        if protocol == "Art-Net":
            packet = state.receive_artnet(data, sender, now)
            if isinstance(packet, ArtPoll):
                if not self._targets_us(packet):
                    state.note_dropped("Art-Net ArtPoll for other Port-Addresses")
                elif self._may_answer(addr, now):
                    self._answer_poll(sock, addr, packet)
                else:
                    state.note_dropped("Art-Net ArtPoll too often")
        else:
            state.receive_sacn(data, sender, now)
        hook = self.after_packet
        if hook is not None:
            hook(protocol, data, now)

    def _targets_us(self, poll: ArtPoll) -> bool:
        """Art-Net 4 Targeted Mode (ArtPoll Flags bit 5): reply only with a Port-Address in [Bottom, Top]."""
        if not poll.flags & artnet.POLL_TARGETED or poll.target_top is None or poll.target_bottom is None:
            return True
        lo, hi = poll.target_bottom, poll.target_top
        return any(lo <= pa <= hi for u in self.state.expected if (pa := self.state.map.to_artnet(u)) is not None)

    def _may_answer(self, addr: tuple[str, int], now: float) -> bool:
        """Rate limit for ArtPoll answers (receiver thread only): per poller, and for everyone together."""
        last = self._polled.get(addr)
        if last is not None and now - last < POLL_PEER_INTERVAL:
            return False
        recent = self._answers
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= POLL_MAX_PER_SECOND:
            return False
        recent.append(now)
        if len(self._polled) >= 1024:  # spoofed pollers must not grow this without bound
            self._polled = {a: t for a, t in self._polled.items() if now - t < POLL_PEER_INTERVAL}
        self._polled[addr] = now
        return True

    def _answer_poll(self, sock: socket.socket, addr: tuple[str, int], poll: ArtPoll | None = None) -> None:
        """ArtPollReply to the controller that polled (Art-Net 4, *ArtPoll*: reply unicast to the poller).

        A targeted poll gets only the pages (BindIndex) with a Port-Address in its range.
        """
        ip = self._our_ip(addr[0])
        info = PollReplyInfo(ip, self.poll_reply.short_name, self.poll_reply.long_name,
                             f"#0001 [{self.polls_answered % 10000:04d}] {len(self.state.expected)} universes",
                             self.poll_reply.mac)
        # Only the show's universes are our outputs; strays heard on the network are not.
        ports = [pa for u in self.state.expected if (pa := self.state.map.to_artnet(u)) is not None]
        lo, hi = 0, artnet.MAX_PORT_ADDRESS
        if poll is not None and poll.flags & artnet.POLL_TARGETED and poll.target_top is not None:
            lo, hi = poll.target_bottom or 0, poll.target_top
        for reply in artnet.build_poll_reply(info, ports):
            page = artnet.parse_poll_reply(reply)
            if not isinstance(page, PacketError) and page[2] and not any(lo <= pa <= hi for pa in page[2]):
                continue
            try:
                sock.sendto(reply, addr)
            except OSError as exc:
                log.debug("Art-Net: cannot answer ArtPoll from %s: %s", addr[0], exc)
                return
        self.polls_answered += 1

    def _our_ip(self, peer: str) -> str:
        bound = self._sockets["Art-Net"].getsockname()[0]
        if bound not in ("0.0.0.0", ""):
            return str(bound)
        try:  # the probe needs a descriptor: none left (EMFILE) must not end the receiver
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        except OSError:
            return "0.0.0.0"
        try:
            probe.connect((peer, artnet.ARTNET_PORT))
            return str(probe.getsockname()[0])
        except OSError:
            return "0.0.0.0"
        finally:
            probe.close()
