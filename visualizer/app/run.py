"""Running the window: interactive, or until one screenshot is saved.

Kept apart from ``cli`` so argument errors never pay for importing Qt and GL.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from PyQt6.QtCore import QObject, QTimer
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication

from shared.show import ShowConfig
from visualizer.app.theme import apply_dark_theme
from visualizer.app.window import APP_NAME, MainWindow
from visualizer.render.glview import opengl_available
from visualizer.tcp.qt import QtVisualizerClient

if TYPE_CHECKING:
    from visualizer.app.cli import Options

log = logging.getLogger(__name__)

PROG = "visualizer"
#: After the first configuration, how long to wait for the scene to present a
#: frame before grabbing anyway (an unmapped window may never swap buffers).
FRAME_WAIT_MS = 3000
#: How long after the window is shown its OpenGL view must be set up.
GL_CHECK_MS = 3000


def scene_rendered(window: MainWindow) -> bool:
    """Whether the 3D view shows a drawing: a valid GL view whose picture is not one flat colour.

    A configuration always draws the stage floor, its grid and edges, so a
    uniform picture means OpenGL drew nothing (no context, a failed setup).
    """
    scene = window.scene
    if not scene.isValid() or scene.frames_rendered == 0:
        return False
    image = scene.grab_image()
    if image.isNull() or image.width() < 1 or image.height() < 1:
        return False
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    ptr = image.constBits()
    if ptr is None:
        return False
    ptr.setsize(image.sizeInBytes())
    pixels = np.frombuffer(cast(bytes, ptr), np.uint32)
    rows = pixels.reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()]
    # Anything drawn at all (even a rig framed as a dot) differs from the cleared background.
    return bool((rows != rows[0, 0]).any())


def gl_problem(window: MainWindow) -> str | None:
    """Why the 3D view has no OpenGL, or None once it is set up.

    Until the first show the waiting page hides the view, which sets up GL only
    when it is shown: meanwhile a throwaway context tells whether GL is there.
    """
    scene = window.scene
    context = scene.context()
    if scene.isValid() and context is not None and context.isValid():
        return None
    if not scene.container.isVisible() and opengl_available():
        return None
    platform = QApplication.platformName()
    return (f"cannot set up OpenGL for the 3D view (Qt platform {platform!r}); "
            "try it under xvfb-run, or check the GL driver")


def failure_reason(window: MainWindow, last_error: str | None) -> str:
    """Why no configuration came, in a few words for the one-line error (as the overlay says it)."""
    if window.client.state == "connected":
        if last_error and last_error.startswith("connected to "):  # a refused message names the cause
            return last_error
        return f"connected to {window.address}, but the server sent no complete configuration"
    if not last_error:
        return "still connecting"
    prefix = f"cannot connect to {window.address}: "
    reason = last_error[len(prefix):] if last_error.startswith(prefix) else last_error
    if reason[:2].isupper():  # an acronym ("TLS certificate ..."): keep it as it is
        return reason
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
        if not scene_rendered(self.window):  # never a screenshot with an empty 3D view and exit 0
            problem = gl_problem(self.window) or "the 3D view did not render"
            print(f"{PROG}: no screenshot written: {problem}", file=sys.stderr)
            self._finish(1)
            return
        image = self.window.grab_window()
        # The format follows the extension (.png, .jpg, ...), checked before connecting.
        fmt = self.path.suffix.lstrip(".").upper() or "PNG"  # no extension: PNG
        if image.isNull() or not image.save(str(self.path), fmt):
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
    # No applicationDisplayName: Qt would append it to the title, which already says it.
    app.setOrganizationName("Show Creator")
    apply_dark_theme(app)

    # PyQt6 aborts the process on an exception escaping a slot unless a hook is set:
    # log it (with traceback) and keep showing the rig instead.
    sys.excepthook = lambda kind, exc, tb: log.critical("unexpected error", exc_info=(kind, exc, tb))

    client = QtVisualizerClient(opts.host, opts.port, **opts.connection)
    window = MainWindow(client)
    window.resize(*opts.size)
    window.set_labels_visible(opts.labels)
    window.set_camera_preset(opts.camera)
    window.set_beam_quality(opts.beams)
    if opts.select:
        name = opts.select

        def select_once(config: ShowConfig) -> None:
            window.config_applied.disconnect(select_once)
            if window.select_named(name) is None:  # exact name first, then ignoring case
                log.warning("--select: no fixture named %r in the show", name)

        window.config_applied.connect(select_once)
    if opts.dmx is not None:
        from visualizer.app.dmx_controller import DmxController

        DmxController(window, opts.dmx).start()
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

    def check_gl() -> None:
        handle = window.windowHandle()
        exposed = window.isVisible() and handle is not None and handle.isExposed()
        problem = gl_problem(window) if exposed else None  # a minimised window has not set up GL yet
        if problem is not None:  # one line and a non-zero exit, not a window without its view
            print(f"{PROG}: {problem}", file=sys.stderr)
            client.disconnect_from_server()
            app.exit(1)

    QTimer.singleShot(GL_CHECK_MS, check_gl)
    client.connect_to_server()
    code = app.exec()
    client.disconnect_from_server()
    return code
