"""Decoding wire lines into messages (sans-IO).

``parse_message`` turns one line into a message or raises ``ProtocolError``.
``MessageDecoder`` is the incremental half: feed it bytes exactly as they
came off a socket and it returns the messages (and errors) of every line
completed so far.  Lines are split on the ``\\n`` byte before any UTF-8
decoding, so a multi-byte character split across reads is harmless.

Only broken framing or JSON, or a message that is not an object of the
right shape (``fixtures`` not a list, say), is a ``ProtocolError``.  Inside a
stage, fixtures or groups message the codec is lenient: odd optional values
are kept and listed in the message's ``problems``, and a fixture with a
broken required field is left out on its own (issue 7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import orjson

from shared.protocol.encode import FixturesLine
from shared.protocol.errors import InvalidJSON, InvalidMessage, LineTooLong, ProtocolError
from shared.protocol.extensions import EXTENSION_PARSERS
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
from shared.show.codec import (
    ValidationError,
    decode_fixtures,
    decode_groups,
    decode_stage,
)
from shared.show.issues import Issue

#: Default longest accepted line.  A 10,000-fixture rig with full channel
#: mappings is about 10 MB on one line; 64 MiB leaves room while still
#: bounding what a broken or hostile peer can make us hold.
DEFAULT_MAX_LINE = 64 * 1024 * 1024


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _stage(d: dict[str, Any]) -> StageMessage:
    body = {k: v for k, v in d.items() if k != "type"}
    issues: list[Issue] = []
    stage = decode_stage(body, issues, "stage")
    return StageMessage(stage, tuple(issues))


def _fixtures(d: dict[str, Any]) -> FixturesMessage:
    if "fixtures" not in d:
        raise ValidationError("fixtures", "missing field 'fixtures'")
    extra = {k: v for k, v in d.items() if k not in ("type", "fixtures")} if len(d) > 2 else {}
    issues: list[Issue] = []
    fixtures = decode_fixtures(d["fixtures"], issues)
    return FixturesMessage(fixtures, extra, tuple(issues))


def _groups(d: dict[str, Any]) -> GroupsMessage:
    if "groups" not in d:
        raise ValidationError("groups", "missing field 'groups'")
    extra = {k: v for k, v in d.items() if k not in ("type", "groups")} if len(d) > 2 else {}
    issues: list[Issue] = []
    groups = decode_groups(d["groups"], issues)
    return GroupsMessage(groups, extra, tuple(issues))


def _update(d: dict[str, Any]) -> UpdateMessage:
    update_type = d.get("update_type")
    if type(update_type) is not str:
        raise ValidationError("update", f"update_type must be a string, got {_kind(update_type)}")
    data = d.get("data")
    if data is None:
        data = {}
    elif type(data) is not dict:
        raise ValidationError("update", f"data must be an object, got {_kind(data)}")
    extra = {k: v for k, v in d.items() if k not in ("type", "update_type", "data")}
    return UpdateMessage(update_type, data, extra)


def _heartbeat(d: dict[str, Any]) -> HeartbeatMessage:
    ts = d.get("timestamp")
    if ts is not None and (type(ts) not in (int, float)):
        raise ValidationError("heartbeat", f"timestamp must be a number or null, got {_kind(ts)}")
    extra = {k: v for k, v in d.items() if k not in ("type", "timestamp")}
    return HeartbeatMessage(None if ts is None else float(ts), extra)


def _ack(d: dict[str, Any]) -> AckMessage:
    ack_type = d.get("ack_type")
    if type(ack_type) is not str:
        raise ValidationError("ack", f"ack_type must be a string, got {_kind(ack_type)}")
    extra = {k: v for k, v in d.items() if k not in ("type", "ack_type")}
    return AckMessage(ack_type, extra)


_PARSERS: dict[str, Callable[[dict[str, Any]], Message]] = {
    "stage": _stage,
    "fixtures": _fixtures,
    "groups": _groups,
    "update": _update,
    "heartbeat": _heartbeat,
    "ack": _ack,
    **EXTENSION_PARSERS,  # v2 messages (shared/protocol/extensions.py)
}


def message_from_dict(d: Any) -> Message:
    """Build a message from a decoded JSON value; raises ProtocolError."""
    if type(d) is not dict:
        raise InvalidJSON(f"expected a JSON object, got {_kind(d)}")
    msg_type = d.get("type")
    if type(msg_type) is not str:
        raise InvalidMessage(
            "missing field 'type'" if msg_type is None else f"type must be a string, got {_kind(msg_type)}"
        )
    parser = _PARSERS.get(msg_type)
    if parser is None:
        return UnknownMessage(msg_type, d)
    try:
        return parser(d)
    except ValidationError as exc:
        where = exc.where if exc.where.startswith(msg_type) else f"{msg_type}: {exc.where}"
        raise InvalidMessage(exc.problem, where=where) from None


_decode_fixtures_line = msgspec.json.Decoder(FixturesLine).decode


def _fast_fixtures(line: bytes | bytearray | memoryview | str) -> FixturesMessage | None:
    """Decode a fixtures line in C, or None when the careful path must decide.

    Fixtures lines are the only large messages (megabytes for big rigs) and
    decoding them straight into model objects is several times faster than
    building dicts and checking them in Python (bench/bench_protocol.py).
    Any other line fails the tag check at once and costs next to nothing.
    A fixture with an unknown field or any value outside the model's usable
    ranges (an unknown mounting, a zero size) fails too, and the careful path
    keeps and reports it: both paths build equal fixtures.
    """
    try:
        msg = _decode_fixtures_line(line)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return FixturesMessage(msg.fixtures)


def parse_message(line: bytes | bytearray | memoryview | str) -> Message:
    """Parse one line (with or without its newline); raises ProtocolError."""
    try:
        return _parse(line)
    except RecursionError:
        # Values nested about a thousand deep pass orjson's limit but not Python's
        # (msgspec, repr in error messages): a peer must not turn that into a crash.
        raise InvalidJSON("invalid JSON: values nested too deeply") from None


def _parse(line: bytes | bytearray | memoryview | str) -> Message:
    if len(line) > 512:
        fast = _fast_fixtures(line)
        if fast is not None:
            return fast
    try:
        d = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if not isinstance(line, str):
            try:
                bytes(line).decode("utf-8")
            except UnicodeDecodeError as bad:  # orjson's text names neither problem nor place
                raise InvalidJSON(f"invalid JSON: not UTF-8 ({bad.reason} at position {bad.start})") from None
        raise InvalidJSON(f"invalid JSON: {exc.msg} at position {exc.pos}") from None
    return message_from_dict(d)


class MessageDecoder:
    """Incremental decoder: ``feed(bytes) -> [Message | ProtocolError, ...]``.

    Handles lines split across chunks, many lines in one chunk, CRLF endings
    and blank lines.  A line longer than ``max_line_length`` is reported once
    as ``LineTooLong`` and discarded as it arrives, so the decoder never holds
    more than about ``max_line_length`` bytes, and decoding resumes at the
    next newline.  Errors are returned in stream order among the messages
    rather than raised, so one bad line never hides the good ones after it.
    """

    def __init__(self, max_line_length: int = DEFAULT_MAX_LINE) -> None:
        if max_line_length < 1:
            raise ValueError("max_line_length must be positive")
        self.max_line_length = max_line_length
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already known to hold no newline
        self._discarding = False  # inside an over-long line, dropping bytes
        self.lines = 0  # complete lines seen, including bad and blank ones
        self.bytes_received = 0

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete line."""
        return len(self._buf)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Message | ProtocolError]:
        out: list[Message | ProtocolError] = []
        if not data:
            return out
        if isinstance(data, memoryview):
            data = data.tobytes()
        self.bytes_received += len(data)
        if self._discarding:
            nl = data.find(b"\n")
            if nl < 0:
                return out
            self._discarding = False
            data = data[nl + 1 :]
        buf = self._buf
        buf.extend(data)
        start = 0
        find = buf.find
        nl = find(b"\n", self._scanned)
        while nl >= 0:
            self.lines += 1
            if nl - start > self.max_line_length:
                out.append(self._too_long())
            else:
                self._line(buf[start:nl], out)
            start = nl + 1
            nl = find(b"\n", start)
        if start:
            del buf[:start]
        self._scanned = len(buf)
        if len(buf) > self.max_line_length:
            self.lines += 1
            out.append(self._too_long())
            buf.clear()
            self._scanned = 0
            self._discarding = True
        return out

    def _too_long(self) -> LineTooLong:
        return LineTooLong(
            f"line longer than {self.max_line_length} bytes, skipped", line=self.lines
        )

    def _line(self, line: bytearray, out: list[Message | ProtocolError]) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line or line.isspace():
            return
        try:
            out.append(parse_message(line))
        except ProtocolError as exc:
            out.append(exc.at_line(self.lines))
