"""Fixtures every test folder may use: real Show Creator servers on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from server import VisualizerTCPServer
from shared.show import ShowConfig, demo_show
from tests.server.helpers import CliProcess


@pytest.fixture
def serve() -> Iterator[Callable[..., VisualizerTCPServer]]:
    """Start a server on 127.0.0.1 (port 0 unless given) serving ``config`` (default: the demo show).

    Keyword arguments go to VisualizerTCPServer; every server is stopped at teardown.
    """
    servers: list[VisualizerTCPServer] = []

    def make(config: ShowConfig | None = None, *, port: int = 0, **kwargs: Any) -> VisualizerTCPServer:
        server = VisualizerTCPServer(config or demo_show(), "127.0.0.1", port, **kwargs)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def cli() -> Iterator[list[CliProcess]]:
    """Show Creator processes a test starts (``CliProcess``): append them, they are killed after it."""
    procs: list[CliProcess] = []
    yield procs
    for proc in procs:
        proc.kill()
