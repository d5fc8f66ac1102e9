"""Odd optional values travel unchanged (docs/PROTOCOL.md, strict and lenient fields), so the
encoder meets whatever a JSON show file holds: integers past 64 bits (orjson refuses them) and
NaN / Infinity (json.loads reads them; the ASCII fallback for non-ASCII lines refused them).
Either crashed ``show-creator --show`` at start with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.server.helpers import CliProcess, RawClient

FIXTURE = {"name": "Bühne 1", "universe": 1, "address": 1, "position": {"x": 0, "y": 0, "z": 5}}


def serve(tmp_path: Path, text: str, procs: list[CliProcess]) -> list[dict[str, object]]:
    path = tmp_path / "show.json"
    path.write_text(text, "utf-8")
    proc = CliProcess("--headless", "--host", "127.0.0.1", "--port", "0", "--no-advertise", "--show", str(path))
    procs.append(proc)
    client = RawClient(proc.wait_serving())
    try:
        return client.read_config()
    finally:
        client.close()


def test_integers_past_64_bits_are_served(tmp_path: Path, cli: list[CliProcess]) -> None:
    big = 10**30
    fixture = {**FIXTURE, "name": "A", "note": big}
    text = json.dumps({"stage": {"width": big, "height": 8}, "fixtures": [fixture], "groups": []})
    stage, fixtures, _ = serve(tmp_path, text, cli)
    assert stage["width"] == big  # passed on unchanged, as the file has it
    assert fixtures["fixtures"][0]["note"] == big


def test_nan_and_infinity_are_served_as_null(tmp_path: Path, cli: list[CliProcess]) -> None:
    text = (
        '{"stage": {"width": 10, "height": 8, "note": NaN}, "fixtures": [{"name": "B\\u00fchne 1", "universe": 1, '
        '"address": 1, "position": {"x": 0, "y": 0, "z": 5}, "beam_angle": NaN, "foo": [NaN, Infinity, -Infinity]}], '
        '"groups": []}'
    )
    stage, fixtures, _ = serve(tmp_path, text, cli)
    (fixture,) = fixtures["fixtures"]
    assert fixture["name"] == "Bühne 1"
    assert fixture["foo"] == [None, None, None] and stage["note"] is None
