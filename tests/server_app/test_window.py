"""The Show Creator window end to end: real server, real visualizer clients, real files.

Questions the window asks go through its ``ask`` policy, answered here from
a queue, so no dialog blocks a test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, QSettings, Qt
from PyQt6.QtGui import QColor
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QLineEdit

from server.app.document import ShowDocument
from server.app.edits import COLUMNS, PRESETS, known_mountings
from server.app.side import GridSpec
from server.app.window import ShowCreatorMainWindow
from shared.show import ShowConfig, Stage, demo_show, load_show, save_show
from tests.server_app.conftest import WAIT_MS
from visualizer.tcp import VisualizerTCPClient


class Answers:
    """The user at the keyboard: answers questions in order and remembers them."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.asked: list[tuple[str, Sequence[str]]] = []

    def __call__(self, title: str, text: str, choices: Sequence[str]) -> str:
        self.asked.append((text, tuple(choices)))
        assert self.queue, f"unexpected question: {text}"
        answer = self.queue.pop(0)
        assert answer in choices
        return answer


@pytest.fixture
def show_path(tmp_path: Path) -> Path:
    path = tmp_path / "club.json"
    save_show(demo_show(), path)
    return path


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def window(qtbot, settings: QSettings, show_path: Path, answers: Answers) -> Iterator[ShowCreatorMainWindow]:
    doc = ShowDocument(demo_show(), watch_interval=0.05)
    doc.load_file(show_path)
    win = ShowCreatorMainWindow(doc, host="127.0.0.1", port=0, settings=settings, ask=answers)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitActive(win)
    assert win.panel.start()
    try:
        yield win
    finally:
        win._closing_confirmed = True  # whatever the test left unsaved
        win.close()
        win.deleteLater()


@pytest.fixture
def client(window: ShowCreatorMainWindow, clients: Callable[..., VisualizerTCPClient], qtbot) -> VisualizerTCPClient:
    c = clients(window.panel.port)
    qtbot.waitUntil(lambda: c.config == window.doc.config, timeout=WAIT_MS)
    return c


def _cell_text(win: ShowCreatorMainWindow, row: int, column: str) -> str:
    return str(win.model.index(row, COLUMNS.index(column)).data())


