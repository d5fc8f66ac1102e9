"""The Visualizer's TCP client: connects to Show Creator and keeps connected.

All socket work happens in one background thread per ``connect()``, driven by
a ``selectors`` loop that also watches a socketpair: ``disconnect()`` writes
to it, so the thread wakes at once whether it is connecting (non-blocking
connect with a timeout), connected (waiting for data) or waiting out a
reconnect backoff.  Liveness does not trust TCP to notice a dead peer: if no
byte arrives for ``heartbeat_timeout`` seconds (the server sends a heartbeat
every 5 s) the connection is dropped and made again; TCP keepalive is enabled
as a second line of defence.

Callbacks run on the client thread; see ``Handlers`` for the events.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import random
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Literal, TypeVar

from shared.cli import format_address
from shared.protocol import DEFAULT_MAX_LINE
from shared.protocol.extensions import ALL_CAPABILITIES, PROTOCOL_V2, HelloMessage
from shared.show import ShowConfig
from visualizer.tcp.handlers import Handlers, Subscriptions
from visualizer.tcp.session import DEFAULT_SETTLE, ClientSession

log = logging.getLogger(__name__)

State = Literal["connecting", "connected", "reconnecting", "disconnected"]
CONNECTING: Final = "connecting"
CONNECTED: Final = "connected"
RECONNECTING: Final = "reconnecting"
DISCONNECTED: Final = "disconnected"

RECV_SIZE = 256 * 1024
F = TypeVar("F", bound=Callable[..., object])


class _Wakeup:
    """A stop flag that can also wake a ``select()``: one per client thread."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.reader, self._writer = socket.socketpair()
        self.reader.setblocking(False)
        self._writer.setblocking(False)
        self._closed = False

    @property
    def stopped(self) -> bool:
        return self.stop.is_set()

    def set(self) -> None:
        self.stop.set()
        self.poke()

    def poke(self) -> None:
        """Wake the selector without stopping (there is something to send)."""
        with self._lock:
            if not self._closed:
                with contextlib.suppress(OSError):  # buffer full: a wake byte is already there
                    self._writer.send(b"\0")

    def drain(self) -> None:
        with contextlib.suppress(OSError):
            while self.reader.recv(4096):
                pass

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if stopped meanwhile."""
        return self.stop.wait(seconds)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self.reader.close()
            self._writer.close()


class VisualizerTCPClient(Subscriptions):
    """Connects to a Show Creator server and turns its stream into callbacks.

    ``connect()`` returns at once; ``disconnect()`` returns within about a
    second in every state and joins the thread.  ``config`` is the last
    complete configuration received (kept across reconnects and bad input).
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int = 9000,
        *,
        heartbeat_timeout: float = 15.0,
        backoff_initial: float = 0.25,
        backoff_max: float = 5.0,
        reconnect: bool = True,
        max_line_length: int = DEFAULT_MAX_LINE,
        connect_timeout: float = 5.0,
        config_settle: float = DEFAULT_SETTLE,
        protocol: int = 1,
        capabilities: tuple[str, ...] = ALL_CAPABILITIES,
        token: bytes | str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        client_name: str = "visualizer",
    ) -> None:
        for name, value in (
            ("heartbeat_timeout", heartbeat_timeout),
            ("backoff_initial", backoff_initial),
            ("backoff_max", backoff_max),
            ("connect_timeout", connect_timeout),
        ):
            if not value > 0:
                raise ValueError(f"{name} must be greater than 0, got {value!r}")
        if max_line_length < 1:
            raise ValueError(f"max_line_length must be positive, got {max_line_length!r}")
        #: Read at every connection attempt, so they may be changed between attempts.
        self.host = host
        self.port = port
        self.heartbeat_timeout = heartbeat_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = max(backoff_max, backoff_initial)
        self.reconnect = reconnect
        self.max_line_length = max_line_length
        self.connect_timeout = connect_timeout
        self.config_settle = config_settle
        #: Protocol 2 sends hello (falls back to 1 by itself); 1 is exactly the v1 client.
        self.protocol = protocol
        self.capabilities = tuple(capabilities)
        self.token = token.encode("utf-8") if isinstance(token, str) else token
        #: A client-side context (``ssl.create_default_context()``) makes every connection TLS.
        self.ssl_context = ssl_context
        self.client_name = client_name
        self._session: ClientSession | None = None  # of the current (or last) connection
        self._outbox: list[tuple[int, ...]] = []
        self._fatal = False  # the server refused us in a way retrying cannot fix
        self.handlers = Handlers()
        self._lock = threading.Lock()
        self._state: State = DISCONNECTED
        self._thread: threading.Thread | None = None
        self._wakeup: _Wakeup | None = None
        self._config: ShowConfig | None = None
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"<VisualizerTCPClient {self.address} {self.state}>"

    # ---------------------------------------------------------------- public

    @property
    def address(self) -> str:
        return format_address(self.host, self.port)

    @property
    def state(self) -> State:
        return self._state

    @property
    def config(self) -> ShowConfig | None:
        """The last complete configuration, or None before the first."""
        return self._config

    @property
    def security(self) -> tuple[str, ...]:
        """What protects this connection, for people: ``"TLS"`` (encrypted, the server's
        certificate checked by ``ssl_context``) and ``"token"`` (the HMAC challenge of
        protocol 2, which a server with a token requires before it sends a show)."""
        return (("TLS",) if self.ssl_context is not None else ()) + (("token",) if self.token else ())

    @property
    def negotiated_protocol(self) -> int:
        """Protocol of the current (or last) connection: 2 after a welcome, else 1."""
        session = self._session
        return 1 if session is None else session.protocol

    @property
    def negotiated_capabilities(self) -> frozenset[str]:
        """Capabilities the server granted on the current (or last) connection."""
        session = self._session
        return frozenset() if session is None else session.capabilities

    @property
    def running(self) -> bool:
        """True between connect() and the end of the client thread."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def connect(self) -> None:
        """Start connecting in the background; a no-op while already running."""
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            if running and self._wakeup is not None and not self._wakeup.stopped:
                return
            # Otherwise idle, or a previous disconnect() gave up waiting (stuck in
            # DNS): let that thread finish on its own and start afresh.
            wakeup = _Wakeup()
            thread = threading.Thread(
                target=self._run, args=(wakeup,), name=f"visualizer-client {self.address}", daemon=True
            )
            self._wakeup, self._thread = wakeup, thread
            thread.start()

    def disconnect(self, timeout: float = 1.0) -> bool:
        """Stop and join the client thread; True if it ended within ``timeout``.

        Safe to call in any state, more than once, and from a callback (which
        runs on the client thread: it is then stopped but not joined).
        """
        with self._lock:
            thread, wakeup = self._thread, self._wakeup
        if thread is None or wakeup is None:
            return True
        wakeup.set()
        if thread is threading.current_thread():
            return False
        thread.join(timeout)
        if thread.is_alive():
            # Only name resolution (getaddrinfo) cannot be interrupted.
            log.warning("client thread for %s did not stop within %.1f s", self.address, timeout)
            return False
        with self._lock:
            if self._thread is thread:
                self._thread = self._wakeup = None
        return True

    def select(self, fixtures: tuple[int, ...] | list[int]) -> None:
        """Tell the server these fixture indices are selected (if it negotiated ``select``); any thread."""
        with self._lock:
            self._outbox.append(tuple(int(i) for i in fixtures))
            wakeup = self._wakeup
        if wakeup is not None:
            wakeup.poke()

    def __enter__(self) -> VisualizerTCPClient:
        self.connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.disconnect()

    # Subscriptions (see Handlers for the events and their arguments; the typed
    # on_* shortcuts come from Subscriptions, shared with Handlers).

    def on(self, event: str, callback: F) -> F:
        return self.handlers.on(event, callback)

    def off(self, event: str, callback: Callable[..., object]) -> None:
        self.handlers.off(event, callback)

    # ---------------------------------------------------------------- thread

    def _set_state(self, state: State) -> None:
        with self._lock:
            if state == self._state:
                return
            self._state = state
        log.debug("%s: %s", self.address, state)
        self.handlers.emit("state", state)

    def _report(self, text: str, level: int = logging.WARNING) -> None:
        self.last_error = text
        log.log(level, "%s", text)
        self.handlers.emit("error", text)

    def _remember(self, config: ShowConfig) -> None:
        self._config = config

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_initial * 2.0 ** min(attempt, 30))
        return min(self.backoff_max, delay * random.uniform(0.8, 1.2))

    def _run(self, wakeup: _Wakeup) -> None:
        attempt = 0
        self._fatal = False
        try:
            self._set_state(CONNECTING)
            while not wakeup.stopped:
                sock = self._open(wakeup)
                if sock is not None and self.ssl_context is not None:
                    sock = self._tls(sock, wakeup)
                if sock is not None and self._serve(sock, wakeup):
                    attempt = 0
                if wakeup.stopped or not self.reconnect or self._fatal:
                    break
                self._set_state(RECONNECTING)
                delay = self._backoff(attempt)
                attempt += 1
                log.debug("%s: next attempt in %.2f s", self.address, delay)
                if wakeup.wait(delay):
                    break
        except Exception as exc:  # a bug here must not vanish silently in a daemon thread
            log.exception("client thread for %s failed", self.address)
            self._report(f"client for {self.address} stopped: internal error: {exc}", logging.ERROR)
        finally:
            wakeup.close()
            with self._lock:
                current = self._wakeup is wakeup or self._wakeup is None
            if current:  # a thread abandoned by disconnect() must not overwrite its successor's state
                self._set_state(DISCONNECTED)

    def _open(self, wakeup: _Wakeup) -> socket.socket | None:
        """A connected socket, or None (reason reported) if none could be made or we were stopped."""
        host, port = self.host, self.port
        where = format_address(host, port)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._report(f"cannot connect to {where}: cannot resolve host ({reason})")
            return None
        reason = "no address to connect to"
        for family, type_, proto, _name, addr in infos:
            if wakeup.stopped:
                return None
            # Each address gets the full timeout: a dead IPv6 address listed
            # first must not use up the time of the IPv4 one that works.
            deadline = time.monotonic() + self.connect_timeout
            sock = socket.socket(family, type_, proto)
            try:
                sock.setblocking(False)
                err = sock.connect_ex(addr)
                if err in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EINTR):
                    with selectors.DefaultSelector() as sel:
                        sel.register(sock, selectors.EVENT_WRITE)
                        sel.register(wakeup.reader, selectors.EVENT_READ)
                        ready = sel.select(max(0.0, deadline - time.monotonic()))
                    if wakeup.stopped:
                        sock.close()
                        return None
                    if not any(key.fileobj is sock for key, _ in ready):
                        sock.close()
                        reason = f"timed out after {self.connect_timeout:g} s"
                        continue
                    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err == 0:
                    self._tune(sock)
                    return sock
                reason = os.strerror(err)
            except OSError as exc:
                reason = exc.strerror or str(exc)
            sock.close()
        self._report(f"cannot connect to {where}: {reason}", logging.INFO)
        return None

    def _tune(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            # Probe an idle link after 10 s, every 5 s, give up after 3 misses (Linux names).
            for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
                if hasattr(socket, name):
                    sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)

    def _serve(self, sock: socket.socket, wakeup: _Wakeup) -> bool:
        """Run one connection until it ends; True if it delivered a complete configuration.

        Only that resets the reconnect backoff: a server that keeps sending
        half a configuration and closing must not be hammered four times a second.
        """
        where = self.address
        session = ClientSession(
            self.handlers,
            max_line_length=self.max_line_length,
            settle=self.config_settle,
            peer=where,
            on_config=self._remember,
            hello=HelloMessage(PROTOCOL_V2, self.client_name, self.capabilities) if self.protocol >= 2 else None,
            token=self.token,
            now=time.monotonic(),
        )
        self._session = session
        log.info("connected to %s", where)
        self._set_state(CONNECTED)
        self.handlers.emit("connected")
        reason: str | None = None
        out = bytearray()
        writing = False
        sel = selectors.DefaultSelector()
        try:
            sel.register(sock, selectors.EVENT_READ)
            sel.register(wakeup.reader, selectors.EVENT_READ)
            last_rx = time.monotonic()
            while reason is None and not wakeup.stopped:
                if self._outbox:
                    with self._lock:
                        pending, self._outbox = self._outbox, []
                    for indices in pending:
                        if not session.select(indices):
                            log.debug("%s did not negotiate select; selection not sent", where)
                out += session.take_output()
                if out:
                    try:
                        del out[: sock.send(out)]
                    except (BlockingIOError, InterruptedError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                        pass
                    except (ConnectionResetError, BrokenPipeError):
                        reason = f"{where} closed the connection (reset)"
                        break
                    except OSError as exc:
                        reason = f"connection to {where} lost: {exc.strerror or exc}"
                        break
                if bool(out) != writing:
                    writing = bool(out)
                    mask = selectors.EVENT_READ | (selectors.EVENT_WRITE if writing else 0)
                    sel.modify(sock, mask)
                now = time.monotonic()
                dead_at = last_rx + self.heartbeat_timeout
                wake_at = session.deadline()
                due = dead_at if wake_at is None else min(dead_at, wake_at)
                if now >= due:
                    if now >= dead_at:
                        reason = (
                            f"no data from {where} for {self.heartbeat_timeout:g} s; "
                            "connection presumed dead, reconnecting"
                        )
                    else:
                        session.poll(now)
                    continue
                for key, mask in sel.select(due - now):
                    if key.fileobj is wakeup.reader:
                        wakeup.drain()
                    elif mask & selectors.EVENT_READ:
                        reason = self._receive(sock, session, where)
                        if reason is None:
                            last_rx = time.monotonic()
                        elif reason == "":
                            reason = None  # nothing to read after all
                        if session.fatal is not None:
                            self._fatal = True
                            reason = reason or session.fatal
                        if reason is not None or wakeup.stopped:
                            break
        finally:
            sel.close()
            sock.close()
        if session.fatal is not None:
            self.last_error = session.fatal
        if not wakeup.stopped:
            session.flush()  # a finished stage/fixtures change is still a valid configuration
        log.info("disconnected from %s%s", where, f": {reason}" if reason else "")
        if reason is not None and not wakeup.stopped and reason != session.fatal:
            self._report(reason)
        self.handlers.emit("disconnected")
        return session.configs > 0

    # ---------------------------------------------------------------- I/O helpers

    def _receive(self, sock: socket.socket, session: ClientSession, where: str) -> str | None:
        """Read what is there into the session: None on data, "" on nothing, else why the link ended."""
        got = False
        while True:
            try:
                data = sock.recv(RECV_SIZE)
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return None if got else ""
            except ssl.SSLError as exc:
                return f"connection to {where} lost: TLS error ({exc.reason or exc})"
            except ConnectionResetError:
                # A server that closes at once resets the connection our hello (or ack) went into.
                return f"{where} closed the connection (reset)"
            except OSError as exc:
                return f"connection to {where} lost: {exc.strerror or exc}"
            if not data:
                return f"{where} closed the connection"
            got = True
            session.receive(data, time.monotonic())
            if session.fatal is not None:
                return None
            # Decrypted bytes held inside the TLS layer never wake the selector.
            if not isinstance(sock, ssl.SSLSocket) or not sock.pending():
                return None

    def _tls(self, sock: socket.socket, wakeup: _Wakeup) -> socket.socket | None:
        """The TLS-wrapped socket after a non-blocking handshake, or None (reason reported)."""
        context = self.ssl_context
        assert context is not None
        where = self.address
        try:
            tls = context.wrap_socket(
                sock, server_hostname=self.host if context.check_hostname else None, do_handshake_on_connect=False
            )
        except (OSError, ValueError) as exc:
            sock.close()
            self._report(f"cannot start TLS with {where}: {exc}")
            return None
        deadline = time.monotonic() + self.connect_timeout
        with selectors.DefaultSelector() as sel:
            sel.register(wakeup.reader, selectors.EVENT_READ)
            sel.register(tls, selectors.EVENT_READ)
            while True:
                try:
                    tls.do_handshake()
                    return tls
                except ssl.SSLWantReadError:
                    sel.modify(tls, selectors.EVENT_READ)
                except ssl.SSLWantWriteError:
                    sel.modify(tls, selectors.EVENT_WRITE)
                except ssl.SSLCertVerificationError as exc:
                    tls.close()
                    self._fatal = True
                    self._report(
                        f"TLS certificate of {where} is not trusted ({exc.verify_message}); "
                        "give --tls-ca FILE, or --insecure to skip the check"
                    )
                    return None
                except (ssl.SSLError, OSError) as exc:
                    tls.close()
                    self._report(self._tls_failure(exc, where))
                    return None
                remaining = deadline - time.monotonic()
                if wakeup.stopped or remaining <= 0:
                    tls.close()
                    if not wakeup.stopped:
                        self._report(f"TLS handshake with {where} timed out after {self.connect_timeout:g} s")
                    return None
                sel.select(remaining)

    def _tls_failure(self, exc: BaseException, where: str) -> str:
        reason = str(getattr(exc, "reason", "") or "")
        if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                      "HTTP_REQUEST", "UNKNOWN_PROTOCOL") or "record layer" in str(exc):
            self._fatal = True
            return f"{where} does not speak TLS (it answered in plain text); connect without --tls"
        if isinstance(exc, ssl.SSLEOFError | ConnectionResetError) or "EOF" in str(exc):
            return f"{where} closed the connection during the TLS handshake"
        return f"TLS handshake with {where} failed: {reason or exc}"
