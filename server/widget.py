"""Server status for the Show Creator window: LED, address, clients, start/stop.

It only talks to a QtServerAdapter (signals in, start/stop out), never to
sockets, so it stays responsive whatever the clients do.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from server.qt import QtServerAdapter
from shared.cli import format_address
from shared.widgets import LED_LIVE, LED_OFF, LED_WAITING, Led

#: LED colour per state: grey when stopped, blue while listening with nobody
#: connected, green once at least one visualizer is connected.
LED_COLORS = {"stopped": LED_OFF, "listening": LED_WAITING, "connected": LED_LIVE}


class ServerStatusWidget(QWidget):
    def __init__(self, adapter: QtServerAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._state = ""

        self.led = Led(LED_OFF)
        self.state_label = QLabel()
        self.address_label = QLabel()
        self.count_label = QLabel()
        self.button = QPushButton()
        self.client_list = QListWidget()
        self.client_list.setMaximumHeight(120)

        top = QHBoxLayout()
        top.addWidget(self.led)
        top.addWidget(self.state_label)
        top.addWidget(self.address_label, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.client_list)

        self.button.clicked.connect(self._toggle)
        adapter.client_connected.connect(self._on_connected)
        adapter.client_disconnected.connect(self._on_disconnected)
        adapter.client_count_changed.connect(self._refresh)
        adapter.running_changed.connect(self._on_running_changed)
        adapter.error_occurred.connect(self._on_error)
        self._sync_clients()
        self._refresh()

    @property
    def led_state(self) -> str:
        """``"stopped"``, ``"listening"`` or ``"connected"``."""
        return self._state

    def client_addresses(self) -> list[str]:
        return [self.client_list.item(i).text() for i in range(self.client_list.count())]  # type: ignore[union-attr]

    def _toggle(self) -> None:
        if self._adapter.is_running():
            self._adapter.stop()
        else:
            self._adapter.start()

    def _on_connected(self, address: str) -> None:
        if not self.client_list.findItems(address, Qt.MatchFlag.MatchExactly):
            self.client_list.addItem(address)
        self._refresh()

    def _on_disconnected(self, address: str) -> None:
        for item in self.client_list.findItems(address, Qt.MatchFlag.MatchExactly):
            self.client_list.takeItem(self.client_list.row(item))
        self._refresh()

    def _on_running_changed(self, running: bool) -> None:
        if not running:
            self.client_list.clear()
        self._refresh()

    def _on_error(self, message: str) -> None:
        self.setToolTip(message)
        self._refresh()

    def _sync_clients(self) -> None:
        self.client_list.clear()
        for info in self._adapter.clients():
            self.client_list.addItem(info.address)

    def _refresh(self, *_: object) -> None:
        running = self._adapter.is_running()
        count = self._adapter.client_count() if running else 0
        state = "stopped" if not running else ("connected" if count else "listening")
        self._state = state
        self.led.set_color(LED_COLORS[state])
        self.led.setToolTip(state)
        self.state_label.setText(state.capitalize())
        host, port = self._adapter.address
        self.address_label.setText(format_address(host, port))
        self.count_label.setText(f"{count} client{'' if count == 1 else 's'}")
        self.button.setText("Stop" if running else "Start")
