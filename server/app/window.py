"""The Show Creator window: the rig editor with the Visualizer Server in its toolbar.

One ``ShowDocument`` is the truth; the table, the top plan, the 3D preview,
the groups list and the server panel all follow its ``changed`` signal, and
every edit is an undoable step on it.  An edit reaches the visualizers from
the same signal: ``panel.set_config`` sends the first change at once and
coalesces a drag to ~20 pushes a second.

Questions (unsaved changes, a foreign change to the file) go through
``ask``, which tests replace so no dialog ever blocks them.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from PyQt6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QKeySequence
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from server.app import edits
from server.app.dmx_menu import DmxTestMenu
from server.app.document import ForeignChoice, SaveRefused, ShowDocument, save_problem
from server.app.panel import VisualizerServerPanel
from server.app.plan import PlanView
from server.app.side import AddFixturesDialog, GridSpec, GroupsPanel, OrientationPanel, StagePanel
from server.app.table import FixtureSortProxy, FixtureTableModel, MountingDelegate
from server.core import VisualizerTCPServer
from shared.show import ShowConfig, ShowFileError, Stage, save_show

log = logging.getLogger(__name__)

APP_NAME = "Show Creator"
SETTINGS_RECENT = "show_creator/recent_files"
MAX_RECENT = 8
PREVIEW_INTERVAL_MS = 30
#: A selection made here reaches the visualizers once it has been still this long.
SELECTION_PUSH_MS = 60
SHOW_FILTER = "Show files (*.json);;All files (*)"

#: ``ask(title, text, choices) -> choice``: choices are button labels, the first the default.
AskPolicy = Callable[[str, str, Sequence[str]], str]


def message_box_ask(parent: QWidget | None) -> AskPolicy:
    def ask(title: str, text: str, choices: Sequence[str]) -> str:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        buttons = [box.addButton(c, QMessageBox.ButtonRole.AcceptRole) for c in choices]
        box.setDefaultButton(buttons[0])
        box.exec()
        clicked = box.clickedButton()
        return choices[buttons.index(clicked)] if clicked in buttons else choices[-1]

    return ask


class ShowCreatorMainWindow(QMainWindow):
    """Edit the rig; every change goes live to the connected visualizers."""

    #: The selected fixture indices changed (sorted).
    selection_changed = pyqtSignal(list)

    def __init__(
        self,
        doc: ShowDocument | None = None,
        *,
        settings: QSettings | None = None,
        host: str = "0.0.0.0",
        port: int | None = None,
        heartbeat_interval: float = 5.0,
        server: VisualizerTCPServer | None = None,
        ask: AskPolicy | None = None,
        preview: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else QSettings("StageVisualizer", "ShowCreator")
        self.ask: AskPolicy = ask or message_box_ask(self)
        self.doc = doc if doc is not None else ShowDocument(ShowConfig(Stage(10.0, 8.0)), parent=self)
        if self.doc.parent() is None:
            self.doc.setParent(self)
        self.doc.foreign_change_policy = self._ask_foreign_change
        self._selected: list[int] = []
        #: The last refusal or warning shown in the status bar (one line).
        self.last_error = ""
        self._syncing = False
        self._orient_key: tuple[int, str, tuple[int, ...]] = (0, "", ())
        self._closing_confirmed = False
        self.setMinimumSize(900, 600)

        self.panel = VisualizerServerPanel(
            self, config=self.doc.config, host=host, port=port, settings=self.settings,
            heartbeat_interval=heartbeat_interval,
        )
        if server is not None:
            self.panel.adopt(server)

        # ---- table
        self.model = FixtureTableModel(self.doc, self)
        self.proxy = FixtureSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        sort_header = self.table.horizontalHeader()
        assert sort_header is not None
        sort_header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # list order until a header is clicked
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setItemDelegateForColumn(edits.COLUMNS.index("mounting"), MountingDelegate(self.table))
        self.table.verticalHeader().setDefaultSectionSize(22)  # type: ignore[union-attr]
        header = self.table.horizontalHeader()
        assert header is not None
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(72)
        for name, width in (("name", 120), ("manufacturer", 100), ("model", 120), ("mode", 90), ("groups", 120)):
            header.resizeSection(edits.COLUMNS.index(name), width)
        self.model.rejected.connect(self._show_error)
        self.model.warned.connect(self._show_error)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)  # type: ignore[union-attr]

        self.add_button = QPushButton("Add fixture")
        self.add_grid_button = QPushButton("Add row / grid…")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.add_grid_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.count_label = QLabel()
        buttons.addWidget(self.count_label)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table)

        # ---- plan and 3D preview
        self.plan = PlanView()
        self.plan.fixtures_moved.connect(self._on_plan_moved)
        self.plan.drag_started.connect(self._on_drag_started)
        self.plan.drag_finished.connect(self._on_drag_finished)
        self.plan.selection_changed.connect(self._on_plan_selection)
        self._drag_key = 0
        self.preview: Any = None
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plan)
        if preview:
            from visualizer.render import StageScene

            self.preview = StageScene()
            self.preview.container.setMinimumHeight(160)
            right.addWidget(self.preview.container)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([640, 560])
        self.setCentralWidget(splitter)

        # ---- docks
        self.groups = GroupsPanel()
        self.orientation = OrientationPanel()
        self.stage_panel = StagePanel()
        for title, widget in (("Groups", self.groups), ("Orientation", self.orientation), ("Stage", self.stage_panel)):
            dock = QDockWidget(title, self)
            dock.setObjectName(title)
            dock.setWidget(widget)
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.groups.add_requested.connect(self._add_group)
        self.groups.remove_requested.connect(self._remove_group)
        self.groups.color_chosen.connect(self._set_group_color)
        self.groups.renamed.connect(self._rename_group)
        self.groups.membership_requested.connect(self._group_membership)
        self.groups.select_members.connect(self.select_fixtures)
        self.orientation.preset_chosen.connect(self.apply_preset)
        self.orientation.angle_changed.connect(self._on_angle)
        self.stage_panel.changed.connect(self.set_stage)

        # ---- actions, toolbar, menus
        self.dmx_menu = DmxTestMenu(self)
        self.dmx_menu.message.connect(self._show_message)
        self._build_actions()
        self.add_button.clicked.connect(self.add_fixture)
        self.add_grid_button.clicked.connect(self._add_grid_dialog)
        self.remove_button.clicked.connect(self.remove_selected)

        # Selection <-> visualizers: ours goes out debounced; theirs comes in and is not sent back.
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_PUSH_MS)
        self._selection_timer.timeout.connect(self._push_selection)
        self.panel.fixtures_selected.connect(self._on_remote_selection)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.timeout.connect(self._update_preview)
        self._last_preview = 0.0

        self.doc.changed.connect(self._on_doc_changed)
        self.doc.path_changed.connect(self._update_title)
        self.doc.message.connect(self._show_message)
        self.doc.undo_stack.cleanChanged.connect(self._update_title)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_quit)
        self._apply_config(self.doc.config)
        self.plan.fit()
        self._update_title()
        self.resize(1400, 860)

    # ------------------------------------------------------------ construction helpers

    def _build_actions(self) -> None:
        stack = self.doc.undo_stack
        self.open_action = QAction("Open…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self._open_dialog)
        self.new_action = QAction("New", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_show)
        self.save_action = QAction("Save", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.save_as_action = QAction("Save As…", self)
        self.save_as_action.setShortcut(QKeySequence.StandardKey.SaveAs)
        self.save_as_action.triggered.connect(self._save_as_dialog)
        self.undo_action = stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)  # type: ignore[union-attr]
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)  # type: ignore[union-attr]
        self.recent_menu = QMenu("Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.remove_action = QAction("Remove selected fixtures", self)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.triggered.connect(self.remove_selected)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.panel)
        toolbar.addSeparator()
        toolbar.addAction(self.open_action)
        recent_button = QToolButton()
        recent_button.setText("Recent")
        recent_button.setMenu(self.recent_menu)
        recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        toolbar.addWidget(recent_button)
        toolbar.addAction(self.save_action)
        toolbar.addAction(self.save_as_action)
        toolbar.addSeparator()
        toolbar.addAction(self.undo_action)  # type: ignore[arg-type]
        toolbar.addAction(self.redo_action)  # type: ignore[arg-type]
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        bar = self.menuBar()
        assert bar is not None
        file_menu = bar.addMenu("&File")
        assert file_menu is not None
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = bar.addMenu("&Edit")
        assert edit_menu is not None
        edit_menu.addAction(self.undo_action)  # type: ignore[arg-type]
        edit_menu.addAction(self.redo_action)  # type: ignore[arg-type]
        edit_menu.addSeparator()
        edit_menu.addAction(self.remove_action)
        fixtures_menu = bar.addMenu("F&ixtures")
        assert fixtures_menu is not None
        add = QAction("Add fixture", self)
        add.triggered.connect(self.add_fixture)
        fixtures_menu.addAction(add)
        grid = QAction("Add row / grid…", self)
        grid.triggered.connect(self._add_grid_dialog)
        fixtures_menu.addAction(grid)
        fixtures_menu.addAction(self.remove_action)
        bar.addMenu(self.dmx_menu)

    # ------------------------------------------------------------ document -> views

    def _on_doc_changed(self, config: ShowConfig) -> None:
        self.panel.set_config(config)  # first: the visualizers get it before we repaint
        self._apply_config(config)

    def _apply_config(self, config: ShowConfig) -> None:
        self.plan.set_config(config)
        self.groups.set_config(config)
        self.stage_panel.set_config(config)
        self.dmx_menu.set_config(config)
        self._selected = [i for i in self._selected if i < len(config.fixtures)]
        self._show_orientation()
        self.count_label.setText(f"{len(config.fixtures):,} fixtures, {len(config.groups)} groups")
        self._schedule_preview()
        self._update_title()

    def _schedule_preview(self) -> None:
        if self.preview is None or self._preview_timer.isActive():
            return
        wait = self._last_preview + PREVIEW_INTERVAL_MS / 1000 - time.monotonic()
        self._preview_timer.start(max(0, round(wait * 1000)))

    def _update_preview(self) -> None:
        if self.preview is None:
            return
        self._last_preview = time.monotonic()
        self.preview.set_config(self.doc.config)
        self._select_in_preview()

    def _update_title(self, *_: object) -> None:
        star = "*" if self.doc.is_modified() else ""
        where = self.doc.path or "not saved"
        self.setWindowTitle(f"{self.doc.name}{star} — {where} — {APP_NAME}")

    def _show_message(self, text: str) -> None:
        bar = self.statusBar()
        if bar is not None:
            bar.showMessage(text, 8000)

    def _show_error(self, text: str) -> None:
        self.last_error = text
        bar = self.statusBar()
        if bar is not None:
            bar.showMessage(text, 15000)

    # ------------------------------------------------------------ selection

    def selected_fixtures(self) -> list[int]:
        return list(self._selected)

    def select_fixtures(self, indices: Sequence[int]) -> None:
        self._set_selection(sorted(set(indices)), source=None)

    def _on_table_selection(self, *_: object) -> None:
        if self._syncing:
            return
        sm = self.table.selectionModel()
        assert sm is not None
        rows = {self.proxy.mapToSource(i).row() for i in sm.selectedRows()}
        self._set_selection(sorted(rows), source="table")

    def _on_plan_selection(self, indices: list[int]) -> None:
        if not self._syncing:
            self._set_selection(indices, source="plan")

    def _set_selection(self, indices: list[int], source: str | None) -> None:
        self._selected = indices
        self._syncing = True
        try:
            if source != "plan":
                self.plan.select_indices(indices)
            if source != "table":
                sm = self.table.selectionModel()
                assert sm is not None
                selection = QItemSelection()
                last = len(edits.COLUMNS) - 1
                for i in indices:
                    top = self.proxy.mapFromSource(self.model.index(i, 0))
                    bottom = self.proxy.mapFromSource(self.model.index(i, last))
                    selection.select(top, bottom)
                sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                if indices:
                    self.table.scrollTo(self.proxy.mapFromSource(self.model.index(indices[0], 0)))
        finally:
            self._syncing = False
        self._show_orientation()
        self._select_in_preview()
        if source == "visualizer":
            self._selection_timer.stop()  # theirs is newer than anything of ours still waiting
        else:
            self._selection_timer.start()
        self.selection_changed.emit(indices)

    def _on_remote_selection(self, address: str, indices: list[int]) -> None:
        """A visualizer selected fixtures: select their rows (and dots) here, without sending it back."""
        n = len(self.doc.config.fixtures)
        valid = sorted({i for i in indices if 0 <= i < n})
        log.debug("visualizer %s selected %s", address, valid)
        if valid != self._selected:
            self._set_selection(valid, source="visualizer")

    def _push_selection(self) -> None:
        self.panel.push_selection(self._selected)

    def _select_in_preview(self) -> None:
        if self.preview is None:
            return
        # StageScene selects by fixture index (the contract); an older scene took names.
        scene = cast(Any, self.preview)
        target = self._selected[0] if self._selected else None
        config = scene.config()
        if target is not None and (config is None or target >= len(config.fixtures)):
            return  # the preview has not caught up yet: _update_preview selects again
        by_name = "name" in inspect.signature(scene.select_fixture).parameters
        try:
            scene.select_fixture(config.fixtures[target].name if by_name and target is not None else target)
        except (TypeError, ValueError, KeyError, IndexError):
            log.debug("preview cannot select %r", target)

    def _show_orientation(self) -> None:
        config = self.doc.config
        first = config.fixtures[self._selected[0]] if self._selected else None
        self.orientation.show_fixture(first, len(self._selected))

    # ------------------------------------------------------------ edits

    def edit_cell(self, index: int, column: str, text: str) -> bool:
        """Set one cell as typing it in the table would; False (and a status line) if refused."""
        column_index = edits.COLUMNS.index(column)
        return self.model.setData(self.model.index(index, column_index), text)

    def _on_drag_started(self) -> None:
        self._drag_key = self.doc.new_merge_key()
        self.model.hold()

    def _on_drag_finished(self) -> None:
        self.model.release()

    def _on_plan_moved(self, moves: dict[int, tuple[float, float]]) -> None:
        new = edits.move_fixtures(self.doc.config, moves)
        n = len(moves)
        key = self._drag_key if self.plan.dragging else 0  # a drag is one undo step, each nudge its own
        self.doc.apply(new, f"Move {n} fixture{'' if n == 1 else 's'}", key)

    def apply_preset(self, preset: str) -> None:
        if not self._selected:
            return
        try:
            new = edits.orient_fixtures(self.doc.config, self._selected, preset=preset)
        except edits.EditError as exc:
            self._show_error(str(exc))
            return
        self.doc.apply(new, f"Mount {len(self._selected)} as {preset}")

    def _on_angle(self, name: str, value: float) -> None:
        if not self._selected:
            return
        key = (self._orient_key[0], name, tuple(self._selected))
        if key[1:] != self._orient_key[1:]:
            key = (self.doc.new_merge_key(), name, tuple(self._selected))
        self._orient_key = key
        try:
            new = edits.orient_fixtures(self.doc.config, self._selected, angles={name: value})
        except edits.EditError as exc:
            self._show_error(str(exc))
            return
        self.doc.apply(new, f"Set {name} to {value:g}°", key[0])

    def set_stage(self, width: float, depth: float, grid: float) -> None:
        self._try(lambda: edits.set_stage(self.doc.config, width, depth, grid), "Stage size")

    def add_fixture(self) -> None:
        config = self.doc.config
        base = config.fixtures[self._selected[-1]] if self._selected else None
        spec = GridSpec(count=1, columns=1, centre_x=0.0, centre_y=0.0)
        if base is not None:
            spec.fixture_type = base.fixture_type or ""
            spec.manufacturer, spec.model, spec.mode = base.manufacturer, base.model, base.mode
            spec.prefix = (base.fixture_type or "Fixture").upper() if base.fixture_type else "Fixture"
            spec.universe = base.universe
            spec.height = base.position.z
            spec.centre_x, spec.centre_y = base.position.x, base.position.y - config.stage.grid_size
            spec.footprint = base.channel_count or spec.footprint
        spec.start_address = edits.first_free_address(config, spec.universe, spec.footprint)
        self.add_fixtures_grid(spec)

    def add_fixtures_grid(self, spec: GridSpec) -> list[int]:
        """Add ``spec.count`` fixtures in rows; returns their indices (selected)."""
        config = self.doc.config
        try:
            new = edits.grid_fixtures(
                spec.template(), (f.name for f in config.fixtures), count=spec.count, columns=spec.columns,
                centre=(spec.centre_x, spec.centre_y), spacing=(spec.spacing_x, spec.spacing_y),
                prefix=spec.prefix, universe=spec.universe, start_address=spec.start_address,
                footprint=spec.footprint,
            )
            result = edits.add_fixtures(config, new, spec.group or None)
        except edits.EditError as exc:
            self._show_error(str(exc))
            return []
        start = len(config.fixtures)
        self.doc.apply(result, f"Add {spec.count} fixture{'' if spec.count == 1 else 's'}")
        added = list(range(start, start + spec.count))
        self.select_fixtures(added)
        return added

    def _add_grid_dialog(self) -> None:
        config = self.doc.config
        spec = GridSpec()
        spec.start_address = edits.first_free_address(config, spec.universe, spec.footprint)
        spec.centre_y = -config.stage.depth / 2 + 1.0
        dialog = AddFixturesDialog(spec, [g.name for g in config.groups], self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_fixtures_grid(dialog.spec())

    def remove_selected(self) -> None:
        if not self._selected:
            return
        n = len(self._selected)
        try:
            new = edits.remove_fixtures(self.doc.config, self._selected)
        except edits.EditError as exc:  # groups that repeated names could no longer tell apart
            self._show_error(str(exc))
            return
        self._selected = []
        self.doc.apply(new, f"Remove {n} fixture{'' if n == 1 else 's'}")
        self.select_fixtures([])

    def _try(self, make: Callable[[], ShowConfig], text: str) -> None:
        try:
            new = make()
        except edits.EditError as exc:
            self._show_error(str(exc))
            return
        self.doc.apply(new, text)

    def _add_group(self) -> None:
        names = {g.name for g in self.doc.config.groups}
        name = next(f"Group {n}" for n in range(1, len(names) + 2) if f"Group {n}" not in names)
        self._try(lambda: edits.add_group(self.doc.config, name, "#FFC107", self._selected), f"New group {name}")

    def _remove_group(self, g: int) -> None:
        self._try(lambda: edits.remove_group(self.doc.config, g), "Delete group")

    def _set_group_color(self, g: int, color: str) -> None:
        self._try(lambda: edits.set_group(self.doc.config, g, color=color), "Group colour")

    def _rename_group(self, g: int, name: str) -> None:
        self._try(lambda: edits.set_group(self.doc.config, g, name=name), "Rename group")
        self.groups._config = None  # refill: a refused name goes back to the old one
        self.groups.set_config(self.doc.config)

    def _group_membership(self, g: int, add: bool) -> None:
        sel = self._selected
        self._try(
            lambda: edits.set_group_members(self.doc.config, g, add=sel if add else (), remove=() if add else sel),
            "Group members",
        )

    # ------------------------------------------------------------ files

    def _ask_foreign_change(self, path: str) -> ForeignChoice:
        choice = self.ask(
            APP_NAME,
            f"{path} was changed by another program, and you have unsaved edits.\n"
            "Keep your edits (saving will overwrite the file), or load the file and lose them?",
            ("Keep my edits", "Load the file"),
        )
        return "reload" if choice == "Load the file" else "keep"

    def _confirm_discard(self, action: str) -> bool:
        """True when it is fine to drop the current show (saved, or the user said so)."""
        if not self.doc.is_modified():
            return True
        choice = self.ask(
            APP_NAME, f'Save the changes to "{self.doc.name}" before {action}?', ("Save", "Discard", "Cancel")
        )
        if choice == "Save":
            return self.save()
        return choice == "Discard"

    def open_file(self, path: str | os.PathLike[str]) -> bool:
        if not self._confirm_discard("opening another show"):
            return False
        try:
            issues = self.doc.load_file(path)
        except ShowFileError as exc:
            self._show_error(str(exc))
            return False
        self._add_recent(os.fspath(path))
        self.select_fixtures([])
        self.plan.fit()
        self._show_message(f"Opened {path}" + (f" ({len(issues)} warnings)" if issues else ""))
        return True

    def new_show(self) -> None:
        if self._confirm_discard("starting a new show"):
            self.doc.new_show(ShowConfig(Stage(10.0, 8.0)))

    def save(self) -> bool:
        if self.doc.path is None:
            return self._save_as_dialog()
        problem = save_problem(self.doc.path, in_place=True)
        if problem is not None:  # a rig of another program: offer NAME.json next to it
            self._show_error(problem)
            return self._save_as_dialog(str(Path(self.doc.path).with_suffix(".json")))
        return self._save_to(self.doc.path)

    def save_as(self, path: str | os.PathLike[str]) -> bool:
        return self._save_to(os.fspath(path))

    def _save_to(self, path: str) -> bool:
        try:
            self.doc.save(path)
        except OSError as exc:
            self._show_error(f"{path}: {exc.strerror or exc}")
            return False
        except SaveRefused as exc:
            self._show_error(str(exc))
            return False
        self._add_recent(path)
        return True

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open show", self._dialog_dir(), SHOW_FILTER)
        if path:
            self.open_file(path)

    def _save_as_dialog(self, suggested: str | None = None) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save show as", suggested or self._dialog_dir(), SHOW_FILTER)
        return bool(path) and self._save_to(path)

    def _dialog_dir(self) -> str:
        return str(Path(self.doc.path).parent) if self.doc.path else os.getcwd()

    def recent_files(self) -> list[str]:
        value = self.settings.value(SETTINGS_RECENT) or []
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    def _add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path, *(p for p in self.recent_files() if p != path)][:MAX_RECENT]
        self.settings.setValue(SETTINGS_RECENT, files)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            action = self.recent_menu.addAction("(none yet)")
            assert action is not None
            action.setEnabled(False)
        for path in files:
            action = self.recent_menu.addAction(path)
            assert action is not None
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))

    # ------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if event is None:
            return
        if not self._closing_confirmed and not self._confirm_discard("closing"):
            event.ignore()
            return
        self._closing_confirmed = True
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self._selection_timer.stop()
        self.dmx_menu.stop()
        self.doc.close()
        self.panel.shutdown()
        # The document may outlive the window's widgets (or die with them): stop listening.
        for signal, slot in (
            (self.doc.changed, self._on_doc_changed),
            (self.doc.path_changed, self._update_title),
            (self.doc.message, self._show_message),
            (self.doc.undo_stack.cleanChanged, self._update_title),
        ):
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)

    def _on_quit(self) -> None:
        """The application is quitting without asking (a signal): keep unsaved edits in a side file."""
        if self.doc.is_modified() and not self._closing_confirmed:
            base = self.doc.path or os.path.join(os.getcwd(), "untitled.json")
            rescue = f"{base}.unsaved-{time.strftime('%Y%m%d-%H%M%S')}.json"
            try:
                save_show(self.doc.config, rescue)
                log.warning("Unsaved edits written to %s", rescue)
            except OSError as exc:
                log.error("Could not keep unsaved edits in %s: %s", rescue, exc)
            self._closing_confirmed = True
        self.shutdown()