def _type_into_cell(qtbot, win: ShowCreatorMainWindow, row: int, column: str, text: str) -> None:
    """Select the cell in the (sorted) view, open its editor, type and press Enter: as a user does."""
    index = win.proxy.mapFromSource(win.model.index(row, COLUMNS.index(column)))
    win.table.setFocus()
    win.table.setCurrentIndex(index)
    qtbot.keyClick(win.table, Qt.Key.Key_F2)
    editors = [e for e in win.table.findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1, editors
    editor = editors[0]
    qtbot.waitUntil(editor.hasFocus, timeout=WAIT_MS)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits and closes the editor from a queued call: wait for it.
    qtbot.waitUntil(lambda: not [e for e in win.table.findChildren(QLineEdit) if e.isVisible()], timeout=WAIT_MS)


def test_editing_x_in_the_table_reaches_a_connected_client(qtbot, window, client):
    f = window.doc.config.fixtures[3]
    _type_into_cell(qtbot, window, 3, "x", "2.5")
    sent = time.monotonic()
    qtbot.waitUntil(
        lambda: client.config is not None and client.config.fixtures[3].position.x == 2.5, timeout=WAIT_MS
    )
    elapsed = time.monotonic() - sent
    assert elapsed < 2.0  # the 100 ms target is measured by bench/bench_app.py
    assert _cell_text(window, 3, "x") == "2.5"
    got = client.config.fixtures[3]
    assert (got.name, got.position.y, got.position.z) == (f.name, f.position.y, f.position.z)
    assert window.doc.is_modified()
    assert window.windowTitle().startswith("club*")


def test_a_refused_edit_says_why_in_the_show_file_words_and_changes_nothing(qtbot, window):
    before = window.doc.config
    _type_into_cell(qtbot, window, 3, "address", "600")
    assert window.last_error == 'fixtures[3] "LED Bar 4": address 600 is outside 1..512'
    _type_into_cell(qtbot, window, 3, "x", "left")
    assert window.last_error == "fixtures[3] \"LED Bar 4\": position.x must be a number, got 'left'"
    _type_into_cell(qtbot, window, 3, "groups", "LED Bars, Nope")
    assert window.last_error == "fixtures[3] \"LED Bar 4\": group 'Nope' does not exist"
    assert window.doc.config is before
    assert _cell_text(window, 3, "address") == str(before.fixtures[3].address)
    assert not window.doc.is_modified()


def test_an_accepted_edit_that_overlaps_another_patch_is_a_warning(qtbot, window, client):
    _type_into_cell(qtbot, window, 3, "address", "50")  # LED Bar 3 is 49..72
    assert window.doc.config.fixtures[3].address == 50
    assert window.last_error.startswith('Warning: fixtures[3] "LED Bar 4": DMX channels 50..73 in universe 1 overlap')
    qtbot.waitUntil(lambda: client.config.fixtures[3].address == 50, timeout=WAIT_MS)


def test_renaming_a_fixture_keeps_its_groups(qtbot, window, client):
    _type_into_cell(qtbot, window, 0, "name", "Truss Bar A")
    qtbot.waitUntil(lambda: client.config is not None and client.config.fixtures[0].name == "Truss Bar A",
                    timeout=WAIT_MS)
    assert "Truss Bar A" in client.config.groups_by_name["LED Bars"].fixtures
    assert _cell_text(window, 0, "groups") == "LED Bars"


def test_the_table_sorts_numbers_as_numbers(qtbot, window):
    header = window.table.horizontalHeader()
    x_col = COLUMNS.index("x")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(x_col) + 10, header.height() // 2))
    xs = [float(window.proxy.index(r, x_col).data()) for r in range(window.proxy.rowCount())]
    assert xs == sorted(xs) or xs == sorted(xs, reverse=True)
    assert len(set(xs)) > 3


def test_undo_restores_the_table_and_what_clients_receive(qtbot, window, client):
    original = window.doc.config
    _type_into_cell(qtbot, window, 5, "x", "-1.25")
    qtbot.waitUntil(lambda: client.config.fixtures[5].position.x == -1.25, timeout=WAIT_MS)
    window.undo_action.trigger()
    assert _cell_text(window, 5, "x") == f"{original.fixtures[5].position.x:g}"
    qtbot.waitUntil(lambda: client.config == original, timeout=WAIT_MS)
    assert not window.doc.is_modified()
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: client.config.fixtures[5].position.x == -1.25, timeout=WAIT_MS)


def test_dragging_in_the_plan_moves_the_fixture_with_snap_and_one_undo_step(qtbot, window, client):
    plan = window.plan
    i = 14  # Spot 1
    f = window.doc.config.fixtures[i]
    grid = window.doc.config.stage.grid_size
    viewport = plan.viewport()
    start = plan.fixture_view_pos(i)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    # Move in steps towards a point 1.5 m to stage right (+x, the plan's LEFT) and 1 m upstage, a bit off-grid.
    target_x, target_y = f.position.x + 1.5 + grid * 0.2, f.position.y + 1.0 - grid * 0.2
    end = plan.view_pos_of(target_x, target_y)
    assert end.x() < start.x() and end.y() < start.y()  # stage right is left, upstage is up
    for k in range(1, 11):
        p = start + (end - start) * (k / 10)
        QTest.mouseMove(viewport, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    moved = window.doc.config.fixtures[i].position
    assert moved.x == pytest.approx(f.position.x + 1.5)
    assert moved.y == pytest.approx(f.position.y + 1.0)
    assert moved.z == f.position.z
    assert window.selected_fixtures() == [i]
    assert _cell_text(window, i, "x") == f"{moved.x:g}"
    qtbot.waitUntil(lambda: client.config.fixtures[i].position == moved, timeout=WAIT_MS)
    assert window.doc.undo_stack.count() == 1  # the whole drag is one step
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: client.config.fixtures[i].position == f.position, timeout=WAIT_MS)


