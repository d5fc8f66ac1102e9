"""The side panel's tree: groups -> fixtures, with a search box.

A ``QStandardItemModel`` behind a ``QSortFilterProxyModel``: filtering 10,000
rows is done in C++ on one precomputed, lower-cased search string per row, so
typing stays instant on big rigs.  A fixture in several groups appears under
each; fixtures in no group sit under "Ungrouped".

Updates keep what the user is looking at: a configuration where fixtures only
changed (moved, repatched) edits rows in place; anything structural rebuilds
the model and restores the selection, the expanded groups and the scroll
position.  Selection is by fixture *name*, the one identity the protocol has.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PyQt6.QtCore import QItemSelection, QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from shared.show import Fixture, Group, ShowConfig
from visualizer.tcp import ConfigDiff

log = logging.getLogger(__name__)

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
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
    return f"{f.name}\n{f.model}\n{f.manufacturer}".lower()


class FixtureTree(QWidget):
    """Search box over a groups -> fixtures tree.

    ``fixture_selected`` carries a fixture name, or ``""`` when the selection is
    cleared; it fires only for user actions, not for ``select_fixture``.
    """

    fixture_selected = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search name, model, manufacturer…")
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

        self._groups: dict[str, QStandardItem] = {}
        self._rows: dict[str, list[QStandardItem]] = {}  # fixture name -> its name cells
        self._selected: str | None = None
        self._quiet = 0  # > 0 while we change the selection ourselves
        self.search.textChanged.connect(self._filter)
        sel = self.view.selectionModel()
        assert sel is not None
        sel.selectionChanged.connect(self._on_selection)

    # ---------------------------------------------------------------- public

    @property
    def selected_fixture(self) -> str | None:
        return self._selected

    def fixture_count(self) -> int:
        return len(self._rows)

    def visible_fixtures(self) -> list[str]:
        """Names of fixture rows the filter lets through (each name once, tree order)."""
        out: dict[str, None] = {}
        for g in range(self.proxy.rowCount()):
            parent = self.proxy.index(g, 0)
            for r in range(self.proxy.rowCount(parent)):
                name = self.proxy.index(r, 0, parent).data(NAME_ROLE)
                if name:
                    out.setdefault(name, None)
        return list(out)

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

    def select_fixture(self, name: str | None) -> None:
        """Select (and scroll to) the fixture's first row, or clear; no signal."""
        self._quiet += 1
        try:
            self._select(name)
        finally:
            self._quiet -= 1

    # ---------------------------------------------------------------- building

    def _fixture_row(self, f: Fixture) -> list[QStandardItem]:
        name = QStandardItem(f.name)
        name.setData(FIXTURE, KIND_ROLE)
        name.setData(f.name, NAME_ROLE)
        self._fill(name, f)
        patch = QStandardItem(patch_text(f))
        patch.setTextAlignment(_RIGHT)
        self._rows.setdefault(f.name, []).append(name)
        return [name, patch]

    @staticmethod
    def _fill(item: QStandardItem, f: Fixture) -> None:
        item.setData(search_text(f), SEARCH_ROLE)
        kind = f" ({f.fixture_type})" if f.fixture_type else ""
        item.setToolTip(
            f"{f.name}{kind}\n{f.manufacturer} {f.model}, {f.mode}\nUniverse {f.universe}, address {f.address}"
        )

    def _group_row(self, name: str, color: str, members: Iterable[Fixture]) -> list[QStandardItem]:
        item = QStandardItem(swatch(color), name)
        item.setData(GROUP, KIND_ROLE)
        item.setData(name, NAME_ROLE)
        item.setData(name.lower(), SEARCH_ROLE)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        rows = [self._fixture_row(f) for f in members]
        for row in rows:
            item.appendRow(row)
        count = QStandardItem(f"{len(rows)}")
        count.setTextAlignment(_RIGHT)
        count.setToolTip(f"{len(rows)} fixture{'s' if len(rows) != 1 else ''} in {name}")
        count.setForeground(QColor("#9AA0A6"))
        self._groups[name] = item
        return [item, count]

    def _rebuild(self, config: ShowConfig) -> None:
        selected = self._selected
        first_build = not self._groups
        collapsed = {name for name, item in self._groups.items() if not self.view.isExpanded(self._proxy_index(item))}
        scroll = self.view.verticalScrollBar()
        scroll_value = scroll.value() if scroll is not None else 0
        by_name = config.fixtures_by_name
        self._quiet += 1
        self.view.setUpdatesEnabled(False)
        try:
            self.model.removeRows(0, self.model.rowCount())
            self._groups.clear()
            self._rows.clear()
            grouped: set[str] = set()
            rows = []
            seen: set[str] = set()
            for g in config.groups:
                if g.name in seen:  # duplicate group names: the first wins, as for colours
                    continue
                seen.add(g.name)
                members = [by_name[m] for m in dict.fromkeys(g.fixtures) if m in by_name]
                grouped.update(f.name for f in members)
                rows.append(self._group_row(g.name, g.color, members))
            loose = [f for f in config.fixtures if f.name not in grouped]
            if loose:
                rows.append(self._group_row(UNGROUPED, UNGROUPED_COLOR, loose))
                self._groups[UNGROUPED].setData(GROUP, KIND_ROLE)
            for row in rows:
                self.model.appendRow(row)
            for name, item in self._groups.items():
                self.view.setExpanded(self._proxy_index(item), first_build or name not in collapsed)
            self._selected = None
            self._select(selected if selected in by_name else None)
            if scroll is not None and not first_build:
                scroll.setValue(scroll_value)
        finally:
            self.view.setUpdatesEnabled(True)
            self._quiet -= 1
        if selected is not None and self._selected is None:
            self.fixture_selected.emit("")  # the selected fixture is gone
        log.debug("tree rebuilt: %d groups, %d fixtures", len(self._groups), len(self._rows))

    def _update_rows(self, config: ShowConfig, names: Iterable[str]) -> None:
        by_name = config.fixtures_by_name
        for name in names:
            f = by_name.get(name)
            for item in self._rows.get(name, ()):
                if f is None:
                    continue
                self._fill(item, f)
                parent = item.parent() or self.model.invisibleRootItem()
                assert parent is not None
                patch = parent.child(item.row(), 1)
                if patch is not None:
                    patch.setText(patch_text(f))

    # ---------------------------------------------------------------- selection

    def _proxy_index(self, item: QStandardItem) -> QModelIndex:
        return self.proxy.mapFromSource(self.model.indexFromItem(item))

    def _select(self, name: str | None) -> None:
        sel = self.view.selectionModel()
        assert sel is not None
        if name is None or name not in self._rows:
            self._selected = None
            sel.clearSelection()
            return
        self._selected = name
        current = sel.selectedRows()
        if current and current[0].data(NAME_ROLE) == name and current[0].data(KIND_ROLE) == FIXTURE:
            return  # already on one of its rows (it may be listed in several groups)
        for item in self._rows[name]:
            index = self._proxy_index(item)
            if index.isValid():  # not filtered out
                parent = index.parent()
                if parent.isValid():
                    self.view.expand(parent)
                flags = (
                    sel.SelectionFlag.ClearAndSelect
                    | sel.SelectionFlag.Rows
                    | sel.SelectionFlag.Current
                )
                sel.setCurrentIndex(index, flags)
                self.view.scrollTo(index)
                return
        sel.clearSelection()  # hidden by the search: keep the name, show no row

    def _on_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        if self._quiet:
            return
        sel = self.view.selectionModel()
        assert sel is not None
        rows = sel.selectedRows()
        name: str | None = None
        if rows and rows[0].data(KIND_ROLE) == FIXTURE:
            name = rows[0].data(NAME_ROLE)
        if rows and name is None:
            return  # a group row: nothing to show in the scene, keep the current fixture
        if name == self._selected:
            return
        self._selected = name
        self.fixture_selected.emit(name or "")

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
        return self._groups.get(name)

    def rows_of(self, name: str) -> list[QStandardItem]:
        return list(self._rows.get(name, ()))


def groups_of(config: ShowConfig, fixture_name: str) -> list[Group]:
    """Every group listing the fixture, in config order (the first gives its colour)."""
    return [g for g in config.groups if fixture_name in g.fixtures]
