"""Loopback test helpers: a raw line-reading client and a thread-safe event log.

The raw client is deliberately dumb (a plain socket, no protocol library), so
the tests check the bytes a real visualizer sees.
"""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.show import Fixture, Group, Orientation, ShowConfig, Stage, Vec3

TIMEOUT = 5.0  # upper bound for anything that should take milliseconds


class RawClient:
    """A blocking-free TCP client that reads newline-ended lines with a deadline."""

    def __init__(self, port: int, host: str = "127.0.0.1", *, rcvbuf: int | None = None) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            # Before connect, so the advertised window is small from the start.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.connect((host, port))
        sock.setblocking(False)
        self.sock = sock
        self.buf = bytearray()
        self.eof = False
        local_host, local_port = sock.getsockname()[:2]
        #: This client as the server names it: ``127.0.0.1:PORT``.
        self.address = f"{local_host}:{local_port}"

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no data from the server in time")
        poller = select.poll()  # not select(): test processes may hold fds above 1024
        poller.register(self.sock, select.POLLIN)
        if not poller.poll(remaining * 1000):
            raise TimeoutError("no data from the server in time")
        try:
            data = self.sock.recv(1 << 20)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            raise EOFError("server closed the connection")
        self.buf += data

    def read_line(self, timeout: float = TIMEOUT) -> bytes:
        """The next line, newline included."""
        deadline = time.monotonic() + timeout
        start = 0
        while True:
            nl = self.buf.find(b"\n", start)
            if nl >= 0:
                line = bytes(self.buf[: nl + 1])
                del self.buf[: nl + 1]
                return line
            start = len(self.buf)
            self._fill(deadline)

    def read_bytes(self, n: int, timeout: float = TIMEOUT) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            self._fill(deadline)
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def read_message(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        message = json.loads(self.read_line(timeout))
        assert isinstance(message, dict)
        return message

    def read_until(self, msg_type: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message of ``msg_type``, skipping others (heartbeats...)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.read_message(max(0.0, deadline - time.monotonic()))
            if message.get("type") == msg_type:
                return message

    def read_config(self, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        """The next stage, fixtures and groups messages, skipping anything before them."""
        deadline = time.monotonic() + timeout
        stage = self.read_until("stage", timeout)
        rest = [self.read_message(max(0.0, deadline - time.monotonic())) for _ in range(2)]
        assert [m["type"] for m in rest] == ["fixtures", "groups"]
        return [stage, *rest]

    def wait_closed(self, timeout: float = TIMEOUT) -> None:
        """Read (and discard) until the server closes the connection."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            try:
                self._fill(deadline)
            except EOFError:
                return
            self.buf.clear()

    def send(self, data: bytes) -> None:
        self.sock.setblocking(True)
        try:
            self.sock.sendall(data)
        finally:
            self.sock.setblocking(False)

    def close(self) -> None:
        self.sock.close()


class Events:
    """Callback recorder: ``(kind, text, thread id)`` tuples, with waiting."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, int]] = []
        self._cond = threading.Condition()

    def recorder(self, kind: str) -> Callable[[str], None]:
        def record(text: str) -> None:
            with self._cond:
                self.items.append((kind, text, threading.get_ident()))
                self._cond.notify_all()

        return record

    def texts(self, kind: str) -> list[str]:
        with self._cond:
            return [t for k, t, _ in self.items if k == kind]

    def wait_for(self, kind: str, text: str | None = None, timeout: float = TIMEOUT) -> float:
        """Wait until an event of ``kind`` (with ``text``) was recorded; returns seconds waited."""
        start = time.monotonic()
        with self._cond:
            ok = self._cond.wait_for(
                lambda: any(k == kind and (text is None or t == text) for k, t, _ in self.items), timeout
            )
        assert ok, f"no {kind} event {text or ''} within {timeout} s; got {self.items}"
        return time.monotonic() - start


def big_config(n: int, width: float = 20.0) -> ShowConfig:
    """``n`` fixtures of realistic size (channel mapping, orientation), about 400 bytes each."""
    names = ["dimmer", "red", "green", "blue", "white", "shutter", "pan", "tilt", "zoom", "focus"]
    functions = dict(enumerate(names))
    fixtures = tuple(
        Fixture(
            name=f"Fixture {i + 1}",
            manufacturer="Eurolite",
            model="LED PAR-64 RGBW",
            mode="10 Channel",
            universe=1 + i // 51,
            address=1 + (i % 51) * 10,
            position=Vec3(float(i % 100) * 0.2, float(i // 100) * 0.2, 4.0),
            orientation=Orientation("hanging", 0.0, -30.0, 0.0),
            fixture_type="PAR",
            beam_angle=25.0,
            channel_mapping=functions,
        )
        for i in range(n)
    )
    groups = (Group("All", "#FF0000", tuple(f.name for f in fixtures[:100])),)
    return ShowConfig(Stage(width, 10.0, 0.5), fixtures, groups)


def addr_re(host: str = "127.0.0.1") -> re.Pattern[str]:
    return re.compile(re.escape(host) + r":(\d+)")


ROOT = Path(__file__).resolve().parents[2]
SERVING_RE = re.compile(r'Serving "(?P<name>[^"]*)" \((?P<fixtures>\d+) fixtures, (?P<groups>\d+) groups\) '
                        r"on (?P<host>[^ ]+):(?P<port>\d+)$")


class CliProcess:
    """``python -m server`` as a subprocess, its stderr collected line by line."""

    def __init__(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server", *args],
            cwd=cwd or ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._done = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def wait_line(self, pattern: str, timeout: float = 10.0, count: int = 1) -> re.Match[str]:
        """The ``count``-th stderr line matching ``pattern`` (a regex)."""
        regex = re.compile(pattern)

        def found() -> list[re.Match[str]]:
            return [m for m in map(regex.search, self.lines) if m]

        with self._cond:
            self._cond.wait_for(lambda: len(found()) >= count or self._done, timeout)
            matches = found()
        assert len(matches) >= count, f"no line matching {pattern!r} in:\n" + "\n".join(self.lines)
        return matches[count - 1]

    def wait_serving(self, timeout: float = 10.0) -> int:
        return int(self.wait_line(SERVING_RE.pattern, timeout)["port"])

    def wait_exit(self, timeout: float = 10.0) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        return code

    def matching(self, pattern: str) -> list[str]:
        with self._cond:
            return [line for line in self.lines if re.search(pattern, line)]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
