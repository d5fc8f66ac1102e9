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
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from shared.cli import format_address
from shared.protocol import (
    ACK_CONFIG,
    AckMessage,
    HeartbeatMessage,
    LineTooLong,
    MessageDecoder,
    ProtocolError,
    UpdateMessage,
    encode_message,
    serialize_full_config,
)
from shared.show import ShowConfig

log = logging.getLogger(__name__)

Callback = Callable[[str], None]

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


class _Marker(enum.Enum):
    """Queue entries resolved when they reach the front, so they send the newest value."""

    CONFIG = enum.auto()
    HEARTBEAT = enum.auto()


class _Client:
    """Per-client state, owned by the I/O thread."""

    __slots__ = (
        "acked_gen",
        "address",
        "bytes_received",
        "bytes_sent",
        "config_queued",
        "connected_at",
        "decoder",
        "hb_queued",
        "invalid_lines",
        "last_ack",
        "log_after",
        "out",
        "out_gen",
        "queue",
        "queued_bytes",
        "sent_gen",
        "sock",
        "stall_since",
        "suppressed",
        "writing",
    )

    def __init__(self, sock: socket.socket, address: str, max_line: int) -> None:
        self.sock = sock
        self.address = address
        self.connected_at = time.time()
        self.decoder = MessageDecoder(max_line)
        self.queue: deque[bytes | _Marker] = deque()
        self.queued_bytes = 0  # bytes of plain lines in ``queue``
        self.config_queued = False
        self.hb_queued = False
        self.out: memoryview | None = None  # the item being sent, from its next unsent byte
        self.out_gen = 0  # config generation of ``out``, 0 for other lines
        self.sent_gen = 0  # newest config generation fully written
        self.acked_gen = 0
        self.last_ack: str | None = None
        self.bytes_sent = 0
        self.bytes_received = 0
        self.invalid_lines = 0
        self.suppressed = 0
        self.log_after = 0.0
        self.stall_since = 0.0
        self.writing = False  # registered for EVENT_WRITE

    def pending(self) -> bool:
        return self.out is not None or bool(self.queue)


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

        self._lock = threading.Lock()
        self._config = config
        self._requested_gen = 1  # generation of the newest update_config call
        self._published_gen = 1  # generation of ``_blob``
        self._blob = serialize_full_config(config)
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
            loop = _IOLoop(self, listener, self._published_gen, self._blob)
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
        gen = loop.gen
        blob_len = len(loop.blob)
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
                    last_ack=c.last_ack,
                    invalid_lines=c.invalid_lines,
                    queued_messages=len(c.queue),
                    pending_bytes=pending,
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
        blob = serialize_full_config(config)
        with self._lock:
            if gen <= self._published_gen:
                return  # a newer config was published while we encoded
            self._published_gen = gen
            self._blob = blob
            loop = self._loop
        if loop is not None:
            loop.post(("config", None))

    def send_update(self, update_type: str, data: dict[str, object] | None = None) -> None:
        """Send ``{"type": "update", ...}`` to every connected client."""
        line = encode_message(UpdateMessage(update_type, {} if data is None else data))
        loop = self._loop
        if loop is not None and not loop.stopping:
            loop.post(("line", line))

    def _published(self) -> tuple[int, bytes]:
        with self._lock:
            return self._published_gen, self._blob

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

    def __init__(self, server: VisualizerTCPServer, listener: socket.socket, gen: int, blob: bytes) -> None:
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
        self.gen, self.blob = gen, blob
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
                    if events & selectors.EVENT_READ:
                        self._read(client)
                    if events & selectors.EVENT_WRITE and client.sock.fileno() >= 0:
                        self._flush(client)
            now = monotonic()
            if now >= self.next_heartbeat:
                self._heartbeat(now)
            if self.next_stall_check and now >= self.next_stall_check:
                self._check_stalls(now)
            if self.accept_paused_until and now >= self.accept_paused_until:
                self.accept_paused_until = 0.0
                sel.register(self.listener, selectors.EVENT_READ, None)

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
        return min(_MAX_SLEEP, max(0.0, deadline - now))

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
            self._add_client(sock, format_address(addr[0], addr[1]))

    def _add_client(self, sock: socket.socket, address: str) -> None:
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
        client = _Client(sock, address, server.max_line_length)
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
        client.queue.append(_Marker.CONFIG)
        client.config_queued = True
        client.stall_since = time.monotonic()
        self._flush(client)

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
        sock.close()
        client.queue.clear()
        client.out = None
        (log.debug if quiet else log.info)("Client disconnected: %s", client.address)
        self.server._call(self.server.on_client_disconnected, client.address)

    # ------------------------------------------------------------ reading

    def _read(self, client: _Client) -> None:
        try:
            data = client.sock.recv(_RECV_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            log.debug("Receive from %s failed: %s", client.address, exc)
            self._close(client, None)
            return
        if not data:
            self._close(client, None)
            return
        client.bytes_received += len(data)
        for item in client.decoder.feed(data):
            if isinstance(item, AckMessage):
                client.last_ack = item.ack_type
                if item.ack_type == ACK_CONFIG:
                    client.acked_gen = client.sent_gen
            elif isinstance(item, ProtocolError):
                if isinstance(item, LineTooLong):
                    self._close(client, f"sent a line longer than {client.decoder.max_line_length} bytes")
                    return
                client.invalid_lines += 1
                if client.invalid_lines > self.server.max_invalid_lines:
                    self._close(client, f"sent more than {self.server.max_invalid_lines} invalid lines")
                    return
                self._log_invalid(client, item)
            # Anything else a client says (heartbeats, unknown types) is ignored.

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
        gen, blob = self.server._published()
        if gen <= self.gen:
            return
        self.gen, self.blob = gen, blob
        now = time.monotonic()
        for client in list(self.clients.values()):
            if not client.config_queued:
                self._enqueue(client, _Marker.CONFIG, now)
                client.config_queued = True
            self._flush(client)

    def _broadcast_line(self, line: bytes) -> None:
        server = self.server
        now = time.monotonic()
        for client in list(self.clients.values()):
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
            if client.hb_queued:
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
                    out = memoryview(self.blob)
                    client.out_gen = self.gen
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
            except BlockingIOError:
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
