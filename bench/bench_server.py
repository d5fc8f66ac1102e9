"""Show Creator server speed and cost: connect latency, broadcast, idle CPU and memory.

(a) Connect to full config parsed, against a floor measured in the same run:
    the same bytes written by a trivial blocking accept-and-``sendall``
    thread and parsed with ``json.loads`` line by line.  A second pair of rows
    times delivery alone (all bytes in, no parsing) for both servers, which
    isolates what the server itself adds.
(b) ``update_config()`` to 100 connected clients: per-client latency from the
    call until that client holds the whole new config (its three lines),
    against a floor: the same encode followed by a blocking ``sendall`` to
    each client in turn.  The clients live in a separate process (one
    thread, a selector), as real visualizers would, so they do not share the
    server's GIL.  They frame lines but do not validate: 100 validating
    decoders on one machine would measure the clients, not the server.
(c) CPU (% of one core) and RSS of a server process, idle with 0 and with 100
    connected idle clients (heartbeat 5 s).

Run: ``python -m bench.bench_server [--quick]``.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.connection
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.common import Row, format_table, row
from bench.fixtures import make_config
from server import VisualizerTCPServer
from shared.protocol import FixturesMessage, GroupsMessage, MessageDecoder, StageMessage, serialize_full_config
from shared.show import ShowConfig, Stage

RECV = 1 << 20
ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- (a) connect latency


class _TrivialServer:
    """The floor: one thread that accepts and ``sendall``s the blob, blocking."""

    def __init__(self, blob: bytes, backlog: int = 16) -> None:
        self.blob = blob
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=backlog)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.sendall(self.blob)  # one at a time: a blocking server has no thread per client
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


def _client_decoder(port: int) -> float:
    """Connect, read until stage+fixtures+groups are decoded by MessageDecoder."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        decoder = MessageDecoder()
        got: set[type] = set()
        while len(got) < 3:
            data = s.recv(RECV)
            if not data:
                raise ConnectionError("server closed early")
            for m in decoder.feed(data):
                if isinstance(m, (StageMessage, FixturesMessage, GroupsMessage)):
                    got.add(type(m))
                elif isinstance(m, Exception):
                    raise m
        return time.perf_counter() - start


def _client_json(port: int) -> float:
    """Connect, split lines, ``json.loads`` each until three objects are parsed."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        buf = b""
        parsed = 0
        while parsed < 3:
            data = s.recv(RECV)
            if not data:
                raise ConnectionError("server closed early")
            buf += data
            *lines, buf = buf.split(b"\n")
            for line in lines:
                json.loads(line)
                parsed += 1
        return time.perf_counter() - start


def _client_bytes(port: int, size: int) -> float:
    """Connect and receive ``size`` bytes, no parsing: delivery alone."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        got = 0
        while got < size:
            data = s.recv(RECV)
            if not data:
                raise ConnectionError("server closed early")
            got += len(data)
        return time.perf_counter() - start


def _median(fn: Callable[[], float], runs: int) -> float:
    fn()  # warm-up
    return statistics.median(fn() for _ in range(runs))


def _connect_latency(quick: bool) -> list[Row]:
    rows: list[Row] = []
    for n in (8, 1_000, 10_000):
        runs = (3 if quick else 7) if n >= 10_000 else (5 if quick else 15)
        config = make_config(n)
        blob = serialize_full_config(config)
        ours_server = VisualizerTCPServer(config, "127.0.0.1", 0, 3600.0)
        ours_server.start()
        floor_server = _TrivialServer(blob)
        try:
            ours = _median(partial(_client_decoder, ours_server.port), runs)
            floor = _median(partial(_client_json, floor_server.port), runs)
            ours_raw = _median(partial(_client_bytes, ours_server.port, len(blob)), runs)
            floor_raw = _median(partial(_client_bytes, floor_server.port, len(blob)), runs)
        finally:
            ours_server.stop()
            floor_server.close()
        size = f"{len(blob) / 1e6:.2f} MB" if len(blob) > 1e5 else f"{len(blob) / 1e3:.1f} kB"
        rows.append(row(f"connect -> config parsed, {n:,} fixtures ({size}), ms", ours * 1e3, "ms",
                        floor * 1e3, "<= 1.5x trivial+json.loads" if n == 10_000 else "info"))
        rows.append(row(f"connect -> all bytes in, {n:,} fixtures, ms", ours_raw * 1e3, "ms",
                        floor_raw * 1e3, "info: delivery only, vs trivial sendall"))
    return rows


# ---------------------------------------------------------------- (b) broadcast


def _receiver(port: int, count: int, conn: multiprocessing.connection.Connection) -> None:
    """Child process: ``count`` clients; reports per-client completion times per config.

    A client has a config when it has received its three lines; it counts
    newlines in place (``recv_into`` one buffer) so the receiving side stays
    cheap next to the server it measures.
    """
    sel = selectors.DefaultSelector()
    lines: dict[socket.socket, int] = {}
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        lines[s] = 0
        sel.register(s, selectors.EVENT_READ, s)
    buf = bytearray(RECV)
    target = 3  # the config sent on connect
    done: dict[socket.socket, float] = {}
    while True:
        for key, _ in sel.select():
            s = key.data
            n = s.recv_into(buf)
            if not n:
                return
            lines[s] += buf.count(b"\n", 0, n)
            if lines[s] >= target and s not in done:
                done[s] = time.monotonic()
        if len(done) == count:
            if max(lines.values()) > target:
                conn.send("error: a client got more lines than one config")
                return
            conn.send(sorted(done.values()))
            done.clear()
            target += 3
            if not conn.poll(60) or conn.recv() == "stop":
                return


