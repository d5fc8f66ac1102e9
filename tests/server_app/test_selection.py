"""Selection between the Show Creator window and visualizers (protocol 2 ``select``), over loopback.

A visualizer's selection selects the rows (and plan dots) in the window; a
selection made in the window reaches every visualizer, debounced, and what a
visualizer selected is never sent back out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PyQt6.QtCore import QSettings, Qt

from server.app.document import ShowDocument
from server.app.window import ShowCreatorMainWindow
from shared.show import demo_show
from tests.server_app.conftest import WAIT_MS
from visualizer.tcp.qt import QtVisualizerClient


@pytest.fixture
def window(qtbot, settings: QSettings) -> Iterator[ShowCreatorMainWindow]:
    win = ShowCreatorMainWindow(ShowDocument(demo_show()), host="127.0.0.1", port=0, settings=settings,
                                preview=False)
    win.show()
    qtbot.waitExposed(win)
    assert win.panel.start()
    try:
        yield win
    finally:
        win._closing_confirmed = True
        win.close()
        win.deleteLater()


@pytest.fixture
def viewers(qtbot, window: ShowCreatorMainWindow) -> Iterator[Callable[[], QtVisualizerClient]]:
    """Real protocol-2 visualizer clients of the window's server, each holding the window's show."""
    made: list[QtVisualizerClient] = []

    def make() -> QtVisualizerClient:
        client = QtVisualizerClient("127.0.0.1", window.panel.port, protocol=2, backoff_initial=0.05)
        made.append(client)
        with qtbot.waitSignal(client.config_received, timeout=WAIT_MS):
            client.connect_to_server()
        return client

    yield make
    for client in made:
        client.disconnect_from_server()


def _selected_rows(win: ShowCreatorMainWindow) -> list[int]:
    sm = win.table.selectionModel()
    assert sm is not None
    return sorted(win.proxy.mapToSource(i).row() for i in sm.selectedRows())


def _click_row(qtbot, win: ShowCreatorMainWindow, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Click a row's name cell in the (possibly sorted) table, as a user does."""
    index = win.proxy.mapFromSource(win.model.index(row, 0))
    win.table.scrollTo(index)
    viewport = win.table.viewport()
    assert viewport is not None
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, modifier, win.table.visualRect(index).center())


def test_a_visualizers_selection_selects_the_row_and_dot_and_is_not_sent_back(qtbot, window, viewers):
    picker, other = viewers(), viewers()
    heard: list[list[int]] = []
    other.selection_received.connect(lambda indices, mode: heard.append(indices))
    picker_heard: list[list[int]] = []
    picker.selection_received.connect(lambda indices, mode: picker_heard.append(indices))
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS) as blocker:
        picker.select_fixtures([5])
    assert blocker.args == [[5]]
    assert _selected_rows(window) == [5]
    assert window.selected_fixtures() == [5]
    assert window.plan.selected_indices() == [5]
    assert not window._selection_timer.isActive()  # nothing of it is on its way back out
    # Out of range and repeated indices from a viewer on an older show are dropped.
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS) as blocker:
        picker.select_fixtures([7, 7, 10_000])
    assert blocker.args == [[7]] and _selected_rows(window) == [7]
    # Then the user clicks a row here: the first (and only) selection either viewer hears is that one;
    # an echo of 5 or 7 would have arrived first on the same connection.
    with qtbot.waitSignal(other.selection_received, timeout=WAIT_MS) as got:
        _click_row(qtbot, window, 2)
    assert got.args == [[2], "select"]
    qtbot.waitUntil(lambda: picker_heard == [[2]], timeout=WAIT_MS)
    assert heard == [[2]]


def test_a_selection_made_in_the_window_reaches_the_visualizer_debounced(qtbot, window, viewers):
    viewer = viewers()
    heard: list[list[int]] = []
    viewer.selection_received.connect(lambda indices, mode: heard.append(indices))
    # A burst of clicks (one, then shift-extending twice) goes out as one selection: the last.
    _click_row(qtbot, window, 3)
    _click_row(qtbot, window, 4, Qt.KeyboardModifier.ControlModifier)
    _click_row(qtbot, window, 6, Qt.KeyboardModifier.ControlModifier)
    assert window.selected_fixtures() == [3, 4, 6]
    qtbot.waitUntil(lambda: bool(heard), timeout=WAIT_MS)
    assert heard == [[3, 4, 6]]
    # Clicking a dot in the plan goes out too, and so do a group's members and an empty selection.
    viewport = window.plan.viewport()
    with qtbot.waitSignal(viewer.selection_received, timeout=WAIT_MS) as got:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=window.plan.fixture_view_pos(14))
    assert got.args == [[14], "select"]
    members = list(window.doc.config.group_members(0))
    with qtbot.waitSignal(viewer.selection_received, timeout=WAIT_MS) as got:
        window.groups.select_members.emit(members)
    assert got.args == [members, "select"]
    with qtbot.waitSignal(viewer.selection_received, timeout=WAIT_MS) as got:
        window.table.clearSelection()
    assert got.args == [[], "select"]


def test_a_visualizer_window_and_the_show_creator_window_follow_each_other(qtbot, window):
    """The real Visualizer MainWindow (as a user runs it) against the Show Creator window."""
    from visualizer.app.window import MainWindow

    client = QtVisualizerClient("127.0.0.1", window.panel.port, protocol=2, backoff_initial=0.05)
    viz = MainWindow(client)
    qtbot.addWidget(viz)
    viz.show()
    qtbot.waitExposed(viz)
    try:
        with qtbot.waitSignal(viz.config_applied, timeout=WAIT_MS):
            client.connect_to_server()
        with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS):
            viz.select_fixture(4)
        assert _selected_rows(window) == [4]
        with qtbot.waitSignal(viz.selection_changed, timeout=WAIT_MS) as blocker:
            _click_row(qtbot, window, 9)
        assert blocker.args == [9] and viz.selected_fixture == 9
        assert _selected_rows(window) == [9]  # the viewer's applying it did not bounce back
    finally:
        client.disconnect_from_server()