def test_dragging_a_multi_selection_moves_them_together(qtbot, window):
    plan = window.plan
    window.select_fixtures([8, 9, 10])  # Front Par 1..3
    before = [window.doc.config.fixtures[i].position for i in (8, 9, 10)]
    assert plan.selected_indices() == [8, 9, 10]
    viewport = plan.viewport()
    start = plan.fixture_view_pos(9)
    f = before[1]
    end = plan.view_pos_of(f.x - 1.0, f.y + 0.5)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    after = [window.doc.config.fixtures[i].position for i in (8, 9, 10)]
    # The grabbed fixture lands on the grid; the others keep their distance to it.
    grid = window.doc.config.stage.grid_size
    assert after[1].x % grid == 0 and after[1].y % grid == 0
    assert abs(after[1].x - (f.x - 1.0)) <= grid / 2 and abs(after[1].y - (f.y + 0.5)) <= grid / 2
    dx, dy = after[1].x - f.x, after[1].y - f.y
    for a, b in zip(before, after, strict=True):
        assert (b.x - a.x, b.y - a.y, b.z) == (pytest.approx(dx), pytest.approx(dy), a.z)
    assert window.selected_fixtures() == [8, 9, 10]


def test_the_windows_own_save_is_not_taken_for_a_foreign_change(qtbot, window, client, show_path, answers):
    _type_into_cell(qtbot, window, 2, "y", "1.5")
    history = window.doc.undo_stack.count()
    assert window.save()
    assert load_show(show_path)[0] == window.doc.config
    qtbot.waitUntil(lambda: window.doc.own_saves_ignored >= 1, timeout=WAIT_MS)
    assert window.doc.foreign_changes == 0
    assert answers.asked == []
    assert window.doc.undo_stack.count() == history  # nothing reloaded over the history
    assert not window.doc.is_modified()
    assert window.windowTitle().startswith("club —")


def _foreign_write(path: Path, width: float) -> ShowConfig:
    config = demo_show()
    config = ShowConfig(Stage(width, config.stage.depth, config.stage.grid_size), config.fixtures, config.groups)
    save_show(config, path)
    return config


def test_unsaved_edits_survive_a_foreign_change(qtbot, window, client, show_path, answers):
    _type_into_cell(qtbot, window, 1, "x", "3")
    mine = window.doc.config
    answers.queue.append("Keep my edits")
    _foreign_write(show_path, 14.0)
    qtbot.waitUntil(lambda: window.doc.foreign_changes == 1, timeout=WAIT_MS)
    assert len(answers.asked) == 1 and "unsaved edits" in answers.asked[0][0]
    assert window.doc.config is mine
    assert window.doc.is_modified()
    assert client.config == mine
    assert window.save()
    assert load_show(show_path)[0].fixtures[1].position.x == 3.0


def test_a_foreign_change_can_replace_unsaved_edits_when_the_user_says_so(qtbot, window, client, show_path, answers):
    _type_into_cell(qtbot, window, 1, "x", "3")
    answers.queue.append("Load the file")
    theirs = _foreign_write(show_path, 15.0)
    qtbot.waitUntil(lambda: window.doc.config == theirs, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: client.config == theirs, timeout=WAIT_MS)
    assert not window.doc.is_modified()
    window.undo_action.trigger()  # and the edits are still one undo away
    assert window.doc.config.fixtures[1].position.x == 3.0


def test_a_foreign_change_without_edits_reloads_and_reaches_clients(qtbot, window, client, show_path, answers):
    theirs = _foreign_write(show_path, 16.0)
    qtbot.waitUntil(lambda: client.config == theirs, timeout=WAIT_MS)
    assert answers.asked == []
    assert not window.doc.is_modified()


