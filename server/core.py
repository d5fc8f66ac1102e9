"""The Show Creator TCP server: one I/O thread serving every Visualizer.

Why one thread with a selector rather than a thread per client: a thousand
visualizers (or a thousand stuck ones) must cost a thousand file descriptors,
not a thousand stacks, and a stalled client must never hold a lock or a
``sendall`` that others wait behind.  Everything that touches a client socket
runs on the I/O thread; other threads only post commands and poke a
socketpair to wake the loop.  Heartbeats and stall checks are selector
timeouts, so an idle server sleeps in ``epoll_wait``.

A configuration is encoded once per change into one ``bytes`` object; every
client walks it with its own memoryview offset.  Configuration is
last-value-wins: a client that has not started on the previous config gets
only the newest one, a client in the middle of a line finishes that line
first (a cut line would be garbage to the client).
"""

from __future__ import annotations

import contextlib
import enum
import errno
import logging
import secrets
import selectors
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.session import (
    DEFAULT_HELLO_WAIT,
    Acked,
    AuthFailed,
    AuthLimiter,
    BadLine,
    Closing,
    Event,
    FixturesSelected,
    Ready,
    ResyncRequested,
    ServerSession,
)
from shared.cli import format_address
from shared.protocol import (
    ACK_CONFIG,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    ProtocolError,
    StageMessage,
    UpdateMessage,
    encode_message,
)
from shared.protocol.delta import compute_delta
from shared.protocol.extensions import (
    CAP_SELECT,
    CAP_ZLIB,
    ERR_RATE_LIMITED,
    ERR_TLS_REQUIRED,
    Revision,
    SelectMessage,
)
from shared.protocol.frames import maybe_frame
from shared.show import ShowConfig

log = logging.getLogger(__name__)

Callback = Callable[[str], None]
#: ``on_fixtures_selected(address, fixture_indices)``
SelectCallback = Callable[[str, tuple[int, ...]], None]

DEFAULT_PORT = 9000
DEFAULT_STALL_TIMEOUT = 30.0
DEFAULT_MAX_BACKLOG_MESSAGES = 1024
DEFAULT_MAX_BACKLOG_BYTES = 1024 * 1024
DEFAULT_MAX_CLIENT_LINE = 64 * 1024
DEFAULT_MAX_INVALID_LINES = 1000
DEFAULT_LISTEN_BACKLOG = 4096

_RECV_SIZE = 64 * 1024
_INVALID_LOG_INTERVAL = 5.0  # seconds between invalid-line log lines per client
_ACCEPT_PAUSE = 0.5  # seconds to stop accepting when out of file descriptors
_MAX_SLEEP = 3600.0  # longest selector wait: epoll's timeout overflows past ~24 days
_CLOSE_LINGER = 2.0  # seconds a closing client has to read its error line and hang up
_TLS_SNIFF_WAIT = 1.0  # seconds a TLS port waits for a ClientHello before explaining in plain text
_TLS_RECORD = 0x16  # first byte of a TLS handshake record
_TLS_HANDSHAKE_TIMEOUT = 10.0  # seconds a client has to finish the TLS handshake


