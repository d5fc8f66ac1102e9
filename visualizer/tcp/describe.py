"""One-line summaries of protocol v2 messages, for the probe (kept here, beside the client that negotiates them)."""

from __future__ import annotations

from shared.protocol.extensions import (
    DeltaMessage,
    ErrorMessage,
    ExtensionMessage,
    HelloMessage,
    ResyncMessage,
    SelectMessage,
    WelcomeMessage,
)


def _count(edits: tuple[object, ...], word: str) -> str:
    return f"{len(edits)} {word} edit{'s' if len(edits) != 1 else ''}"


def describe_v2(msg: ExtensionMessage) -> list[str]:
    """Detail lines for a v2 message (never the token, never a nonce in full)."""
    if isinstance(msg, WelcomeMessage):
        if msg.challenge:
            return [f"Welcome: {msg.server or 'server'} asks for authentication (protocol {msg.protocol})"]
        caps = ", ".join(msg.capabilities) or "none"
        show = f' "{msg.show}"' if msg.show else ""
        proof = ", token verified" if msg.proof else ""
        return [f"Welcome: {msg.server or 'server'}{show}, protocol {msg.protocol}, capabilities: {caps}{proof}"]
    if isinstance(msg, ErrorMessage):
        return [f"Error {msg.code}: {msg.message}"]
    if isinstance(msg, DeltaMessage):
        parts = [_count(msg.fixtures, "fixture"), _count(msg.groups, "group")]
        if msg.stage is not None:
            parts.append("new stage")
        return [f"Delta {msg.base.number} -> {msg.revision.number}: {', '.join(parts)}; "
                f"{msg.fixture_count} fixtures, {msg.group_count} groups"]
    if isinstance(msg, SelectMessage):
        shown = ", ".join(str(i) for i in msg.fixtures[:12]) + (" ..." if len(msg.fixtures) > 12 else "")
        return [f"{msg.mode.capitalize()}: fixtures [{shown}]"]
    if isinstance(msg, HelloMessage):
        return [f"Hello: {msg.client or 'client'}, protocol {msg.protocol}"]
    if isinstance(msg, ResyncMessage):
        return ["Resync requested"]
    return []
