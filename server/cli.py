"""``show-creator``: serve a show file (or the demo show) to Visualizers.

Every failure a user can cause (bad show file, busy port) ends in one log
line naming the file/port and an exit status, never a traceback:
exit 2 for a show file that cannot be loaded, 1 when the server cannot
listen, 0 after SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from server.core import DEFAULT_PORT, ServerStartError, VisualizerTCPServer
from server.show import ShowSource, describe
from shared.cli import OneLineParser, format_address, port_number, positive_seconds
from shared.show import ShowFileError

log = logging.getLogger("server")

EXIT_OK = 0
EXIT_CANNOT_LISTEN = 1
EXIT_BAD_SHOW = 2

#: Visualizers presume a link dead after 15 s without a byte (three heartbeats of
#: the default 5 s, docs/PROTOCOL.md); slower heartbeats make idle viewers reconnect.
MAX_HEARTBEAT = 5.0


def heartbeat_seconds(text: str) -> float:
    value = positive_seconds(text)
    if value > MAX_HEARTBEAT:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_HEARTBEAT:g} s (visualizers take 15 s of silence for a dead link), got {text!r}"
        )
    return value


def listen_host(text: str) -> str:
    """A host to listen on; ``[::1]`` as the visualizer writes IPv6 is ``::1``."""
    if text.startswith("[") and text.endswith("]"):
        return text[1:-1]
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="show-creator",
        description="Serve a lighting show (stage, fixtures, groups) to Visualizer clients over TCP.",
    )
    parser.add_argument("--headless", action="store_true", help="run without a window")
    parser.add_argument(
        "--show", metavar="FILE", help="show file to serve and watch (default: the built-in demo show)"
    )
    parser.add_argument(
        "--host", type=listen_host, default="0.0.0.0", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="TCP port, 0 for any free one (default: %(default)s)"
    )
    parser.add_argument(
        "--heartbeat", type=heartbeat_seconds, default=MAX_HEARTBEAT, metavar="S",
        help="seconds between heartbeats, at most 5 (default: %(default)s)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    return parser


def _setup_logging(verbose: bool) -> None:
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if verbose else "%(asctime)s %(levelname)s %(message)s"
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format=fmt, stream=sys.stderr, force=True
    )


class _Shutdown:
    """Set by SIGINT/SIGTERM; the GUI hooks ``on_request`` to quit its event loop."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.on_request: Callable[[], None] | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        log.info("Received %s, stopping", signal.Signals(signum).name)
        self.event.set()
        if self.on_request is not None:
            self.on_request()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)

    # Handlers first, so a signal during start-up also ends in a clean exit.
    shutdown = _Shutdown()
    signal.signal(signal.SIGINT, shutdown.handle)
    signal.signal(signal.SIGTERM, shutdown.handle)

    source = ShowSource(args.show)
    try:
        config = source.load()
    except ShowFileError as exc:
        log.error("%s", exc)
        return EXIT_BAD_SHOW

    server = VisualizerTCPServer(config, args.host, args.port, args.heartbeat)
    source.server = server
    try:
        server.start()
    except ServerStartError as exc:
        if exc.errno == errno.EADDRINUSE:
            log.error(
                "Port %d on %s is already in use (another show-creator?); choose another with --port",
                args.port, args.host,
            )
        else:
            log.error("%s; check --host and --port", exc)
        return EXIT_CANNOT_LISTEN

    log.info(
        'Serving "%s" (%s) on %s', source.name, describe(config), format_address(server.host, server.port)
    )
    source.watch()
    try:
        if args.headless:
            shutdown.event.wait()
        else:
            _run_window(source, server, shutdown)
    finally:
        source.stop_watching()
        server.stop()
        log.info("Stopped")
    return EXIT_OK


def _run_window(source: ShowSource, server: VisualizerTCPServer, shutdown: _Shutdown) -> None:
    """Show the status window until it is closed or a signal arrives."""
    import socket

    from PyQt6.QtCore import QSocketNotifier
    from PyQt6.QtWidgets import QApplication

    from server.app.run import open_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    if shutdown.event.is_set():
        return
    window = open_window(source, server)

    # Python runs signal handlers only when the interpreter gets control; the
    # wakeup fd makes Qt's event loop notice a signal at once, without polling.
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    old_fd = signal.set_wakeup_fd(wake_w.fileno())
    notifier = QSocketNotifier(wake_r.fileno(), QSocketNotifier.Type.Read)  # type: ignore[call-overload]

    def drain() -> None:
        with contextlib.suppress(OSError):
            wake_r.recv(64)

    notifier.activated.connect(drain)
    shutdown.on_request = app.quit
    try:
        app.exec()
    finally:
        shutdown.on_request = None
        notifier.setEnabled(False)
        signal.set_wakeup_fd(old_fd)
        wake_r.close()
        wake_w.close()
        window.close()
