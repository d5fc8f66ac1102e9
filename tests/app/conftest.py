"""A real Show Creator server on loopback and a Visualizer window connected to it."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest

from server import VisualizerTCPServer
from tests.app.helpers import WAIT_MS
from visualizer.app.window import MainWindow
from visualizer.tcp.qt import QtVisualizerClient


@pytest.fixture(autouse=True)
def _collect_windows_between_tests() -> Iterator[None]:
    """Free the test's windows here, at a quiet point, not whenever the GC runs.

    qtbot holds widgets weakly and a window is part of reference cycles, so it
    was freed by the garbage collector at some later allocation, possibly in the
    middle of another GL widget's paint; deleting a GL widget makes its own
    context current, and that paint then crashed the process.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture
def server(serve: Callable[..., VisualizerTCPServer]) -> VisualizerTCPServer:
    return serve(heartbeat_interval=1.0)


@pytest.fixture
def window(qtbot, server: VisualizerTCPServer) -> Iterator[MainWindow]:
    """The window, shown, with the demo show applied (camera framed, nothing selected)."""
    client = QtVisualizerClient("127.0.0.1", server.port, backoff_initial=0.05, backoff_max=0.2)
    win = MainWindow(client)
    qtbot.addWidget(win)
    win.resize(1100, 720)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # keyboard shortcuts need the active window
    qtbot.waitActive(win)
    with qtbot.waitSignal(win.config_applied, timeout=WAIT_MS):
        client.connect_to_server()
    try:
        yield win
    finally:
        client.disconnect_from_server()
