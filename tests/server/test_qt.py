"""Qt adapter and status widget, on a real event loop (pytest-qt) and real sockets."""

from __future__ import annotations

import socket
import threading

import pytest
from PyQt6.QtCore import Qt

from server import VisualizerTCPServer
from server.qt import QtServerAdapter
from server.widget import LED_COLORS, ServerStatusWidget
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


def test_status_widget_follows_the_server(qtbot, server):
    adapter = QtServerAdapter(server)
    widget = ServerStatusWidget(adapter)
    qtbot.addWidget(widget)
    widget.show()

    assert widget.led_state == "stopped"
    assert widget.led.color.name().upper() == LED_COLORS["stopped"]
    assert widget.button.text() == "Start"

    with qtbot.waitSignal(adapter.running_changed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert widget.led_state == "listening"
    assert widget.led.color.name().upper() == LED_COLORS["listening"]
    assert widget.address_label.text() == f"127.0.0.1:{server.port}"
    assert widget.count_label.text() == "0 clients"
    assert widget.button.text() == "Stop"

    clients = []
    for n in (1, 2):
        with qtbot.waitSignal(adapter.client_count_changed, timeout=TIMEOUT_MS):
            clients.append(RawClient(server.port))
        qtbot.waitUntil(lambda n=n: widget.count_label.text() == f"{n} client{'s' if n > 1 else ''}")
    assert widget.led_state == "connected"
    assert widget.led.color.name().upper() == LED_COLORS["connected"]
    assert sorted(widget.client_addresses()) == sorted(c.address for c in clients)

    with qtbot.waitSignal(adapter.client_disconnected, timeout=TIMEOUT_MS):
        clients[0].close()
    qtbot.waitUntil(lambda: widget.client_addresses() == [clients[1].address], timeout=TIMEOUT_MS)
    assert widget.led_state == "connected" and widget.count_label.text() == "1 client"

    with qtbot.waitSignal(adapter.client_disconnected, timeout=TIMEOUT_MS):
        clients[1].close()
    qtbot.waitUntil(lambda: widget.led_state == "listening", timeout=TIMEOUT_MS)
    assert widget.client_addresses() == []

    # A client, then Stop: grey LED, empty list, and the socket is closed.
    with qtbot.waitSignal(adapter.client_connected, timeout=TIMEOUT_MS):
        last = RawClient(server.port)
    qtbot.waitUntil(lambda: widget.led_state == "connected", timeout=TIMEOUT_MS)
    with qtbot.waitSignal(adapter.running_changed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert widget.led_state == "stopped" and widget.button.text() == "Start"
    qtbot.waitUntil(lambda: widget.client_addresses() == [], timeout=TIMEOUT_MS)
    last.wait_closed()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_show_creator_window_summarises_the_show_and_follows_reloads(qtbot, tmp_path):
    from server.show import ShowSource
    from server.window import ShowCreatorWindow
    from shared.show import save_show

    path = tmp_path / "club.json"
    save_show(demo_show(), path)
    source = ShowSource(path)
    server = VisualizerTCPServer(source.load(), "127.0.0.1", 0, 3600.0)
    source.server = server
    server.start()
    try:
        window = ShowCreatorWindow(source, server)
        qtbot.addWidget(window)
        window.show()
        assert window.name_label.text() == "club"
        assert window.file_label.text() == str(path)
        assert window.stage_label.text().startswith("10 m × 8 m")
        assert window.fixtures_label.text() == "22"
        assert "Front Wash (6)" in window.groups_label.text()
        assert window.status.led_state == "listening"

        client = RawClient(server.port)
        qtbot.waitUntil(lambda: window.status.led_state == "connected", timeout=TIMEOUT_MS)
        client.read_config()

        text = path.read_text().replace('"width": 10.0', '"width": 12.0', 1)
        path.write_text(text)
        threading.Thread(target=source.reload).start()  # as the watcher thread would
        qtbot.waitUntil(lambda: window.stage_label.text().startswith("12 m"), timeout=TIMEOUT_MS)
        assert window.reload_label.text().startswith("reloaded at")
        assert client.read_config()[0]["width"] == 12.0

        path.write_text("{ not json")
        threading.Thread(target=source.reload).start()
        qtbot.waitUntil(lambda: "keeping the last good show" in window.reload_label.text(), timeout=TIMEOUT_MS)
        assert window.stage_label.text().startswith("12 m")
        client.close()
    finally:
        server.stop()
