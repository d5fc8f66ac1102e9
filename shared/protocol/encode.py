"""Encoding messages to wire lines.

Every line is ASCII-only JSON (non-ASCII escaped as ``\\uXXXX``) ended by
``\\n``: existing visualizers decode each ``recv()`` chunk as UTF-8 on its own
and break when a multi-byte character is split across reads.  orjson does the
work (it is several times faster than ``json`` on large fixture lists, see
bench/); it cannot escape non-ASCII, so such lines fall back to ``json``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec
import orjson

from shared.protocol.extensions import extension_to_dict
from shared.protocol.messages import (
    AckMessage,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    Message,
    StageMessage,
    UnknownMessage,
    UpdateMessage,
)
from shared.show.codec import fixture_to_dict, group_to_dict, stage_to_dict
from shared.show.model import Fixture, ShowConfig


def dumps_line(obj: Any) -> bytes:
    """One wire line: compact ASCII JSON plus ``\\n``.

    Odd values travel unchanged, so ``obj`` may hold what a show file held: integers past
    64 bits (orjson refuses them; ``json`` writes them) and NaN or Infinity (orjson writes
    null, as JSON has neither; so does the fallback)."""
    try:
        data: bytes | None = orjson.dumps(obj)
    except TypeError:  # an integer past 64 bits
        data = None
    if data is None or not data.isascii():
        try:
            text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        except ValueError:  # NaN or Infinity somewhere: null, as orjson writes them
            text = json.dumps(_finite(obj), ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        data = text.encode("ascii")
    return data + b"\n"


def _finite(obj: Any) -> Any:
    """``obj`` with every NaN and Infinity replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def message_to_dict(msg: Message) -> dict[str, Any]:
    """The JSON object for ``msg``, ``type`` first as existing builds write it."""
    if isinstance(msg, StageMessage):
        return {"type": "stage", **stage_to_dict(msg.stage)}
    if isinstance(msg, FixturesMessage):
        return {"type": "fixtures", **msg.extra, "fixtures": [fixture_to_dict(f) for f in msg.fixtures]}
    if isinstance(msg, GroupsMessage):
        return {"type": "groups", **msg.extra, "groups": [group_to_dict(g) for g in msg.groups]}
    if isinstance(msg, UpdateMessage):
        return {"type": "update", **msg.extra, "update_type": msg.update_type, "data": dict(msg.data)}
    if isinstance(msg, HeartbeatMessage):
        return {"type": "heartbeat", **msg.extra, "timestamp": msg.timestamp}
    if isinstance(msg, AckMessage):
        return {"type": "ack", **msg.extra, "ack_type": msg.ack_type}
    if isinstance(msg, UnknownMessage):
        return {**msg.fields, "type": msg.type}
    ext = extension_to_dict(msg)  # v2 messages (shared/protocol/extensions.py)
    if ext is not None:
        return ext
    raise TypeError(f"not a protocol message: {msg!r}")


class FixturesLine(msgspec.Struct, tag_field="type", tag="fixtures", forbid_unknown_fields=True):
    """A well-formed fixtures line, for msgspec's fast paths (encode here, decode in ``decode``)."""

    fixtures: tuple[Fixture, ...]


_encode = msgspec.json.Encoder().encode


def _fast_fixtures(msg: FixturesMessage) -> bytes | None:
    """The fixtures line straight from the Structs, or None when extras need flattening.

    Fixtures lines are megabytes for big rigs and are encoded on every change;
    msgspec writes them from the model directly, several times faster than
    building dicts first (bench/bench_protocol.py).  Unknown fields kept in
    ``extra`` must be merged into their objects, which only the dict path does.
    """
    if msg.extra:
        return None
    for f in msg.fixtures:
        if f.extra or (f.orientation is not None and f.orientation.extra):
            return None
    data = _encode(FixturesLine(msg.fixtures))
    return data + b"\n" if data.isascii() else None


def encode_message(msg: Message) -> bytes:
    if isinstance(msg, FixturesMessage):
        fast = _fast_fixtures(msg)
        if fast is not None:
            return fast
    return dumps_line(message_to_dict(msg))


def serialize_full_config(config: ShowConfig) -> bytes:
    """Stage, fixtures and groups lines, in the order clients expect them."""
    return b"".join(
        (
            encode_message(StageMessage(config.stage)),
            encode_message(FixturesMessage(config.fixtures)),
            encode_message(GroupsMessage(config.groups)),
        )
    )