def test_closing_with_unsaved_changes_asks(qtbot, window, answers, show_path):
    _type_into_cell(qtbot, window, 1, "z", "6")
    server = window.panel.server
    answers.queue.append("Cancel")
    window.close()
    assert window.isVisible() and server is not None and server.is_running()
    answers.queue.append("Save")
    window.close()
    assert not window.isVisible()
    assert not server.is_running()
    assert load_show(show_path)[0].fixtures[1].position.z == 6.0


def test_add_a_row_of_fixtures_one_metre_apart(qtbot, window, client):
    spec = GridSpec(count=8, columns=8, spacing_x=1.0, centre_x=0.0, centre_y=-3.0, height=6.0,
                    prefix="Front Truss PAR", universe=3, start_address=1, footprint=8, group="Front Wash")
    added = window.add_fixtures_grid(spec)
    config = window.doc.config
    assert added == list(range(22, 30))
    xs = [config.fixtures[i].position.x for i in added]
    assert xs == [3.5, 2.5, 1.5, 0.5, -0.5, -1.5, -2.5, -3.5]  # no. 1 at stage right, the plan's left
    assert [config.fixtures[i].address for i in added] == [1, 9, 17, 25, 33, 41, 49, 57]
    assert config.fixtures[22].name == "Front Truss PAR 1"
    assert set(config.groups_by_name["Front Wash"].fixtures) >= {config.fixtures[i].name for i in added}
    assert window.model.rowCount() == 30
    qtbot.waitUntil(lambda: client.config == config, timeout=WAIT_MS)
    window.remove_selected()
    qtbot.waitUntil(lambda: client.config is not None and len(client.config.fixtures) == 22, timeout=WAIT_MS)
    assert client.config == demo_show()


def test_group_colour_and_membership(qtbot, window, client):
    groups = window.groups
    groups.color_picker = lambda current: QColor("#123456")
    groups.list.setCurrentRow(0)
    qtbot.mouseClick(groups.color_button, Qt.MouseButton.LeftButton)
    assert window.doc.config.groups[0].color == "#123456"
    window.select_fixtures([14])
    qtbot.mouseClick(groups.add_members_button, Qt.MouseButton.LeftButton)
    assert "Spot 1" in window.doc.config.groups[0].fixtures
    assert _cell_text(window, 14, "groups") == f"{window.doc.config.groups[0].name}, Moving Heads"
    qtbot.waitUntil(lambda: client.config == window.doc.config, timeout=WAIT_MS)
    qtbot.mouseClick(groups.remove_members_button, Qt.MouseButton.LeftButton)
    assert "Spot 1" not in window.doc.config.groups[0].fixtures


def test_orientation_preset_reaches_preview_and_clients(qtbot, window, client):
    window.select_fixtures([18])
    qtbot.mouseClick(window.orientation.preset_buttons["wall_left"], Qt.MouseButton.LeftButton)
    o = window.doc.config.fixtures[18].orientation
    assert o is not None and (o.yaw, o.pitch, o.roll) == PRESETS["wall_left"]
    if "wall_left" in known_mountings():
        assert o.mounting == "wall_left"
    qtbot.waitUntil(lambda: window.preview.config() == window.doc.config, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: client.config == window.doc.config, timeout=WAIT_MS)
    # The 3D preview highlights the selected fixture (by index; by name in a scene from before that).
    assert window.preview.selected_fixture() in (18, "Side Wash L")
    window.orientation.spins["pitch"].setValue(-30.0)
    assert window.doc.config.fixtures[18].orientation.pitch == -30.0
    assert _cell_text(window, 18, "pitch") == "-30"


def test_recent_files_remember_saves_and_opens(qtbot, window, tmp_path):
    other = tmp_path / "other.json"
    assert window.save_as(other)
    assert window.recent_files()[0] == str(other)
    assert window.doc.path == str(other)
    assert json.loads(other.read_text())["stage"]["width"] == demo_show().stage.width


