"""The Visualizer main window: 3D stage in the centre, groups and details at the side.

It listens to a ``QtVisualizerClient`` (signals only, no sockets) and keeps the
tree, the scene and the details pane on one selected fixture *index* (names may
repeat), whoever changed it: the tree, a click in the 3D view, the Problems
list, or a configuration update that moved or removed it.  Configuration
changes go through ``ShowState`` so the tree can edit rows in place when only
fixtures moved; the scene updates itself in place and keeps its camera.
"""

from __future__ import annotations

import html
import logging

from PyQt6.QtCore import QPoint, QRect, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup, QCloseEvent, QImage, QKeySequence, QPainter
from PyQt6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from shared.cli import format_address
from shared.show import ShowConfig
from visualizer.app.connect_dialog import open_connect_dialog
from visualizer.app.details import FixtureDetails
from visualizer.app.fixture_tree import GROUP, KIND_ROLE, NAME_ROLE, FixtureTree, groups_of
from visualizer.app.problems import ProblemsButton, ProblemsView
from visualizer.app.render_menu import RenderMenus
from visualizer.app.selection_link import SelectionLink
from visualizer.app.status import ConnectionIndicator, TransientMessage
from visualizer.render import StageScene, palette
from visualizer.render.presets import PRESETS
from visualizer.tcp import ShowState
from visualizer.tcp.qt import QtVisualizerClient

log = logging.getLogger(__name__)

