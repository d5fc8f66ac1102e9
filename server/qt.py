"""Qt edge of the server: callbacks from the I/O thread become GUI-thread signals.

The core calls back on its I/O thread.  Rather than rely on every receiver
being a QObject in the GUI thread, the adapter relays each event through one
private signal with a queued connection to itself, and emits the public
signals from its own (GUI) thread: any slot, even a plain function connected
directly, then runs in the GUI thread.
"""

from __future__ import annotations

import contextlib

from PyQt6.QtCore import QObject, Qt, pyqtSignal, pyqtSlot

from server.core import Callback, ClientInfo, ServerStartError, VisualizerTCPServer
from shared.show import ShowConfig

_CONNECTED = "connected"
_DISCONNECTED = "disconnected"
_ERROR = "error"


class QtServerAdapter(QObject):
    """Wraps a VisualizerTCPServer; create it in the GUI thread."""

    client_connected = pyqtSignal(str)
    client_disconnected = pyqtSignal(str)
    error_occurred = pyqtSignal(str)
    client_count_changed = pyqtSignal(int)
    running_changed = pyqtSignal(bool)
    #: A visualizer selected fixtures: its address and the fixture indices (protocol 2 ``select``).
    fixture_selected = pyqtSignal(str, list)

    _relay = pyqtSignal(str, str)
    _select_relay = pyqtSignal(str, list)

    def __init__(self, server: VisualizerTCPServer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = server
        # Stubs omit connect()'s connection-type argument.
        self._relay.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        # Keep callbacks someone else installed; ours are added, not swapped in.
        server.on_client_connected = _chain(server.on_client_connected, self._emitter(_CONNECTED))
        server.on_client_disconnected = _chain(server.on_client_disconnected, self._emitter(_DISCONNECTED))
        server.on_error = _chain(server.on_error, self._emitter(_ERROR))
        self._select_relay.connect(self.fixture_selected, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        earlier = server.on_fixtures_selected

        def selected(address: str, fixtures: tuple[int, ...]) -> None:
            if earlier is not None:
                earlier(address, fixtures)
            with contextlib.suppress(RuntimeError):
                self._select_relay.emit(address, list(fixtures))

        server.on_fixtures_selected = selected

    @property
    def server(self) -> VisualizerTCPServer:
        return self._server

    def _emitter(self, kind: str) -> Callback:
        # Through ``self`` (kept alive by the server's callbacks), not a bound signal
        # captured once: a bound signal outliving its QObject crashes on emit, while a
        # deleted wrapper raises RuntimeError, ignored here (the GUI is going away).
        def emit(text: str) -> None:
            with contextlib.suppress(RuntimeError):
                self._relay.emit(kind, text)

        return emit

    @pyqtSlot(str, str)
    def _dispatch(self, kind: str, text: str) -> None:
        if kind == _CONNECTED:
            self.client_connected.emit(text)
            self.client_count_changed.emit(self._server.get_client_count())
        elif kind == _DISCONNECTED:
            self.client_disconnected.emit(text)
            self.client_count_changed.emit(self._server.get_client_count())
        else:
            self.error_occurred.emit(text)

    # ------------------------------------------------------------ control

    def start(self) -> bool:
        """Start listening; on failure emit ``error_occurred`` and return False."""
        if self._server.is_running():
            return True
        try:
            self._server.start()
        except ServerStartError as exc:
            self.error_occurred.emit(str(exc))
            return False
        self.running_changed.emit(True)
        return True

    def stop(self) -> None:
        if not self._server.is_running():
            return
        self._server.stop()
        self.running_changed.emit(False)

    def is_running(self) -> bool:
        return self._server.is_running()

    def client_count(self) -> int:
        return self._server.get_client_count()

    def clients(self) -> list[ClientInfo]:
        return self._server.get_clients()

    @property
    def address(self) -> tuple[str, int]:
        return self._server.address

    @property
    def config(self) -> ShowConfig:
        return self._server.config

    def update_config(self, config: ShowConfig) -> None:
        self._server.update_config(config)

    def push_selection(self, fixtures: list[int], *, highlight: bool = False) -> None:
        """Select (or highlight) these fixture indices in every visualizer that negotiated ``select``."""
        self._server.push_selection(fixtures, highlight=highlight)


def _chain(first: Callback | None, second: Callback) -> Callback:
    if first is None:
        return second

    def both(text: str) -> None:
        try:
            first(text)
        finally:
            second(text)

    return both
