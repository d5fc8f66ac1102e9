"""Visualizer client speed: decode + dispatch against plain ``json.loads``.

Bytes go through exactly what the client runs per connection (``ClientSession``:
``MessageDecoder`` framing and validation, building the model, assembling the
``ShowConfig``, calling subscribers, queueing the ack), fed in 64 KiB chunks as
a socket would deliver them, minus the socket.  ``json.loads`` of the same lines,
in the same run, is the floor: it only parses and builds dicts.
Run: ``python -m bench.bench_client``.
"""

from __future__ import annotations

import json
from functools import partial

from bench.common import Row, format_table, median_time, row
from bench.fixtures import make_config
from shared.protocol import HeartbeatMessage, encode_message, serialize_full_config
from shared.show import ShowConfig, Vec3
from visualizer.tcp import ClientSession, Handlers, ShowState

CHUNK = 64 * 1024


def _client(blob: bytes) -> int:
    handlers = Handlers()
    configs: list[ShowConfig] = []
    beats: list[float | None] = []
    handlers.on_config(configs.append)
    handlers.on_heartbeat(beats.append)
    session = ClientSession(handlers)
    for i in range(0, len(blob), CHUNK):
        session.receive(blob[i : i + CHUNK])
    if session.errors:
        raise AssertionError(f"{session.errors} protocol errors in benchmark input")
    return session.messages


def _json_floor(lines: list[bytes]) -> None:
    for line in lines:
        json.loads(line)


def _moved(config: ShowConfig) -> ShowConfig:
    """The same rig with one fixture moved: the common edit."""
    f = config.fixtures[len(config.fixtures) // 2]
    moved = f.replace(position=Vec3(f.position.x + 1.0, f.position.y, f.position.z))
    fixtures = list(config.fixtures)
    fixtures[len(fixtures) // 2] = moved
    return ShowConfig(config.stage, tuple(fixtures), config.groups)


def _apply_pair(a: ShowConfig, b: ShowConfig) -> None:
    state = ShowState(a)
    diff = state.apply(b)
    if len(diff.changed_fixtures) != 1:
        raise AssertionError(diff)


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    repeat = 3 if quick else 9
    for n in (1_000, 10_000):
        config = make_config(n)
        blob = serialize_full_config(config)
        lines = blob.splitlines()
        messages = _client(blob)
        ours = median_time(partial(_client, blob), repeat)
        floor = median_time(partial(_json_floor, lines), repeat)
        mb = len(blob) / 1e6
        rows.append(row(f"client decode+dispatch, {n:,} fixtures ({mb:.1f} MB), ms", ours * 1e3, "ms",
                        floor * 1e3, "<= 1.3x json.loads"))
        rows.append(row(f"client throughput, {n:,} fixtures", mb / ours, "MB/s", mb / floor,
                        ">= 0.77x json.loads"))
        rows.append(row(f"client messages/s, {n:,}-fixture configs", messages / ours, "msg/s",
                        len(lines) / floor))
    beats = 20_000 if quick else 100_000
    blob = b"".join(encode_message(HeartbeatMessage(1764237600.0 + i)) for i in range(beats))
    lines = blob.splitlines()
    ours = median_time(partial(_client, blob), repeat)
    floor = median_time(partial(_json_floor, lines), repeat)
    rows.append(row(f"client heartbeats, {beats:,} small messages, ms", ours * 1e3, "ms", floor * 1e3,
                    "info: per-message overhead"))
    rows.append(row("client heartbeat messages/s", beats / ours, "msg/s", beats / floor))
    big = make_config(10_000)
    moved = _moved(big)
    rebuild = median_time(partial(ShowState, moved), repeat)
    diff = median_time(partial(_apply_pair, big, moved), repeat)
    rows.append(row("ShowState.apply diff, 10,000 fixtures, one moved, ms", diff * 1e3, "ms",
                    rebuild * 1e3, "info: vs first apply (no diff)"))
    return rows


if __name__ == "__main__":
    print(format_table(run()))