class _TrivialBroadcaster(_TrivialServer):
    """The floor for (b): encode, then ``sendall`` to each client in turn, blocking."""

    def __init__(self, config: ShowConfig) -> None:
        super().__init__(serialize_full_config(config), backlog=1024)

    def update_config(self, config: ShowConfig) -> None:
        blob = serialize_full_config(config)
        for conn in self.conns:
            conn.sendall(blob)

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


def _broadcast_latencies(port: int, publish: Callable[[ShowConfig], None], configs: list[ShowConfig],
                         clients: int) -> tuple[list[float], list[float]]:
    """Per-client latencies over every round, and the duration of each publish call."""
    ctx = multiprocessing.get_context("spawn")
    pipe, child = ctx.Pipe()
    proc = ctx.Process(target=_receiver, args=(port, clients, child), daemon=True)
    proc.start()

    def collect() -> list[float]:
        got = pipe.recv() if pipe.poll(60) else "timeout"
        if not isinstance(got, list):
            raise RuntimeError(f"receiver failed: {got!r}")
        return got

    latencies: list[float] = []
    calls: list[float] = []
    try:
        collect()  # everyone has the initial config
        for cfg in configs:
            pipe.send("go")
            time.sleep(0.02)  # let the receiver get back to its selector
            t0 = time.monotonic()
            publish(cfg)
            calls.append(time.monotonic() - t0)
            latencies.extend(t - t0 for t in collect())
        pipe.send("stop")
    finally:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
    return latencies, calls


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _broadcast(quick: bool) -> list[Row]:
    clients, n, rounds = 100, 1_000, 8 if quick else 30
    base = make_config(n)
    configs = [ShowConfig(Stage(base.stage.width + i, base.stage.height), base.fixtures, base.groups)
               for i in range(rounds + 1)]
    server = VisualizerTCPServer(configs[0], "127.0.0.1", 0, 3600.0)
    server.start()
    try:
        ours, calls = _broadcast_latencies(server.port, server.update_config, configs[1:], clients)
    finally:
        server.stop()
    trivial = _TrivialBroadcaster(configs[0])
    try:
        floor, _ = _broadcast_latencies(trivial.port, trivial.update_config, configs[1:], clients)
    finally:
        trivial.close()
    mb = len(serialize_full_config(base)) / 1e6
    what = f"update_config -> {clients} clients have it, {n:,} fixtures ({mb:.1f} MB)"
    return [
        row(f"update_config() call (encodes in caller), {n:,} fixtures", statistics.median(calls) * 1e3,
            "ms", None, "info"),
        row(f"{what}, median", statistics.median(ours) * 1e3, "ms", statistics.median(floor) * 1e3,
            "info: vs encode + sendall loop"),
        row(f"{what}, p99 of {len(ours)}", _p99(ours) * 1e3, "ms", _p99(floor) * 1e3, "< 50 ms"),
    ]


# ---------------------------------------------------------------- (c) idle CPU and memory

_SERVE = """
import sys
from server import VisualizerTCPServer
from shared.show import demo_show
server = VisualizerTCPServer(demo_show(), "127.0.0.1", 0, 5.0)
server.start()
print(server.port, flush=True)
sys.stdin.read()
server.stop()
"""


def _cpu_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid``, to the nanosecond where Linux tells us.

    psutil's figures come in 10 ms clock ticks: over a few seconds one tick is
    0.3 % of a core, too coarse for a 0.1 % target.  ``schedstat`` is exact.
    """
    tasks = Path(f"/proc/{pid}/task")
    if tasks.is_dir():
        total = 0
        for task in tasks.iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):  # a thread that just ended
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _cpu_percent(pid: int, seconds: float) -> float:
    before = _cpu_seconds(pid)
    start = time.monotonic()
    time.sleep(seconds)
    used = _cpu_seconds(pid) - before
    return 100.0 * used / (time.monotonic() - start)


def _idle(quick: bool) -> list[Row]:
    import psutil

    window = 2.0 if quick else 5.0  # one heartbeat period, so a heartbeat round is in the window
    child = subprocess.Popen([sys.executable, "-c", _SERVE], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    socks: list[socket.socket] = []
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        proc = psutil.Process(child.pid)
        time.sleep(0.5)  # let start-up finish
        cpu0 = _cpu_percent(child.pid, window)
        rss0 = proc.memory_info().rss
        size = 0
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", port))
            socks.append(s)
        for s in socks:  # read each client's config so nothing is pending
            s.settimeout(10)
            buf = b""
            while buf.count(b"\n") < 3:
                buf += s.recv(RECV)
            size = len(buf)
        time.sleep(0.5)
        cpu100 = _cpu_percent(child.pid, window)
        rss100 = proc.memory_info().rss
    finally:
        for s in socks:
            s.close()
        if child.stdin is not None:
            child.stdin.close()
        child.wait(10)
    return [
        row(f"server CPU idle, 0 clients ({window:g} s)", cpu0, "% core", None, "< 0.1 %"),
        row(f"server CPU idle, 100 clients, heartbeat 5 s ({window:g} s)", cpu100, "% core", None, "< 0.1 %"),
        row("server RSS, 0 clients", rss0 / 2**20, "MiB", None, "info"),
        row(f"server RSS, 100 idle clients (config {size / 1e3:.0f} kB)", rss100 / 2**20, "MiB",
            rss0 / 2**20, "info: vs 0 clients"),
    ]


def run(quick: bool = False) -> list[Row]:
    return _connect_latency(quick) + _broadcast(quick) + _idle(quick)


if __name__ == "__main__":
    print(format_table(run(quick="--quick" in sys.argv[1:])))
