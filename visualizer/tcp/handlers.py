"""Callback registry for the client.

Plain callables rather than Qt signals so the client works in scripts, tests
and the probe without a QApplication; the Qt adapter is one more subscriber.
A callback that raises is logged and skipped: one broken subscriber must not
take the connection (or the other subscribers) down with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from shared.protocol import Message, UnknownMessage
from shared.protocol.extensions import DeltaMessage, WelcomeMessage
from shared.show import Fixture, Group, ShowConfig, Stage

log = logging.getLogger(__name__)

#: Every event name accepted by :meth:`Handlers.on`, with the arguments its callbacks get.
EVENTS: Final[Mapping[str, str]] = {
    "message": "(Message) every decoded message, before the type-specific event",
    "stage": "(Stage)",
    "fixtures": "(tuple[Fixture, ...])",
    "groups": "(tuple[Group, ...])",
    "update": "(update_type: str, data: Mapping[str, Any])",
    "heartbeat": "(timestamp: float | None)",
    "ack": "(ack_type: str)",
    "unknown": "(UnknownMessage)",
    "welcome": "(WelcomeMessage) protocol 2 negotiated (capabilities in it)",
    "delta": "(DeltaMessage) a delta was applied; 'config' follows with the result",
    "selection": "(fixtures: tuple[int, ...], mode: str) the server pushed a selection or highlight",
    "config": "(ShowConfig) a complete configuration, after every change",
    "state": "(state: str) connecting / connected / reconnecting / disconnected",
    "error": "(message: str) one line, for the user",
    "connected": "()",
    "disconnected": "()",
}

F = TypeVar("F", bound=Callable[..., object])


class Subscriptions:
    """Typed shortcuts for :meth:`on`, written once for ``Handlers`` and the client that forwards to it.

    Each is ``on(event, callback)`` with the callback's signature checked by
    mypy; the event names are the keys of :data:`EVENTS`.
    """

    def on(self, event: str, callback: F) -> F:
        raise NotImplementedError

    def on_message(self, callback: Callable[[Message], object]) -> Callable[[Message], object]:
        return self.on("message", callback)

    def on_stage(self, callback: Callable[[Stage], object]) -> Callable[[Stage], object]:
        return self.on("stage", callback)

    def on_fixtures(
        self, callback: Callable[[tuple[Fixture, ...]], object]
    ) -> Callable[[tuple[Fixture, ...]], object]:
        return self.on("fixtures", callback)

    def on_groups(
        self, callback: Callable[[tuple[Group, ...]], object]
    ) -> Callable[[tuple[Group, ...]], object]:
        return self.on("groups", callback)

    def on_update(
        self, callback: Callable[[str, Mapping[str, Any]], object]
    ) -> Callable[[str, Mapping[str, Any]], object]:
        return self.on("update", callback)

    def on_heartbeat(self, callback: Callable[[float | None], object]) -> Callable[[float | None], object]:
        return self.on("heartbeat", callback)

    def on_ack(self, callback: Callable[[str], object]) -> Callable[[str], object]:
        return self.on("ack", callback)

    def on_unknown(self, callback: Callable[[UnknownMessage], object]) -> Callable[[UnknownMessage], object]:
        return self.on("unknown", callback)

    def on_config(self, callback: Callable[[ShowConfig], object]) -> Callable[[ShowConfig], object]:
        return self.on("config", callback)

    def on_state(self, callback: Callable[[str], object]) -> Callable[[str], object]:
        return self.on("state", callback)

    def on_error(self, callback: Callable[[str], object]) -> Callable[[str], object]:
        return self.on("error", callback)

    def on_connected(self, callback: Callable[[], object]) -> Callable[[], object]:
        return self.on("connected", callback)

    def on_disconnected(self, callback: Callable[[], object]) -> Callable[[], object]:
        return self.on("disconnected", callback)

    def on_welcome(self, callback: Callable[[WelcomeMessage], object]) -> Callable[[WelcomeMessage], object]:
        return self.on("welcome", callback)

    def on_delta(self, callback: Callable[[DeltaMessage], object]) -> Callable[[DeltaMessage], object]:
        return self.on("delta", callback)

    def on_selection(
        self, callback: Callable[[tuple[int, ...], str], object]
    ) -> Callable[[tuple[int, ...], str], object]:
        return self.on("selection", callback)


class Handlers(Subscriptions):
    """Subscribers per event.  Thread-safe to (un)subscribe while events fire."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, tuple[Callable[..., object], ...]] = {name: () for name in EVENTS}

    def on(self, event: str, callback: F) -> F:
        """Subscribe ``callback`` to ``event``; returns it, so it works as a decorator."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
        with self._lock:
            self._subs[event] = (*self._subs[event], callback)
        return callback

    def off(self, event: str, callback: Callable[..., object]) -> None:
        """Unsubscribe; a callback that is not subscribed is ignored."""
        with self._lock:
            subs = list(self._subs.get(event, ()))
            if callback in subs:
                subs.remove(callback)
                self._subs[event] = tuple(subs)

    def has(self, event: str) -> bool:
        return bool(self._subs.get(event))

    def emit(self, event: str, *args: Any) -> None:
        for callback in self._subs[event]:
            try:
                callback(*args)
            except Exception:
                log.exception("%s handler %r raised; ignored", event, callback)
