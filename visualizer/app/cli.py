"""``visualizer [HOST[:PORT]]``: the Visualizer window, or one screenshot of it.

With ``--screenshot`` it waits for the first complete configuration, lets the
scene draw, saves a PNG of the *whole window* (3D view, group tree, status bar:
what a reader of a README or a bug report needs to see) and exits 0; exit 2
with one line when no configuration arrives within ``--timeout``.

User errors are one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.cli import OneLineParser, non_negative_seconds, positive_seconds
from visualizer.app import dmx_options
from visualizer.app.address import DEFAULT_HOST, DEFAULT_PORT, AddressError, parse_address
from visualizer.render.presets import PRESETS
from visualizer.tcp.options import (
    ConnectionOptionError,
    add_connection_arguments,
    client_options,
    discover_server,
)

log = logging.getLogger(__name__)

PROG = "visualizer"
CAMERA_PRESETS = tuple(PRESETS)
DEFAULT_SIZE = (1400, 900)
MIN_SIZE = (320, 240)
MAX_SIZE = 10000
#: Qt platforms that draw no OpenGL: the 3D view would stay empty.
NO_GL_PLATFORMS = ("offscreen", "minimal")
XVFB_SCREEN = "-screen 0 1600x1000x24"
#: Set in the environment of the copy re-run under xvfb-run, so it never re-runs again.
UNDER_XVFB = "VISUALIZER_UNDER_XVFB"


class UsageError(Exception):
    """Bad command line; the text is the one line the user sees."""


def parse_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise UsageError(f"bad --size {text!r}: expected WIDTHxHEIGHT, e.g. 1400x900")
    width, height = int(w), int(h)
    if not (MIN_SIZE[0] <= width <= MAX_SIZE and MIN_SIZE[1] <= height <= MAX_SIZE):
        raise UsageError(
            f"bad --size {text!r}: width must be {MIN_SIZE[0]}-{MAX_SIZE} and height {MIN_SIZE[1]}-{MAX_SIZE}"
        )
    return width, height


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=PROG,
        description="3D viewer for a Show Creator rig: connects to the server and shows stage, "
        "fixtures and groups, live.",
        epilog="Keys: 1-4 camera presets, Home/R reset view, F fit, L labels, Ctrl+F search, "
        "Esc deselect. Mouse: drag to orbit, Ctrl/middle-drag to pan, wheel to zoom, click to select.",
    )
    p.add_argument(
        "address",
        nargs="?",
        default=f"{DEFAULT_HOST}:{DEFAULT_PORT}",
        metavar="HOST[:PORT]",
        help=f"Show Creator server (default {DEFAULT_HOST}:{DEFAULT_PORT}; IPv6 as [::1]:9000)",
    )
    p.add_argument(
        "--screenshot",
        metavar="PATH",
        type=Path,
        help="save a PNG of the whole window once the show has arrived, then exit",
    )
    p.add_argument(
        "--screenshot-after",
        metavar="SECONDS",
        type=non_negative_seconds,
        default=0.0,
        help="with --screenshot: wait this much longer after the show arrived (for live data)",
    )
    p.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=positive_seconds,
        default=30.0,
        help="with --screenshot: give up (exit 2) if no show arrives within this time (default 30)",
    )
    p.add_argument("--size", metavar="WxH", default=f"{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}",
                   help="window size in pixels (default %(default)s)")
    p.add_argument("--camera", choices=CAMERA_PRESETS, default="perspective", help="initial camera preset")
    p.add_argument("--labels", action=argparse.BooleanOptionalAction, default=True,
                   help="fixture name labels in the 3D view (default on; L toggles)")
    p.add_argument("--select", metavar="NAME", help="select this fixture once the show arrives")
    p.add_argument("--beams", choices=("off", "simple", "full", "auto"), default="auto",
                   help="light beams: off (cheapest), simple cones, full soft cones with floor pools "
                        "(most GPU); auto: full up to 500 fixtures, simple up to 1,500, off above (default)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    dmx_options.add_arguments(p)
    add_connection_arguments(p)
    return p


@dataclass(frozen=True)
class Options:
    host: str
    port: int
    screenshot: Path | None
    screenshot_after: float
    timeout: float
    size: tuple[int, int]
    camera: str
    labels: bool
    select: str | None
    verbose: int
    dmx: dmx_options.DmxOptions | None = None
    #: VisualizerTCPClient keyword arguments (protocol, token, ssl_context).
    connection: dict[str, Any] = field(default_factory=dict)
    discover: bool = False
    beams: str = "auto"


def parse_args(argv: Sequence[str] | None) -> Options:
    """Options from the command line; exits 2 with one line on errors."""
    parser = build_parser()
    ns = parser.parse_args(argv)
    problem = dmx_options.usage_problem(ns)
    if problem is not None:
        parser.exit(2, f"{PROG}: {problem}\n")
    try:
        host, port = parse_address(ns.address)
        size = parse_size(ns.size)
        connection = client_options(ns)
        if ns.discover:
            host, port = discover_server(ns, connection, min(ns.timeout, 5.0),
                                         lambda text: print(f"{PROG}: {text}", file=sys.stderr))
    except (AddressError, UsageError, ConnectionOptionError) as exc:
        parser.exit(2, f"{PROG}: {exc}\n")
    return Options(host, port, ns.screenshot, ns.screenshot_after, ns.timeout, size, ns.camera, ns.labels,
                   ns.select, ns.verbose, dmx_options.from_namespace(ns), connection=connection,
                   discover=ns.discover, beams=ns.beams)


def configure_logging(verbose: int, screenshot: bool = False) -> None:
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format=f"{PROG}: %(levelname)s %(name)s: %(message)s")
    if screenshot and verbose <= 0:
        # The connection's trouble (one report per reconnect attempt) is summed up
        # in the one line a failed screenshot ends with; -v shows it as it happens.
        logging.getLogger("visualizer.tcp").setLevel(logging.ERROR)


def _install_qt_message_handler(verbose: int) -> None:
    """Qt's own chatter (XDG_RUNTIME_DIR, Mesa hints) goes to logging, shown with -v."""
    from PyQt6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.DEBUG,
        QtMsgType.QtWarningMsg: logging.INFO,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
        qt_log.log(levels.get(kind, logging.INFO), "%s", message)

    qInstallMessageHandler(handler)


