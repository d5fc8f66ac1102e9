"""The side panel's tree: groups -> fixtures, with a search box.

A ``QStandardItemModel`` behind a ``QSortFilterProxyModel``: filtering 10,000
rows is done in C++ on one precomputed, lower-cased search string per row, so
typing stays instant on big rigs.  A fixture in several groups appears under
each; fixtures in no group sit under "Ungrouped".

Updates keep what the user is looking at: a configuration where fixtures only
changed (moved, repatched) edits rows in place; anything structural rebuilds
the model and restores the selection, the expanded groups and the scroll
position.  Selection is by fixture *index* in ``ShowConfig.fixtures``: names
may repeat (four "Retro Flat Par" are four rows, each with its own patch).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PyQt6.QtCore import QItemSelection, QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from shared.show import Fixture, Group, ShowConfig
from shared.show.issues import one_line
from visualizer.tcp import ConfigDiff

log = logging.getLogger(__name__)

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
INDEX_ROLE = Qt.ItemDataRole.UserRole + 4  # fixture rows: index in ShowConfig.fixtures
GROUP = "group"
FIXTURE = "fixture"
UNGROUPED = "Ungrouped"
UNGROUPED_COLOR = "#8C9096"
# Built once: combining enum flags costs microseconds, which adds up over 10,000 rows.
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def swatch(color: str, size: int = 14) -> QIcon:
    """A rounded colour square for a group row."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    p.setPen(c.darker(150))
    p.setBrush(c)
    p.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    p.end()
    return QIcon(pm)


def patch_text(f: Fixture) -> str:
    """Universe.address, the way a lighting desk writes a patch."""
    return f"{f.universe}.{f.address}"


def search_text(f: Fixture) -> str:
    """What the search box matches: name, model, maker and the patch as shown (``2.15``)."""
    return f"{f.name}\n{f.model}\n{f.manufacturer}\n{patch_text(f)}".lower()


