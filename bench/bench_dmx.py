"""Live DMX receive: 64 and 256 universes of Art-Net at 44 Hz into ``DmxState``.

Per receive scenario, side by side in the same run, each in its own process
(so the CPU figure is the receiver's alone):

- *ours*: ``DmxReceiver`` (selector thread, ``recvfrom_into``, parse, merge,
  numpy row update) on loopback;
- *floor*: a bare blocking ``recv_into`` loop on the same packets.

A third process sends the packets, paced evenly over each 1/44 s frame, with
its send time (``time.monotonic_ns``) in the first eight channels.  Figures:
packets dropped (sent − received), receiver CPU as % of one core, and
latency from arrival (just after ``recvfrom_into`` returned) to the updated
state, median and p99; plus send → state against the floor's send → recv.

Then the whole per-frame path with 5,000 fixtures whose DMX changes every
frame (``_live_scene``, needs a display: ``make bench`` uses Xvfb).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import socket
import statistics
import struct
import threading
import time
from typing import Any

import numpy as np

from bench.common import Row, row
from shared.dmx import artnet

RATE_HZ = 44
CHUNK = 8  # packets sent back to back before pacing again


def _sender(port: int, universes: int, seconds: float, conn: multiprocessing.connection.Connection) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    frames = [bytearray(artnet.build_dmx(u, bytes(512), 0)) for u in range(universes)]
    total = int(seconds * RATE_HZ) * universes
    interval = 1.0 / (RATE_HZ * universes)
    start = time.monotonic()
    sent = 0
    seq = 1
    while sent < total:
        due = start + sent * interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for _ in range(min(CHUNK, total - sent)):
            pkt = frames[sent % universes]
            pkt[12] = seq
            struct.pack_into("<q", pkt, 18, time.monotonic_ns())
            sock.sendto(pkt, ("127.0.0.1", port))
            sent += 1
            if sent % universes == 0:
                seq = artnet.next_sequence(seq)
    sock.close()
    conn.send(sent)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _ours(universes: int, conn: multiprocessing.connection.Connection) -> None:
    from shared.dmx.state import DmxState
    from visualizer.dmx.receiver import DmxReceiver

    state = DmxState(range(1, universes + 1))
    receiver = DmxReceiver(state, artnet_bind="127.0.0.1", artnet_port=0, sacn_enabled=False)
    arrival: list[float] = []
    send_lat: list[float] = []

    def hook(protocol: str, data: memoryview, now: float) -> None:
        done = time.monotonic_ns()
        arrival.append(done / 1e9 - now)
        send_lat.append((done - struct.unpack_from("<q", data, 18)[0]) / 1e9)

    receiver.after_packet = hook
    assert receiver.start() == []
    conn.send(receiver.port("Art-Net"))
    conn.recv()  # begin
    cpu0, wall0 = _cpu(), time.monotonic()
    conn.recv()  # end
    cpu, wall = _cpu() - cpu0, time.monotonic() - wall0
    received = state.received
    receiver.stop()
    conn.send({"received": received, "cpu": cpu / wall, "arrival": arrival, "send": send_lat})


def _floor(universes: int, conn: multiprocessing.connection.Connection) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()
    counts = [0]
    send_lat: list[float] = []

    def loop() -> None:
        buf = bytearray(2048)
        while not stop.is_set():
            try:
                sock.recv_into(buf)
            except TimeoutError:
                continue
            counts[0] += 1
            send_lat.append((time.monotonic_ns() - struct.unpack_from("<q", buf, 18)[0]) / 1e9)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    conn.send(sock.getsockname()[1])
    conn.recv()
    cpu0, wall0 = _cpu(), time.monotonic()
    conn.recv()
    cpu, wall = _cpu() - cpu0, time.monotonic() - wall0
    stop.set()
    thread.join()
    conn.send({"received": counts[0], "cpu": cpu / wall, "arrival": [], "send": send_lat})


def _scenario(target: Any, universes: int, seconds: float) -> tuple[int, dict[str, Any]]:
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    proc = ctx.Process(target=target, args=(universes, there), daemon=True)
    proc.start()
    port = here.recv()
    s_here, s_there = ctx.Pipe()
    sender = ctx.Process(target=_sender, args=(port, universes, seconds, s_there), daemon=True)
    here.send("begin")
    sender.start()
    sent = s_here.recv()
    sender.join()
    time.sleep(0.3)  # let the last packets through before the books close
    here.send("end")
    result: dict[str, Any] = here.recv()
    proc.join(5)
    return sent, result


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _live_scene(n: int, duration: float) -> tuple[float, float, float]:
    """(fps, fps baseline, ms of GUI-side DMX work per frame) with every fixture's DMX changing each frame.

    Each frame: one ArtDmx per universe into a ``DmxState`` (new levels), then
    what ``DmxController.tick`` does -- snapshot, ``RigEvaluator.evaluate``,
    ``set_fixture_colors`` -- and a painted, finished frame.  Baseline: the same
    scene recoloured from precomputed arrays (bench_render's loop), same run.
    """
    from PyQt6 import QtWidgets

    from bench.bench_render import _app, _close, _finish, _fps, _scene_fps, _show
    from bench.fixtures import make_config
    from shared.dmx.state import DmxState
    from shared.dmx.universes import show_universes
    from visualizer.light.evaluate import RigEvaluator
    from visualizer.render import StageScene

    _app()
    app = QtWidgets.QApplication.instance()
    assert app is not None
    config = make_config(n)
    universes = show_universes(config)
    state = DmxState(universes)
    evaluator = RigEvaluator(config)
    rng = np.random.default_rng(3)
    frames = [[artnet.build_dmx(u - 1, rng.integers(0, 256, 512, dtype=np.uint8).tobytes()) for u in universes]
              for _ in range(8)]
    scene = StageScene()
    _show(scene)
    scene.set_config(config)
    work: list[float] = []

    def step(i: int) -> None:
        now = time.monotonic()
        for packet in frames[i % len(frames)]:
            state.receive_artnet(packet, "127.0.0.1:6454", now)
        t0 = time.perf_counter()
        snap = state.snapshot(now)
        look = evaluator.evaluate(snap.levels, snap.rows, snap.fresh, now)
        colors = np.zeros((n, 4), np.float32)
        colors[look.live, :3] = look.color[look.live]
        colors[look.live, 3] = 1.0
        scene.set_fixture_colors(colors)
        work.append(time.perf_counter() - t0)
        scene.update()
        app.processEvents()
        _finish(scene)

    fps = _fps(step, duration)
    _close(scene)
    baseline, _ = _scene_fps(config, duration)
    return fps, baseline, statistics.median(work) * 1e3


def run(quick: bool = False) -> list[Row]:
    seconds = 2.0 if quick else 5.0
    rows: list[Row] = []
    for universes, cpu_target in ((64, 15), (256, 40)):
        pps = universes * RATE_HZ
        sent, ours = _scenario(_ours, universes, seconds)
        sent_f, floor = _scenario(_floor, universes, seconds)
        label = f"DMX {universes} universes @ 44 Hz ({pps:,} pkt/s)"
        dropped = sent - ours["received"]
        dropped_f = sent_f - floor["received"]
        rows.append(row(f"{label}: packets dropped of {sent:,} [floor: of {sent_f:,}]", dropped, "pkt",
                        dropped_f or None, "0"))
        rows.append(row(f"{label}: receiver CPU [vs bare recv_into]", ours["cpu"] * 100, "% core",
                        floor["cpu"] * 100, f"< {cpu_target} %"))
        rows.append(row(f"{label}: arrival -> state, median", statistics.median(ours["arrival"]) * 1e3, "ms",
                        None, "info"))
        rows.append(row(f"{label}: arrival -> state, p99", _p(ours["arrival"], 0.99) * 1e3, "ms", None, "< 2 ms"))
        rows.append(row(f"{label}: send -> state p99 [vs send -> recv_into]", _p(ours["send"], 0.99) * 1e3, "ms",
                        _p(floor["send"], 0.99) * 1e3, "info"))
    # GL last: the receive scenarios fork, which is safer before Qt and GL threads exist.
    fps, baseline, work_ms = _live_scene(5_000, 2.0 if quick else 4.0)
    rows.append(row("live DMX, 5k fixtures all changing: scene fps [vs precomputed colours]", fps, "fps", baseline,
                    ">= 30 fps"))
    rows.append(row("live DMX, 5k fixtures: snapshot + evaluate + set colours per frame", work_ms, "ms", None,
                    "info (evaluate < 2 ms)"))
    return rows
