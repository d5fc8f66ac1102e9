"""The Problems view: what the viewer left out or drew with a default, and why.

One row per ``Issue`` of the current configuration (``ShowConfig.problems``):
the fixture (or stage, group), the field, the value as sent and what was done
about it.  Clicking (or activating) a fixture's row selects that fixture.  The status
bar's button shows the count and opens the list; ``visualizer-probe`` prints
the same lines (``problem_lines``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QColor, QMouseEvent
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.show import Issue
from shared.show.issues import problem_lines

__all__ = ["ProblemsButton", "ProblemsView", "count_text", "problem_lines", "problem_row"]

COLUMNS = ("Where", "Field", "Value", "What was done", "Problem")
ERROR_COLOR = "#EF5350"
WARNING_COLOR = "#FFB74D"


def problem_row(issue: Issue) -> tuple[str, str, str, str, str]:
    """The five columns of one problem, as text."""
    action = issue.action or ("left out" if issue.severity == "error" else "")
    return (issue.where or "show", issue.field or "", issue.value or "", action, issue.problem)


def count_text(problems: Sequence[Issue]) -> str:
    """``"3 problems"``, ``"1 problem"`` or ``""`` for none."""
    n = len(problems)
    return "" if n == 0 else f"⚠ {n} problem{'s' if n != 1 else ''}"


class ProblemsView(QWidget):
    """A list of the configuration's problems; ``fixture_activated`` carries a fixture index."""

    fixture_activated = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QTreeWidget(self)
        self.list.setColumnCount(len(COLUMNS))
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        assert header is not None
        header.setStretchLastSection(True)
        # Fixed starting widths, never sized to the contents: a long value must not
        # widen the side panel (and so resize the 3D view) when the list opens.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 110, 110, 170)):
            header.resizeSection(column, width)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.list.setMinimumWidth(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        self.problems: tuple[Issue, ...] = ()
        self.list.itemClicked.connect(self._activated)
        self.list.itemActivated.connect(self._activated)

    def set_problems(self, problems: Sequence[Issue]) -> None:
        self.problems = tuple(problems)
        self.list.clear()
        items = []
        for issue in self.problems:
            item = QTreeWidgetItem([*problem_row(issue)])
            color = QColor(ERROR_COLOR if issue.severity == "error" else WARNING_COLOR)
            item.setForeground(0, color)
            item.setToolTip(4, str(issue))
            item.setData(0, Qt.ItemDataRole.UserRole, issue.fixture_index)
            items.append(item)
        self.list.addTopLevelItems(items)

    def rows(self) -> list[tuple[str, ...]]:
        """The text of every row (what a user reads)."""
        out = []
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            assert item is not None
            out.append(tuple(item.text(c) for c in range(len(COLUMNS))))
        return out

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        index = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(index, int):
            self.fixture_activated.emit(index)


class ProblemsButton(QLabel):
    """The status bar's problem count; hidden when there are none, opens the list when clicked.

    A label rather than a push button: it is exactly as tall as the status bar's
    other labels, so showing it never changes the bar's height (which would
    resize the 3D view above it).
    """

    clicked = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setContentsMargins(6, 0, 6, 0)
        self.setStyleSheet(f"QLabel {{ color: {WARNING_COLOR}; }}")
        self.setToolTip("What the viewer left out or drew with a default (click to list)")
        self.set_problems(())

    def set_problems(self, problems: Sequence[Issue]) -> None:
        self.setText(count_text(problems))
        self.setVisible(bool(problems))

    def click(self) -> None:
        """What a click does: open (or close) the list."""
        self.clicked.emit()

    def mouseReleaseEvent(self, ev: QMouseEvent | None) -> None:
        if ev is not None and ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(ev)
