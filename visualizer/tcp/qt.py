"""Qt adapter: the plain client's callbacks as signals in the GUI thread.

Callbacks run on the client thread and simply ``emit``; the adapter lives in
the GUI thread, so Qt queues each emission and slots run in the GUI thread.
Nothing here touches sockets.

``config_received`` is last-value-wins, like the server: a big rig edited live
can arrive faster than the viewer draws it, and every configuration queued
for a busy GUI thread would stay queued (memory without bound, a view ever
further behind).  So only the newest one waits for the GUI thread.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from PyQt6.QtCore import QCoreApplication, QObject, pyqtSignal

from shared.show import ShowConfig
from visualizer.tcp.client import State, VisualizerTCPClient


class QtVisualizerClient(QObject):
    """``VisualizerTCPClient`` with signals; keyword arguments go to the client."""

    connected = pyqtSignal()
    disconnected = pyqtSignal()
    connection_error = pyqtSignal(str)
    stage_received = pyqtSignal(object)  # Stage
    fixtures_received = pyqtSignal(list)  # list[Fixture]
    groups_received = pyqtSignal(list)  # list[Group]
    update_received = pyqtSignal(str, dict)  # update_type, data
    heartbeat_received = pyqtSignal(object)  # float | None
    config_received = pyqtSignal(object)  # ShowConfig
    state_changed = pyqtSignal(str)
    #: Protocol 2: the server's welcome (WelcomeMessage), and a selection it pushed
    #: (fixture indices, mode "select" or "highlight").
    welcome_received = pyqtSignal(object)
    selection_received = pyqtSignal(list, str)
    _config_waiting = pyqtSignal()  # client thread -> GUI thread: take ``_next_config``

    def __init__(
        self, host: str = "localhost", port: int = 9000, parent: QObject | None = None, **client_options: Any
    ) -> None:
        super().__init__(parent)
        self._client = VisualizerTCPClient(host, port, **client_options)
        self._next_config: ShowConfig | None = None
        self._next_lock = threading.Lock()
        self._config_waiting.connect(self._deliver_config)
        h, emit = self._client.handlers, self._emit
        h.on_connected(lambda: emit("connected"))
        h.on_disconnected(lambda: emit("disconnected"))
        h.on_error(lambda text: emit("connection_error", text))
        h.on_stage(lambda stage: emit("stage_received", stage))
        h.on_fixtures(lambda fixtures: emit("fixtures_received", list(fixtures)))
        h.on_groups(lambda groups: emit("groups_received", list(groups)))
        h.on_update(lambda update_type, data: emit("update_received", update_type, dict(data)))
        h.on_heartbeat(lambda timestamp: emit("heartbeat_received", timestamp))
        h.on_config(self._config_arrived)
        h.on_state(lambda state: emit("state_changed", state))
        h.on_welcome(lambda welcome: emit("welcome_received", welcome))
        h.on_selection(lambda fixtures, mode: emit("selection_received", list(fixtures), mode))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.disconnect_from_server)
        client = self._client
        self.destroyed.connect(lambda *_: client.disconnect())

    # ---------------------------------------------------------------- public

    @property
    def client(self) -> VisualizerTCPClient:
        return self._client

    @property
    def host(self) -> str:
        return self._client.host

    @property
    def port(self) -> int:
        return self._client.port

    @property
    def security(self) -> tuple[str, ...]:
        """``VisualizerTCPClient.security``: ``"TLS"``, ``"token"``, or nothing."""
        return self._client.security

    @property
    def state(self) -> State:
        return self._client.state

    @property
    def config(self) -> ShowConfig | None:
        return self._client.config

    def connect_to_server(self, host: str | None = None, port: int | None = None) -> None:
        """Start connecting (to a new address if given); returns at once."""
        client = self._client
        new_host = client.host if host is None else host
        new_port = client.port if port is None else port
        if (new_host, new_port) != (client.host, client.port):
            client.disconnect()
            client.host, client.port = new_host, new_port
        client.connect()

    def select_fixtures(self, indices: list[int]) -> None:
        """Tell the server which fixtures (indices) are selected; ignored unless it negotiated ``select``."""
        self._client.select(indices)

    def disconnect_from_server(self) -> None:
        """Stop and join the client thread (within about a second)."""
        self._client.disconnect()

    def _deliver_config(self) -> None:
        """GUI thread: hand on the newest configuration, once."""
        with self._next_lock:
            config, self._next_config = self._next_config, None
        if config is not None:
            self.config_received.emit(config)

    # ---------------------------------------------------------------- client thread

    def _config_arrived(self, config: ShowConfig) -> None:
        with self._next_lock:
            already_waiting = self._next_config is not None
            self._next_config = config
        if not already_waiting:
            self._emit("_config_waiting")

    def _emit(self, signal: str, *args: Any) -> None:
        # Looking up or emitting a signal of an adapter whose C++ side is gone
        # raises RuntimeError; the client thread may outlive the QObject by a
        # message or two (at interpreter exit, say), so that is ignored.
        with contextlib.suppress(RuntimeError):
            getattr(self, signal).emit(*args)