def test_dmx_test_menu_starts_and_stops_the_patterns(qtbot, window):
    menu = window.dmx_menu
    titles = [a.text() for a in window.menuBar().actions()]
    assert "DMX test" in titles
    assert list(menu.pattern_actions) == ["chase", "rainbow", "groups", "full", "sweep"]
    menu.pattern_actions["rainbow"].trigger()
    assert menu.running and menu.pattern == "rainbow"
    assert menu.pattern_actions["rainbow"].isChecked()
    menu.stop_action.trigger()
    assert not menu.running
    assert not any(a.isChecked() for a in menu.pattern_actions.values())


def test_rubber_band_selects_fixtures_in_the_plan(qtbot, window):
    plan = window.plan
    config = window.doc.config
    front = [i for i, f in enumerate(config.fixtures) if f.name.startswith("Front Par")]
    xs = [config.fixtures[i].position.x for i in front]
    y = config.fixtures[front[0]].position.y
    # From beyond the plan-left end (stage right, +x) to beyond the right end, around the front truss.
    a = plan.view_pos_of(max(xs) + 0.4, y + 0.2)
    b = plan.view_pos_of(min(xs) - 0.4, y - 0.1)  # the pixel bars, 0.3 m further down, stay out
    viewport = plan.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for k in range(1, 6):
        QTest.mouseMove(viewport, a + (b - a) * (k / 5))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert window.selected_fixtures() == front
    rows = sorted(window.proxy.mapToSource(i).row() for i in window.table.selectionModel().selectedRows())
    assert rows == front


def test_renaming_a_group_and_membership_from_the_table(qtbot, window, client):
    item = window.groups.list.item(3)
    item.setText("Booms")
    assert window.doc.config.groups[3].name == "Booms"
    assert _cell_text(window, 18, "groups") == "Booms"
    _type_into_cell(qtbot, window, 18, "groups", "Booms, Front Wash")
    assert _cell_text(window, 18, "groups") == "Front Wash, Booms"
    qtbot.waitUntil(lambda: client.config == window.doc.config, timeout=WAIT_MS)
    assert "Side Wash L" in client.config.groups_by_name["Front Wash"].fixtures


def test_the_add_row_dialog_adds_what_it_was_told(qtbot, window):
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from server.app.side import AddFixturesDialog

    seen: list[AddFixturesDialog] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AddFixturesDialog):
            QTimer.singleShot(10, fill_in)  # not open yet
            return
        seen.append(dialog)
        dialog.count.setValue(4)
        dialog.columns.setValue(2)
        dialog.spacing_x.setValue(2.0)
        dialog.prefix.setText("Floor Spot")
        dialog.group.setCurrentText("Floor")
        dialog.accept()

    QTimer.singleShot(0, fill_in)
    qtbot.mouseClick(window.add_grid_button, Qt.MouseButton.LeftButton)
    assert seen
    config = window.doc.config
    added = config.fixtures[22:]
    assert [f.name for f in added] == ["Floor Spot 1", "Floor Spot 2", "Floor Spot 3", "Floor Spot 4"]
    assert [f.position.x for f in added] == [1.0, -1.0, 1.0, -1.0]
    assert config.groups[-1].name == "Floor" and config.groups[-1].fixtures == tuple(f.name for f in added)
    assert window.selected_fixtures() == [22, 23, 24, 25]
    window.undo_action.trigger()
    assert window.doc.config == demo_show()


def test_arrow_keys_nudge_the_selection_by_one_grid_step_as_drawn(qtbot, window):
    window.select_fixtures([14])
    f = window.doc.config.fixtures[14].position
    grid = window.doc.config.stage.grid_size
    window.plan.setFocus()
    qtbot.keyClick(window.plan, Qt.Key.Key_Left)  # left on the plan is stage right, +x
    qtbot.keyClick(window.plan, Qt.Key.Key_Up)  # up is upstage, +y
    moved = window.doc.config.fixtures[14].position
    assert (moved.x, moved.y) == (pytest.approx(f.x + grid), pytest.approx(f.y + grid))
    assert window.doc.undo_stack.count() == 2


