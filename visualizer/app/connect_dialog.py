"""File → Connect to…: pick a Show Creator found on the network (mDNS), or type an address.

The list fills in as servers answer (``ServerBrowser`` on zeroconf's thread,
relayed to the GUI thread by a queued signal).  Accepting reconnects the
window's client to the chosen address; a server that needs TLS or a token
keeps the options the viewer was started with.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.cli import format_address
from shared.protocol.discovery import Advert
from visualizer.app.address import AddressError, parse_address

if TYPE_CHECKING:
    from visualizer.app.window import MainWindow
    from visualizer.tcp.discovery import ServerBrowser

log = logging.getLogger(__name__)

_ROLE = Qt.ItemDataRole.UserRole


class ConnectDialog(QDialog):
    """Lists discovered servers; ``address()`` is the choice (or the typed address)."""

    servers_changed = pyqtSignal(list)  # list[Advert], from the browser's thread

    def __init__(self, current: str, parent: QWidget | None = None, *, interfaces: list[str] | None = None,
                 browse: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to Show Creator")
        self.resize(520, 360)
        layout = QVBoxLayout(self)
        self.status = QLabel("Searching the local network…", self)
        self.list = QListWidget(self)
        self.edit = QLineEdit(current, self)
        self.edit.setPlaceholderText("host:port, e.g. 192.168.1.20:9000")
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #e57373")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for w in (self.status, self.list, QLabel("Address:", self), self.edit, self.error, buttons):
            layout.addWidget(w)
        self.list.currentItemChanged.connect(self._picked)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.servers_changed.connect(self.set_servers, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        self._browser: ServerBrowser | None = None
        if browse:
            try:
                from visualizer.tcp.discovery import ServerBrowser

                self._browser = ServerBrowser(self.servers_changed.emit, interfaces=interfaces)
            except Exception as exc:  # no multicast here: typing an address still works
                log.warning("cannot search the network: %s", exc)
                self.status.setText(f"Cannot search the network ({exc}); type an address.")
        self.finished.connect(lambda _code: self.close_browser())

    def set_servers(self, servers: list[Advert]) -> None:
        current = self.list.currentItem()
        keep = current.data(_ROLE).address if current is not None else None
        self.list.clear()
        for advert in servers:
            item = QListWidgetItem(advert.describe(), self.list)
            item.setData(_ROLE, advert)
            if advert.address == keep:
                self.list.setCurrentItem(item)
        n = len(servers)
        self.status.setText(f"{n} Show Creator{'s' if n != 1 else ''} on the local network" if n else
                            "Searching the local network…")

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.edit.setText(item.data(_ROLE).address)

    def address(self) -> tuple[str, int] | None:
        """The chosen host and port, or None (the reason is shown in the dialog)."""
        try:
            return parse_address(self.edit.text().strip())
        except AddressError as exc:
            self.error.setText(str(exc))
            return None

    def accept(self) -> None:
        if self.address() is not None:
            super().accept()

    def close_browser(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            browser.close()


def open_connect_dialog(window: MainWindow) -> None:
    """Run the dialog; on OK reconnect the window's client to the chosen server."""
    dialog = ConnectDialog(window.address, window)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = dialog.address()
    finally:
        dialog.close_browser()
    if chosen is not None:
        connect_window_to(window, *chosen)


def connect_window_to(window: MainWindow, host: str, port: int) -> None:
    window.address = format_address(host, port)
    window.setWindowTitle(f"{window.windowTitle().split(' — ')[0]} — {window.address}")
    window.client.connect_to_server(host, port)
