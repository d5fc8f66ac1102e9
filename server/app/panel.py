"""``VisualizerServerPanel``: the "Visualizer Server" toggle any PyQt6 program can embed.

A host application (Show Creator's window, or anyone else's editor) puts the
panel in a toolbar and calls ``set_config()`` whenever its show changes; the
panel owns the server: created on the first check, stopped on uncheck, when
the panel or its window closes and when the application quits.

Pushes are coalesced: the first change after a quiet spell goes out at once
(so an edit reaches the visualizers within milliseconds), later ones at most
once per ``min_push_interval`` (a drag sends ~20 configurations a second, the
last one always included).  ``update_config`` encodes in the caller's thread,
so for a rig whose encoding takes longer than a sixth of that (10,000
fixtures: ~40 ms) the interval stretches to three times the encoding time and
the editor keeps most of its time for the user.
"""

from __future__ import annotations

import errno
import logging
import math
import sys
import time
from collections.abc import Sequence

from PyQt6.QtCore import QCoreApplication, QEvent, QObject, QProcess, QSettings, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from server.core import DEFAULT_PORT, ServerStartError, VisualizerTCPServer
from server.qt import QtServerAdapter
from shared.cli import format_address
from shared.show import ShowConfig, Stage
from shared.widgets import LED_LIVE, LED_OFF, LED_WAITING, Led

log = logging.getLogger(__name__)

#: The LED's colour per state.
LED_COLORS = {"stopped": LED_OFF, "listening": LED_WAITING, "connected": LED_LIVE}
TOOLTIP_STOPPED = "TCP Server: Not running"
TOOLTIP_LISTENING = "TCP Server: Running, no clients"
TOOLTIP_CONNECTED = "TCP Server: {n} client(s) connected"

SETTINGS_PORT = "visualizer_server/port"
DEFAULT_PUSH_INTERVAL = 0.05  # s: at most ~20 configurations per second


def led_tooltip(running: bool, clients: int) -> str:
    if not running:
        return TOOLTIP_STOPPED
    return TOOLTIP_CONNECTED.format(n=clients) if clients else TOOLTIP_LISTENING


def connect_host(listen_host: str) -> str:
    """Where a visualizer on this machine reaches a server listening on ``listen_host``."""
    if listen_host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if listen_host == "::":
        return "::1"
    return listen_host


def start_error_text(exc: ServerStartError, port: int) -> str:
    """One line for the user, naming the port."""
    if exc.errno == errno.EADDRINUSE:
        return f"Port {port} on {exc.host} is already in use (another Show Creator?); choose another port"
    return str(exc)


def _empty_show() -> ShowConfig:
    return ShowConfig(Stage(10.0, 6.0))