def qt_platform() -> str:
    """The Qt platform plugin asked for in QT_QPA_PLATFORM (``offscreen:size=...`` -> ``offscreen``)."""
    return os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()


def display_problem() -> str | None:
    """Why Qt could not draw the 3D view here, or None.

    Either no display at all (Linux/BSD without X11 or Wayland), or a Qt
    platform without OpenGL (``QT_QPA_PLATFORM=offscreen``, common in
    containers and CI), where the window would open with an empty 3D view.
    """
    platform = qt_platform()
    if platform in NO_GL_PLATFORMS:
        return (f"QT_QPA_PLATFORM={platform} has no OpenGL, so the 3D view cannot be drawn; "
                "unset QT_QPA_PLATFORM on a desktop, or use --screenshot PATH (rendered under xvfb-run)")
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if platform or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "no display (DISPLAY and WAYLAND_DISPLAY are not set); run it under xvfb-run, or try `make demo`"


def rerun_under_xvfb(argv: Sequence[str], module: str = "visualizer.app") -> int | None:
    """Run ``python -m module argv`` again inside a virtual X display; its exit status, or None without xvfb-run.

    QT_QPA_PLATFORM is dropped for the copy (it would ask for ``offscreen``
    again), and ``UNDER_XVFB`` marks it so it never re-runs itself.
    """
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        return None
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env[UNDER_XVFB] = "1"
    cmd = [xvfb, "-a", "-s", XVFB_SCREEN, sys.executable, "-m", module, *argv]
    try:
        return subprocess.call(cmd, env=env)
    except OSError as exc:
        print(f"{PROG}: cannot run xvfb-run: {exc.strerror or exc}", file=sys.stderr)
        return 1


def image_format_problem(path: Path) -> str | None:
    """Why Qt cannot write an image to ``path`` (format from its extension), or None."""
    from PyQt6.QtGui import QImageWriter

    suffix = path.suffix.lower().lstrip(".")
    formats = sorted({bytes(f.data()).decode().lower() for f in QImageWriter.supportedImageFormats()})
    if not suffix or suffix in formats:  # no extension: PNG, as always
        return None
    shown = ", ".join(f".{f}" for f in formats)
    return f"cannot write screenshot {path}: extension .{suffix} is not an image format Qt can write ({shown})"


def screenshot_problem(path: Path) -> str | None:
    """Why no file can be written at ``path``, or None; creates missing parent folders.

    Found out before connecting, so a typo in the path is not reported only
    after the show arrived -- or hidden behind a connection problem.  Only
    creating the file tells for sure (root passes every permission check).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{path.parent} is not a directory"
    except OSError as exc:
        return exc.strerror or str(exc)
    existed = path.exists()
    if existed and not path.is_file():
        return "Is a directory" if path.is_dir() else "not a regular file"
    try:
        # O_NONBLOCK: a FIFO put there meanwhile must not hang us until someone reads it.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK, 0o666))
    except OSError as exc:
        return exc.strerror or str(exc)
    if not existed:
        path.unlink(missing_ok=True)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    opts = parse_args(args)
    configure_logging(opts.verbose, screenshot=opts.screenshot is not None)
    if opts.screenshot is not None:
        problem = screenshot_problem(opts.screenshot)
        if problem is not None:
            print(f"{PROG}: cannot write screenshot {opts.screenshot}: {problem}", file=sys.stderr)
            return 2
        problem = image_format_problem(opts.screenshot)
        if problem is not None:
            print(f"{PROG}: {problem}", file=sys.stderr)
            return 2
    problem = display_problem()
    if problem is not None:
        # A screenshot needs no desktop: draw it under a virtual display, as `make demo` does.
        if opts.screenshot is not None and not os.environ.get(UNDER_XVFB):
            log.info("%s; rendering under xvfb-run", problem)
            code = rerun_under_xvfb(args)
            if code is not None:
                return code
            problem += " (and xvfb-run is not installed: make sysdeps)"
        elif os.environ.get(UNDER_XVFB):
            problem = f"xvfb-run gave no usable display ({problem})"
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    _install_qt_message_handler(opts.verbose)
    from visualizer.app.run import run

    try:
        return run(opts)
    except KeyboardInterrupt:
        return 130