class FixtureTree(QWidget):
    """Search box over a groups -> fixtures tree.

    ``fixture_selected`` carries a fixture index, or -1 when the selection is
    cleared; it fires only for user actions, not for ``select_fixture``.
    """

    fixture_selected = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search name, model, manufacturer, patch…")
        self.search.setClearButtonEnabled(True)
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Fixture", "Patch"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setAutoAcceptChildRows(True)  # a matching group shows all its members
        self.view = QTreeView(self)
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)  # keeps 10,000 rows cheap to lay out
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setAnimated(False)
        header = self.view.header()
        assert header is not None
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.view)

        self._groups: dict[int, QStandardItem] = {}  # group index (-1: Ungrouped) -> its row
        self._rows: dict[int, list[QStandardItem]] = {}  # fixture index -> its name cells
        self._names: list[str] = []  # fixture index -> name
        self._selected: int | None = None
        self._quiet = 0  # > 0 while we change the selection ourselves
        self.search.textChanged.connect(self._filter)
        sel = self.view.selectionModel()
        assert sel is not None
        sel.selectionChanged.connect(self._on_selection)

    # ---------------------------------------------------------------- public

    @property
    def selected_fixture(self) -> int | None:
        return self._selected

    def fixture_count(self) -> int:
        return len(self._rows)

    def visible_indices(self) -> list[int]:
        """Indices of fixture rows the filter lets through (each fixture once, tree order)."""
        out: dict[int, None] = {}
        for g in range(self.proxy.rowCount()):
            parent = self.proxy.index(g, 0)
            for r in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(r, 0, parent).data(INDEX_ROLE)
                if index is not None:
                    out.setdefault(int(index), None)
        return list(out)

    def visible_fixtures(self) -> list[str]:
        """Names of the fixture rows the filter lets through (each fixture once, tree order)."""
        return [self._names[i] for i in self.visible_indices()]

    def visible_groups(self) -> list[str]:
        return [self.proxy.index(g, 0).data(NAME_ROLE) for g in range(self.proxy.rowCount())]

    def set_config(self, config: ShowConfig, diff: ConfigDiff | None = None) -> None:
        """Show ``config``; with a ``diff`` that only changed fixtures, edit rows in place."""
        if (
            diff is not None
            and self._rows
            and not (diff.added_fixtures or diff.removed_fixtures)
            and not (diff.added_groups or diff.removed_groups or diff.changed_groups)
        ):
            self._update_rows(config, diff.changed_fixtures)
        else:
            self._rebuild(config)

    def select_fixture(self, index: int | None) -> None:
        """Select (and scroll to) the fixture's first row, or clear; no signal."""
        self._quiet += 1
        try:
            self._select(index)
        finally:
            self._quiet -= 1

    # ---------------------------------------------------------------- building

    def _fixture_row(self, index: int, f: Fixture) -> list[QStandardItem]:
        name = QStandardItem(one_line(f.name))  # shown as one line, in its own order
        name.setData(FIXTURE, KIND_ROLE)
        name.setData(f.name, NAME_ROLE)
        name.setData(index, INDEX_ROLE)
        self._fill(name, f)
        patch = QStandardItem(patch_text(f))
        patch.setTextAlignment(_RIGHT)
        self._rows.setdefault(index, []).append(name)
        return [name, patch]

    @staticmethod
    def _fill(item: QStandardItem, f: Fixture) -> None:
        item.setData(search_text(f), SEARCH_ROLE)
        kind = f" ({f.fixture_type})" if f.fixture_type else ""
        item.setToolTip(
            f"{one_line(f.name)}{kind}\n{f.manufacturer} {f.model}, {f.mode}\n"
            f"Universe {f.universe}, address {f.address}"
        )

    def _group_row(self, key: int, name: str, color: str, members: Iterable[int],
                   fixtures: tuple[Fixture, ...]) -> list[QStandardItem]:
        item = QStandardItem(swatch(color), one_line(name))
        item.setData(GROUP, KIND_ROLE)
        item.setData(name, NAME_ROLE)
        item.setData(name.lower(), SEARCH_ROLE)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        rows = [self._fixture_row(i, fixtures[i]) for i in members]
        for row in rows:
            item.appendRow(row)
        count = QStandardItem(f"{len(rows)}")
        count.setTextAlignment(_RIGHT)
        count.setToolTip(f"{len(rows)} fixture{'s' if len(rows) != 1 else ''} in {name}")
        count.setForeground(QColor("#9AA0A6"))
        self._groups[key] = item
        return [item, count]

    def _rebuild(self, config: ShowConfig) -> None:
        selected = self._selected
        first_build = not self._groups
        collapsed = {item.text() for item in self._groups.values() if not self.view.isExpanded(self._proxy_index(item))}
        scroll = self.view.verticalScrollBar()
        scroll_value = scroll.value() if scroll is not None else 0
        fixtures = config.fixtures
        self._quiet += 1
        self.view.setUpdatesEnabled(False)
        try:
            self.model.removeRows(0, self.model.rowCount())
            self._groups.clear()
            self._rows.clear()
            self._names = [f.name for f in fixtures]
            grouped: set[int] = set()
            rows = []
            for gi, g in enumerate(config.groups):
                members = config.group_members(gi)
                grouped.update(members)
                rows.append(self._group_row(gi, g.name, g.color, members, fixtures))
            loose = [i for i in range(len(fixtures)) if i not in grouped]
            if loose:
                rows.append(self._group_row(-1, UNGROUPED, UNGROUPED_COLOR, loose, fixtures))
            for row in rows:
                self.model.appendRow(row)
            for item in self._groups.values():
                self.view.setExpanded(self._proxy_index(item), first_build or item.text() not in collapsed)
            self._selected = None
            self._select(selected if selected is not None and selected < len(fixtures) else None)
            if scroll is not None and not first_build:
                scroll.setValue(scroll_value)
        finally:
            self.view.setUpdatesEnabled(True)
            self._quiet -= 1
        if selected is not None and self._selected is None:
            self.fixture_selected.emit(-1)  # the selected fixture is gone
        log.debug("tree rebuilt: %d groups, %d fixtures", len(self._groups), len(self._rows))

    def _update_rows(self, config: ShowConfig, indices: Iterable[int]) -> None:
        for index in indices:
            if not 0 <= index < len(config.fixtures):
                continue
            f = config.fixtures[index]
            for item in self._rows.get(index, ()):
                self._fill(item, f)
                parent = item.parent() or self.model.invisibleRootItem()
                assert parent is not None
                patch = parent.child(item.row(), 1)
                if patch is not None:
                    patch.setText(patch_text(f))

    # ---------------------------------------------------------------- selection

    def _proxy_index(self, item: QStandardItem) -> QModelIndex:
        return self.proxy.mapFromSource(self.model.indexFromItem(item))

    def _select(self, index: int | None) -> None:
        sel = self.view.selectionModel()
        assert sel is not None
        if index is None or index not in self._rows:
            self._selected = None
            sel.clearSelection()
            return
        self._selected = index
        current = sel.selectedRows()
        if current and current[0].data(INDEX_ROLE) == index and current[0].data(KIND_ROLE) == FIXTURE:
            return  # already on one of its rows (it may be listed in several groups)
        for item in self._rows[index]:
            row = self._proxy_index(item)
            if row.isValid():  # not filtered out
                parent = row.parent()
                if parent.isValid():
                    self.view.expand(parent)
                flags = (
                    sel.SelectionFlag.ClearAndSelect
                    | sel.SelectionFlag.Rows
                    | sel.SelectionFlag.Current
                )
                sel.setCurrentIndex(row, flags)
                self.view.scrollTo(row)
                return
        sel.clearSelection()  # hidden by the search: keep the selection, show no row

    def _on_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        if self._quiet:
            return
        sel = self.view.selectionModel()
        assert sel is not None
        rows = sel.selectedRows()
        index: int | None = None
        if rows and rows[0].data(KIND_ROLE) == FIXTURE:
            index = int(rows[0].data(INDEX_ROLE))
        if rows and index is None:
            return  # a group row: nothing to show in the scene, keep the current fixture
        if index == self._selected:
            return
        self._selected = index
        self.fixture_selected.emit(-1 if index is None else index)

    def _filter(self, text: str) -> None:
        self._quiet += 1
        try:
            self.proxy.setFilterFixedString(text.strip())
            if text.strip():
                self.view.expandAll()
            self._select(self._selected)
        finally:
            self._quiet -= 1

    def group_item(self, name: str) -> QStandardItem | None:
        """The first group row called ``name`` (``UNGROUPED`` for the fixtures in no group)."""
        return next((item for item in self._groups.values() if item.text() == name), None)

    def rows_of(self, index: int) -> list[QStandardItem]:
        """The fixture's rows (one per group it is in)."""
        return list(self._rows.get(index, ()))


def groups_of(config: ShowConfig, index: int) -> list[Group]:
    """Every group fixture ``index`` is in, in config order (the first gives its colour)."""
    return [config.groups[gi] for gi in config.groups_of_fixture(index)]