class VisualizerServerPanel(QWidget):
    """Checkbox, LED, port, status and "Launch Visualizer": the Visualizer Server in one widget."""

    #: True when the server started listening, False when it stopped.
    running_changed = pyqtSignal(bool)
    #: Live number of connected visualizers.
    client_count_changed = pyqtSignal(int)
    #: A start failure, as the one line the panel shows.
    error_occurred = pyqtSignal(str)
    #: A configuration was handed to the server (after coalescing).
    config_pushed = pyqtSignal(object)
    #: A visualizer selected fixtures: its address and the fixture indices (protocol 2 ``select``).
    fixtures_selected = pyqtSignal(str, list)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        config: ShowConfig | None = None,
        host: str = "0.0.0.0",
        port: int | None = None,
        settings: QSettings | None = None,
        heartbeat_interval: float = 5.0,
        min_push_interval: float = DEFAULT_PUSH_INTERVAL,
        visualizer_command: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.heartbeat_interval = heartbeat_interval
        self.min_push_interval = min_push_interval
        self._settings = settings if settings is not None else QSettings("StageVisualizer", "ShowCreator")
        self._config = config if config is not None else _empty_show()
        self._server: VisualizerTCPServer | None = None
        self._adapter: QtServerAdapter | None = None
        self._server_port = -1  # the port box's value the server was made for
        self._adopted = False
        self._error = ""
        self._state = "stopped"
        self._pending: ShowConfig | None = None
        self._last_push = float("-inf")
        self._push_cost = 0.0  # seconds the last update_config took (it encodes in our thread)
        self.push_count = 0
        self._visualizer_command = list(visualizer_command) if visualizer_command else None
        self.processes: list[QProcess] = []
        self._watched_window: QWidget | None = None

        self.checkbox = QCheckBox("Visualizer Server")
        self.led = Led(LED_OFF)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setPrefix("port ")
        self.port_spin.setToolTip("TCP port visualizers connect to (0: any free port)")
        if port is None:
            port = _int_setting(self._settings.value(SETTINGS_PORT), DEFAULT_PORT)
        self.port_spin.setValue(port)
        self.status_label = QLabel()
        self.launch_button = QPushButton("Launch Visualizer")
        self.launch_button.setToolTip("Open a Visualizer on this computer, connected to this server")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.checkbox)
        layout.addWidget(self.led)
        layout.addWidget(self.port_spin)
        layout.addWidget(self.status_label, 1)
        layout.addWidget(self.launch_button)

        self._push_timer = QTimer(self)
        self._push_timer.setSingleShot(True)
        self._push_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._push_timer.timeout.connect(self._push_pending)

        self.checkbox.toggled.connect(self._on_toggled)
        self.port_spin.valueChanged.connect(self._remember_port)
        self.launch_button.clicked.connect(self.launch_visualizer)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        # If the panel is deleted without closing (a host tearing down its UI),
        # the server must not outlive it: the holder is plain Python, alive
        # after the C++ widget is gone.
        holder = self._holder = _ServerHolder()
        self.destroyed.connect(holder.stop)
        self._refresh()

    # ------------------------------------------------------------ public API

    @property
    def server(self) -> VisualizerTCPServer | None:
        """The server, once the box was first checked."""
        return self._server

    @property
    def config(self) -> ShowConfig:
        return self._config

    @property
    def led_state(self) -> str:
        """``"stopped"``, ``"listening"`` or ``"connected"``."""
        return self._state

    @property
    def error(self) -> str:
        """The last start failure, or an empty string."""
        return self._error

    @property
    def port(self) -> int:
        """The bound port while running (useful with port 0), else the configured one."""
        server = self._server
        if server is not None and server.is_running():
            return server.port
        return self.port_spin.value()

    @property
    def push_interval(self) -> float:
        """Shortest time between two pushes: ``min_push_interval``, or 3x the last encoding time."""
        return max(self.min_push_interval, 3 * self._push_cost)

    def is_running(self) -> bool:
        return self._server is not None and self._server.is_running()

    def client_count(self) -> int:
        return self._server.get_client_count() if self.is_running() and self._server else 0

    def address(self) -> str:
        """``host:port`` a visualizer on this machine connects to."""
        return format_address(connect_host(self.host), self.port)

    def start(self) -> bool:
        """Check the box (start the server); False, with ``error`` set, if it could not listen."""
        self.checkbox.setChecked(True)
        return self.is_running()

    def stop(self) -> None:
        self.checkbox.setChecked(False)

    def adopt(self, server: VisualizerTCPServer) -> None:
        """Take over a server someone else created (``show-creator`` starts it before the window).

        The panel then shows and controls it as if it had started it: unticking
        stops it, ticking starts the same server again (with whatever options
        it was made with).  Its port is the command line's, so the port box is
        locked.
        """
        self._stop_server()
        if self._adapter is not None:
            self._adapter.deleteLater()
        self.host = server.host
        self._config = server.config
        adapter = self._new_adapter(server)
        self._server, self._adapter, self._server_port = server, adapter, server.port
        self._adopted = True
        self._holder.server = server
        self.port_spin.blockSignals(True)
        self.port_spin.setValue(server.port)
        self.port_spin.blockSignals(False)
        self.port_spin.setEnabled(False)
        self.port_spin.setToolTip("Port given on the command line (show-creator --port)")
        running = server.is_running()
        if running:
            self._last_push = time.monotonic()
        self.checkbox.blockSignals(True)
        self.checkbox.setChecked(running)
        self.checkbox.blockSignals(False)
        self._refresh()

    def set_config(self, config: ShowConfig) -> None:
        """The host's show changed: send it to every visualizer (coalesced, see the module doc)."""
        self._config = config
        if not self.is_running():
            return
        if self._push_timer.isActive():
            self._pending = config
            return
        wait = self._last_push + self.push_interval - time.monotonic()
        if wait <= 0:
            self._push(config)
        else:
            self._pending = config
            self._push_timer.start(max(1, math.ceil(wait * 1000)))  # never early

    def flush(self) -> None:
        """Push a change still waiting for its slot now."""
        if self._push_timer.isActive():
            self._push_timer.stop()
            config, self._pending = self._pending, None
            if config is not None:
                self._push(config)

    def launch_visualizer(self) -> QProcess | None:
        """Start ``visualizer HOST:PORT`` as a child process (starting the server if needed)."""
        if not self.is_running() and not self.start():
            return None
        proc = QProcess(self)
        command = self._visualizer_command or [sys.executable, "-m", "visualizer.app"]
        proc.setProgram(command[0])
        proc.setArguments([*command[1:], self.address()])
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedChannels)
        proc.finished.connect(lambda *_: self._forget(proc))
        proc.errorOccurred.connect(lambda _err: self._launch_failed(proc))
        proc.start()
        self.processes.append(proc)
        log.info("Launched a visualizer for %s", self.address())
        return proc

    def shutdown(self) -> None:
        """Stop the server and any visualizer this panel launched."""
        self._push_timer.stop()
        self._pending = None
        if self.checkbox.isChecked():
            self.checkbox.setChecked(False)  # stops through _on_toggled
        self._stop_server()
        for proc in list(self.processes):
            if proc.state() != QProcess.ProcessState.NotRunning:
                proc.terminate()
                if not proc.waitForFinished(2000):
                    proc.kill()
                    proc.waitForFinished(1000)
        self.processes.clear()

    # ------------------------------------------------------------ Qt events

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: object) -> None:
        # An embedded panel gets no closeEvent when its window closes: watch the window.
        window = self.window()
        if window is not None and window is not self and window is not self._watched_window:
            if self._watched_window is not None:
                self._watched_window.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched_window = window
        super().showEvent(event)  # type: ignore[arg-type]

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if obj is self._watched_window and event is not None and event.type() == QEvent.Type.Close:
            # The host may still refuse the close (unsaved changes): decide once it has.
            QTimer.singleShot(0, self._after_window_close)
        return False

    def _after_window_close(self) -> None:
        window = self._watched_window
        if window is not None and not window.isVisible():
            self.shutdown()

    def push_selection(self, indices: Sequence[int], *, highlight: bool = False) -> None:
        """Select (or highlight) these fixture indices in every connected visualizer that takes ``select``."""
        if self._adapter is not None and self.is_running():
            self._adapter.push_selection(list(indices), highlight=highlight)

    # ------------------------------------------------------------ internals

    def _new_adapter(self, server: VisualizerTCPServer) -> QtServerAdapter:
        adapter = QtServerAdapter(server, self)
        adapter.client_count_changed.connect(self._on_count)
        adapter.fixture_selected.connect(self.fixtures_selected)
        return adapter

    def _on_toggled(self, checked: bool) -> None:
        if checked:
            self._start_server()
        else:
            self._stop_server()
        self._refresh()

    def _start_server(self) -> None:
        if self.is_running():
            return
        port = self.port_spin.value()
        server, adapter = self._server, self._adapter
        if server is None or adapter is None or (port != self._server_port and not self._adopted):
            # Lazily, on the first check (or after the port changed); a server and its adapter stay paired.
            if adapter is not None:
                adapter.deleteLater()
            server = VisualizerTCPServer(self._config, self.host, port, self.heartbeat_interval)
            adapter = self._new_adapter(server)
            self._server, self._adapter, self._server_port = server, adapter, port
        elif server.config is not self._config:
            server.update_config(self._config)  # the show changed while stopped
        try:
            server.start()
        except ServerStartError as exc:
            self._error = start_error_text(exc, port)
            log.error("%s", self._error)
            self.checkbox.blockSignals(True)
            self.checkbox.setChecked(False)
            self.checkbox.blockSignals(False)
            self._refresh()
            self.error_occurred.emit(self._error)
            return
        self._error = ""
        self._holder.server = server
        self._last_push = time.monotonic()
        self.port_spin.setEnabled(False)
        log.info("Visualizer Server listening on %s", format_address(server.host, server.port))
        self.running_changed.emit(True)

    def _stop_server(self) -> None:
        server = self._server
        if server is None:
            return
        was_running = server.is_running()
        self._push_timer.stop()
        self._pending = None
        server.stop()
        self._holder.server = None
        self.port_spin.setEnabled(not self._adopted)
        if was_running:
            log.info("Visualizer Server stopped")
            self._refresh()
            self.running_changed.emit(False)

    def _push(self, config: ShowConfig) -> None:
        server = self._server
        if server is None or not server.is_running():
            return
        self._last_push = time.monotonic()
        started = time.perf_counter()
        server.update_config(config)
        self._push_cost = time.perf_counter() - started
        self.push_count += 1
        self.config_pushed.emit(config)

    def _push_pending(self) -> None:
        wait = self._last_push + self.push_interval - time.monotonic()
        if wait > 0 and self._pending is not None:  # a timer that fired early
            self._push_timer.start(max(1, math.ceil(wait * 1000)))
            return
        config, self._pending = self._pending, None
        if config is not None:
            self._push(config)

    def _on_count(self, count: int) -> None:
        self._refresh()
        self.client_count_changed.emit(count)

    def _remember_port(self, port: int) -> None:
        self._settings.setValue(SETTINGS_PORT, port)

    def _launch_failed(self, proc: QProcess) -> None:
        if proc.error() == QProcess.ProcessError.FailedToStart:
            text = f"Could not start the visualizer ({proc.program()}): {proc.errorString()}"
            log.error("%s", text)
            self.status_label.setToolTip(text)
            self.error_occurred.emit(text)
            self._forget(proc)

    def _forget(self, proc: QProcess) -> None:
        if proc in self.processes:
            self.processes.remove(proc)
        proc.deleteLater()

    def _refresh(self) -> None:
        running = self.is_running()
        count = self.client_count()
        state = "stopped" if not running else ("connected" if count else "listening")
        self._state = state
        self.led.set_color(LED_COLORS[state])
        self.led.setToolTip(led_tooltip(running, count))
        if running:
            text = f"{self.address()} · {count} client{'' if count == 1 else 's'}"
            self.status_label.setText(text)
            self.status_label.setToolTip(led_tooltip(running, count))
            self.status_label.setStyleSheet("")
        elif self._error:
            self.status_label.setText(self._error)
            self.status_label.setToolTip(self._error)
            self.status_label.setStyleSheet("color: #E57373;")
        else:
            self.status_label.setText("Not running")
            self.status_label.setToolTip(TOOLTIP_STOPPED)
            self.status_label.setStyleSheet("")
        self.checkbox.setToolTip(self._error or led_tooltip(running, count))


class _ServerHolder:
    """Outlives the widget so ``destroyed`` can still stop its server."""

    def __init__(self) -> None:
        self.server: VisualizerTCPServer | None = None

    def stop(self, *_: object) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()


def _int_setting(value: object, default: int) -> int:
    try:
        port = int(str(value))
    except (TypeError, ValueError):
        return default
    return port if 0 <= port <= 65535 else default
