"""Protocol v1 messages as frozen dataclasses.

One class per ``type`` on the wire.  ``UnknownMessage`` carries any type this
build does not know, so peers can add messages (after negotiating them)
without older code treating them as errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from shared.protocol.extensions import (
    DeltaMessage,
    ErrorMessage,
    HelloMessage,
    ResyncMessage,
    SelectMessage,
    WelcomeMessage,
)
from shared.show.issues import Issue
from shared.show.model import Fixture, Group, Stage

PROTOCOL_VERSION = 1

# Update types a Show Creator sends.
CONFIG_CHANGED = "config_changed"

# Ack types a client sends.
ACK_CONFIG = "config"


@dataclass(frozen=True, slots=True)
class StageMessage:
    """``{"type": "stage", "width", "height", "grid_size"}``

    ``problems``: what the decoder drew with a default (odd lenient fields).
    """

    TYPE: ClassVar[str] = "stage"
    stage: Stage
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class FixturesMessage:
    """``{"type": "fixtures", "fixtures": [...]}``

    ``problems``: one warning per fixture and odd optional field, one error per
    fixture left out (a broken strict field); see ``shared.show.codec``.
    """

    TYPE: ClassVar[str] = "fixtures"
    fixtures: tuple[Fixture, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupsMessage:
    """``{"type": "groups", "groups": [...]}``  (``problems`` as for fixtures)"""

    TYPE: ClassVar[str] = "groups"
    groups: tuple[Group, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateMessage:
    """``{"type": "update", "update_type": "config_changed", "data": {}}``"""

    TYPE: ClassVar[str] = "update"
    update_type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HeartbeatMessage:
    """``{"type": "heartbeat", "timestamp": <epoch seconds or null>}``"""

    TYPE: ClassVar[str] = "heartbeat"
    timestamp: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AckMessage:
    """Client to server: ``{"type": "ack", "ack_type": "config"}``"""

    TYPE: ClassVar[str] = "ack"
    ack_type: str
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A JSON object with a ``type`` this build does not know; kept whole."""

    type: str
    fields: Mapping[str, Any] = field(default_factory=dict)


Message = (
    StageMessage
    | FixturesMessage
    | GroupsMessage
    | UpdateMessage
    | HeartbeatMessage
    | AckMessage
    | UnknownMessage
    | HelloMessage
    | WelcomeMessage
    | ErrorMessage
    | ResyncMessage
    | SelectMessage
    | DeltaMessage
)


def message_type(msg: Message) -> str:
    """The wire ``type`` of ``msg`` (the one name the encoder, decoder and probe all use)."""
    return msg.type if isinstance(msg, UnknownMessage) else msg.TYPE
