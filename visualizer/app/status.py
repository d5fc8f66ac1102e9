"""Status-bar pieces: the connection LED, a transient error line, rig counts."""

from __future__ import annotations

import html
from typing import Final

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from shared.widgets import LED_LIVE, LED_OFF, LED_WAITING, Led

#: LED colour per client state: the palette Show Creator's server widget uses
#: (grey = off, blue = on the way, green = live).
STATE_COLORS: Final[dict[str, str]] = {
    "disconnected": LED_OFF,
    "connecting": LED_WAITING,
    "reconnecting": LED_WAITING,
    "connected": LED_LIVE,
}
STATE_TEXT: Final[dict[str, str]] = {
    "disconnected": "Disconnected",
    "connecting": "Connecting to",
    "reconnecting": "Reconnecting to",
    "connected": "Connected",
}
#: How long a connection error stays in the status bar, milliseconds.
ERROR_TIMEOUT_MS = 8000


class ConnectionIndicator(QWidget):
    """LED plus ``Connected localhost:9000``, and what protects the link (``· TLS · token``)."""

    def __init__(self, address: str, parent: QWidget | None = None, security: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.address = address
        self.security = security
        self.state = "disconnected"
        self.led = Led(STATE_COLORS["disconnected"], parent=self)
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
        guarded = "".join(f" · {what}" for what in self.security) if state == "connected" else ""
        self.label.setText(f"{STATE_TEXT.get(state, state.capitalize())} {self.address}{guarded}")
        how = (" over TLS" if "TLS" in self.security else ", not encrypted") + (
            ", authenticated with the token" if "token" in self.security else "")
        self.setToolTip(f"Show Creator at {self.address}: {state}{how}")


class TransientMessage(QLabel):
    """A status-bar line that clears itself, so errors inform without blocking."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("color: #FFB74D;")
        # Messages quote names from the network (fixtures, sACN sources): never markup.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def show_message(self, text: str, timeout_ms: int = ERROR_TIMEOUT_MS) -> None:
        self.setText(text)
        self.setToolTip(f"<p>{html.escape(text)}</p>")
        self._timer.start(timeout_ms)
