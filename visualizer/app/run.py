"""Running the window: interactive, or until one screenshot is saved.

Kept apart from ``cli`` so argument errors never pay for importing Qt and GL.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import QObject, QTimer
from PyQt6.QtWidgets import QApplication

from shared.show import ShowConfig
from visualizer.app.theme import apply_dark_theme
from visualizer.app.window import APP_NAME, MainWindow
from visualizer.tcp.qt import QtVisualizerClient

if TYPE_CHECKING:
    from visualizer.app.cli import Options

log = logging.getLogger(__name__)

PROG = "visualizer"
#: After the first configuration, how long to wait for the scene to present a
#: frame before grabbing anyway (an unmapped window may never swap buffers).
FRAME_WAIT_MS = 3000


def failure_reason(window: MainWindow, last_error: str | None) -> str:
    """Why no configuration came, in a few words for the one-line error."""
    if window.client.state == "connected":
        return "connected, but the server sent no complete configuration"
    if not last_error:
        return "still connecting"
    prefix = f"cannot connect to {window.address}: "
    reason = last_error[len(prefix):] if last_error.startswith(prefix) else last_error
    return reason[:1].lower() + reason[1:]


class ScreenshotJob(QObject):
    """Waits for the first configuration and a drawn frame, saves the window, quits."""

    def __init__(self, app: QApplication, window: MainWindow, path: Path, after: float, timeout: float) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.path = path
        self.after_ms = int(after * 1000)
        self.last_error: str | None = None
        self.done = False
        window.client.connection_error.connect(self._on_error)
        window.config_applied.connect(self._on_config)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._give_up)
        self._deadline.start(int(timeout * 1000))
        self.timeout = timeout
        self._frame_fallback = QTimer(self)
        self._frame_fallback.setSingleShot(True)
        self._frame_fallback.timeout.connect(self._after_frame)
        self._waiting_frame = False

    def _on_error(self, text: str) -> None:
        self.last_error = text

    def _on_config(self, config: ShowConfig) -> None:
        if self._deadline.isActive():
            self._deadline.stop()
            self.window.config_applied.disconnect(self._on_config)
            log.info("show arrived (%d fixtures); waiting for a frame", len(config.fixtures))
            self._waiting_frame = True
            self.window.scene.frameSwapped.connect(self._after_frame)
            self._frame_fallback.start(FRAME_WAIT_MS)
            self.window.scene.update()

    def _after_frame(self) -> None:
        if not self._waiting_frame:
            return
        self._waiting_frame = False
        self._frame_fallback.stop()
        QTimer.singleShot(self.after_ms, self._grab)

    def _grab(self) -> None:
        image = self.window.grab_window()
        if image.isNull() or not image.save(str(self.path), "PNG"):
            print(f"{PROG}: cannot write screenshot {self.path}", file=sys.stderr)
            self._finish(1)
            return
        log.info("wrote %s (%dx%d)", self.path, image.width(), image.height())
        self._finish(0)

    def _give_up(self) -> None:
        reason = failure_reason(self.window, self.last_error)
        print(
            f"{PROG}: no configuration from {self.window.address} within {self.timeout:g} s ({reason})",
            file=sys.stderr,
        )
        self._finish(2)

    def _finish(self, code: int) -> None:
        self.done = True
        self.window.client.disconnect_from_server()
        self.app.exit(code)


def run(opts: Options) -> int:
    app = QApplication.instance() or QApplication([PROG])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("Show Creator")
    apply_dark_theme(app)

    # PyQt6 aborts the process on an exception escaping a slot unless a hook is set:
    # log it (with traceback) and keep showing the rig instead.
    sys.excepthook = lambda kind, exc, tb: log.critical("unexpected error", exc_info=(kind, exc, tb))

    client = QtVisualizerClient(opts.host, opts.port)
    window = MainWindow(client)
    window.resize(*opts.size)
    window.set_labels_visible(opts.labels)
    window.set_camera_preset(opts.camera)
    window.set_beam_quality(opts.beams)
    if opts.select:
        name = opts.select

        def select_once(config: ShowConfig) -> None:
            window.config_applied.disconnect(select_once)
            if config.fixture(name) is None:
                log.warning("--select: no fixture named %r in the show", name)
            window.select_fixture(name)

        window.config_applied.connect(select_once)
    if opts.screenshot is not None:
        window.scene.set_realistic_movement(False)  # the picture shows where the heads are going
        ScreenshotJob(app, window, opts.screenshot, opts.screenshot_after, opts.timeout)
    # Ctrl+C (or a polite kill) closes the window like its close button would.
    # Python runs signal handlers only between bytecodes, hence the idle tick.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close())
    tick = QTimer(window)
    tick.timeout.connect(lambda: None)
    tick.start(200)
    window.show()
    client.connect_to_server()
    code = app.exec()
    client.disconnect_from_server()
    return code
