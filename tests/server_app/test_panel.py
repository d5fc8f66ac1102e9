"""The Visualizer Server panel with a real server and real visualizer clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtWidgets import QMainWindow, QToolBar

from server.app.panel import (
    LED_COLORS,
    TOOLTIP_LISTENING,
    TOOLTIP_STOPPED,
    VisualizerServerPanel,
)
from shared.show import Vec3, demo_show
from shared.widgets import LED_LIVE, LED_OFF, LED_WAITING
from tests.server_app.conftest import WAIT_MS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def panel(qtbot, settings: QSettings) -> VisualizerServerPanel:
    p = VisualizerServerPanel(config=demo_show(), host="127.0.0.1", port=0, settings=settings)
    qtbot.addWidget(p)
    p.show()
    return p


def _led(panel: VisualizerServerPanel) -> tuple[str, str]:
    return panel.led.color.name().upper(), panel.led.toolTip()


def test_led_follows_real_clients_connecting_and_leaving(qtbot, panel, clients):
    assert _led(panel) == (LED_OFF, TOOLTIP_STOPPED)
    qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
    assert panel.is_running()
    assert _led(panel) == (LED_WAITING, TOOLTIP_LISTENING)

    first = clients(panel.port)
    qtbot.waitUntil(lambda: _led(panel) == (LED_LIVE, "TCP Server: 1 client(s) connected"), timeout=WAIT_MS)
    second = clients(panel.port)
    qtbot.waitUntil(lambda: _led(panel) == (LED_LIVE, "TCP Server: 2 client(s) connected"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: first.config is not None and second.config is not None, timeout=WAIT_MS)
    assert first.config == demo_show()

    first.disconnect()
    qtbot.waitUntil(lambda: _led(panel) == (LED_LIVE, "TCP Server: 1 client(s) connected"), timeout=WAIT_MS)
    second.disconnect()
    qtbot.waitUntil(lambda: _led(panel) == (LED_WAITING, TOOLTIP_LISTENING), timeout=WAIT_MS)
    assert panel.led_state == "listening"
    assert LED_COLORS["listening"] == LED_WAITING


def test_checkbox_starts_and_stops_the_server(qtbot, panel):
    assert panel.server is None  # created lazily
    qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
    port = panel.port
    assert port != 0
    socket.create_connection(("127.0.0.1", port), timeout=2).close()

    with qtbot.waitSignal(panel.running_changed, timeout=WAIT_MS) as stopped:
        qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
    assert stopped.args == [False]
    assert not panel.is_running()
    assert _led(panel) == (LED_OFF, TOOLTIP_STOPPED)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)

    qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)  # and again
    assert panel.is_running()
    assert _led(panel) == (LED_WAITING, TOOLTIP_LISTENING)


def test_unticking_closes_a_connected_visualizers_connection(qtbot, panel):
    from tests.server.helpers import RawClient

    assert panel.start()
    with qtbot.waitSignal(panel.client_count_changed, timeout=WAIT_MS) as count:
        client = RawClient(panel.port)
    assert count.args == [1]
    try:
        client.read_config()
        with qtbot.waitSignal(panel.running_changed, timeout=WAIT_MS):
            qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
        client.wait_closed()  # the server closed it: reading ends, not a timeout
        assert client.eof and panel.client_count() == 0
        assert panel.led_state == "stopped"
    finally:
        client.close()


def test_port_in_use_unchecks_and_says_why_in_one_line(qtbot, settings):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        panel = VisualizerServerPanel(host="127.0.0.1", port=port, settings=settings)
        qtbot.addWidget(panel)
        panel.show()
        with qtbot.waitSignal(panel.error_occurred, timeout=WAIT_MS) as error:
            qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
        message = error.args[0]
        assert str(port) in message and "in use" in message and "\n" not in message
        assert not panel.checkbox.isChecked()
        assert not panel.is_running()
        assert _led(panel) == (LED_OFF, TOOLTIP_STOPPED)
        assert panel.status_label.text() == message
        assert panel.status_label.toolTip() == message
    finally:
        busy.close()
    # Once the port is free the same panel starts.
    qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
    assert panel.is_running()
    assert panel.error == ""
    assert panel.status_label.text().startswith(f"127.0.0.1:{port}")


def test_port_is_remembered(qtbot, settings):
    first = VisualizerServerPanel(settings=settings)
    qtbot.addWidget(first)
    assert first.port_spin.value() == 9000
    first.port_spin.setValue(9123)
    settings.sync()
    again = VisualizerServerPanel(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.port_spin.value() == 9123


def test_set_config_reaches_every_client_and_the_last_change_always_arrives(qtbot, panel, clients):
    panel.start()
    a, b = clients(panel.port), clients(panel.port)
    qtbot.waitUntil(lambda: a.config is not None and b.config is not None, timeout=WAIT_MS)
    config = demo_show()
    for step in range(30):  # faster than the push interval: coalesced
        f0 = config.fixtures[0]
        moved = f0.replace(position=Vec3(f0.position.x + 0.1, f0.position.y, f0.position.z))
        config = type(config)(config.stage, (moved, *config.fixtures[1:]), config.groups)
        panel.set_config(config)
        assert step == 0 or panel.push_count < step + 1
    qtbot.waitUntil(lambda: a.config == config and b.config == config, timeout=WAIT_MS)
    assert panel.push_count < 30


def test_panel_in_a_bare_main_window_stops_with_it(qtbot, settings, clients):
    window = QMainWindow()
    qtbot.addWidget(window)
    toolbar = QToolBar()
    window.addToolBar(toolbar)
    panel = VisualizerServerPanel(window, config=demo_show(), host="127.0.0.1", port=0, settings=settings)
    toolbar.addWidget(panel)
    window.show()
    qtbot.waitExposed(window)
    panel.checkbox.click()
    client = clients(panel.port)
    qtbot.waitUntil(lambda: client.config == demo_show(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.led_state == "connected", timeout=WAIT_MS)
    server = panel.server
    assert server is not None
    window.close()
    qtbot.waitUntil(lambda: not server.is_running(), timeout=WAIT_MS)
    assert not panel.checkbox.isChecked()


def test_a_deleted_panel_does_not_leave_its_server_running(qtbot, settings):
    panel = VisualizerServerPanel(host="127.0.0.1", port=0, settings=settings)
    panel.start()
    server = panel.server
    assert server is not None and server.is_running()
    with qtbot.waitSignal(panel.destroyed, timeout=WAIT_MS):
        panel.deleteLater()
    assert not server.is_running()


def test_launch_visualizer_starts_a_real_visualizer_that_connects(qtbot, panel):
    proc = panel.launch_visualizer()
    assert proc is not None
    assert panel.is_running()
    try:
        qtbot.waitUntil(lambda: panel.led_state == "connected", timeout=30000)
        assert panel.led.toolTip() == "TCP Server: 1 client(s) connected"
    finally:
        panel.shutdown()
    assert not panel.processes
    assert not panel.is_running()


def test_adopting_a_running_server(qtbot, settings, serve, clients):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    free_port = probe.getsockname()[1]
    probe.close()
    server = serve(demo_show(), port=free_port, heartbeat_interval=3600.0)
    panel = VisualizerServerPanel(settings=settings)
    qtbot.addWidget(panel)
    panel.show()
    panel.adopt(server)
    assert panel.checkbox.isChecked() and not panel.port_spin.isEnabled()
    assert _led(panel) == (LED_WAITING, TOOLTIP_LISTENING)
    client = clients(server.port)
    qtbot.waitUntil(lambda: _led(panel) == (LED_LIVE, "TCP Server: 1 client(s) connected"), timeout=WAIT_MS)
    port = server.port
    qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
    assert not server.is_running()
    qtbot.mouseClick(panel.checkbox, Qt.MouseButton.LeftButton)
    assert panel.server is server and server.is_running() and server.port == port  # the same server again
    qtbot.waitUntil(lambda: panel.led_state == "connected", timeout=WAIT_MS)  # the client reconnected
    qtbot.waitUntil(lambda: client.config == demo_show(), timeout=WAIT_MS)


def test_the_server_stops_when_the_application_quits(tmp_path):
    script = tmp_path / "quit.py"
    script.write_text(
        "import sys\n"
        "from PyQt6.QtCore import QSettings, QTimer\n"
        "from PyQt6.QtWidgets import QApplication\n"
        "from server.app import VisualizerServerPanel\n"
        "app = QApplication(sys.argv)\n"
        f"settings = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
        "panel = VisualizerServerPanel(host='127.0.0.1', port=0, settings=settings)\n"
        "assert panel.start()\n"
        "server = panel.server\n"
        "QTimer.singleShot(50, app.quit)\n"
        "app.exec()\n"
        "print('running' if server.is_running() else 'stopped')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "stopped"


def test_a_visualizer_that_cannot_start_is_reported(qtbot, settings, tmp_path):
    panel = VisualizerServerPanel(host="127.0.0.1", port=0, settings=settings,
                                  visualizer_command=[str(tmp_path / "no-such-visualizer")])
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.error_occurred, timeout=WAIT_MS) as error:
        panel.launch_visualizer()
    assert "Could not start the visualizer" in error.args[0]
    assert panel.processes == []
    assert panel.is_running()  # the server itself is fine
