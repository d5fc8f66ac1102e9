"""Loopback fakes for client tests: a scriptable TCP server and an event recorder.

Helpers are handed out through fixtures (not imported) so these tests do not
depend on how pytest puts test directories on ``sys.path``.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.protocol import serialize_full_config
from shared.show import demo_show
from visualizer.tcp import VisualizerTCPClient

TIMEOUT = 5.0  # generous upper bound for anything that should take milliseconds


class Peer:
    """The server's end of one accepted connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_bytewise(self, data: bytes, sizes: tuple[int, ...] = (1,)) -> None:
        """Write ``data`` in tiny pieces (cycling through ``sizes``), each its own segment."""
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        view, i, k, send = memoryview(data), 0, 0, self.sock.sendall
        while i < len(view):
            n = sizes[k % len(sizes)]
            send(view[i : i + n])
            i += n
            k += 1

    def readline(self, timeout: float = TIMEOUT) -> bytes:
        """One line sent by the client (without newline); TimeoutError if none."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no line from client")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                raise TimeoutError("no line from client") from None
            if not chunk:
                raise EOFError("client closed the connection")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def wait_closed(self, timeout: float = TIMEOUT) -> bool:
        """True once the client has closed its end."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return False
            except OSError:
                return True
            if not chunk:
                return True
            self._buf += chunk
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class FakeServer:
    """A loopback listener that accepts in a thread and queues the peers.

    ``greeting`` is sent to every new peer at once (e.g. a full config).
    ``listen=False`` binds the port without listening, so connections are
    refused until :meth:`listen` is called: a race-free "server not up yet".
    """

    def __init__(
        self,
        greeting: bytes = b"",
        *,
        port: int = 0,
        listen: bool = True,
        on_accept: Callable[[Peer], None] | None = None,
    ) -> None:
        self.greeting = greeting
        self.on_accept = on_accept
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port: int = self.sock.getsockname()[1]
        self.peers: list[Peer] = []
        self._cond = threading.Condition()
        self._taken = 0
        self._stop_r, self._stop_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        if listen:
            self.listen()

    def listen(self) -> None:
        self.sock.listen(16)
        self._thread = threading.Thread(target=self._accept_loop, name="fake-server", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self.sock, selectors.EVENT_READ)
            sel.register(self._stop_r, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    if key.fileobj is self._stop_r:
                        return
                    conn, _addr = self.sock.accept()
                    peer = Peer(conn)
                    # Count the peer before greeting it: a client that has the
                    # greeting must find itself counted.
                    with self._cond:
                        self.peers.append(peer)
                        self._cond.notify_all()
                    if self.greeting:
                        with contextlib.suppress(OSError):
                            peer.send(self.greeting)
                    if self.on_accept is not None:
                        self.on_accept(peer)

    def accept(self, timeout: float = TIMEOUT) -> Peer:
        """The next peer not yet handed out, waiting for it to connect."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.peers) > self._taken, timeout):
                raise TimeoutError("no client connected")
            self._taken += 1
            return self.peers[self._taken - 1]

    @property
    def accepted(self) -> int:
        with self._cond:
            return len(self.peers)

    def stop(self) -> None:
        """Stop accepting and close every connection (like a server process exiting)."""
        with contextlib.suppress(OSError):
            self._stop_w.send(b"x")
        if self._thread is not None:
            self._thread.join(TIMEOUT)
            self._thread = None
        for peer in self.peers:
            peer.close()
        for s in (self.sock, self._stop_r, self._stop_w):
            s.close()


class Recorder:
    """Every event a client fires, in order, with waiting helpers."""

    def __init__(self, client: VisualizerTCPClient) -> None:
        self.events: list[tuple[str, tuple[Any, ...], str]] = []  # (event, args, thread name)
        self._cond = threading.Condition()
        for name in (
            "message", "stage", "fixtures", "groups", "update", "heartbeat", "ack", "unknown",
            "config", "state", "error", "connected", "disconnected",
        ):
            client.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            with self._cond:
                self.events.append((name, args, threading.current_thread().name))
                self._cond.notify_all()

        return record

    def of(self, name: str) -> list[tuple[Any, ...]]:
        with self._cond:
            return [args for event, args, _ in self.events if event == name]

    def count(self, name: str) -> int:
        return len(self.of(name))

    def wait(self, name: str, n: int = 1, timeout: float = TIMEOUT) -> tuple[Any, ...]:
        """Wait until ``name`` has fired ``n`` times in all; returns the args of the n-th."""
        with self._cond:
            ok = self._cond.wait_for(
                lambda: sum(1 for e, _, _ in self.events if e == name) >= n, timeout
            )
            if not ok:
                seen = [(e, a) for e, a, _ in self.events if e not in ("message",)]
                raise TimeoutError(f"{name!r} did not fire {n} time(s); saw {seen[-12:]}")
            return [args for event, args, _ in self.events if event == name][n - 1]

    def wait_state(self, state: str, timeout: float = TIMEOUT) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: (state,) in self.of_unlocked("state"), timeout):
                raise TimeoutError(f"state {state!r} not reached; states {self.of_unlocked('state')}")

    def of_unlocked(self, name: str) -> list[tuple[Any, ...]]:
        return [args for event, args, _ in self.events if event == name]

    def states(self) -> list[str]:
        return [args[0] for args in self.of("state")]


@pytest.fixture
def demo_bytes() -> bytes:
    return serialize_full_config(demo_show())


@pytest.fixture
def fake_server() -> Iterator[Callable[..., FakeServer]]:
    servers: list[FakeServer] = []

    def make(*args: Any, **kwargs: Any) -> FakeServer:
        server = FakeServer(*args, **kwargs)
        servers.append(server)
        return server

    yield make
    for server in servers:
        with contextlib.suppress(OSError):
            server.stop()


@pytest.fixture
def make_client() -> Iterator[Callable[..., tuple[VisualizerTCPClient, Recorder]]]:
    """Clients with fast defaults for tests; all disconnected at teardown."""
    clients: list[VisualizerTCPClient] = []

    def make(port: int, **kwargs: Any) -> tuple[VisualizerTCPClient, Recorder]:
        options: dict[str, Any] = {"backoff_initial": 0.05, "backoff_max": 0.2, "connect_timeout": 2.0}
        options.update(kwargs)
        client = VisualizerTCPClient("127.0.0.1", port, **options)
        clients.append(client)
        return client, Recorder(client)

    yield make
    for client in clients:
        assert client.disconnect(), f"{client!r} did not stop"
