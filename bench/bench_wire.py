"""Protocol 2 on the wire: deltas against full configurations, zlib frames against plain lines.

- bytes on the wire for a 10,000-fixture show (full v1, full in a zlib frame,
  a delta for one moved fixture);
- CPU on both ends: the server's encode (+ compress, + diff) and the
  client's decode (+ inflate, + apply) through the real ``ClientSession``;
- time to deliver the 10,000-fixture show over a simulated 100 Mbit/s link:
  a real server, a rate-limited loopback proxy (below), a real client,
  plain v1 against v2 with zlib.

Baselines are the v1 full configuration.  Run: ``python -m bench.bench_wire``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from functools import partial

from bench.common import Row, format_table, median_time, row
from bench.fixtures import make_config
from server import VisualizerTCPServer
from shared.protocol import encode_message, serialize_full_config
from shared.protocol.delta import apply_delta, compute_delta
from shared.protocol.extensions import Revision
from shared.protocol.frames import encode_frame
from shared.show import ShowConfig
from shared.show.model import Vec3
from visualizer.tcp import Handlers, VisualizerTCPClient
from visualizer.tcp.session import ClientSession

LINK_BYTES_PER_S = 100e6 / 8  # 100 Mbit/s


def _moved(config: ShowConfig, index: int) -> ShowConfig:
    fixtures = list(config.fixtures)
    f = fixtures[index]
    fixtures[index] = f.replace(position=Vec3(f.position.x + 0.25, f.position.y, f.position.z))
    return ShowConfig(config.stage, tuple(fixtures), config.groups)


class ThrottledProxy:
    """Loopback TCP proxy: server-to-client bytes limited to ``rate`` bytes/s, the other way unlimited.

    A token bucket over 16 KiB chunks, so the link behaves like a slow
    network rather than a fast one with pauses.
    """

    def __init__(self, upstream_port: int, rate: float) -> None:
        self.rate = rate
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.socks: list[socket.socket] = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()

    def _accept(self) -> None:
        while True:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            up = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.socks += [down, up]
            for src, dst, limit in ((up, down, True), (down, up, False)):
                t = threading.Thread(target=self._pump, args=(src, dst, limit), daemon=True)
                t.start()
                self.threads.append(t)

    def _pump(self, src: socket.socket, dst: socket.socket, limit: bool) -> None:
        due = time.perf_counter()
        try:
            while True:
                data = src.recv(16384)
                if not data:
                    break
                if limit:
                    due = max(due, time.perf_counter()) + len(data) / self.rate
                    delay = due - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()
        for s in self.socks:
            with contextlib.suppress(OSError):
                s.close()


def _deliver(server: VisualizerTCPServer, **client_options: object) -> float:
    """Seconds from connect() to the parsed configuration, through a 100 Mbit/s proxy."""
    proxy = ThrottledProxy(server.port, LINK_BYTES_PER_S)
    done = threading.Event()
    client = VisualizerTCPClient("127.0.0.1", proxy.port, reconnect=False, **client_options)  # type: ignore[arg-type]
    client.on_config(lambda _c: done.set())
    start = time.perf_counter()
    client.connect()
    if not done.wait(60):
        raise RuntimeError("no configuration within 60 s")
    elapsed = time.perf_counter() - start
    client.disconnect()
    proxy.close()
    return elapsed


def _decode(data: bytes, frames: bool) -> None:
    session = ClientSession(Handlers())
    session.decoder.frames_enabled = frames
    session.receive(data)
    assert session.configs == 1 or session.messages >= 3


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    repeat = 3 if quick else 7
    n = 10_000
    config = make_config(n)
    new = _moved(config, n // 2)
    full = serialize_full_config(config)
    framed1 = encode_frame(full, 1)
    framed6 = encode_frame(full, 6)
    delta_line = encode_message(compute_delta(config, new, Revision("b", 1), Revision("b", 2)))
    size = len(full)
    rows.append(row(f"wire bytes, full config {n:,} fixtures, v1 lines", size / 1e6, "MB", None, "info"))
    rows.append(row("wire bytes, full config, zlib frame level 1", len(framed1) / 1e6, "MB", size / 1e6,
                    "info: vs plain"))
    rows.append(row("wire bytes, full config, zlib frame level 6", len(framed6) / 1e6, "MB", size / 1e6,
                    "info: vs plain"))
    rows.append(row("wire bytes, one fixture moved, delta", len(delta_line), "B", size,
                    "< 1 kB (vs full resend)"))

    # Server CPU.
    encode = median_time(partial(serialize_full_config, config), repeat)
    compress1 = median_time(partial(encode_frame, full, 1), repeat)
    compress6 = median_time(partial(encode_frame, full, 6), max(1, repeat // 2))
    diff = median_time(
        lambda: encode_message(compute_delta(config, new, Revision("b", 1), Revision("b", 2))), repeat
    )
    rows.append(row("server encode full config, ms", encode * 1e3, "ms", None, "info"))
    rows.append(row("server + zlib level 1 (once per change), ms", compress1 * 1e3, "ms", encode * 1e3,
                    "info: vs encode"))
    rows.append(row("server + zlib level 6, ms", compress6 * 1e3, "ms", encode * 1e3, "info: vs encode"))
    rows.append(row("server diff + encode delta, one moved, ms", diff * 1e3, "ms", encode * 1e3,
                    "info: vs full encode"))

    # Client CPU (the real session: inflate, decode, validate, assemble).
    plain = median_time(partial(_decode, full, False), repeat)
    inflated = median_time(partial(_decode, framed1, True), repeat)
    delta_msg = compute_delta(config, new, Revision("b", 1), Revision("b", 2))
    apply = median_time(partial(apply_delta, config, delta_msg), repeat)
    rows.append(row("client decode full config, plain, ms", plain * 1e3, "ms", None, "info"))
    rows.append(row("client inflate + decode, zlib frame, ms", inflated * 1e3, "ms", plain * 1e3,
                    "info: vs plain"))
    rows.append(row("client apply delta, one moved, ms", apply * 1e3, "ms", plain * 1e3, "info: vs full decode"))

    # Delivery over a simulated 100 Mbit/s link.
    server = VisualizerTCPServer(config, "127.0.0.1", 0, heartbeat_interval=5.0)
    server.start()
    try:
        runs = 1 if quick else 3
        v1 = min(_deliver(server) for _ in range(runs))
        z = min(_deliver(server, protocol=2, capabilities=("revision", "zlib")) for _ in range(runs))
    finally:
        server.stop()
    rows.append(row(f"deliver {n:,} fixtures over 100 Mbit/s, v1 plain, s", v1, "s", None,
                    f"info: {size / LINK_BYTES_PER_S:.2f} s of bytes"))
    rows.append(row(f"deliver {n:,} fixtures over 100 Mbit/s, v2 zlib, s", z, "s", v1, "info: vs v1 plain"))
    return rows


if __name__ == "__main__":
    print(format_table(run()))
