"""Wire protocol between Show Creator and Visualizers (sans-IO).

Newline-delimited, ASCII-only JSON objects.  See docs/PROTOCOL.md.  v1 is
what this package exports; the negotiated protocol 2 lives beside it:
``extensions`` (messages), ``auth``, ``delta``, ``frames``, ``discovery``.
"""

from shared.protocol.decode import DEFAULT_MAX_LINE, MessageDecoder, message_from_dict, parse_message
from shared.protocol.encode import dumps_line, encode_message, message_to_dict, serialize_full_config
from shared.protocol.errors import InvalidJSON, InvalidMessage, LineTooLong, ProtocolError
from shared.protocol.messages import (
    ACK_CONFIG,
    CONFIG_CHANGED,
    PROTOCOL_VERSION,
    AckMessage,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    Message,
    StageMessage,
    UnknownMessage,
    UpdateMessage,
)

__all__ = [
    "ACK_CONFIG",
    "CONFIG_CHANGED",
    "DEFAULT_MAX_LINE",
    "PROTOCOL_VERSION",
    "AckMessage",
    "FixturesMessage",
    "GroupsMessage",
    "HeartbeatMessage",
    "InvalidJSON",
    "InvalidMessage",
    "LineTooLong",
    "Message",
    "MessageDecoder",
    "ProtocolError",
    "StageMessage",
    "UnknownMessage",
    "UpdateMessage",
    "dumps_line",
    "encode_message",
    "message_from_dict",
    "message_to_dict",
    "parse_message",
    "serialize_full_config",
]
