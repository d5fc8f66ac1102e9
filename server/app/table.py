"""The fixture table: one row per fixture (row = index in ``ShowConfig.fixtures``).

Cells are edited in place and validated by ``edits.set_cell`` (the show-file
rules); a refused edit leaves the cell as it was and ``rejected`` carries the
one-line reason.  Updates are incremental: a configuration that changed a
few fixtures repaints only their rows, so dragging in the plan stays cheap at
10,000 fixtures.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    pyqtSignal,
)
from PyQt6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from server.app.document import ShowDocument
from server.app.edits import COLUMNS, NUMERIC, PRESETS, EditError, cell_value, fixture_groups, known_mountings, set_cell
from shared.show import ShowConfig, check_config

SORT_ROLE = Qt.ItemDataRole.UserRole
HEADERS = {
    "type": "Type", "x": "X (m)", "y": "Y (m)", "z": "Z (m)", "yaw": "Yaw °", "pitch": "Pitch °", "roll": "Roll °",
}

AnyIndex = QModelIndex | QPersistentModelIndex


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class FixtureTableModel(QAbstractTableModel):
    #: A refused edit: the one-line reason.
    rejected = pyqtSignal(str)
    #: An accepted edit the show-file checks warn about (e.g. overlapping DMX channels).
    warned = pyqtSignal(str)

    def __init__(self, doc: ShowDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self._config = doc.config
        self._groups_of: list[list[int]] | None = None
        self._held: ShowConfig | None = None  # the config the view last saw, while held
        doc.changed.connect(self._on_changed)

    def hold(self) -> None:
        """Stop repainting on every change (a drag elsewhere): the table catches up on ``release``.

        Repainting the visible rows costs far more than the edit itself, and
        nobody reads the table while dragging in the plan.
        """
        if self._held is None:
            self._held = self._config

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None and held is not self._config:
            current, self._config = self._config, held
            self._on_changed(current)

    def column_of(self, name: str) -> int:
        return COLUMNS.index(name)

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._config.fixtures)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            name = COLUMNS[section]
            return HEADERS.get(name, name.capitalize())
        return str(section)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_value(self._value(index.row(), column))
        if role == SORT_ROLE:
            value = self._value(index.row(), column)
            return float(value) if column in NUMERIC else str(value).lower()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row, column = index.row(), COLUMNS[index.column()]
        text = str(value)
        if text == format_value(self._value(row, column)):
            return False
        try:
            new = set_cell(self.doc.config, row, column, text)
        except EditError as exc:
            self.rejected.emit(str(exc))
            return False
        self.doc.apply(new, f"Set {column} of {self.doc.config.fixtures[row].name} to {text}")
        if column in ("name", "universe", "address"):
            mine = f"fixtures[{row}] "
            for issue in check_config(new):
                if issue.severity == "warning" and (issue.where.startswith(mine) or f"fixtures[{row}]" in issue.problem
                                                    or f'"{new.fixtures[row].name}"' in issue.problem):
                    self.warned.emit(f"Warning: {issue}")
                    break
        return True

    def sort_keys(self, column_index: int) -> list[Any]:
        """The sort key of every row in one column (what ``SORT_ROLE`` gives, in one pass)."""
        column = COLUMNS[column_index]
        if column == "groups" and self._groups_of is None:
            self._groups_of = fixture_groups(self._config)
        config, groups_of = self._config, self._groups_of
        values = [cell_value(config, i, column, groups_of) for i in range(len(config.fixtures))]
        if column in NUMERIC:
            return [float(v) for v in values]
        return [str(v).lower() for v in values]

    # ------------------------------------------------------------ internals

    def _value(self, row: int, column: str) -> Any:
        if column == "groups" and self._groups_of is None:
            self._groups_of = fixture_groups(self._config)
        return cell_value(self._config, row, column, self._groups_of)

    def _on_changed(self, config: ShowConfig) -> None:
        if self._held is not None and len(config.fixtures) == len(self._held.fixtures):
            self._config = config  # data() answers from the newest show; signals wait for release()
            self._groups_of = None
            return
        if self._held is not None:
            self._held = None
        old = self._config
        if len(old.fixtures) != len(config.fixtures):
            self.beginResetModel()
            self._config = config
            self._groups_of = None
            self.endResetModel()
            return
        self._config = config
        changed = [i for i, (a, b) in enumerate(zip(old.fixtures, config.fixtures, strict=True)) if a is not b]
        last = len(COLUMNS) - 1
        if old.groups != config.groups:
            self._groups_of = None
            if config.fixtures:
                self.dataChanged.emit(self.index(0, last), self.index(len(config.fixtures) - 1, last))
        elif any(a.name != b.name for a, b in ((old.fixtures[i], config.fixtures[i]) for i in changed)):
            self._groups_of = None
        if not changed:
            return
        if len(changed) > 64:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))
        else:
            for i in changed:
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))


class FixtureSortProxy(QSortFilterProxyModel):
    """Sorts numbers as numbers; rows keep their place while edited (sort again on a header click).

    The sort keys of a column are computed once per sort (one pass over the
    show), not twice per comparison through ``data()``: a header click on
    10,000 fixtures takes a fraction of a second instead of seconds.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)
        self._keys: list[Any] | None = None
        self._keys_column = -1

    def setSourceModel(self, model: Any) -> None:
        super().setSourceModel(model)
        for signal in (model.modelReset, model.dataChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._forget_keys)

    def _forget_keys(self, *_: object) -> None:
        self._keys = None

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, FixtureTableModel):
            return super().lessThan(left, right)
        if self._keys is None or self._keys_column != left.column():
            self._keys = model.sort_keys(left.column())
            self._keys_column = left.column()
        return bool(self._keys[left.row()] < self._keys[right.row()])


class MountingDelegate(QStyledItemDelegate):
    """The mounting cell is a choice of the presets (which also set the angles)."""

    def createEditor(self, parent: QWidget | None, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:
        combo = QComboBox(parent)
        names = list(PRESETS)
        names += [m for m in known_mountings() if m not in PRESETS]
        combo.addItems(names)
        return combo

    def setEditorData(self, editor: QWidget | None, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            current = str(index.data(Qt.ItemDataRole.EditRole))
            i = editor.findText(current)
            editor.setCurrentIndex(max(i, 0))

    def setModelData(self, editor: QWidget | None, model: Any, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox) and model is not None:
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
