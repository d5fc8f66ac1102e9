"""Protocol codec speed: our decoder and encoder against the stdlib json module.

The decoder does more than ``json.loads`` (framing, validation, building the
model), so ``json.loads`` of the same lines is the floor to compare with.
Run: ``python -m bench.bench_protocol``.
"""

from __future__ import annotations

import json
from functools import partial

from bench.common import Row, format_table, median_time, row
from bench.fixtures import make_config
from shared.protocol import MessageDecoder, serialize_full_config
from shared.protocol.encode import message_to_dict
from shared.protocol.messages import FixturesMessage, GroupsMessage, StageMessage
from shared.show.model import ShowConfig

CHUNK = 64 * 1024


def _decode(blob: bytes) -> None:
    decoder = MessageDecoder()
    for i in range(0, len(blob), CHUNK):
        decoder.feed(blob[i : i + CHUNK])


def _json_floor(lines: list[bytes]) -> None:
    for line in lines:
        json.loads(line)


def _json_encode(config: ShowConfig) -> bytes:
    # What a straightforward implementation would do: json.dumps each message.
    parts = [
        json.dumps(message_to_dict(m)).encode() + b"\n"
        for m in (StageMessage(config.stage), FixturesMessage(config.fixtures), GroupsMessage(config.groups))
    ]
    return b"".join(parts)


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    repeat = 3 if quick else 9
    for n in (1_000, 10_000):
        config = make_config(n)
        blob = serialize_full_config(config)
        lines = blob.splitlines()
        ours = median_time(partial(_decode, blob), repeat)
        floor = median_time(partial(_json_floor, lines), repeat)
        mb = len(blob) / 1e6
        rows.append(row(f"decode full config, {n:,} fixtures ({mb:.1f} MB), ms", ours * 1e3, "ms",
                        floor * 1e3, "<= 1.3x json.loads"))
        rows.append(row(f"decode throughput, {n:,} fixtures", mb / ours, "MB/s", None))
        enc = median_time(partial(serialize_full_config, config), repeat)
        enc_json = median_time(partial(_json_encode, config), repeat)
        rows.append(row(f"encode full config, {n:,} fixtures, ms", enc * 1e3, "ms", enc_json * 1e3,
                        "< 1x json.dumps"))
    return rows


if __name__ == "__main__":
    print(format_table(run()))
