"""``python -m visualizer.demo`` (``make demo``): the whole job in one command.

Starts Show Creator (``python -m server --headless``, a real separate process
serving the built-in demo show on a free loopback port), then opens the
Visualizer on it.  With a display the window stays until you close it; the
server stops with it.  Without one (or with ``--screenshot``) the viewer runs
headless, saves a screenshot of the window and exits: under ``xvfb-run`` when
there is no display at all, because Qt's ``offscreen`` platform has no OpenGL
and would draw no 3D view.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from server.dmx_test import PATTERNS
from shared.cli import OneLineParser, positive_seconds
from visualizer.app.cli import display_problem

log = logging.getLogger(__name__)

PROG = "visualizer.demo"
DEFAULT_SCREENSHOT = Path("out/demo.png")
#: The fixture selected in the screenshot, so the details pane shows something.
SCREENSHOT_SELECTION = "Spot 2"
XVFB_SCREEN = "-screen 0 1600x1000x24"
_REEXEC_MARK = "VISUALIZER_DEMO_UNDER_XVFB"
#: The server logs ``Serving "<show>" (...) on HOST:PORT`` once it listens.
_SERVING = re.compile(r"\bServing\b.* on (?:\[[^\]]*\]|[^\s\[\]]+):(\d+)\s*$")


#: The test pattern Show Creator sends to the viewer over Art-Net on loopback.
DMX_PATTERN = "sweep"  # the rainbow while the moving heads pan and tilt
#: In the screenshot, wait this long after the show arrived so live DMX has lit the rig.
DMX_SETTLE_S = 1.5


def free_udp_port() -> int:
    """A UDP port free on loopback now (not 6454: a console or QLC+ may own that one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoError(Exception):
    """Something the demo could not do; the text is the one line the user sees."""


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=f"python -m {PROG}",
        description="Start Show Creator with the demo show and open the Visualizer on it. "
        "Without a display, save a screenshot instead.",
    )
    p.add_argument("--screenshot", metavar="PATH", type=Path,
                   help=f"save the viewer's window as PNG and exit (default without a display: {DEFAULT_SCREENSHOT})")
    p.add_argument("--timeout", metavar="SECONDS", type=positive_seconds, default=30.0,
                   help="give up if the server or the show does not come up within this time (default 30)")
    p.add_argument("--show", metavar="FILE", type=Path,
                   help="serve this show (any format show-creator opens) instead of the built-in demo show")
    p.add_argument("--pattern", choices=PATTERNS, default=DMX_PATTERN,
                   help="Show Creator's DMX test pattern that lights the rig (default %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="show the server's and the viewer's logs")
    return p


class ShowCreator:
    """The Show Creator server as a child process on a free loopback port."""

    def __init__(self, verbose: bool = False, dmx_port: int | None = None, show: Path | None = None,
                 pattern: str = DMX_PATTERN) -> None:
        self.verbose = verbose
        self.dmx_port = dmx_port
        self.show = show
        self.pattern = pattern
        self.proc: subprocess.Popen[str] | None = None
        self.port: int | None = None
        self._lines: list[str] = []
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self, timeout: float) -> int:
        cmd = [sys.executable, "-m", "server", "--headless", "--host", "127.0.0.1", "--port", "0", "--no-advertise"]
        if self.show is not None:
            cmd += ["--show", str(self.show)]
        if self.dmx_port is not None:  # the fixture test, so the demo lights up live
            cmd += ["--dmx-test", self.pattern, "--dmx-artnet-port", str(self.dmx_port)]
        log.debug("starting %s", " ".join(cmd))
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
        except OSError as exc:
            raise DemoError(f"cannot start Show Creator ({sys.executable} -m server): {exc.strerror or exc}") from None
        self._reader = threading.Thread(target=self._read, name="show-creator log", daemon=True)
        self._reader.start()
        if not self._ready.wait(timeout) or self.port is None:
            code = self.proc.poll()
            last = self._lines[-1].strip() if self._lines else "no output"
            self.stop()
            if code is None:
                raise DemoError(f"Show Creator did not start listening within {timeout:g} s ({last})")
            raise DemoError(f"Show Creator exited with status {code} ({last})")
        return self.port

    def _read(self) -> None:
        proc = self.proc
        assert proc is not None and proc.stderr is not None
        for line in proc.stderr:  # drained to the end so the server never blocks on a full pipe
            self._lines.append(line)
            del self._lines[:-20]
            if self.verbose:
                sys.stderr.write(f"[show-creator] {line}")
            if self.port is None and (m := _SERVING.search(line.rstrip())):
                self.port = int(m.group(1))
                self._ready.set()
        self._ready.set()  # exited: start() stops waiting

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # SIGTERM: the server stops cleanly and exits 0
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _under_xvfb(screenshot: Path, timeout: float, verbose: bool, extra: Sequence[str] = ()) -> int:
    """Run this demo again inside a virtual X display; its exit status is ours."""
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        raise DemoError(
            "no display and no xvfb-run to make one (install Xvfb: make sysdeps), or run it on a desktop"
        )
    print(f"{PROG}: no display; rendering headless under xvfb-run into {screenshot}", file=sys.stderr)
    cmd = [xvfb, "-a", "-s", XVFB_SCREEN, sys.executable, "-m", PROG,
           "--screenshot", str(screenshot), "--timeout", str(timeout), *extra] + (["-v"] if verbose else [])
    env = dict(os.environ, **{_REEXEC_MARK: "1"})
    env.pop("QT_QPA_PLATFORM", None)  # "offscreen" has no OpenGL: the X display replaces it
    try:
        return subprocess.call(cmd, env=env)
    except OSError as exc:
        raise DemoError(f"cannot run xvfb-run: {exc.strerror or exc}") from None


def run(argv: Sequence[str]) -> int:
    ns = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if ns.verbose else logging.WARNING,
                        format=f"{PROG}: %(levelname)s %(name)s: %(message)s")
    if display_problem() is not None:
        if os.environ.get(_REEXEC_MARK):
            raise DemoError("xvfb-run gave no display")
        extra = ["--pattern", ns.pattern] + (["--show", str(ns.show)] if ns.show is not None else [])
        return _under_xvfb(ns.screenshot or DEFAULT_SCREENSHOT, ns.timeout, ns.verbose, extra)

    from visualizer.app.cli import main as visualizer_main

    dmx_port = free_udp_port()
    server = ShowCreator(verbose=ns.verbose, dmx_port=dmx_port, show=ns.show, pattern=ns.pattern)
    port = server.start(ns.timeout)
    address = f"localhost:{port}"  # the server listens on 127.0.0.1; the client tries every address
    what = "the demo show" if ns.show is None else str(ns.show)
    print(f"{PROG}: Show Creator is serving {what} on {address}", file=sys.stderr)
    try:
        args = [address, "--timeout", str(ns.timeout)] + (["-v"] if ns.verbose else [])
        args += ["--artnet", "--artnet-bind", "127.0.0.1", "--artnet-port", str(dmx_port)]
        if ns.screenshot is None:
            print(f"{PROG}: opening the Visualizer; close its window to stop the demo", file=sys.stderr)
            return visualizer_main(args)
        select = ["--select", SCREENSHOT_SELECTION] if ns.show is None else []
        code = visualizer_main([*args, "--screenshot", str(ns.screenshot), *select,
                                "--screenshot-after", str(DMX_SETTLE_S)])
        if code == 0:
            print(f"{PROG}: wrote {ns.screenshot}")
        return code
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except DemoError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
