"""Show Creator app tests: real servers, real visualizer clients, settings in a temp dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings

from visualizer.tcp import VisualizerTCPClient

WAIT_MS = 5000


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Nothing a test does may touch the user's own Show Creator settings."""
    root = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(root))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(root / "system"))
    yield root


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "show-creator.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def clients() -> Iterator[Callable[..., VisualizerTCPClient]]:
    """Real visualizer clients (``visualizer.tcp``), disconnected at teardown."""
    made: list[VisualizerTCPClient] = []

    def make(port: int, host: str = "127.0.0.1") -> VisualizerTCPClient:
        client = VisualizerTCPClient(host, port, backoff_initial=0.05, backoff_max=0.2)
        made.append(client)
        client.connect()
        return client

    yield make
    for client in made:
        client.disconnect()
