"""Status-bar pieces: the connection LED, a transient error line, rig counts."""

from __future__ import annotations

from typing import Final

from PyQt6.QtCore import QSize, Qt, QTimer
from PyQt6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

#: LED colour per client state: the same palette as Show Creator's server widget
#: (grey = off, blue = on the way, green = live).
STATE_COLORS: Final[dict[str, str]] = {
    "disconnected": "#9E9E9E",
    "connecting": "#2196F3",
    "reconnecting": "#2196F3",
    "connected": "#4CAF50",
}
STATE_TEXT: Final[dict[str, str]] = {
    "disconnected": "Disconnected",
    "connecting": "Connecting to",
    "reconnecting": "Reconnecting to",
    "connected": "Connected",
}
#: How long a connection error stays in the status bar, milliseconds.
ERROR_TIMEOUT_MS = 8000


class Led(QWidget):
    """A small round lamp; colour is the only state, so it is cheap to repaint."""

    def __init__(self, color: str = STATE_COLORS["disconnected"], parent: QWidget | None = None) -> None:
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


class ConnectionIndicator(QWidget):
    """LED plus ``Connected localhost:9000``."""

    def __init__(self, address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address = address
        self.state = "disconnected"
        self.led = Led(parent=self)
        self.label = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(6)
        layout.addWidget(self.led)
        layout.addWidget(self.label)
        self.set_state("disconnected")

    def set_state(self, state: str) -> None:
        self.state = state
        self.led.set_color(STATE_COLORS.get(state, STATE_COLORS["disconnected"]))
        self.label.setText(f"{STATE_TEXT.get(state, state.capitalize())} {self.address}")
        self.setToolTip(f"Show Creator at {self.address}: {state}")


class TransientMessage(QLabel):
    """A status-bar line that clears itself, so errors inform without blocking."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("color: #FFB74D;")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def show_message(self, text: str, timeout_ms: int = ERROR_TIMEOUT_MS) -> None:
        self.setText(text)
        self.setToolTip(text)
        self._timer.start(timeout_ms)
