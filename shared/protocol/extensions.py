"""Protocol v2 messages: negotiated extensions on top of the v1 stream (sans-IO).

Every message here is sent only after the peers agreed on it with
``hello`` / ``welcome`` (docs/PROTOCOL.md, "Protocol v2"), except ``error``,
which a server also sends to a v1 client it refuses (v1 clients ignore
unknown types and then see the connection close).

Each class names its wire ``type`` in ``TYPE``; :data:`EXTENSION_PARSERS`
and :func:`extension_to_dict` are built from the same classes, and
``shared.protocol.registry`` checks that every message class (v1 and v2) has
exactly one name, one parser and one encoder, so the decoder, the encoder
and the probe's names cannot drift apart.

Sources: the handshake shape follows docs/PROTOCOL.md "Extending the
protocol" (v1 text); the HMAC construction is RFC 2104 HMAC-SHA256 over both
nonces, as in SCRAM (RFC 5802) reduced to a shared secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from shared.show.codec import (
    ValidationError,
    fixture_to_dict,
    fixtures_from_list,
    group_to_dict,
    groups_from_list,
    stage_from_dict,
    stage_to_dict,
)
from shared.show.model import Fixture, Group, Stage

#: The newest protocol this build speaks.
PROTOCOL_V2 = 2

# Capabilities (the strings in hello/welcome ``capabilities``).
CAP_REVISION = "revision"  # full configurations carry {"revision": {"show", "number"}}
CAP_DELTA = "delta"  # changes arrive as ``delta`` messages (needs revision)
CAP_ZLIB = "zlib"  # large messages arrive in zlib frames (shared.protocol.frames)
CAP_SELECT = "select"  # ``select`` both ways: viewer selection up, pushed selection/highlight down
ALL_CAPABILITIES: tuple[str, ...] = (CAP_REVISION, CAP_DELTA, CAP_ZLIB, CAP_SELECT)

# Error codes of ``{"type": "error"}``.
ERR_AUTH_REQUIRED = "auth_required"
ERR_AUTH_FAILED = "auth_failed"
ERR_RATE_LIMITED = "rate_limited"
ERR_TLS_REQUIRED = "tls_required"
ERR_PROTOCOL = "protocol_error"
#: Errors after which reconnecting with the same settings cannot help.
FATAL_ERRORS = frozenset({ERR_AUTH_REQUIRED, ERR_AUTH_FAILED, ERR_TLS_REQUIRED})

#: Most fixture indices one ``select`` may carry (client lines are capped at 64 KiB anyway).
MAX_SELECT = 4096


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(type(value), type(value).__name__)


def _str(d: Mapping[str, Any], key: str, where: str, *, optional: bool = False, limit: int = 256) -> str | None:
    value = d.get(key)
    if value is None and optional:
        return None
    if type(value) is not str:
        raise ValidationError(where, f"{key} must be a string, got {_kind(value)}")
    if len(value) > limit:
        raise ValidationError(where, f"{key} is longer than {limit} characters")
    return value


def _int(d: Mapping[str, Any], key: str, where: str) -> int:
    value = d.get(key)
    if type(value) is not int or value < 0:
        raise ValidationError(where, f"{key} must be a non-negative integer, got {_kind(value)} {value!r}")
    return value


def _strings(d: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = d.get(key, [])
    if type(value) is not list or any(type(v) is not str for v in value) or len(value) > 64:
        raise ValidationError(where, f"{key} must be a list of at most 64 strings")
    return tuple(value)


def _extra(d: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "type" and k not in known}


# ---------------------------------------------------------------- revision


@dataclass(frozen=True, slots=True, order=True)
class Revision:
    """Which configuration a full config or delta is: the server's show id and a monotonic number.

    ``show`` changes when the server restarts or loads another show, so a
    client never applies a delta to a configuration from another run.
    Wire shape: ``{"show": "3f9c0a1b2c4d", "number": 7}``.
    """

    show: str
    number: int

    def to_dict(self) -> dict[str, Any]:
        return {"show": self.show, "number": self.number}

    @staticmethod
    def from_value(value: Any, where: str) -> Revision:
        if type(value) is not dict:
            raise ValidationError(where, f"must be an object {{show, number}}, got {_kind(value)}")
        show = _str(value, "show", where)
        assert show is not None
        return Revision(show, _int(value, "number", where))

    def __str__(self) -> str:
        return f"{self.show}#{self.number}"


# ---------------------------------------------------------------- handshake


@dataclass(frozen=True, slots=True)
class HelloMessage:
    """Client to server, first line: ``{"type": "hello", "protocol": 2, "client", "capabilities", "nonce"}``.

    ``nonce`` (hex) is the client's half of the authentication challenge;
    ``response`` (hex HMAC) is set only in the second hello that answers a
    welcome's ``challenge``.
    """

    TYPE: ClassVar[str] = "hello"
    protocol: int
    client: str = ""
    capabilities: tuple[str, ...] = ()
    nonce: str | None = None
    response: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WelcomeMessage:
    """Server to client: ``{"type": "welcome", "protocol", "server", "show", "capabilities"}``.

    With ``challenge`` set (and no capabilities) it asks the client to
    authenticate; the final welcome carries ``proof``, the server's HMAC, so
    the client knows the server holds the token too.
    """

    TYPE: ClassVar[str] = "welcome"
    protocol: int
    server: str = ""
    show: str | None = None
    capabilities: tuple[str, ...] = ()
    challenge: str | None = None
    proof: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ErrorMessage:
    """Server to client, then the server closes: ``{"type": "error", "code", "message"}``."""

    TYPE: ClassVar[str] = "error"
    code: str
    message: str
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResyncMessage:
    """Client to server: ``{"type": "resync"}``: send me the full configuration (a delta did not fit)."""

    TYPE: ClassVar[str] = "resync"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SelectMessage:
    """Either way, negotiated with ``select``: ``{"type": "select", "fixtures": [3, 17]}``.

    Fixture indices into ``ShowConfig.fixtures`` of ``revision`` (when
    given).  ``mode`` is ``"select"`` (a selection) or ``"highlight"`` (a
    server asking viewers to draw attention to fixtures without selecting).
    """

    TYPE: ClassVar[str] = "select"
    fixtures: tuple[int, ...]
    revision: Revision | None = None
    mode: str = "select"
    extra: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- deltas


@dataclass(frozen=True, slots=True)
class ListEdit:
    """One edit of the fixtures or groups list, applied in order.

    ``op`` is ``"change"`` (replace ``items[index]`` by the one item),
    ``"remove"`` (``count`` items from ``index``) or ``"insert"`` (``items``
    before ``index``).  Indices are into the list as it is when the edit
    applies; servers emit edits from the end of the list toward its start,
    so each index is also an index into the base revision.
    """

    op: str
    index: int
    count: int = 0
    items: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class DeltaMessage:
    """Server to client, negotiated with ``delta``: what changed from ``base`` to ``revision``.

    ``{"type": "delta", "base": {...}, "revision": {...}, "stage": {...}?,
    "fixtures": [edits], "groups": [edits], "fixture_count": N, "group_count": M}``.
    ``stage`` is present only when it changed; the counts let a client check
    the result before using it.
    """

    TYPE: ClassVar[str] = "delta"
    base: Revision
    revision: Revision
    stage: Stage | None = None
    fixtures: tuple[ListEdit, ...] = ()
    groups: tuple[ListEdit, ...] = ()
    fixture_count: int = 0
    group_count: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- parse / encode


def _parse_hello(d: dict[str, Any]) -> HelloMessage:
    return HelloMessage(
        protocol=_int(d, "protocol", "hello"),
        client=_str(d, "client", "hello", optional=True) or "",
        capabilities=_strings(d, "capabilities", "hello"),
        nonce=_str(d, "nonce", "hello", optional=True, limit=128),
        response=_str(d, "response", "hello", optional=True, limit=128),
        extra=_extra(d, ("protocol", "client", "capabilities", "nonce", "response")),
    )


def _parse_welcome(d: dict[str, Any]) -> WelcomeMessage:
    return WelcomeMessage(
        protocol=_int(d, "protocol", "welcome"),
        server=_str(d, "server", "welcome", optional=True) or "",
        show=_str(d, "show", "welcome", optional=True, limit=1024),
        capabilities=_strings(d, "capabilities", "welcome"),
        challenge=_str(d, "challenge", "welcome", optional=True, limit=128),
        proof=_str(d, "proof", "welcome", optional=True, limit=128),
        extra=_extra(d, ("protocol", "server", "show", "capabilities", "challenge", "proof")),
    )


def _parse_error(d: dict[str, Any]) -> ErrorMessage:
    code = _str(d, "code", "error", limit=64)
    message = _str(d, "message", "error", limit=4096)
    assert code is not None and message is not None
    return ErrorMessage(code, message, _extra(d, ("code", "message")))


def _parse_resync(d: dict[str, Any]) -> ResyncMessage:
    return ResyncMessage(_extra(d, ()))


def _parse_select(d: dict[str, Any]) -> SelectMessage:
    items = d.get("fixtures")
    if type(items) is not list or any(type(i) is not int or i < 0 for i in items):
        raise ValidationError("select", "fixtures must be a list of fixture indices (integers >= 0)")
    if len(items) > MAX_SELECT:
        raise ValidationError("select", f"fixtures lists {len(items)} indices, more than {MAX_SELECT}")
    rev = d.get("revision")
    mode = _str(d, "mode", "select", optional=True, limit=32) or "select"
    return SelectMessage(
        tuple(items),
        None if rev is None else Revision.from_value(rev, "select: revision"),
        mode,
        _extra(d, ("fixtures", "revision", "mode")),
    )


def _edits(value: Any, where: str, parse_items: Callable[[Any, str], tuple[Any, ...]]) -> tuple[ListEdit, ...]:
    if value is None:
        return ()
    if type(value) is not list:
        raise ValidationError(where, f"must be a list of edits, got {_kind(value)}")
    out = []
    for i, e in enumerate(value):
        at = f"{where}[{i}]"
        if type(e) is not dict:
            raise ValidationError(at, f"must be an object, got {_kind(e)}")
        op = e.get("op")
        index = _int(e, "index", at)
        if op == "change":
            out.append(ListEdit("change", index, 1, parse_items([e.get("item")], f"{at}.item")))
        elif op == "remove":
            out.append(ListEdit("remove", index, _int(e, "count", at)))
        elif op == "insert":
            items = parse_items(e.get("items"), f"{at}.items")
            out.append(ListEdit("insert", index, len(items), items))
        else:
            raise ValidationError(at, f"op must be change, remove or insert, got {op!r}")
    return tuple(out)


def _parse_delta(d: dict[str, Any]) -> DeltaMessage:
    stage = d.get("stage")
    return DeltaMessage(
        base=Revision.from_value(d.get("base"), "delta: base"),
        revision=Revision.from_value(d.get("revision"), "delta: revision"),
        stage=None if stage is None else stage_from_dict(stage, "delta: stage"),
        fixtures=_edits(d.get("fixtures"), "delta: fixtures", fixtures_from_list),
        groups=_edits(d.get("groups"), "delta: groups", groups_from_list),
        fixture_count=_int(d, "fixture_count", "delta"),
        group_count=_int(d, "group_count", "delta"),
        extra=_extra(
            d, ("base", "revision", "stage", "fixtures", "groups", "fixture_count", "group_count")
        ),
    )


def _edit_to_dict(e: ListEdit, item_to_dict: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    if e.op == "change":
        return {"op": "change", "index": e.index, "item": item_to_dict(e.items[0])}
    if e.op == "remove":
        return {"op": "remove", "index": e.index, "count": e.count}
    return {"op": "insert", "index": e.index, "items": [item_to_dict(x) for x in e.items]}


def _fixture_dict(f: Any) -> dict[str, Any]:
    assert isinstance(f, Fixture)
    return fixture_to_dict(f)


def _group_dict(g: Any) -> dict[str, Any]:
    assert isinstance(g, Group)
    return group_to_dict(g)


def _opt(d: dict[str, Any], **values: Any) -> dict[str, Any]:
    d.update({k: v for k, v in values.items() if v is not None})
    return d


ExtensionMessage = HelloMessage | WelcomeMessage | ErrorMessage | ResyncMessage | SelectMessage | DeltaMessage


def extension_to_dict(msg: object) -> dict[str, Any] | None:
    """The JSON object for a v2 message, or None when ``msg`` is not one."""
    if isinstance(msg, HelloMessage):
        return _opt(
            {"type": "hello", **msg.extra, "protocol": msg.protocol, "client": msg.client,
             "capabilities": list(msg.capabilities)},
            nonce=msg.nonce, response=msg.response,
        )
    if isinstance(msg, WelcomeMessage):
        return _opt(
            {"type": "welcome", **msg.extra, "protocol": msg.protocol, "server": msg.server,
             "capabilities": list(msg.capabilities)},
            show=msg.show, challenge=msg.challenge, proof=msg.proof,
        )
    if isinstance(msg, ErrorMessage):
        return {"type": "error", **msg.extra, "code": msg.code, "message": msg.message}
    if isinstance(msg, ResyncMessage):
        return {"type": "resync", **msg.extra}
    if isinstance(msg, SelectMessage):
        d: dict[str, Any] = {"type": "select", **msg.extra, "fixtures": list(msg.fixtures)}
        if msg.mode != "select":
            d["mode"] = msg.mode
        if msg.revision is not None:
            d["revision"] = msg.revision.to_dict()
        return d
    if isinstance(msg, DeltaMessage):
        d = {"type": "delta", **msg.extra, "base": msg.base.to_dict(), "revision": msg.revision.to_dict()}
        if msg.stage is not None:
            d["stage"] = stage_to_dict(msg.stage)
        d["fixtures"] = [_edit_to_dict(e, _fixture_dict) for e in msg.fixtures]
        d["groups"] = [_edit_to_dict(e, _group_dict) for e in msg.groups]
        d["fixture_count"] = msg.fixture_count
        d["group_count"] = msg.group_count
        return d
    return None


#: Wire type -> parser, for every v2 message (the decoder merges it into its table).
EXTENSION_PARSERS: dict[str, Callable[[dict[str, Any]], ExtensionMessage]] = {
    HelloMessage.TYPE: _parse_hello,
    WelcomeMessage.TYPE: _parse_welcome,
    ErrorMessage.TYPE: _parse_error,
    ResyncMessage.TYPE: _parse_resync,
    SelectMessage.TYPE: _parse_select,
    DeltaMessage.TYPE: _parse_delta,
}
