"""The DMX monitor dock: the selected fixture's channels live, and one universe as 512 cells.

Users' first complaint is "it doesn't receive"; this shows what does arrive:
each channel of the selected fixture with its function and value, and a
universe view (32 × 16 cells, brighter = higher) with the sources feeding it
and their priorities.  Refreshed by ``DmxController`` a few times a second,
never per packet.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.dmx.merge import SourceInfo
from shared.dmx.universes import UniverseMap
from shared.show.model import Fixture

COLUMNS = 32
ROWS = 16


class UniverseGrid(QWidget):
    """512 cells, channel 1 top left; the selected fixture's channels outlined."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.levels: npt.NDArray[np.uint8] = np.zeros(512, np.uint8)
        self.received = False
        self.span: tuple[int, int] | None = None  # 0-based first channel, count
        self.setMinimumSize(COLUMNS * 8, ROWS * 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(COLUMNS * 11, ROWS * 11)

    def set_levels(self, levels: npt.NDArray[np.uint8] | None, span: tuple[int, int] | None) -> None:
        new = np.zeros(512, np.uint8) if levels is None else levels
        if (levels is not None) == self.received and np.array_equal(new, self.levels) and span == self.span:
            return
        self.levels = new.copy()
        self.received = levels is not None
        self.span = span
        self.update()

    def value_at(self, channel: int) -> int:
        return int(self.levels[channel])

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        w = self.width() / COLUMNS
        h = self.height() / ROWS
        painter.fillRect(self.rect(), QColor(16, 18, 21))
        font = QFont(self.font())
        font.setPixelSize(max(6, int(min(w, h) * 0.42)))
        painter.setFont(font)
        show_numbers = w >= 18 and h >= 12
        for ch in range(512):
            v = int(self.levels[ch])
            r = QRectF((ch % COLUMNS) * w + 0.5, (ch // COLUMNS) * h + 0.5, w - 1, h - 1)
            shade = 34 + v * 190 // 255 if self.received else 26
            painter.fillRect(r, QColor(shade // 3, shade * 2 // 3, shade))
            if show_numbers and v:
                painter.setPen(QColor(0, 0, 0) if v > 140 else QColor(220, 224, 230))
                painter.drawText(r, Qt.AlignmentFlag.AlignCenter, str(v))
        if self.span is not None:
            painter.setPen(QPen(QColor(255, 200, 60), 1.5))
            first, count = self.span
            for ch in range(first, min(512, first + count)):
                painter.drawRect(QRectF((ch % COLUMNS) * w + 0.5, (ch // COLUMNS) * h + 0.5, w - 1, h - 1))
        painter.end()


class DmxMonitor(QWidget):
    """Selected fixture's channels above, one universe below."""

    def __init__(self, universe_map: UniverseMap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map = universe_map
        self.fixture: Fixture | None = None
        self.functions: Mapping[int, str] = {}
        self.channel_count = 0
        self.fixture_label = QLabel("No fixture selected", self)
        self.fixture_label.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Ch", "Function", "Value"])
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.universe_box = QComboBox(self)
        self.universe_box.setMinimumContentsLength(18)
        self.sources_label = QLabel("", self)
        self.sources_label.setTextFormat(Qt.TextFormat.PlainText)  # source names come off the network
        self.sources_label.setWordWrap(True)
        self.grid = UniverseGrid(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Universe", self))
        top.addWidget(self.universe_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.fixture_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(top)
        layout.addWidget(self.sources_label)
        layout.addWidget(self.grid, 1)
        self._universes: tuple[int, ...] = ()

    # ------------------------------------------------------------------ contents

    def set_universes(self, universes: Sequence[int]) -> None:
        """The universes to choose from (the show's and any that arrived), keeping the choice."""
        universes = tuple(sorted(set(universes)))
        if universes == self._universes:
            return
        current = self.current_universe()
        self._universes = universes
        self.universe_box.blockSignals(True)
        self.universe_box.clear()
        for u in universes:
            self.universe_box.addItem(self.map.describe(u), u)
        if current in universes:
            self.universe_box.setCurrentIndex(universes.index(current))
        self.universe_box.blockSignals(False)

    def current_universe(self) -> int | None:
        data = self.universe_box.currentData()
        return int(data) if data is not None else None

    def show_universe(self, universe: int) -> None:
        if universe in self._universes:
            self.universe_box.setCurrentIndex(self._universes.index(universe))

    def set_fixture(self, fixture: Fixture | None, functions: Mapping[int, str] | None, channel_count: int) -> None:
        self.fixture = fixture
        self.functions = functions or {}
        self.channel_count = channel_count
        if fixture is None:
            self.fixture_label.setText("No fixture selected")
            self.table.setRowCount(0)
            return
        patch = f"universe {fixture.universe}, address {fixture.address}"
        kind = "unpatched: no personality" if functions is None else f"{channel_count} channels"
        self.fixture_label.setText(f"<b>{html.escape(fixture.name)}</b> — {patch} ({kind})")
        self.table.setRowCount(channel_count)
        for off in range(channel_count):
            ch = fixture.address + off
            self.table.setItem(off, 0, QTableWidgetItem(str(ch) if ch <= 512 else f"{ch}!"))
            self.table.setItem(off, 1, QTableWidgetItem(self.functions.get(off, "—")))
            self.table.setItem(off, 2, QTableWidgetItem("—"))
        self.show_universe(fixture.universe)

    def update_values(self, levels: npt.NDArray[np.uint8] | None, universe_levels: npt.NDArray[np.uint8] | None,
                      sources: Sequence[SourceInfo], fresh: bool) -> None:
        """Live values: ``levels`` is the selected fixture's universe, ``universe_levels`` the shown one."""
        fixture = self.fixture
        if fixture is not None:
            for off in range(self.channel_count):
                ch = fixture.address - 1 + off
                text = "—" if levels is None or ch >= 512 else str(int(levels[ch]))
                item = self.table.item(off, 2)
                if item is not None and item.text() != text:
                    item.setText(text)
        universe = self.current_universe()
        span = None
        if fixture is not None and universe == fixture.universe:
            span = (fixture.address - 1, max(1, self.channel_count))
        self.grid.set_levels(universe_levels, span)
        if not sources:
            self.sources_label.setText("No source" if universe_levels is None else "No source now (last levels shown)")
        else:
            parts = [f"{s.name} ({s.protocol} {s.address}, priority {s.priority})" if s.protocol == "sACN"
                     else f"{s.name} ({s.protocol} {s.address})" for s in sources]
            self.sources_label.setText(("" if fresh else "silent: ") + "; ".join(parts))
