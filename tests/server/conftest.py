"""Fixtures for server tests: servers on loopback port 0 that are always stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from server import VisualizerTCPServer
from shared.show import ShowConfig
from tests.server.helpers import Events, RawClient


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def make_server(events: Events, serve: Callable[..., VisualizerTCPServer]) -> Callable[..., VisualizerTCPServer]:
    """Start a server on 127.0.0.1, port 0; callbacks go to ``events``.

    Heartbeats default to once an hour so they only appear in tests that ask.
    """

    def make(config: ShowConfig | None = None, **kwargs: Any) -> VisualizerTCPServer:
        kwargs.setdefault("heartbeat_interval", 3600.0)
        kwargs.setdefault("on_client_connected", events.recorder("connected"))
        kwargs.setdefault("on_client_disconnected", events.recorder("disconnected"))
        kwargs.setdefault("on_error", events.recorder("error"))
        return serve(config, **kwargs)

    return make


@pytest.fixture
def connect() -> Iterator[Callable[..., RawClient]]:
    """Raw clients, closed at the end of the test."""
    clients: list[RawClient] = []

    def make(port: int, **kwargs: Any) -> RawClient:
        client = RawClient(port, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
