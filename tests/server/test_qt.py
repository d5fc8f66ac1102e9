"""The server's Qt adapter, on a real event loop (pytest-qt) and real sockets.

The Visualizer Server panel and the Show Creator window that use it are tested
in tests/server_app; the adapter's ``select`` signals in tests/app/test_selection_link.py.
"""

from __future__ import annotations

import threading

import pytest

from server import VisualizerTCPServer
from server.qt import QtServerAdapter
from shared.show import demo_show
from tests.server.helpers import RawClient

TIMEOUT_MS = 5000


@pytest.fixture
def server():
    server = VisualizerTCPServer(demo_show(), "127.0.0.1", 0, 3600.0)
    yield server
    server.stop()


def test_adapter_signals_arrive_in_the_gui_thread(qtbot, server):
    adapter = QtServerAdapter(server)
    gui_thread = threading.get_ident()
    seen: list[tuple[str, object, int]] = []
    adapter.client_connected.connect(lambda a: seen.append(("connected", a, threading.get_ident())))
    adapter.client_disconnected.connect(lambda a: seen.append(("disconnected", a, threading.get_ident())))
    adapter.client_count_changed.connect(lambda n: seen.append(("count", n, threading.get_ident())))

    with qtbot.waitSignal(adapter.running_changed, timeout=TIMEOUT_MS) as running:
        assert adapter.start()
    assert running.args == [True]

    with qtbot.waitSignal(adapter.client_connected, timeout=TIMEOUT_MS) as connected:
        client = RawClient(server.port)
    assert connected.args == [client.address]
    client.read_config()

    with qtbot.waitSignal(adapter.client_disconnected, timeout=TIMEOUT_MS) as disconnected:
        client.close()
    assert disconnected.args == [client.address]
    qtbot.waitUntil(lambda: ("count", 0, gui_thread) in seen, timeout=TIMEOUT_MS)

    assert [s[:2] for s in seen] == [
        ("connected", client.address), ("count", 1), ("disconnected", client.address), ("count", 0)
    ]
    assert {tid for _, _, tid in seen} == {gui_thread}


def test_adapter_reports_a_busy_port_as_an_error(qtbot, server):
    server.start()
    other = QtServerAdapter(VisualizerTCPServer(demo_show(), "127.0.0.1", server.port))
    with qtbot.waitSignal(other.error_occurred, timeout=TIMEOUT_MS) as error:
        assert not other.start()
    assert f"127.0.0.1:{server.port}" in error.args[0]
    assert not other.is_running()


def test_adapter_keeps_existing_callbacks(qtbot):
    calls: list[str] = []
    server = VisualizerTCPServer(demo_show(), "127.0.0.1", 0, 3600.0, on_client_connected=calls.append)
    adapter = QtServerAdapter(server)
    adapter.start()
    try:
        with qtbot.waitSignal(adapter.client_connected, timeout=TIMEOUT_MS):
            client = RawClient(server.port)
        assert calls == [client.address]
        client.close()
    finally:
        adapter.stop()