APP_NAME = "Stage Visualizer"
CAMERA_PRESETS = tuple(PRESETS)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class MainWindow(QMainWindow):
    """What a lighting programmer looks at: the rig in 3D, the patch by group."""

    #: Emitted after a configuration reached the tree and the scene (with the config).
    config_applied = pyqtSignal(object)
    #: Emitted when the selected fixture changes: its index, or -1 for none.
    selection_changed = pyqtSignal(int)

    def __init__(self, client: QtVisualizerClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        if client.parent() is None:
            client.setParent(self)  # the window owns its connection: it ends with the window
        self.address = format_address(client.host, client.port)
        self.state = ShowState()
        self._selected: int | None = None
        self._last_error: str | None = None  # the last connection error or refused message
        self.setWindowTitle(f"{APP_NAME} — {self.address}")

        self.scene = StageScene(self)
        self.scene.container.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.scene.set_realistic_movement(True)  # heads travel at fixture speed (off for screenshots)
        # Until the first show arrives the 3D view is empty: a page of its colour says why
        # instead.  Not a label over it: the view is a native window, drawn over any widget.
        self.waiting = QLabel(self)
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting.setWordWrap(True)
        self.waiting.setMinimumWidth(420)
        self.waiting.setStyleSheet(
            "QLabel { color: #c9cdd4; background: rgba(20, 22, 26, 210); border: 1px solid #30353c;"
            " border-radius: 6px; padding: 14px 22px; }"
        )
        waiting_page = QWidget(self)
        waiting_page.setObjectName("waiting-page")
        waiting_page.setStyleSheet(f"QWidget#waiting-page {{ background: {palette.BACKGROUND}; }}")
        grid = QGridLayout(waiting_page)
        grid.addWidget(self.waiting, 0, 0, Qt.AlignmentFlag.AlignCenter)
        #: The waiting page, then (from the first show on) the 3D view.
        self.centre = QStackedWidget(self)
        self.centre.addWidget(waiting_page)
        self.centre.addWidget(self.scene.container)
        self.setCentralWidget(self.centre)

        self.tree = FixtureTree(self)
        self.details = FixtureDetails(self)
        self.problems = ProblemsView(self)
        self._build_panel()
        self._build_problems()
        self._build_status()
        self._set_waiting_text(None)
        self._build_actions()

        client.config_received.connect(self._on_config)
        client.state_changed.connect(self.set_connection_state)
        client.connection_error.connect(self.show_error)
        self.tree.fixture_selected.connect(self._on_tree_selection)
        self.scene.fixture_clicked.connect(self._on_scene_click)
        self.problems.fixture_activated.connect(self.select_fixture)
        self.tree.search.textChanged.connect(self._highlight_search)
        tree_selection = self.tree.view.selectionModel()
        assert tree_selection is not None
        tree_selection.selectionChanged.connect(self._select_group_in_scene)

        self.selection_link = SelectionLink(self)  # protocol 2: selection to and from Show Creator
        self.set_connection_state(client.state)
        if client.config is not None:
            self.apply_config(client.config)
        else:
            self._update_counts()

    # ---------------------------------------------------------------- layout

    def _build_panel(self) -> None:
        tree_box = QGroupBox("Groups and fixtures", self)
        tree_layout = QVBoxLayout(tree_box)
        tree_layout.setContentsMargins(6, 6, 6, 6)
        tree_layout.addWidget(self.tree)
        details_box = QGroupBox("Fixture", self)
        details_layout = QVBoxLayout(details_box)
        details_layout.setContentsMargins(6, 6, 6, 6)
        details_layout.addWidget(self.details)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(tree_box)
        split.addWidget(details_box)
        split.setStretchFactor(0, 1)  # the tree takes what the details (about ten rows) leave
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        self.panel_split = split
        self.panel = QDockWidget("Rig", self)
        self.panel.setObjectName("rig-panel")
        self.panel.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.panel.setTitleBarWidget(QWidget(self.panel))  # no title bar: the group boxes say what is there
        self.panel.setWidget(split)
        self.panel.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.panel)
        self.resizeDocks([self.panel], [340], Qt.Orientation.Horizontal)

    def _build_problems(self) -> None:
        # In the side panel, under the details: opening it never resizes the 3D view.
        self.problems_panel = QGroupBox("Problems", self)
        layout = QVBoxLayout(self.problems_panel)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.problems)
        self.panel_split.addWidget(self.problems_panel)
        self.panel_split.setStretchFactor(2, 1)
        self.problems_panel.hide()

    def _build_status(self) -> None:
        bar = self.statusBar()
        assert bar is not None
        bar.setSizeGripEnabled(False)
        self.indicator = ConnectionIndicator(self.address, self, security=self.client.security)
        self.message = TransientMessage(self)
        self.counts = QLabel(self)
        self.counts.setContentsMargins(6, 0, 6, 0)
        self.problems_button = ProblemsButton(self)
        self.problems_button.clicked.connect(self._toggle_problems)
        bar.addWidget(self.indicator)
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.problems_button)
        bar.addPermanentWidget(self.counts)

    def _toggle_problems(self) -> None:
        self.show_problems(not self.problems_panel.isVisible())

    def show_problems(self, visible: bool = True) -> None:
        """Show (or hide) the Problems list in the side panel."""
        if visible:
            self.panel.show()
        was_visible = self.problems_panel.isVisible()
        self.problems_panel.setVisible(visible)
        self.problems_action.setChecked(visible)
        if visible and not was_visible:  # give it a third of the panel, taken from the tree
            sizes = self.panel_split.sizes()
            total = sum(sizes) or self.panel_split.height()
            share = max(total // 3, 120)
            self.panel_split.setSizes([max(sizes[0] - share, 80), sizes[1], share])

    def _action(self, text: str, shortcuts: list[str], tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        shown = f" ({', '.join(shortcuts)})" if shortcuts else ""
        action.setToolTip(f"{tip}{shown}")
        action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.camera_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(False)
        for i, preset in enumerate(CAMERA_PRESETS, start=1):
            action = self._action(preset.capitalize(), [str(i)], f"Camera: {preset} view")
            action.triggered.connect(lambda _=False, p=preset: self.set_camera_preset(p))
            group.addAction(action)
            self.camera_actions[preset] = action
        self.reset_action = self._action("Reset view", ["Home", "R"], "Perspective view framed on the stage")
        self.reset_action.triggered.connect(lambda: self.set_camera_preset("perspective"))
        self.fit_action = self._action("Fit", ["F"], "Frame the stage from the current direction")
        self.fit_action.triggered.connect(self.scene.fit_to_stage)
        self.labels_action = self._action("Labels", ["L"], "Show fixture names in the 3D view")
        self.labels_action.setCheckable(True)
        self.labels_action.toggled.connect(self.scene.set_labels_visible)
        self.labels_action.setChecked(True)
        self.panel_action = self.panel.toggleViewAction()
        assert self.panel_action is not None
        self.panel_action.setText("Side panel")
        self.panel_action.setShortcut(QKeySequence("Ctrl+B"))
        self.search_action = self._action("Find fixture", ["Ctrl+F"], "Search fixtures by name, model, maker")
        self.search_action.triggered.connect(self._focus_search)
        self.connect_action = self._action("Connect to…", ["Ctrl+K"], "Connect to a Show Creator on the network")
        self.connect_action.triggered.connect(lambda: open_connect_dialog(self))
        self.clear_action = self._action("Clear selection", ["Esc"], "Deselect the fixture")
        self.clear_action.triggered.connect(lambda: self.select_fixture(None))
        # Esc deselects in the 3D view and the tree; in the search box it clears the search.
        self.removeAction(self.clear_action)
        self.clear_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.scene.container.addAction(self.clear_action)  # has focus while the 3D view has it
        self.tree.view.addAction(self.clear_action)
        clear_search = QAction(self.tree.search)
        clear_search.setShortcut(QKeySequence("Esc"))
        clear_search.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear_search.triggered.connect(self.tree.search.clear)
        self.tree.search.addAction(clear_search)
        self.save_action = self._action("Save image…", ["Ctrl+S"], "Save the window as a PNG")
        self.save_action.triggered.connect(self._save_image)
        self.quit_action = self._action("Quit", ["Ctrl+Q"], "Close the Visualizer")
        self.quit_action.triggered.connect(self.close)

        bar = QToolBar("View", self)
        bar.setObjectName("view-toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.camera_actions.values():
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(self.reset_action)
        bar.addAction(self.fit_action)
        bar.addSeparator()
        bar.addAction(self.labels_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

        menus = self.menuBar()
        assert menus is not None
        file_menu = menus.addMenu("&File")
        view_menu = menus.addMenu("&View")
        assert file_menu is not None and view_menu is not None
        file_menu.addAction(self.connect_action)
        file_menu.addAction(self.save_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        camera_menu = view_menu.addMenu("&Camera")
        assert camera_menu is not None
        for action in self.camera_actions.values():
            camera_menu.addAction(action)
        view_menu.addAction(self.reset_action)
        view_menu.addAction(self.fit_action)
        view_menu.addSeparator()
        view_menu.addAction(self.labels_action)
        self.render_menus = RenderMenus(self, self.scene, view_menu)
        view_menu.addAction(self.panel_action)
        self.problems_action = QAction("Problems", self)
        self.problems_action.setCheckable(True)
        self.problems_action.setStatusTip("What the viewer left out or drew with a default")
        self.problems_action.triggered.connect(self.show_problems)
        view_menu.addAction(self.problems_action)
        view_menu.addSeparator()
        view_menu.addAction(self.search_action)
        view_menu.addAction(self.clear_action)

    # ---------------------------------------------------------------- client signals

    def apply_config(self, config: ShowConfig) -> None:
        """A new complete configuration: update scene and tree in place, keep selection and camera."""
        selected_key = None if self._selected is None else self.state.key(self._selected)
        diff = self.state.apply(config)
        if diff.is_empty:  # e.g. the same show again after a reconnect
            return
        log.info("configuration: %s", diff)
        self._show_scene()
        self.scene.set_config(config)
        self.tree.set_config(config, diff)
        if diff.problems_changed:
            self.problems.set_problems(config.problems)
            self.problems_button.set_problems(config.problems)
        # The same fixture (by name and occurrence) may sit at another index now.
        selected = self.state.index_of(selected_key)
        if selected is None:
            if self._selected is not None:
                self.select_fixture(None)
        else:
            # Re-assert: a rebuilt tree or scene must show the same fixture.
            changed = selected != self._selected
            self._selected = selected
            self.scene.select_fixture(selected)
            self.tree.select_fixture(selected)
            self._show_details(selected)
            if changed:
                self.selection_changed.emit(selected)
        self._update_counts()
        self._highlight_search(self.tree.search.text())
        self.config_applied.emit(config)

    def _show_scene(self) -> None:
        """Turn from the waiting page to the 3D view, at its full size before it frames a show."""
        container = self.scene.container
        if self.centre.currentWidget() is not container:
            container.setGeometry(self.centre.contentsRect())  # only the current page follows the layout
            self.centre.setCurrentWidget(container)

    def _on_config(self, config: ShowConfig) -> None:
        # One odd configuration must not take down a viewer that runs for hours.
        try:
            self.apply_config(config)
        except Exception as exc:
            log.exception("could not show the new configuration")
            self.message.show_message(f"could not show the new configuration: {exc}")

    def set_connection_state(self, state: str) -> None:
        self.indicator.set_state(state)
        if state == "connected":
            self.message.clear()
            self._last_error = None
        if self.waiting.isVisible():
            self._set_waiting_text(self._last_error)

    def show_error(self, text: str) -> None:
        """Connection trouble or a refused message: in the status bar (and the overlay), never a dialog."""
        log.info("connection: %s", text)
        self._last_error = text
        self.message.show_message(text)
        if self.waiting.isVisible():
            self._set_waiting_text(text)

    def _set_waiting_text(self, error: str | None) -> None:
        """The overlay agrees with the status light: never "Waiting" while it is green."""
        small = "<br><span style='color:#8a9099; font-size:small'>{}</span>"
        if self.indicator.state == "connected":
            if error:  # e.g. its fixtures message was refused: say so, big
                text = html.escape(error[:1].upper() + error[1:])
            else:
                text = f"Connected to {self.address}; no complete show received yet"
        else:
            text = f"Waiting for Show Creator at {self.address}…"
            if error:
                text += small.format(html.escape(error))
        self.waiting.setText(text)

    def overlay_text(self) -> str:
        """The overlay's text as a user reads it (empty when it is hidden)."""
        return self.waiting.text() if self.waiting.isVisible() else ""

    # ---------------------------------------------------------------- selection

    @property
    def selected_fixture(self) -> int | None:
        """Index of the selected fixture in the configuration, or None."""
        return self._selected

    def select_fixture(self, index: int | None) -> None:
        """Select fixture ``index`` (or nothing) everywhere: scene highlight, tree row, details."""
        if index is not None and (index < 0 or self.state.fixture(index) is None):
            index = None
        changed = index != self._selected
        self._selected = index
        self.scene.select_fixture(index)
        self.tree.select_fixture(index)
        self._show_details(index)
        if changed:
            self.selection_changed.emit(-1 if index is None else index)

    def select_named(self, name: str) -> int | None:
        """Select the first fixture called ``name`` (exactly, else ignoring case); its index or None."""
        index = self.state.find(name)
        self.select_fixture(index)
        return index

    def _highlight_search(self, text: str) -> None:
        """Search hits get a ring in the 3D view too."""
        if not text.strip() or self.state.config is None:
            self.scene.set_highlighted(())
            return
        self.scene.set_highlighted(self.tree.visible_indices())

    def _select_group_in_scene(self) -> None:
        """A group row picked in the tree selects all its fixtures in the 3D view."""
        sel = self.tree.view.selectionModel()
        config = self.state.config
        rows = [] if sel is None else sel.selectedRows()
        if not rows or config is None or rows[0].data(KIND_ROLE) != GROUP:
            return
        names = [g.name for g in config.groups]
        name = rows[0].data(NAME_ROLE)
        if name in names:
            self.scene.select_fixtures(config.group_members(names.index(name)))

    def _on_tree_selection(self, index: int) -> None:
        self.select_fixture(None if index < 0 else index)

    def _on_scene_click(self, value: object) -> None:
        if isinstance(value, int) and value >= 0:
            self.select_fixture(value)
        else:
            self.select_fixture(None)

    def _show_details(self, index: int | None) -> None:
        config = self.state.config
        fixture = self.state.fixture(index)
        if fixture is None or config is None or index is None:
            self.details.show_fixture(None)
        else:
            problems = [p for p in config.problems if p.fixture_index == index]
            self.details.show_fixture(fixture, groups_of(config, index), problems)

    # ---------------------------------------------------------------- view

    def set_camera_preset(self, preset: str) -> None:
        self.scene.set_camera_preset(preset)

    def set_beam_quality(self, quality: str) -> None:
        """``off``, ``simple``, ``full`` or ``auto`` (the View > Beams menu)."""
        self.render_menus.set_beam_quality(quality)

    def set_labels_visible(self, visible: bool) -> None:
        self.labels_action.setChecked(visible)
        self.scene.set_labels_visible(visible)

    def _focus_search(self) -> None:
        self.panel.show()
        self.tree.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.tree.search.selectAll()

    def _update_counts(self) -> None:
        config = self.state.config
        if config is None:
            self.counts.setText("No show yet")
            return
        fixtures = _plural(len(config.fixtures), "fixture")
        self.counts.setText(f"{fixtures} · {_plural(len(config.groups), 'group')}")

    def grab_window(self) -> QImage:
        """The whole window as shown, 3D view included (rendered now).

        ``QWidget.grab`` renders widgets only: the 3D view is a native window in
        a container, which grab leaves blank.  So the view draws a frame, reads
        it back (labels included) and it is painted over its place in the window.
        """
        image = self.grab().toImage()
        container = self.scene.container
        if container.isVisible():  # else the waiting page shows, and grab() has it
            scene_image = self.scene.grab_image()
            if not scene_image.isNull():
                painter = QPainter(image)
                painter.drawImage(QRect(container.mapTo(self, QPoint(0, 0)), container.size()), scene_image)
                painter.end()
        return image

    def _save_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save image", "visualizer.png", "PNG images (*.png)")
        if path:
            if self.grab_window().save(path, "PNG"):
                self.message.show_message(f"Saved {path}", 4000)
            else:
                self.message.show_message(f"Could not write {path}", 8000)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self.client.disconnect_from_server()
        super().closeEvent(event)
