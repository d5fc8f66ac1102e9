"""Issue 7 in the window: every fixture listed, problems listed, failures that say why."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from PyQt6.QtCore import QPoint, Qt

from server import VisualizerTCPServer
from shared.protocol import dumps_line
from shared.show import config_from_dict
from tests import rigs
from tests.app.helpers import WAIT_MS
from visualizer.app.fixture_tree import INDEX_ROLE, NAME_ROLE
from visualizer.app.window import MainWindow
from visualizer.tcp.qt import QtVisualizerClient


def tree_rows(window: MainWindow) -> dict[str, list[tuple[str, str, int]]]:
    """Visible tree: group -> (fixture name, patch, index)."""
    proxy = window.tree.proxy
    out = {}
    for g in range(proxy.rowCount()):
        parent = proxy.index(g, 0)
        out[parent.data(NAME_ROLE)] = [
            (proxy.index(r, 0, parent).data(NAME_ROLE), proxy.index(r, 1, parent).data(),
             proxy.index(r, 0, parent).data(INDEX_ROLE))
            for r in range(proxy.rowCount(parent))
        ]
    return out


@pytest.fixture
def open_window(qtbot) -> Iterator:  # type: ignore[type-arg]
    clients: list[QtVisualizerClient] = []
    # Strong references until teardown: qtbot holds widgets weakly, and a window the
    # garbage collector frees in the middle of a paint takes the process down.
    windows: list[MainWindow] = []

    def make(port: int, wait_config: bool = True) -> MainWindow:
        client = QtVisualizerClient("127.0.0.1", port, backoff_initial=0.05, backoff_max=0.2)
        clients.append(client)
        win = MainWindow(client)
        windows.append(win)
        qtbot.addWidget(win)
        win.resize(1100, 720)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        qtbot.waitActive(win)
        if wait_config:
            with qtbot.waitSignal(win.config_applied, timeout=WAIT_MS):
                client.connect_to_server()
            # The first frame drawn: a window closed before it paints can take GL down with it.
            qtbot.waitUntil(lambda: win.scene.frames_rendered > 0, timeout=WAIT_MS)
        else:
            client.connect_to_server()
        return win

    yield make
    for client in clients:
        client.disconnect_from_server()


class LineServer:
    """A loopback server that sends fixed bytes to whoever connects, then keeps the link open."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.peers: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                peer, _ = self.sock.accept()
            except OSError:
                return
            self.peers.append(peer)
            peer.sendall(self.data)

    def close(self) -> None:
        self.sock.close()
        for peer in self.peers:
            peer.close()


@pytest.fixture
def line_server() -> Iterator:  # type: ignore[type-arg]
    servers: list[LineServer] = []

    def make(data: bytes) -> LineServer:
        servers.append(LineServer(data))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_four_same_named_pars_are_four_rows_with_their_own_patch(qtbot, serve, open_window) -> None:

    server: VisualizerTCPServer = serve(config_from_dict(rigs.four_pars()), heartbeat_interval=1.0)
    window = open_window(server.port)
    rows = tree_rows(window)
    assert rows == {
        "Front": [("Retro Flat Par", "1.1", 0), ("Retro Flat Par", "1.9", 1)],
        "Back": [("Retro Flat Par", "1.17", 2), ("Retro Flat Par", "1.25", 3)],
    }
    assert window.counts.text() == "4 fixtures · 2 groups"
    assert window.problems_button.isVisible() and window.problems_button.text() == "⚠ 1 problem"
    ((where, field, value, action, problem),) = window.problems.rows()
    assert (where, field, value, action) == ('fixtures[1] "Retro Flat Par"', "name", "Retro Flat Par",
                                             "kept; told apart by position")
    assert '"Retro Flat Par" ×4' in problem
    assert [window.state.group_color(i) for i in range(4)] == ["#4477CC", "#4477CC", "#CC7744", "#CC7744"]
    rig = window.scene.rig
    assert rig is not None and len(rig) == 4
    # Selecting the third one shows its own patch, wherever the selection comes from.
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS) as blocker:
        window.select_fixture(2)
    assert blocker.args == [2] and window.details.text("Address") == "17"
    assert window.details.text("Groups") == "Back"
    window.tree.search.setText("1.25")  # the patch as shown
    assert window.tree.visible_indices() == [3]


