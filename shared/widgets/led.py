"""The status lamp of Show Creator's server widget and the Visualizer's status bar.

One palette for both, so a programmer reads the same colour the same way on
either laptop: grey = off, blue = waiting / on the way, green = live.
"""

from __future__ import annotations

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QWidget

LED_OFF = "#9E9E9E"
LED_WAITING = "#2196F3"
LED_LIVE = "#4CAF50"


class Led(QWidget):
    """A small round lamp; colour is the only state, so it is cheap to repaint."""

    def __init__(self, color: str = LED_OFF, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = QColor(color)
        self.setFixedSize(QSize(14, 14))

    @property
    def color(self) -> QColor:
        return QColor(self._color)

    def set_color(self, color: str) -> None:
        c = QColor(color)
        if c != self._color:
            self._color = c
            self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(2, 2, -2, -2)
        p.setPen(QPen(self._color.darker(160), 1.0))
        p.setBrush(self._color)
        p.drawEllipse(r)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 80))
        p.drawEllipse(r.adjusted(2, 2, -r.width() // 2, -r.height() // 2))
        p.end()