class ServerStartError(OSError):
    """The server could not listen; the message names host:port and why."""

    def __init__(self, host: str, port: int, reason: str, err: int | None = None) -> None:
        self.host = host
        self.port = port
        self.reason = reason
        self.message = f"cannot listen on {format_address(host, port)}: {reason}"
        super().__init__(err, self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """A snapshot of one connected client, for status displays and tests.

    ``acked_config`` is true once the client has acknowledged the current
    configuration (an ack that arrives after the newest config was fully
    written to it).  ``queued_messages``/``pending_bytes`` show how far
    behind the client is; both stay bounded whatever the client does.
    """

    address: str
    connected_at: float
    bytes_sent: int
    bytes_received: int
    acked_config: bool
    last_ack: str | None
    invalid_lines: int
    queued_messages: int
    pending_bytes: int
    protocol: int = 1
    capabilities: tuple[str, ...] = ()


class _Marker(enum.Enum):
    """Queue entries resolved when they reach the front, so they send the newest value."""

    CONFIG = enum.auto()
    HEARTBEAT = enum.auto()


class _Client:
    """Per-client state, owned by the I/O thread; protocol state lives in ``session``."""

    __slots__ = (
        "acked_gen",
        "address",
        "bytes_received",
        "bytes_sent",
        "close_at",
        "closing",
        "config_queued",
        "connected_at",
        "half_closed",
        "hb_queued",
        "host",
        "log_after",
        "out",
        "out_gen",
        "queue",
        "queued_bytes",
        "ready",
        "resync",
        "sent_gen",
        "session",
        "sock",
        "stall_since",
        "suppressed",
        "tls",
        "writing",
    )

    def __init__(self, sock: socket.socket, address: str, host: str, session: ServerSession) -> None:
        self.sock = sock
        self.address = address
        self.host = host
        self.session = session
        self.connected_at = time.time()
        self.queue: deque[bytes | _Marker] = deque()
        self.queued_bytes = 0  # bytes of plain lines in ``queue``
        self.config_queued = False
        self.hb_queued = False
        self.out: memoryview | None = None  # the item being sent, from its next unsent byte
        self.out_gen = 0  # config generation of ``out``, 0 for other lines
        self.sent_gen = 0  # newest config generation fully written
        self.acked_gen = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        self.suppressed = 0
        self.log_after = 0.0
        self.stall_since = 0.0
        self.writing = False  # registered for EVENT_WRITE
        self.ready = False  # negotiation over: configurations, lines and heartbeats flow
        self.resync = False  # the next configuration goes out whole, not as a delta
        self.closing = False  # sending a last error line, then closing
        self.half_closed = False
        self.close_at = 0.0
        #: "sniff" (TLS port, waiting for the first byte), "handshake", or "" (plain bytes flow).
        self.tls = ""

    def pending(self) -> bool:
        return self.out is not None or bool(self.queue)


class _Edition:
    """One published configuration, encoded once per variant a client may take.

    ``blob`` is the v1 stream (stage, fixtures, groups); ``blob_v2`` the same
    with the revision on the groups line; ``delta`` the change from the
    edition before (``delta_base`` is its generation), when it is smaller.
    Compressed variants are made on first use and kept (``framed``).
    """

    __slots__ = ("_framed", "blob", "blob_v2", "config", "delta", "delta_base", "gen", "revision")

    def __init__(self, gen: int, config: ShowConfig, revision: Revision) -> None:
        self.gen = gen
        self.config = config
        self.revision = revision
        stage = encode_message(StageMessage(config.stage))
        fixtures = encode_message(FixturesMessage(config.fixtures))
        groups = encode_message(GroupsMessage(config.groups))
        groups_v2 = encode_message(GroupsMessage(config.groups, {"revision": revision.to_dict()}))
        self.blob = b"".join((stage, fixtures, groups))
        self.blob_v2 = b"".join((stage, fixtures, groups_v2))
        self.delta: bytes | None = None
        self.delta_base = 0
        self._framed: dict[str, bytes] = {}

    def diff_from(self, before: _Edition) -> None:
        """Encode the delta from ``before``; kept only when much smaller than the full configuration."""
        delta = compute_delta(before.config, self.config, before.revision, self.revision)
        line = encode_message(delta)
        if len(line) * 2 < len(self.blob_v2):
            self.delta, self.delta_base = line, before.gen

    def framed(self, variant: str) -> bytes:
        data = self._framed.get(variant)
        if data is None:
            raw = self.delta if variant == "delta" else self.blob_v2 if variant == "v2" else self.blob
            assert raw is not None
            data = self._framed[variant] = maybe_frame(raw)
        return data


class VisualizerTCPServer:
    """Serves a ShowConfig to Visualizer clients over protocol v1.

    Thread-safe: ``update_config``, ``send_update``, ``stop`` and the getters
    may be called from any thread.  Callbacks run on the I/O thread and must
    be quick; the Qt adapter (``server.qt``) turns them into signals.
    """

    def __init__(
        self,
        config: ShowConfig,
        host: str = "0.0.0.0",
        port: int = DEFAULT_PORT,
        heartbeat_interval: float = 5.0,
        *,
        on_client_connected: Callback | None = None,
        on_client_disconnected: Callback | None = None,
        on_error: Callback | None = None,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        max_backlog_messages: int = DEFAULT_MAX_BACKLOG_MESSAGES,
        max_backlog_bytes: int = DEFAULT_MAX_BACKLOG_BYTES,
        max_line_length: int = DEFAULT_MAX_CLIENT_LINE,
        max_invalid_lines: int = DEFAULT_MAX_INVALID_LINES,
        listen_backlog: int = DEFAULT_LISTEN_BACKLOG,
        token: bytes | str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        hello_wait: float = DEFAULT_HELLO_WAIT,
        name: str = "Show Creator",
        show_name: str | None = None,
        capabilities: Sequence[str] | None = None,
        on_fixtures_selected: SelectCallback | None = None,
        auth_limiter: AuthLimiter | None = None,
    ) -> None:
        if not heartbeat_interval > 0:
            raise ValueError("heartbeat_interval must be greater than 0")
        if not stall_timeout > 0:
            raise ValueError("stall_timeout must be greater than 0")
        if not isinstance(config, ShowConfig):
            raise TypeError(f"config must be a ShowConfig, got {type(config).__name__}")
        self.host = host
        self._requested_port = port
        self.heartbeat_interval = float(heartbeat_interval)
        self.on_client_connected = on_client_connected
        self.on_client_disconnected = on_client_disconnected
        self.on_error = on_error
        self.stall_timeout = float(stall_timeout)
        self.max_backlog_messages = max_backlog_messages
        self.max_backlog_bytes = max_backlog_bytes
        self.max_line_length = max_line_length
        self.max_invalid_lines = max_invalid_lines
        self.listen_backlog = listen_backlog
        #: Protocol v2 (docs/PROTOCOL.md): a token makes every client authenticate and
        #: refuses v1 clients; ``ssl_context`` (server side) makes the port TLS-only.
        self.token = token.encode("utf-8") if isinstance(token, str) else token
        self.ssl_context = ssl_context
        self.hello_wait = hello_wait
        self.name = name
        self.show_name = show_name
        self.capabilities = None if capabilities is None else tuple(capabilities)
        self.on_fixtures_selected = on_fixtures_selected
        self.auth_limiter = auth_limiter or AuthLimiter()
        #: Identifies this run's revisions: a client never applies a delta across a restart.
        self.show_id = secrets.token_hex(6)

        self._lock = threading.Lock()
        self._config = config
        self._requested_gen = 1  # generation of the newest update_config call
        self._published_gen = 1  # generation of ``_edition``
        self._edition = _Edition(1, config, Revision(self.show_id, 1))
        self._loop: _IOLoop | None = None
        self._bound_port: int | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Listen and start the I/O thread; raises ServerStartError at once if it cannot."""
        with self._lock:
            if self._loop is not None and self._loop.thread.is_alive() and not self._loop.stopping:
                raise RuntimeError("server is already running")
            listener = self._listen()
            self._bound_port = listener.getsockname()[1]
            loop = _IOLoop(self, listener, self._edition)
            self._loop = loop
            loop.thread.start()  # under the lock: a concurrent start() sees it running
        log.debug("Listening on %s", format_address(self.host, self.port))

    def stop(self, timeout: float = 5.0) -> None:
        """Close every connection and the listener, and join the I/O thread.

        Called from a callback (on the I/O thread) it only asks the loop to
        end; the thread exits right after the callback returns.
        """
        with self._lock:
            loop = self._loop
            if loop is None:
                return
            loop.stopping = True
        loop.post(("stop", None))
        if threading.current_thread() is not loop.thread:
            loop.thread.join(timeout)
            if loop.thread.is_alive():
                log.error("Server I/O thread did not stop within %.1f s", timeout)

    def is_running(self) -> bool:
        loop = self._loop
        return loop is not None and not loop.stopping and loop.thread.is_alive()

    # ------------------------------------------------------------ state

    @property
    def config(self) -> ShowConfig:
        """The newest configuration handed to the server."""
        return self._config

    @property
    def port(self) -> int:
        """The bound port once started (useful with port 0), else the requested one."""
        return self._bound_port if self._bound_port is not None else self._requested_port

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def get_client_count(self) -> int:
        loop = self._loop
        return 0 if loop is None else len(loop.clients)

    def get_clients(self) -> list[ClientInfo]:
        loop = self._loop
        if loop is None:
            return []
        with loop.clients_lock:
            clients = list(loop.clients.values())
        gen = loop.edition.gen
        blob_len = len(loop.edition.blob)
        out = []
        for c in clients:
            cur = c.out
            pending = (0 if cur is None else len(cur)) + c.queued_bytes + (blob_len if c.config_queued else 0)
            out.append(
                ClientInfo(
                    address=c.address,
                    connected_at=c.connected_at,
                    bytes_sent=c.bytes_sent,
                    bytes_received=c.bytes_received,
                    acked_config=c.acked_gen == gen,
                    last_ack=c.session.last_ack,
                    invalid_lines=c.session.invalid_lines,
                    queued_messages=len(c.queue),
                    pending_bytes=pending,
                    protocol=c.session.protocol,
                    capabilities=tuple(sorted(c.session.capabilities)),
                )
            )
        return out

    # ------------------------------------------------------------ broadcasting

    def update_config(self, config: ShowConfig) -> None:
        """Send ``config`` in full to every client (last value wins).

        Encoding happens here, in the caller's thread, so a large rig never
        stalls the I/O loop; concurrent callers are ordered by call time.
        """
        if not isinstance(config, ShowConfig):
            raise TypeError(f"config must be a ShowConfig, got {type(config).__name__}")
        with self._lock:
            self._requested_gen += 1
            gen = self._requested_gen
            self._config = config
            before = self._edition
        edition = _Edition(gen, config, Revision(self.show_id, gen))
        edition.diff_from(before)
        loop = self._loop
        if loop is not None and loop.compressing:
            edition.framed("delta" if edition.delta is not None else "v2")  # off the I/O thread
        with self._lock:
            if gen <= self._published_gen:
                return  # a newer config was published while we encoded
            if self._edition is not before:
                edition.delta = None  # diffed against an edition that was never published
            self._published_gen = gen
            self._edition = edition
            loop = self._loop
        if loop is not None:
            loop.post(("config", None))

    def send_update(self, update_type: str, data: dict[str, object] | None = None) -> None:
        """Send ``{"type": "update", ...}`` to every connected client."""
        line = encode_message(UpdateMessage(update_type, {} if data is None else data))
        loop = self._loop
        if loop is not None and not loop.stopping:
            loop.post(("line", line))

    def push_selection(self, fixtures: Sequence[int], *, highlight: bool = False) -> None:
        """Ask every visualizer that negotiated ``select`` to select (or highlight) these fixture indices."""
        with self._lock:
            revision = self._edition.revision
        msg = SelectMessage(tuple(int(i) for i in fixtures), revision, "highlight" if highlight else "select")
        loop = self._loop
        if loop is not None and not loop.stopping:
            loop.post(("select", encode_message(msg)))

    def _published(self) -> _Edition:
        with self._lock:
            return self._edition

    # ------------------------------------------------------------ internals

    def _listen(self) -> socket.socket:
        host, port = self.host, self._requested_port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            raise ServerStartError(host, port, exc.strerror or str(exc), exc.errno) from None
        try:
            # Rebind at once after a restart, while old connections sit in TIME_WAIT.
            # (On Linux this does not let two listeners share a port.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(self.listen_backlog)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                reason = "address already in use"
            elif isinstance(exc, socket.gaierror):
                reason = f"cannot resolve host ({exc.strerror})"
            else:
                reason = (exc.strerror or str(exc)).lower()
            raise ServerStartError(host, port, reason, exc.errno) from None
        return sock

    def _call(self, callback: Callback | None, arg: str) -> None:
        if callback is None:
            return
        try:
            callback(arg)
        except Exception:
            log.exception("Server callback %r failed", callback)


class _IOLoop:
    """One run of the server: the thread, its selector and every client socket."""

    def __init__(self, server: VisualizerTCPServer, listener: socket.socket, edition: _Edition) -> None:
        self.server = server
        self.listener = listener
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        self.sel.register(listener, selectors.EVENT_READ, None)
        self.sel.register(self.wake_r, selectors.EVENT_READ, self.wake_r)
        self.lock = threading.Lock()
        self.commands: list[tuple[str, bytes | None]] = []
        self.wake_pending = False
        self.stopping = False
        self.clients_lock = threading.Lock()
        self.clients: dict[int, _Client] = {}
        self.writers: set[_Client] = set()
        self.timed: set[_Client] = set()  # clients with a negotiation or closing deadline
        self.edition = edition
        self.compressing = 0  # ready clients that negotiated zlib (update_config pre-compresses)
        self.hb_line = b""
        now = time.monotonic()
        self.next_heartbeat = now + server.heartbeat_interval
        self.stall_check_interval = min(1.0, server.stall_timeout / 4)
        self.next_stall_check = 0.0  # 0: not scheduled
        self.accept_paused_until = 0.0
        self.thread = threading.Thread(target=self.run, name="VisualizerTCPServer-io", daemon=True)

    # ------------------------------------------------------------ cross-thread

    def post(self, command: tuple[str, bytes | None]) -> None:
        if self.stopping and command[0] != "stop":
            return  # nobody would run it
        with self.lock:
            self.commands.append(command)
            if self.wake_pending:
                return
            self.wake_pending = True
        # A full buffer means the loop is already due to wake; a closed one that it is gone.
        with contextlib.suppress(OSError):
            self.wake_w.send(b"\0")

    def _drain_commands(self) -> bool:
        """Run posted commands; False when asked to stop."""
        try:
            while self.wake_r.recv(4096):
                pass
        except OSError:
            pass
        with self.lock:
            commands = self.commands
            self.commands = []
            self.wake_pending = False
        for kind, payload in commands:
            if kind == "stop":
                return False
            if kind == "config":
                self._publish_config()
            elif kind == "line" and payload is not None:
                self._broadcast_line(payload)
            elif kind == "select" and payload is not None:
                self._broadcast_line(payload, CAP_SELECT)
        return True

    # ------------------------------------------------------------ main loop

    def run(self) -> None:
        try:
            self._loop()
        except Exception as exc:
            log.exception("Server I/O loop failed")
            self.server._call(self.server.on_error, f"server stopped after an internal error: {exc}")
        finally:
            self.stopping = True
            self._shutdown()

    def _loop(self) -> None:
        sel = self.sel
        monotonic = time.monotonic
        while True:
            timeout = self._timeout(monotonic())
            for key, events in sel.select(timeout):
                data = key.data
                if data is None:
                    self._accept()
                elif data is self.wake_r:
                    if not self._drain_commands():
                        return
                else:
                    client: _Client = data
                    if client.sock.fileno() < 0:
                        continue  # closed earlier in this round
                    if client.tls:
                        self._tls_step(client)
                        continue
                    if events & selectors.EVENT_READ:
                        self._read(client)
                    if events & selectors.EVENT_WRITE and client.sock.fileno() >= 0:
                        self._flush(client)
            now = monotonic()
            if now >= self.next_heartbeat:
                self._heartbeat(now)
            if self.next_stall_check and now >= self.next_stall_check:
                self._check_stalls(now)
            if self.timed:
                self._check_deadlines(now)
            if self.accept_paused_until and now >= self.accept_paused_until:
                self.accept_paused_until = 0.0
                sel.register(self.listener, selectors.EVENT_READ, None)

    def _deadline(self, client: _Client) -> float | None:
        if client.closing or client.tls:
            return client.close_at
        return client.session.deadline()

    def _timeout(self, now: float) -> float:
        deadline = self.next_heartbeat
        if self.writers:
            if not self.next_stall_check:
                self.next_stall_check = now + self.stall_check_interval
            deadline = min(deadline, self.next_stall_check)
        else:
            self.next_stall_check = 0.0
        if self.accept_paused_until:
            deadline = min(deadline, self.accept_paused_until)
        for client in self.timed:
            due = self._deadline(client)
            if due is not None:
                deadline = min(deadline, due)
        return min(_MAX_SLEEP, max(0.0, deadline - now))

    def _check_deadlines(self, now: float) -> None:
        for client in list(self.timed):
            if client.sock.fileno() < 0:
                self.timed.discard(client)
                continue
            if client.closing or client.tls:
                if now >= client.close_at:
                    if client.tls == "sniff":
                        self._refuse_plain(client, "sent nothing (a v1 client?)")
                    else:
                        self._close(client, None)
                continue
            if client.session.deadline() is None:
                self.timed.discard(client)
                continue
            self._handle(client, client.session.poll(now))

    def _shutdown(self) -> None:
        clients = list(self.clients.values())
        for c in clients:
            self._close(c, None, quiet=True)
        for sock in (self.listener, self.wake_r, self.wake_w):
            sock.close()
        self.sel.close()
        if clients:
            log.info("Server stopped (closed %d client connections)", len(clients))
        else:
            log.info("Server stopped")

    # ------------------------------------------------------------ connections

    def _accept(self) -> None:
        server = self.server
        while True:
            try:
                sock, addr = self.listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno in (errno.ECONNABORTED, errno.EPROTO, errno.EINTR):
                    continue
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    # The listener stays readable; without a pause this would spin.
                    message = f"cannot accept connections: {exc.strerror}; pausing {_ACCEPT_PAUSE} s"
                    log.error(message)
                    server._call(server.on_error, message)
                    self.sel.unregister(self.listener)
                    self.accept_paused_until = time.monotonic() + _ACCEPT_PAUSE
                    return
                raise
            self._add_client(sock, format_address(addr[0], addr[1]), addr[0])

    def _add_client(self, sock: socket.socket, address: str, host: str) -> None:
        server = self.server
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        user_timeout = getattr(socket, "TCP_USER_TIMEOUT", None)
        if user_timeout is not None:
            # A peer that vanished (cable pulled) still lets small heartbeats into our
            # send buffer, so the stall check never sees it; the kernel gives up on
            # unacknowledged data after this long.  Twice the stall timeout, so that a
            # client that is merely not reading is dropped by the stall check, with its reason.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, user_timeout, min(int(server.stall_timeout * 2000), 2**31 - 1))
        now = time.monotonic()
        offered = server.capabilities
        session = ServerSession(
            now=now,
            token=server.token,
            server_name=server.name,
            show_name=server.show_name,
            hello_wait=server.hello_wait,
            max_line_length=server.max_line_length,
            max_invalid_lines=server.max_invalid_lines,
            **({} if offered is None else {"offered": offered}),
        )
        client = _Client(sock, address, host, session)
        try:
            self.sel.register(sock, selectors.EVENT_READ, client)
        except (OSError, ValueError) as exc:
            log.warning("Cannot watch client %s: %s", address, exc)
            sock.close()
            return
        with self.clients_lock:
            self.clients[sock.fileno()] = client
        log.info("Client connected: %s", address)
        server._call(server.on_client_connected, address)
        if client.sock.fileno() < 0:
            return  # the callback stopped the server or the client is gone
        client.stall_since = now
        blocked = server.auth_limiter.blocked_for(host, now) if server.token is not None else 0.0
        if blocked:
            self._handle(client, session.refuse(
                ERR_RATE_LIMITED,
                f"too many failed authentications from {host}; try again in {blocked:.0f} s",
                "refused: too many failed authentications",
            ))
            return
        if server.ssl_context is not None:
            client.tls = "sniff"
            client.close_at = now + _TLS_SNIFF_WAIT
        self.timed.add(client)

    def _close(self, client: _Client, reason: str | None, *, quiet: bool = False) -> None:
        sock = client.sock
        fd = sock.fileno()
        if fd < 0:
            return
        if reason is not None:
            log.warning("Dropping client %s: %s", client.address, reason)
        with contextlib.suppress(KeyError, ValueError):
            self.sel.unregister(sock)
        with self.clients_lock:
            self.clients.pop(fd, None)
        self.writers.discard(client)
        self.timed.discard(client)
        if client.ready and client.session.has(CAP_ZLIB):
            self.compressing -= 1
        client.ready = False
        sock.close()
        client.queue.clear()
        client.out = None
        (log.debug if quiet else log.info)("Client disconnected: %s", client.address)
        self.server._call(self.server.on_client_disconnected, client.address)

    # ------------------------------------------------------------ TLS

    def _tls_step(self, client: _Client) -> None:
        """Sniff the first byte of a TLS port's client, then drive the non-blocking handshake."""
        sock = client.sock
        if client.tls == "sniff":
            try:
                first = sock.recv(1, socket.MSG_PEEK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._close(client, None)
                return
            if not first:
                self._close(client, None)
                return
            if first[0] != _TLS_RECORD:
                self._refuse_plain(client, "spoke plain text to the TLS port")
                return
            context = self.server.ssl_context
            assert context is not None
            self.sel.unregister(sock)
            with self.clients_lock:
                self.clients.pop(sock.fileno(), None)
            try:
                tls = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            except (OSError, ValueError) as exc:
                log.warning("TLS with %s failed: %s", client.address, exc)
                self._close(client, None)
                return
            client.sock = tls
            client.tls = "handshake"
            client.close_at = time.monotonic() + _TLS_HANDSHAKE_TIMEOUT
            self.sel.register(tls, selectors.EVENT_READ, client)
            with self.clients_lock:
                self.clients[tls.fileno()] = client
            sock = tls
        assert isinstance(sock, ssl.SSLSocket)
        try:
            sock.do_handshake()
        except ssl.SSLWantReadError:
            self.sel.modify(sock, selectors.EVENT_READ, client)
            return
        except ssl.SSLWantWriteError:
            self.sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, client)
            return
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc.strerror or str(exc)
            log.warning("TLS handshake with %s failed: %s", client.address, reason)
            self._close(client, None)
            return
        log.debug("TLS with %s: %s %s", client.address, sock.version(), sock.cipher())
        client.tls = ""
        client.close_at = 0.0
        client.session.restart_wait(time.monotonic())  # the hello wait starts now, not at accept
        self.sel.modify(sock, selectors.EVENT_READ, client)
        client.writing = False
        if sock.pending():
            self._read(client)

    def _refuse_plain(self, client: _Client, why: str) -> None:
        """A plain client on the TLS port: one plain error line, then close."""
        client.tls = ""
        self._handle(client, client.session.refuse(
            ERR_TLS_REQUIRED,
            "this Show Creator port requires TLS: connect with --tls (and --tls-ca or --insecure)",
            f"{why}: TLS is required",
        ))

    # ------------------------------------------------------------ reading

    def _read(self, client: _Client) -> None:
        sock = client.sock
        while True:
            try:
                data = sock.recv(_RECV_SIZE)
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except OSError as exc:
                log.debug("Receive from %s failed: %s", client.address, exc)
                self._close(client, None)
                return
            if not data:
                self._close(client, None)
                return
            client.bytes_received += len(data)
            if client.closing:
                pass  # waiting for the client to hang up after its error line
            else:
                self._handle(client, client.session.receive(data, time.monotonic()))
            # Decrypted bytes held by the TLS layer never wake the selector: read them now.
            if sock.fileno() < 0 or not isinstance(sock, ssl.SSLSocket) or not sock.pending():
                return

    def _handle(self, client: _Client, events: list[Event]) -> None:
        """Act on what the session made of the client's bytes or of the clock."""
        server = self.server
        for event in events:
            if client.sock.fileno() < 0:
                return
            if isinstance(event, Acked):
                if event.ack_type == ACK_CONFIG:
                    client.acked_gen = client.sent_gen
            elif isinstance(event, BadLine):
                self._log_invalid(client, event.error)
            elif isinstance(event, Ready):
                self._ready(client, event)
            elif isinstance(event, ResyncRequested):
                client.resync = True
                self._queue_config(client, time.monotonic())
            elif isinstance(event, FixturesSelected):
                callback = server.on_fixtures_selected
                if callback is not None:
                    try:
                        callback(client.address, event.fixtures)
                    except Exception:
                        log.exception("on_fixtures_selected callback failed")
            elif isinstance(event, AuthFailed):
                log.warning("Authentication failed from %s: %s", client.address, event.reason)
                if server.auth_limiter.failed(client.host, time.monotonic()):
                    log.warning(
                        "Refusing %s for %.0f s after %d failed authentications",
                        client.host, server.auth_limiter.block, server.auth_limiter.max_failures,
                    )
            elif isinstance(event, Closing):
                log.warning("Dropping client %s: %s", client.address, event.reason)
                self._closing(client)
                return
        out = client.session.take_output()
        if out and client.sock.fileno() >= 0:
            self._enqueue(client, out, time.monotonic())
            client.queued_bytes += len(out)
            self._flush(client)

    def _ready(self, client: _Client, event: Ready) -> None:
        session = client.session
        if event.upgrade:
            client.ready = True
            now = time.monotonic()
            if not session.wants_revision:
                out = session.take_output()  # just the welcome; the v1 stream goes on as it was
                self._enqueue(client, out, now)
                client.queued_bytes += len(out)
                self._flush(client)
                return
            # A late hello asking for revisions: the welcome goes before any configuration not
            # yet started, and a full one follows it (the client holds no revision for a delta).
            if client.config_queued:
                client.queue = deque(item for item in client.queue if item is not _Marker.CONFIG)
                client.config_queued = False
            client.resync = True
        elif session.has(CAP_ZLIB):
            self.compressing += 1
        client.ready = True
        self.timed.discard(client)
        if event.protocol > 1:
            log.info(
                "Client %s: protocol %d%s%s", client.address, event.protocol,
                f" ({event.client})" if event.client else "",
                f", {', '.join(sorted(event.capabilities))}" if event.capabilities else "",
            )
        if session.token is not None:
            self.server.auth_limiter.succeeded(client.host)
        now = time.monotonic()
        out = session.take_output()  # the welcome goes before the configuration
        if out:
            self._enqueue(client, out, now)
            client.queued_bytes += len(out)
        self._queue_config(client, now)

    def _queue_config(self, client: _Client, now: float) -> None:
        if not client.config_queued:
            self._enqueue(client, _Marker.CONFIG, now)
            client.config_queued = True
        self._flush(client)

    def _closing(self, client: _Client) -> None:
        """Send the session's last line(s), then half-close and wait briefly for the client to hang up.

        Closing at once with unread client bytes in our buffer would make the
        kernel send a reset, which can destroy the error line before the
        client reads it.
        """
        if client.ready and client.session.has(CAP_ZLIB):
            self.compressing -= 1
        client.ready = False
        client.closing = True
        client.queue.clear()
        client.queued_bytes = 0
        client.config_queued = client.hb_queued = False
        out = client.session.take_output()
        if out:
            self._enqueue(client, out, time.monotonic())
            client.queued_bytes += len(out)
        client.close_at = time.monotonic() + _CLOSE_LINGER
        self.timed.add(client)
        self._flush(client)

    def _log_invalid(self, client: _Client, error: ProtocolError) -> None:
        now = time.monotonic()
        if now < client.log_after:
            client.suppressed += 1
            return
        more = f" ({client.suppressed} more since the last report)" if client.suppressed else ""
        log.warning("Invalid line from %s: %s%s", client.address, error, more)
        client.suppressed = 0
        client.log_after = now + _INVALID_LOG_INTERVAL

    # ------------------------------------------------------------ writing

    def _publish_config(self) -> None:
        edition = self.server._published()
        if edition.gen <= self.edition.gen:
            return
        self.edition = edition
        now = time.monotonic()
        for client in list(self.clients.values()):
            if client.ready:
                self._queue_config(client, now)

    def _broadcast_line(self, line: bytes, capability: str | None = None) -> None:
        server = self.server
        now = time.monotonic()
        for client in list(self.clients.values()):
            if not client.ready or (capability is not None and not client.session.has(capability)):
                continue
            if client.queue and (
                len(client.queue) >= server.max_backlog_messages
                or client.queued_bytes + len(line) > server.max_backlog_bytes
            ):
                self._close(
                    client,
                    f"send backlog over {server.max_backlog_messages} messages or "
                    f"{server.max_backlog_bytes} bytes ({client.bytes_sent} bytes sent so far)",
                )
                continue
            self._enqueue(client, line, now)
            client.queued_bytes += len(line)
            self._flush(client)

    def _heartbeat(self, now: float) -> None:
        interval = self.server.heartbeat_interval
        self.next_heartbeat += interval
        if self.next_heartbeat <= now:
            self.next_heartbeat = now + interval
        self.hb_line = encode_message(HeartbeatMessage(time.time()))
        for client in list(self.clients.values()):
            if client.hb_queued or not client.ready:
                continue  # one waiting heartbeat is enough; it goes out with the newest time
            self._enqueue(client, _Marker.HEARTBEAT, now)
            client.hb_queued = True
            self._flush(client)

    @staticmethod
    def _enqueue(client: _Client, item: bytes | _Marker, now: float) -> None:
        # The stall clock starts when an idle client is handed something to read.
        if not client.pending():
            client.stall_since = now
        client.queue.append(item)

    def _config_bytes(self, client: _Client) -> bytes:
        """The newest configuration in the form this client negotiated (encoded once per edition)."""
        edition = self.edition
        session = client.session
        if not session.wants_revision:
            variant = "v1"
        elif (
            session.wants_delta and not client.resync and edition.delta is not None
            and client.sent_gen == edition.delta_base
        ):
            variant = "delta"
        else:
            variant = "v2"
        client.resync = False
        if session.has(CAP_ZLIB):
            return edition.framed(variant)
        if variant == "delta":
            assert edition.delta is not None
            return edition.delta
        return edition.blob_v2 if variant == "v2" else edition.blob

    def _flush(self, client: _Client) -> None:
        """Write as much as the socket takes now; register for EVENT_WRITE if some is left."""
        sock = client.sock
        if sock.fileno() < 0:
            return
        progressed = False
        while True:
            out = client.out
            if out is None:
                if not client.queue:
                    break
                item = client.queue.popleft()
                if item is _Marker.CONFIG:
                    client.config_queued = False
                    out = memoryview(self._config_bytes(client))
                    client.out_gen = self.edition.gen
                elif item is _Marker.HEARTBEAT:
                    client.hb_queued = False
                    out = memoryview(self.hb_line)
                    client.out_gen = 0
                else:
                    assert isinstance(item, bytes)
                    client.queued_bytes -= len(item)
                    out = memoryview(item)
                    client.out_gen = 0
                client.out = out
            try:
                n = sock.send(out)
            except (BlockingIOError, InterruptedError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                break
            except OSError as exc:
                log.debug("Send to %s failed: %s", client.address, exc)
                self._close(client, None)
                return
            client.bytes_sent += n
            progressed = progressed or n > 0
            if n == len(out):
                if client.out_gen:
                    client.sent_gen = client.out_gen
                client.out = None
            else:
                client.out = out[n:]
                break
        if progressed:
            client.stall_since = time.monotonic()
        want = client.pending()
        if client.closing and not want and not client.half_closed:
            client.half_closed = True
            with contextlib.suppress(OSError):
                if isinstance(sock, ssl.SSLSocket):
                    self._close(client, None)  # no half-close under TLS; the line is out
                    return
                sock.shutdown(socket.SHUT_WR)
        if want != client.writing:
            client.writing = want
            events = selectors.EVENT_READ | selectors.EVENT_WRITE if want else selectors.EVENT_READ
            self.sel.modify(sock, events, client)
            if want:
                self.writers.add(client)
            else:
                self.writers.discard(client)

    def _check_stalls(self, now: float) -> None:
        self.next_stall_check = now + self.stall_check_interval if self.writers else 0.0
        timeout = self.server.stall_timeout
        for client in list(self.writers):
            if now - client.stall_since > timeout:
                cur = client.out
                pending = (0 if cur is None else len(cur)) + client.queued_bytes
                self._close(
                    client,
                    f"stalled: accepted no data for {timeout:g} s with {pending} bytes pending",
                )
