"""Encoder speed: ``serialize_full_config`` against the stdlib json module.

What a straightforward implementation would do (``json.dumps`` of each
message) is the baseline.  Decoding is measured through the client's whole
dispatch path in ``bench_client``.  Run: ``python -m bench.bench_protocol``.
"""

from __future__ import annotations

import json
from functools import partial

from bench.common import Row, format_table, median_time, row
from bench.fixtures import make_config
from shared.protocol import serialize_full_config
from shared.protocol.encode import message_to_dict
from shared.protocol.messages import FixturesMessage, GroupsMessage, StageMessage
from shared.show.model import ShowConfig


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
        enc = median_time(partial(serialize_full_config, config), repeat)
        enc_json = median_time(partial(_json_encode, config), repeat)
        rows.append(row(f"encode full config, {n:,} fixtures, ms", enc * 1e3, "ms", enc_json * 1e3,
                        "< 1x json.dumps"))
    return rows


if __name__ == "__main__":
    print(format_table(run()))
