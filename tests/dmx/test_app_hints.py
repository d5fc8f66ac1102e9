"""The no-DMX hint must not send a newcomer after the wrong cause."""

from __future__ import annotations

import inspect
import socket
from collections.abc import Iterator

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QTextDocument

from shared.dmx.merge import SourceInfo
from shared.dmx.universes import UniverseMap
from tests.app.helpers import WAIT_MS
from visualizer.app.dmx_controller import DmxController
from visualizer.app.dmx_monitor import DmxMonitor
from visualizer.app.dmx_options import DmxOptions
from visualizer.app.window import MainWindow
from visualizer.tcp.qt import QtVisualizerClient


@pytest.fixture
def taken() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield int(sock.getsockname()[1])
    sock.close()


def test_hint_when_no_input_could_start_does_not_blame_the_firewall(window: MainWindow, qtbot,  # type: ignore[no-untyped-def]
                                                                    taken: int) -> None:
    # With every port taken the hint still said "No DMX received ...; usual causes: a firewall ...".
    controller = DmxController(window, DmxOptions(artnet=True, artnet_bind="127.0.0.1", artnet_port=taken,
                                                  hint_after=0.2))
    try:
        assert len(controller.start()) == 1
        qtbot.waitUntil(lambda: controller.hint_text is not None, timeout=WAIT_MS)
        hint = controller.hint_text or ""
        assert hint.startswith("No DMX input is running: ")
        assert f"is already using UDP {taken}" in hint
        assert "firewall" not in hint and "\n" not in hint
    finally:
        controller.stop()


def test_hint_without_a_show_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Without a server the hint said "the show expects no universes", as if the show were empty.
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there
    client = QtVisualizerClient("127.0.0.1", port, backoff_initial=0.05, backoff_max=0.2)
    win = MainWindow(client)
    qtbot.addWidget(win)
    controller = DmxController(win, DmxOptions(artnet=True, artnet_bind="127.0.0.1", artnet_port=0, hint_after=0.2))
    try:
        assert controller.start() == []
        qtbot.waitUntil(lambda: controller.hint_text is not None, timeout=WAIT_MS)
        hint = controller.hint_text or ""
        assert "no show yet (not connected to Show Creator)" in hint
        assert "expects no universes" not in hint and "\n" not in hint
    finally:
        controller.stop()
        client.disconnect_from_server()


def test_monitor_never_renders_names_as_html(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    # A sACN source names itself (64 bytes off the network) and fixture names come from show files;
    # both went into QLabels that auto-detect rich text, so "<img src=...>" or "<b>" were rendered.
    monitor = DmxMonitor(UniverseMap(1))
    qtbot.addWidget(monitor)
    hostile = '<img src="/etc/passwd"><b>Console</b>'
    monitor.update_values(None, np.zeros(512, np.uint8), [SourceInfo("sACN", hostile, "10.0.0.9:5568", 100)], True)
    assert monitor.sources_label.textFormat() == Qt.TextFormat.PlainText
    assert monitor.sources_label.text().startswith(hostile)
    f = window.state.config.fixtures[0].replace(name="Par <front> & back")  # type: ignore[union-attr]
    monitor.set_fixture(f, {0: "dimmer"}, 1)
    doc = QTextDocument()
    doc.setHtml(monitor.fixture_label.text())
    assert doc.toPlainText().startswith("Par <front> & back — universe")
    controller = DmxController(window, DmxOptions(artnet=True, artnet_bind="127.0.0.1", artnet_port=0))
    assert controller.status.textFormat() == Qt.TextFormat.PlainText  # the status bar names sources too


def _select(window: MainWindow, index: int) -> None:
    """Select fixture ``index``, by index or by name, whichever this window's API takes."""
    config = window.state.config
    assert config is not None
    if "index" in inspect.signature(window.select_fixture).parameters:
        window.select_fixture(index)  # type: ignore[arg-type]
    else:
        window.select_fixture(config.fixtures[index].name)  # type: ignore[arg-type]


def test_the_first_fixture_stays_selected_in_the_monitor_when_the_show_is_applied_again(  # type: ignore[no-untyped-def]
        window: MainWindow, qtbot) -> None:
    # set_config re-read the selection as `selected_fixture or ""`: with selection by index the
    # first fixture (index 0) read as "nothing selected", so a reload emptied the monitor.
    controller = DmxController(window, DmxOptions(artnet=True, artnet_bind="127.0.0.1", artnet_port=0))
    try:
        _select(window, 0)
        config = window.state.config
        assert config is not None
        controller.set_config(config)
        assert controller.selected == 0
        assert controller.monitor.fixture is config.fixtures[0]
    finally:
        controller.stop()