def test_opening_another_show_with_unsaved_edits_asks_first(qtbot, window, client, tmp_path, answers):
    other = tmp_path / "other.json"
    theirs = _foreign_write(other, 12.0)
    _type_into_cell(qtbot, window, 1, "x", "3")
    answers.queue.append("Cancel")
    assert not window.open_file(other)
    assert window.doc.config.fixtures[1].position.x == 3.0 and window.doc.is_modified()
    answers.queue.append("Discard")
    assert window.open_file(other)
    assert window.doc.config == theirs and window.doc.path == str(other)
    assert not window.doc.is_modified() and window.doc.undo_stack.count() == 0
    qtbot.waitUntil(lambda: client.config == theirs, timeout=WAIT_MS)
    assert window.recent_files()[0] == str(other)


def test_a_file_that_cannot_be_opened_is_one_line_and_changes_nothing(qtbot, window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"stage": {"width": 10, "height": 8}, "fixtures": [{"name": "A"}]}')
    before = window.doc.config
    assert not window.open_file(bad)
    assert window.last_error.startswith(f"{bad}: fixtures[0] \"A\": missing field")
    assert window.doc.config is before


def test_the_stage_size_and_grid_are_edited_and_undone(qtbot, window, client):
    window.stage_panel.width_spin.setValue(14.0)
    window.stage_panel.grid_spin.setValue(0.25)
    stage = window.doc.config.stage
    assert (stage.width, stage.depth, stage.grid_size) == (14.0, 8.0, 0.25)
    qtbot.waitUntil(lambda: client.config.stage == stage, timeout=WAIT_MS)
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert window.doc.config.stage == demo_show().stage
    assert window.stage_panel.width_spin.value() == demo_show().stage.width


def test_a_new_show_starts_empty_and_takes_fixtures(qtbot, window, client):
    window.new_show()
    assert window.doc.config.fixtures == () and window.doc.path is None
    assert window.model.rowCount() == 0
    qtbot.waitUntil(lambda: client.config is not None and client.config.fixtures == (), timeout=WAIT_MS)
    window.add_fixture()
    window.add_fixture()
    config = window.doc.config
    assert [f.name for f in config.fixtures] == ["PAR 1", "PAR 2"]
    assert config.fixtures[1].address == config.fixtures[0].address + 4  # the next free channels
    assert window.plan.fixture_view_pos(1) != window.plan.fixture_view_pos(0)
    qtbot.waitUntil(lambda: client.config == config, timeout=WAIT_MS)
    assert window.windowTitle().startswith("untitled*")


def test_a_broken_file_written_by_another_program_keeps_the_show(qtbot, window, client, show_path, answers):
    """What the old status window showed (the show's size, what a bad reload did) lives on here."""
    good = window.doc.config
    assert window.count_label.text() == f"{len(good.fixtures)} fixtures, {len(good.groups)} groups"
    bar = window.statusBar()
    assert bar is not None
    show_path.write_text("{ not json")
    qtbot.waitUntil(lambda: "keeping the show in the editor" in bar.currentMessage(), timeout=WAIT_MS)
    assert str(show_path) in bar.currentMessage() and "invalid JSON" in bar.currentMessage()
    assert window.doc.config is good and not window.doc.is_modified()
    assert client.config == good
    # Once the file is whole again it is loaded, counted and served.
    theirs = _foreign_write(show_path, 12.0)
    qtbot.waitUntil(lambda: client.config == theirs, timeout=WAIT_MS)
    assert window.count_label.text() == f"{len(theirs.fixtures)} fixtures, {len(theirs.groups)} groups"
    assert answers.asked == []
