"""The sans-IO half of the client: bytes in, handler calls and reply bytes out.

One ``ClientSession`` lives for one TCP connection.  It owns the decoder and
the assembly of stage / fixtures / groups into a ``ShowConfig``; the socket
loop in ``client.py`` only moves bytes and time into it.  Keeping it free of
sockets lets the benchmark and unit tests drive the exact dispatch path the
client uses.

When is a configuration complete?  Show Creator sends stage, fixtures and
groups, in that order, on connect and after every change.  So a ``groups``
message that completes a set fires ``config`` at once.  A stage or fixtures
message arriving on its own after a complete set (an older or leaner server)
must not be lost either, but firing on it immediately would hand the viewer a
half-updated rig for every normal triple (new stage with old fixtures).  Such
a config is therefore held as *pending* and fired when the set is finished by
``groups``, when any other message arrives, or when the line buffer has been
empty for ``settle`` seconds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from shared.protocol import (
    ACK_CONFIG,
    DEFAULT_MAX_LINE,
    AckMessage,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    Message,
    ProtocolError,
    StageMessage,
    UnknownMessage,
    UpdateMessage,
    encode_message,
)
from shared.protocol.auth import check, client_response, new_nonce, server_proof
from shared.protocol.delta import DeltaError, apply_delta
from shared.protocol.extensions import (
    CAP_SELECT,
    CAP_ZLIB,
    FATAL_ERRORS,
    MAX_SELECT,
    PROTOCOL_V2,
    DeltaMessage,
    ErrorMessage,
    HelloMessage,
    ResyncMessage,
    Revision,
    SelectMessage,
    WelcomeMessage,
)
from shared.protocol.frames import StreamDecoder
from shared.show import Fixture, Group, Issue, ShowConfig, Stage
from shared.show.checks import with_check_problems
from visualizer.tcp.handlers import Handlers

log = logging.getLogger(__name__)

ACK_LINE = encode_message(AckMessage(ACK_CONFIG))

#: Seconds a stage/fixtures-only change waits for the rest of its set.
DEFAULT_SETTLE = 0.1

#: Seconds a v2 client waits for ``welcome`` before taking the server for v1 (which
#: ignores hello).  A v1 server's configuration arriving first ends the wait at once.
DEFAULT_HELLO_TIMEOUT = 2.0

#: Seconds between log lines about bad messages; every one still reaches the
#: handlers.  A wrong port that streams text must not flood the log.
ERROR_LOG_INTERVAL = 5.0


class ClientSession:
    """Decode, validate and dispatch one connection's byte stream."""

    def __init__(
        self,
        handlers: Handlers,
        *,
        max_line_length: int = DEFAULT_MAX_LINE,
        settle: float = DEFAULT_SETTLE,
        peer: str = "server",
        on_config: Callable[[ShowConfig], None] | None = None,
        hello: HelloMessage | None = None,
        token: bytes | None = None,
        now: float = 0.0,
        hello_timeout: float = DEFAULT_HELLO_TIMEOUT,
    ) -> None:
        self.handlers = handlers
        #: Frame-aware (zlib frames are negotiated; a v1 stream never starts a line with NUL).
        self.decoder = StreamDecoder(max_line_length, frames=hello is not None and CAP_ZLIB in hello.capabilities)
        self.settle = settle
        self.peer = peer
        self._on_config = on_config
        self._stage: Stage | None = None
        self._fixtures: tuple[Fixture, ...] | None = None
        self._groups: tuple[Group, ...] | None = None
        self._problems: dict[str, tuple[Issue, ...]] = {}  # per message type: what was defaulted or left out
        self._logged: set[str] = set()  # problems already logged: each once per connection
        self._pending_at: float | None = None  # when a pending (incomplete-change) config was set aside
        self._out = bytearray()
        self._log_after = -math.inf
        self._unlogged = 0  # bad messages not logged since the last log line
        self.messages = 0  # valid messages dispatched
        self.errors = 0  # protocol errors reported
        self.configs = 0  # configurations fired
        self.deltas = 0  # deltas applied
        # Protocol v2 (docs/PROTOCOL.md): negotiation state.
        self.token = token
        #: "off" (v1 only), "pending" (hello sent), "v1" (server ignored hello), "challenged", "v2".
        self.negotiation = "off" if hello is None else "pending"
        self.protocol = 1
        self.capabilities: frozenset[str] = frozenset()
        self.welcome: WelcomeMessage | None = None
        self.revision: Revision | None = None
        #: Set when the server refused us in a way reconnecting cannot fix (wrong token, TLS needed).
        self.fatal: str | None = None
        self._hello = hello
        self._hello_deadline: float | None = None
        self._nonce = ""
        self._server_nonce = ""
        self._resyncing = False
        if hello is not None:
            self._nonce = new_nonce()
            self._hello = hello = HelloMessage(
                hello.protocol, hello.client, hello.capabilities, self._nonce, None, hello.extra
            )
            self._out += encode_message(hello)
            self._hello_deadline = now + hello_timeout

    # ---------------------------------------------------------------- input

    def receive(self, data: bytes | bytearray | memoryview, now: float = 0.0) -> None:
        """Feed bytes as they came off the socket; dispatches every completed line."""
        for item in self.decoder.feed(data):
            if isinstance(item, ProtocolError):
                self._error(item, now)
            else:
                self._dispatch(item, now)

    def poll(self, now: float) -> None:
        """Fire a pending configuration once the stream has settled; give up waiting for welcome."""
        if self._hello_deadline is not None and now >= self._hello_deadline:
            self._fall_back("no welcome within the wait")
        deadline = self._settle_deadline()
        if deadline is not None and now >= deadline:
            self.flush()

    def deadline(self) -> float | None:
        """When :meth:`poll` next has work to do, or None."""
        settle = self._settle_deadline()
        if self._hello_deadline is None:
            return settle
        return self._hello_deadline if settle is None else min(settle, self._hello_deadline)

    def _settle_deadline(self) -> float | None:
        if self._pending_at is None or self.decoder.buffered:
            # A partial line may be the groups that completes the set: wait for it.
            return None
        return self._pending_at + self.settle

    def select(self, fixtures: tuple[int, ...]) -> bool:
        """Queue ``{"type": "select"}`` for the server; False when the server did not negotiate it."""
        if CAP_SELECT not in self.capabilities:
            return False
        # Client lines stay small: at most MAX_SELECT indices (about 20 KiB), well under the 64 KiB cap.
        self._out += encode_message(SelectMessage(tuple(fixtures)[:MAX_SELECT], self.revision))
        return True

    def flush(self) -> None:
        """Fire a pending configuration now (end of stream, or another message arrived)."""
        if self._pending_at is not None:
            self._pending_at = None
            self._fire_config()

    def take_output(self) -> bytes:
        """Bytes to send to the server (acks), and forget them."""
        out = bytes(self._out)
        self._out.clear()
        return out

    @property
    def complete(self) -> bool:
        return self._stage is not None and self._fixtures is not None and self._groups is not None

    # ---------------------------------------------------------------- dispatch

    def _error(self, err: ProtocolError, now: float) -> None:
        self.errors += 1
        text = str(err)
        if now >= self._log_after:
            more = f" ({self._unlogged} more since the last report)" if self._unlogged else ""
            log.warning("bad message from %s: %s%s", self.peer, text, more)
            self._unlogged = 0
            self._log_after = now + ERROR_LOG_INTERVAL
        else:
            self._unlogged += 1
        self.handlers.emit("error", refusal_text(err, self.peer))

    def _dispatch(self, msg: Message, now: float) -> None:
        self.messages += 1
        emit = self.handlers.emit
        emit("message", msg)
        # Type tests ordered by frequency on a live link.
        if isinstance(msg, HeartbeatMessage):
            self.flush()
            emit("heartbeat", msg.timestamp)
        elif isinstance(msg, FixturesMessage):
            if self.negotiation == "pending":
                self._fall_back("the server sent a configuration without a welcome")
            self._fixtures = msg.fixtures
            self._problems["fixtures"] = msg.problems
            emit("fixtures", msg.fixtures)
            self._part(now)
        elif isinstance(msg, GroupsMessage):
            self._groups = msg.groups
            self._full_config_revision(msg)
            self._problems["groups"] = msg.problems
            emit("groups", msg.groups)
            if self.complete:
                self._pending_at = None
                self._fire_config()
        elif isinstance(msg, StageMessage):
            if self.negotiation == "pending":
                self._fall_back("the server sent a configuration without a welcome")
            self._stage = msg.stage
            self._problems["stage"] = msg.problems
            emit("stage", msg.stage)
            self._part(now)
        elif isinstance(msg, UpdateMessage):
            self.flush()
            emit("update", msg.update_type, msg.data)
        elif isinstance(msg, AckMessage):
            self.flush()
            emit("ack", msg.ack_type)
        elif isinstance(msg, DeltaMessage):
            self.flush()
            self._delta(msg)
        elif isinstance(msg, WelcomeMessage):
            self.flush()
            self._welcome(msg)
        elif isinstance(msg, ErrorMessage):
            self.flush()
            self._server_error(msg)
        elif isinstance(msg, SelectMessage):
            self.flush()
            emit("selection", msg.fixtures, msg.mode)
        elif isinstance(msg, UnknownMessage):
            self.flush()
            log.debug("ignoring unknown message type %r from %s", msg.type, self.peer)
            emit("unknown", msg)

    def _part(self, now: float) -> None:
        if self.complete:
            self._pending_at = now

    def _fire_config(self) -> None:
        assert self._stage is not None and self._fixtures is not None and self._groups is not None
        problems = tuple(p for part in ("stage", "fixtures", "groups") for p in self._problems.get(part, ()))
        config = with_check_problems(ShowConfig(self._stage, self._fixtures, self._groups, problems))
        for p in config.problems:
            text = str(p)
            if text not in self._logged:
                self._logged.add(text)
                log.warning("%s: %s", self.peer, text)
        self.configs += 1
        if self._on_config is not None:
            self._on_config(config)
        self.handlers.emit("config", config)
        self._out += ACK_LINE

    # ---------------------------------------------------------------- protocol v2

    def _fall_back(self, why: str) -> None:
        if self.negotiation == "pending":
            log.info("%s speaks protocol 1 (%s)", self.peer, why)
            self.negotiation = "v1"
            self.decoder.frames_enabled = False
        self._hello_deadline = None

    def _welcome(self, msg: WelcomeMessage) -> None:
        hello = self._hello
        # "v1": a server that took our hello late (after serving us v1) still welcomes us.
        if hello is None or self.negotiation not in ("pending", "challenged", "v1"):
            log.debug("ignoring unexpected welcome from %s", self.peer)
            return
        if msg.challenge:
            if self.token is None:
                self._refused("this server requires a token: give --token or --token-file")
                return
            response = client_response(self.token, self._nonce, msg.challenge)
            self._server_nonce = msg.challenge
            self._out += encode_message(
                HelloMessage(hello.protocol, hello.client, hello.capabilities, self._nonce, response, hello.extra)
            )
            self.negotiation = "challenged"
            return
        if self.token is not None and self.negotiation == "challenged":
            expected = server_proof(self.token, self._nonce, self._server_nonce)
            if not check(expected, msg.proof):
                self._refused("the server could not prove it knows the token; not trusting it")
                return
        self._hello_deadline = None
        self.negotiation = "v2"
        self.protocol = min(msg.protocol, PROTOCOL_V2)
        self.capabilities = frozenset(msg.capabilities) & frozenset(hello.capabilities)
        self.decoder.frames_enabled = CAP_ZLIB in self.capabilities
        self.welcome = msg
        self.handlers.emit("welcome", msg)

    def _refused(self, text: str) -> None:
        self.fatal = text
        self._hello_deadline = None
        self.handlers.emit("error", text)

    def _server_error(self, msg: ErrorMessage) -> None:
        text = f"{self.peer} refused the connection: {msg.message}"
        if msg.code in FATAL_ERRORS:
            self.fatal = text
        self.errors += 1
        log.warning("%s", text)
        self.handlers.emit("error", text)

    def _full_config_revision(self, msg: GroupsMessage) -> None:
        rev = msg.extra.get("revision") if msg.extra else None
        if rev is None:
            self.revision = None
            return
        try:
            self.revision = Revision.from_value(rev, "groups: revision")
        except ValueError:
            self.revision = None
        self._resyncing = False

    def _delta(self, msg: DeltaMessage) -> None:
        if self._resyncing:
            return  # the full configuration is on its way
        if not self.complete or self.revision is None or msg.base != self.revision:
            self._resync(f"delta for {msg.base}, but this viewer has {self.revision or 'nothing'}")
            return
        assert self._stage is not None and self._fixtures is not None and self._groups is not None
        try:
            config = apply_delta(ShowConfig(self._stage, self._fixtures, self._groups), msg)
        except DeltaError as exc:
            self._resync(str(exc))
            return
        self._stage, self._fixtures, self._groups = config.stage, config.fixtures, config.groups
        self.revision = msg.revision
        self.deltas += 1
        self.handlers.emit("delta", msg)
        self._pending_at = None
        self._fire_config()

    def _resync(self, why: str) -> None:
        log.info("asking %s for the full configuration: %s", self.peer, why)
        self._resyncing = True
        self._out += encode_message(ResyncMessage())

def refusal_text(err: ProtocolError, peer: str) -> str:
    """One line for a refused line: ``connected to HOST:PORT, but its fixtures message was refused: ...``."""
    where = err.where
    kind = where.split(":", 1)[0].split("[", 1)[0].strip() if where else ""
    detail = f"{where}: {err.problem}" if where else err.problem
    if kind:
        return f"connected to {peer}, but its {kind} message was refused: {detail}"
    line = f"line {err.line}" if err.line is not None else "a line"
    return f"connected to {peer}, but {line} it sent was refused: {detail}"
