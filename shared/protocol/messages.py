"""Protocol v1 messages as frozen dataclasses.

One class per ``type`` on the wire.  ``UnknownMessage`` carries any type this
build does not know, so peers can add messages (after negotiating them)
without older code treating them as errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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

    stage: Stage
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class FixturesMessage:
    """``{"type": "fixtures", "fixtures": [...]}``

    ``problems``: one warning per fixture and odd optional field, one error per
    fixture left out (a broken strict field); see ``shared.show.codec``.
    """

    fixtures: tuple[Fixture, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupsMessage:
    """``{"type": "groups", "groups": [...]}``  (``problems`` as for fixtures)"""

    groups: tuple[Group, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateMessage:
    """``{"type": "update", "update_type": "config_changed", "data": {}}``"""

    update_type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HeartbeatMessage:
    """``{"type": "heartbeat", "timestamp": <epoch seconds or null>}``"""

    timestamp: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AckMessage:
    """Client to server: ``{"type": "ack", "ack_type": "config"}``"""

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
)
