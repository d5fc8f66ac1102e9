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
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from server import dmx_test
from server.core import DEFAULT_PORT, ServerStartError, VisualizerTCPServer
from server.discovery import Advertiser
from server.show import ShowSource, describe
from server.tls import TLSConfigError, server_context
from shared.cli import OneLineParser, format_address, port_number, positive_seconds
from shared.protocol.auth import TOKEN_ENV, TokenError, resolve_token
from shared.protocol.discovery import Advert
from shared.protocol.extensions import PROTOCOL_V2
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
        epilog=("show-creator convert IN OUT.json writes a JSON show from a YAML rig, QLC+ .qxw or MVR; "
                "show-creator convert IN OUT.mvr exports an MVR scene."),
    )
    parser.add_argument("--headless", action="store_true", help="run without a window")
    parser.add_argument(
        "--show", metavar="FILE",
        help="show to serve and watch: JSON, Show Creator YAML, QLC+ .qxw or MVR (default: the built-in demo show)",
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
    parser.add_argument(
        "--fixtures-dir", action="append", default=[], metavar="DIR",
        help="QLC+ fixture definitions (.qxf) to fill served fixtures from (repeatable; QLC+'s own folders too)",
    )
    security = parser.add_argument_group("protocol 2 (security, discovery)")
    security.add_argument("--token", help="require visualizers to prove this shared secret (HMAC; never sent); "
                          f"also ${TOKEN_ENV}; v1 visualizers are then refused")
    security.add_argument("--token-file", metavar="FILE", help="read the token from FILE")
    security.add_argument("--tls-cert", metavar="PEM", help="serve TLS only, with this certificate (chain)")
    security.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert (if not in the same file)")
    security.add_argument("--no-advertise", dest="advertise", action="store_false",
                          help="do not announce this server on the local network (mDNS _showcreator._tcp)")
    security.add_argument("--mdns-interface", metavar="IP", action="append",
                          help="announce only on this interface address (repeatable; default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    dmx_test.add_arguments(parser)
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
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["convert"]:  # show-creator convert IN OUT.json
        from server.convert import main as convert

        return convert(argv[1:])
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    if not args.headless and (problem := _display_problem()) is not None:
        log.error("%s", problem)
        return EXIT_BAD_SHOW

    # Handlers first, so a signal during start-up also ends in a clean exit.
    shutdown = _Shutdown()
    signal.signal(signal.SIGINT, shutdown.handle)
    signal.signal(signal.SIGTERM, shutdown.handle)

    source = ShowSource(args.show)
    if args.fixtures_dir:
        from shared.fixtures.enrich import enricher

        source.prepare = enricher(args.fixtures_dir)
    try:
        config = source.load()
    except ShowFileError as exc:
        log.error("%s", exc)
        return EXIT_BAD_SHOW

    try:
        token = resolve_token(args.token, args.token_file)
        ssl_context = None if args.tls_cert is None else server_context(args.tls_cert, args.tls_key)
    except (TokenError, TLSConfigError) as exc:
        log.error("%s", exc)
        return EXIT_CANNOT_LISTEN
    server = VisualizerTCPServer(config, args.host, args.port, args.heartbeat, token=token,
                                 ssl_context=ssl_context, show_name=source.name,
                                 on_fixtures_selected=lambda address, fixtures: log.info(
                                     "Visualizer %s selected fixtures %s", address, list(fixtures)[:20]))
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
    if token is not None or ssl_context is not None:
        log.info("%s", ", ".join(p for p in (
            "token required (v1 visualizers are refused)" if token is not None else "",
            "TLS only" if ssl_context is not None else "") if p))
    source.watch()
    sender = dmx_test.start_from_args(args, config, follow=lambda: server.config)
    advertiser = None
    if args.advertise:
        advertiser = Advertiser(
            Advert("", server.host, server.port, show=source.name, server="Show Creator", protocol=PROTOCOL_V2,
                   token=token is not None, tls=ssl_context is not None),
            interfaces=args.mdns_interface,
        )
        advertiser.start()
    try:
        if args.headless:
            shutdown.event.wait()
        else:
            _run_window(source, server, shutdown)
    finally:
        if sender is not None:
            sender.stop()
        source.stop_watching()
        if advertiser is not None:
            advertiser.close()
        server.stop()
        log.info("Stopped")
    return EXIT_OK


def _display_problem() -> str | None:
    """Why the Show Creator window cannot open here, or None: checked before serving, since
    Qt without a display aborts the process (SIGABRT) with several lines of plugin help."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("no display for the Show Creator window (DISPLAY and WAYLAND_DISPLAY are not set); "
            "add --headless to serve without it, or run it under xvfb-run")


def _run_window(source: ShowSource, server: VisualizerTCPServer, shutdown: _Shutdown) -> None:
    """Show the Show Creator window until it is closed or a signal arrives."""
    import socket

    from PyQt6.QtCore import QSocketNotifier, QTimer
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
    # A signal that came before the event loop ran made app.quit() a no-op: look again once it runs.
    QTimer.singleShot(0, lambda: app.quit() if shutdown.event.is_set() else None)
    try:
        app.exec()
    finally:
        shutdown.on_request = None
        notifier.setEnabled(False)
        signal.set_wakeup_fd(old_fd)
        wake_r.close()
        wake_w.close()
        server.stop()  # before the window (and its adapter) go: the I/O thread emits to them while stopping
        window.close()