def test_theatre_with_odd_values_lists_every_fixture_and_each_problem(qtbot, serve, open_window) -> None:
    show = rigs.zero_dimensions()
    show["fixtures"][12]["orientation"]["mounting"] = "ceiling"
    server: VisualizerTCPServer = serve(config_from_dict(show), heartbeat_interval=1.0)
    window = open_window(server.port)
    assert window.counts.text() == "16 fixtures · 3 groups"
    assert sum(len(v) for v in tree_rows(window).values()) == 16
    rig = window.scene.rig
    assert rig is not None and len(rig) == 16
    assert window.problems_button.text() == "⚠ 17 problems"
    rows = window.problems.rows()
    assert ('fixtures[12] "Side Boom L"', "orientation.mounting", "'ceiling'", "treated as 'custom'") in [
        r[:4] for r in rows]
    assert ('fixtures[0] "Front Wash 1"', "physical", "{'width': 0, 'height': 0, 'depth': 0}",
            "drawn with the default size for its type") in [r[:4] for r in rows]
    # The status bar's count opens the list; activating a row selects its fixture.
    assert not window.problems_panel.isVisible()
    window.problems_button.click()
    assert window.problems_panel.isVisible()
    item = window.problems.list.topLevelItem([r[0] for r in rows].index('fixtures[12] "Side Boom L"'))
    assert item is not None
    view = window.problems.list
    qtbot.waitUntil(lambda: view.viewport().height() > 40, timeout=WAIT_MS)  # it got room in the panel
    view.scrollToItem(item)
    rect = view.visualItemRect(item)
    assert rect.isValid()
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, rect.center().y()))
    assert window.selected_fixture == 12 and window.details.text("Name") == "Side Boom L"
    assert window.details.text("Problems").splitlines() == [
        "orientation.mounting 'ceiling' is not one of hanging, standing, wall_left, wall_right, wall_back, "
        "wall_front, custom; treated as 'custom'",
        "physical 0 × 0 × 0 is not a size (each must be > 0); drawn with the default size for its type",
    ]


def test_a_refused_fixtures_message_is_named_by_overlay_and_status_while_green(qtbot, line_server,
                                                                             open_window) -> None:
    show = rigs.theatre()
    data = dumps_line({"type": "stage", **show["stage"]}) + b'{"type":"fixtures","fixtures":{"oops":1}}\n'
    server = line_server(data)
    window = open_window(server.port, wait_config=False)
    expected = f"connected to 127.0.0.1:{server.port}, but its fixtures message was refused: fixtures: " \
               "fixtures must be a list, got {'oops': 1}"
    qtbot.waitUntil(lambda: window.message.text() == expected, timeout=WAIT_MS)
    assert window.indicator.state == "connected"
    overlay = window.overlay_text()
    assert "Waiting" not in overlay
    assert f"Connected to 127.0.0.1:{server.port}, but its fixtures message was refused" in overlay
    assert window.counts.text() == "No show yet"


def test_connected_without_a_show_never_says_waiting(qtbot, line_server, open_window) -> None:
    server = line_server(b"")
    window = open_window(server.port, wait_config=False)
    qtbot.waitUntil(lambda: window.indicator.state == "connected", timeout=WAIT_MS)
    assert window.overlay_text() == f"Connected to 127.0.0.1:{server.port}; no complete show received yet"


def test_window_title_names_the_app_once(serve, open_window) -> None:
    server: VisualizerTCPServer = serve(heartbeat_interval=1.0)
    window = open_window(server.port)
    assert window.windowTitle() == f"Stage Visualizer — 127.0.0.1:{server.port}"
    assert window.windowTitle().count("Stage Visualizer") == 1
