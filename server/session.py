"""The sans-IO half of the server, per connection: bytes in, events and reply bytes out.

``ServerSession`` is the mirror of the client's ``ClientSession``: it owns
one connection's decoder, the hello / welcome negotiation, authentication
and the reading of client lines, and knows nothing of sockets or time
sources.  The I/O loop in ``core.py`` feeds it bytes (``receive``) and the
clock (``poll`` / ``deadline``), sends what ``take_output`` returns, and
acts on the typed events it returns (as h11 and wsproto hand out events):

- ``Ready``: negotiation is over; start sending configurations (v1 or v2).
- ``Acked``, ``ResyncRequested``, ``FixturesSelected``: client requests.
- ``BadLine``: an invalid client line, for the (rate-limited) log.
- ``AuthFailed``: a wrong or missing token (the loop counts it per address).
- ``Closing``: flush the output (one error line, perhaps), then close.

Outgoing *configurations* are not the session's business: the loop's
encode-once broadcast sends the same bytes to many clients.  The session
only says which variant this client takes (``protocol``, ``capabilities``).

Negotiation (docs/PROTOCOL.md "Protocol v2"): the server waits
``hello_wait`` seconds for a hello.  Without one the client is v1 and gets
the v1 stream, unless a token is set, in which case it gets one error line
and is closed.  A hello with a nonce to a server with a token gets a welcome
with a challenge; the second hello must carry the HMAC response.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from shared.protocol import AckMessage, LineTooLong, MessageDecoder, ProtocolError, encode_message
from shared.protocol.auth import check, client_response, new_nonce, server_proof
from shared.protocol.extensions import (
    ALL_CAPABILITIES,
    CAP_DELTA,
    CAP_REVISION,
    CAP_SELECT,
    CAP_ZLIB,
    ERR_AUTH_FAILED,
    ERR_AUTH_REQUIRED,
    PROTOCOL_V2,
    ErrorMessage,
    HelloMessage,
    ResyncMessage,
    Revision,
    SelectMessage,
    WelcomeMessage,
)

log = logging.getLogger(__name__)

#: Seconds the server waits for a hello before serving a silent client as v1.
#: A v2 client sends hello right after its connect completes, so its hello
#: arrives just behind the handshake's last packet, whatever the round trip.
DEFAULT_HELLO_WAIT = 0.05
#: With a token nothing is sent before authentication anyway, so a slow hello
#: costs nothing and is waited for longer (a v1 client is refused after it).
TOKEN_HELLO_WAIT = 2.0
#: Seconds a challenged client has to answer.
AUTH_TIMEOUT = 10.0

SessionState = Literal["waiting", "challenged", "ready", "closing"]
WAITING: Final = "waiting"
CHALLENGED: Final = "challenged"
READY: Final = "ready"
CLOSING: Final = "closing"


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Ready:
    """Negotiation finished: ``protocol`` 1 (no hello) or 2, with the agreed capabilities."""

    protocol: int
    capabilities: frozenset[str]
    client: str
    #: True for a hello that came after the client was served as v1 (it already has v1 data).
    upgrade: bool = False


@dataclass(frozen=True, slots=True)
class Acked:
    """The client acknowledged what it was sent (``ack_type`` "config": a whole configuration)."""

    ack_type: str


@dataclass(frozen=True, slots=True)
class ResyncRequested:
    """The client lost track (a delta did not fit): send it the full configuration."""


@dataclass(frozen=True, slots=True)
class FixturesSelected:
    """The viewer selected fixtures (indices into the configuration at ``revision``)."""

    fixtures: tuple[int, ...]
    revision: Revision | None


@dataclass(frozen=True, slots=True)
class BadLine:
    """An invalid line from the client (already counted)."""

    error: ProtocolError


@dataclass(frozen=True, slots=True)
class AuthFailed:
    """The client did not prove it knows the token."""

    reason: str


@dataclass(frozen=True, slots=True)
class Closing:
    """Send what ``take_output`` holds, then close; ``reason`` is for the log."""

    reason: str


Event = Ready | Acked | ResyncRequested | FixturesSelected | BadLine | AuthFailed | Closing


# ---------------------------------------------------------------- session


class ServerSession:
    """Protocol state of one client connection (no sockets, no clock of its own)."""

    def __init__(
        self,
        *,
        now: float,
        token: bytes | None = None,
        server_name: str = "Show Creator",
        show_name: str | None = None,
        offered: Iterable[str] = ALL_CAPABILITIES,
        hello_wait: float = DEFAULT_HELLO_WAIT,
        max_line_length: int = 64 * 1024,
        max_invalid_lines: int = 1000,
    ) -> None:
        self.token = token
        self.server_name = server_name
        self.show_name = show_name
        self.offered = frozenset(offered)
        self.decoder = MessageDecoder(max_line_length)  # clients never send frames
        self.max_invalid_lines = max_invalid_lines
        self.state: SessionState = WAITING
        self.protocol = 1
        self.capabilities: frozenset[str] = frozenset()
        self.client_name = ""
        self.invalid_lines = 0
        self.last_ack: str | None = None
        self._hello_wait = hello_wait if token is None else max(hello_wait, TOKEN_HELLO_WAIT)
        self._deadline: float | None = now + self._hello_wait
        self._client_nonce = ""
        self._server_nonce = ""
        self._hello: HelloMessage | None = None
        self._out = bytearray()

    # ---------------------------------------------------------------- I/O surface

    def receive(self, data: bytes | bytearray | memoryview, now: float) -> list[Event]:
        """Feed bytes as they came off the socket; returns the events they caused, in order."""
        events: list[Event] = []
        if self.state == CLOSING:
            return events
        for item in self.decoder.feed(data):
            if self.closed:
                break
            if isinstance(item, ProtocolError):
                self._bad(item, events)
            elif self.state == WAITING:
                self._first(item, now, events)
            elif self.state == CHALLENGED:
                self._answer(item, events)
            else:
                self._request(item, events)
        return events

    def poll(self, now: float) -> list[Event]:
        """Act on the clock: a silent client becomes v1 (or is refused); a challenge times out."""
        events: list[Event] = []
        if self._deadline is None or now < self._deadline:
            return events
        if self.state == WAITING:
            if self.token is not None:
                self._fail(
                    ERR_AUTH_REQUIRED,
                    "this Show Creator requires a token: connect with a visualizer that supports "
                    "protocol 2 and give it --token or --token-file",
                    "did not authenticate (v1 client, or no hello): a token is required",
                    events,
                )
            else:
                self._ready(1, frozenset(), events)
        elif self.state == CHALLENGED:
            self._fail(ERR_AUTH_FAILED, "authentication timed out", "did not answer the challenge in time", events)
        return events

    def deadline(self) -> float | None:
        """When :meth:`poll` next has work to do, or None."""
        return self._deadline if self.state in (WAITING, CHALLENGED) else None

    def restart_wait(self, now: float) -> None:
        """Start the hello wait again (after a TLS handshake: bytes could not flow before)."""
        if self.state == WAITING:
            self._deadline = now + self._hello_wait

    def take_output(self) -> bytes:
        """Lines to send to the client (welcome, error), and forget them."""
        out = bytes(self._out)
        self._out.clear()
        return out

    def refuse(self, code: str, message: str, reason: str) -> list[Event]:
        """Close at once with one error line (e.g. rate-limited address)."""
        events: list[Event] = []
        self._fail(code, message, reason, events)
        return events

    @property
    def closed(self) -> bool:
        """True once the session decided to close (nothing more is read)."""
        return self.state == CLOSING

    @property
    def wants_revision(self) -> bool:
        return CAP_REVISION in self.capabilities

    @property
    def wants_delta(self) -> bool:
        return CAP_DELTA in self.capabilities

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    # ---------------------------------------------------------------- states

    def _bad(self, error: ProtocolError, events: list[Event]) -> None:
        if isinstance(error, LineTooLong):
            self._close(f"sent a line longer than {self.decoder.max_line_length} bytes", events)
            return
        self.invalid_lines += 1
        if self.invalid_lines > self.max_invalid_lines:
            self._close(f"sent more than {self.max_invalid_lines} invalid lines", events)
            return
        events.append(BadLine(error))

    def _first(self, msg: object, now: float, events: list[Event]) -> None:
        if not isinstance(msg, HelloMessage):
            # A client that speaks first without hello is v1 (v1 clients only ever send acks).
            if self.token is not None:
                self._fail(ERR_AUTH_REQUIRED, "this Show Creator requires a token (protocol 2 hello)",
                           "sent no hello: a token is required", events)
                return
            self._ready(1, frozenset(), events)
            self._request(msg, events)
            return
        self._hello = msg
        self.client_name = msg.client
        if self.token is None:
            self._ready(*self._negotiate(msg), events)
            return
        if not msg.nonce or msg.protocol < PROTOCOL_V2:
            self._fail(ERR_AUTH_REQUIRED, "this Show Creator requires a token: give the visualizer --token "
                       "or --token-file", "sent a hello without a nonce: a token is required", events)
            return
        self._client_nonce = msg.nonce
        self._server_nonce = new_nonce()
        self._send(WelcomeMessage(PROTOCOL_V2, self.server_name, challenge=self._server_nonce))
        self.state = CHALLENGED
        self._deadline = now + AUTH_TIMEOUT

    def _answer(self, msg: object, events: list[Event]) -> None:
        assert self.token is not None and self._hello is not None
        response = msg.response if isinstance(msg, HelloMessage) else None
        expected = client_response(self.token, self._client_nonce, self._server_nonce)
        if not check(expected, response):
            events.append(AuthFailed("wrong token" if response else "no response to the challenge"))
            self._fail(ERR_AUTH_FAILED, "authentication failed: wrong token", "failed authentication", events)
            return
        assert isinstance(msg, HelloMessage)
        self._ready(*self._negotiate(msg), events)

    def _negotiate(self, hello: HelloMessage) -> tuple[int, frozenset[str]]:
        protocol = min(hello.protocol, PROTOCOL_V2)
        if protocol < PROTOCOL_V2:
            return protocol, frozenset()
        caps = self.offered & frozenset(hello.capabilities)
        if CAP_DELTA in caps and CAP_REVISION not in caps:
            caps -= {CAP_DELTA}  # a delta names the revision it applies to
        return protocol, caps

    def _ready(self, protocol: int, caps: frozenset[str], events: list[Event], *, upgrade: bool = False) -> None:
        self.state = READY
        self.protocol = protocol
        self.capabilities = caps
        self._deadline = None
        if self._hello is not None:
            proof = None
            if self.token is not None:
                proof = server_proof(self.token, self._client_nonce, self._server_nonce)
            order = [c for c in ALL_CAPABILITIES if c in caps]
            self._send(WelcomeMessage(protocol, self.server_name, self.show_name, tuple(order), proof=proof))
        events.append(Ready(protocol, caps, self.client_name, upgrade))

    def _request(self, msg: object, events: list[Event]) -> None:
        if isinstance(msg, HelloMessage) and msg.protocol >= PROTOCOL_V2 and self._hello is None and self.token is None:
            # A hello that came after the wait: the client already has (or is getting) the
            # v1 stream.  Upgrade it without zlib, so no frame can reach a client that has
            # stopped expecting them; the loop follows with a full configuration.
            self._hello = msg
            self.client_name = msg.client
            protocol, caps = self._negotiate(msg)
            self._ready(protocol, caps - {CAP_ZLIB}, events, upgrade=True)
        elif isinstance(msg, AckMessage):
            self.last_ack = msg.ack_type
            events.append(Acked(msg.ack_type))
        elif isinstance(msg, ResyncMessage) and self.wants_revision:
            events.append(ResyncRequested())
        elif isinstance(msg, SelectMessage) and CAP_SELECT in self.capabilities:
            events.append(FixturesSelected(msg.fixtures, msg.revision))
        # Anything else a client says (heartbeats, unknown types, another hello) is ignored.

    def _fail(self, code: str, message: str, reason: str, events: list[Event]) -> None:
        self._send(ErrorMessage(code, message))
        self._close(reason, events)

    def _close(self, reason: str, events: list[Event]) -> None:
        self.state = CLOSING
        self._deadline = None
        events.append(Closing(reason))

    def _send(self, msg: WelcomeMessage | ErrorMessage) -> None:
        self._out += encode_message(msg)


# ---------------------------------------------------------------- rate limit


class AuthLimiter:
    """Failed authentications per address: after ``max_failures`` within ``window`` s, refuse for ``block`` s.

    Sans-IO (the caller passes ``now``); keyed by host, not host:port, since
    every attempt comes from a new port.  Memory is bounded: stale entries
    are dropped when the table grows past ``max_entries``.
    """

    def __init__(self, max_failures: int = 5, window: float = 60.0, block: float = 60.0,
                 max_entries: int = 10000) -> None:
        self.max_failures = max_failures
        self.window = window
        self.block = block
        self.max_entries = max_entries
        self._failures: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}

    def blocked_for(self, host: str, now: float) -> float:
        """Seconds ``host`` is still refused, 0 if it may try."""
        until = self._blocked.get(host)
        if until is None:
            return 0.0
        if now >= until:
            del self._blocked[host]
            return 0.0
        return until - now

    def failed(self, host: str, now: float) -> bool:
        """Record a failure; True when this one got ``host`` blocked."""
        times = self._failures.setdefault(host, deque())
        times.append(now)
        while times and times[0] < now - self.window:
            times.popleft()
        if len(self._failures) > self.max_entries:
            self._prune(now)
        if len(times) >= self.max_failures:
            self._blocked[host] = now + self.block
            times.clear()
            return True
        return False

    def succeeded(self, host: str) -> None:
        self._failures.pop(host, None)

    def _prune(self, now: float) -> None:
        for host in [h for h, t in self._failures.items() if not t or t[-1] < now - self.window]:
            del self._failures[host]
        for host in [h for h, until in self._blocked.items() if until <= now]:
            del self._blocked[host]

