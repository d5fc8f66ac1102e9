"""Selection between a Visualizer window and Show Creator's Qt adapter, over loopback (protocol 2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from server import VisualizerTCPServer
from server.qt import QtServerAdapter
from tests.app.helpers import WAIT_MS
from visualizer.app.window import MainWindow
from visualizer.tcp.qt import QtVisualizerClient


@pytest.fixture
def linked(qtbot, serve: Callable[..., VisualizerTCPServer]) -> Iterator[tuple[MainWindow, QtServerAdapter]]:
    server = serve(heartbeat_interval=1.0)
    adapter = QtServerAdapter(server)
    client = QtVisualizerClient("127.0.0.1", server.port, protocol=2, backoff_initial=0.05)
    win = MainWindow(client)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.config_applied, timeout=WAIT_MS):
        client.connect_to_server()
    try:
        yield win, adapter
    finally:
        client.disconnect_from_server()


def test_selecting_in_the_viewer_is_fixture_selected_on_the_server(qtbot, linked):
    win, adapter = linked
    config = win.state.config
    assert config is not None
    with qtbot.waitSignal(adapter.fixture_selected, timeout=WAIT_MS) as blocker:
        win.select_fixture(4)
    address, indices = blocker.args
    assert indices == [4] and address.startswith("127.0.0.1:")


def test_a_pushed_selection_selects_in_the_viewer_without_echo(qtbot, linked):
    win, adapter = linked
    config = win.state.config
    assert config is not None
    echoes: list[object] = []
    adapter.fixture_selected.connect(lambda *args: echoes.append(args))
    with qtbot.waitSignal(win.selection_changed, timeout=WAIT_MS) as blocker:
        adapter.push_selection([7])
    assert blocker.args == [7]
    assert win.selected_fixture == 7
    with qtbot.waitSignal(win.client.selection_received, timeout=WAIT_MS):
        adapter.push_selection([2], highlight=True)
    assert win.selected_fixture == 2
    # One connection keeps order: an echo of the pushed selections would arrive before this one.
    with qtbot.waitSignal(adapter.fixture_selected, timeout=WAIT_MS):
        win.select_fixture(9)
    assert [indices for _address, indices in echoes] == [[9]]


def test_a_delta_from_the_server_moves_the_fixture_in_the_viewer(qtbot, linked):
    from tests.app.helpers import moved

    win, adapter = linked
    deltas: list[object] = []
    win.client.client.on_delta(deltas.append)
    win.set_camera_preset("top")
    before = win.scene.fixture_screen_position("Spot 1")
    assert before is not None
    with qtbot.waitSignal(win.config_applied, timeout=WAIT_MS):
        adapter.update_config(moved(adapter.config, "Spot 1", dy=1.5))
    assert len(deltas) == 1  # a delta, not the whole show
    after = win.scene.fixture_screen_position("Spot 1")
    assert after is not None and after.y() < before.y() - 20
    assert win.state.config == adapter.config
