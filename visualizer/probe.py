"""``visualizer-probe``: connect to a Show Creator and print what it sends.

A diagnostic for the wire, built on the same ``VisualizerTCPClient`` as the
viewer, so it sees exactly what the viewer would: every message numbered with
its type and a short summary, protocol errors, and a line once a complete
configuration has arrived.  ``--once`` makes it a health check for scripts:
exit 0 after the first complete configuration, 1 if none came.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import TextIO

from shared.cli import OneLineParser, format_address, positive_seconds, remote_port
from shared.protocol import (
    AckMessage,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    Message,
    StageMessage,
    UnknownMessage,
    UpdateMessage,
)
from shared.protocol.extensions import WelcomeMessage
from shared.protocol.messages import message_type
from shared.show import Issue, ShowConfig
from shared.show.issues import one_line, problem_lines, problems_summary
from visualizer.app.address import DEFAULT_PORT, AddressError, parse_address
from visualizer.tcp import VisualizerTCPClient
from visualizer.tcp.describe import describe_v2
from visualizer.tcp.options import (
    ConnectionOptionError,
    add_connection_arguments,
    client_options,
    discover_server,
)

PROG = "visualizer-probe"
SHOW_FIXTURES = 3
SHOW_MEMBERS = 6


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description="Connect to Show Creator and print what it sends.")
    p.add_argument(
        "host", nargs="?", default="localhost",
        help="server host, or HOST:PORT as for the visualizer (default: localhost)",
    )
    p.add_argument("port", nargs="?", type=remote_port, help="server port (default: 9000)")
    p.add_argument("--once", action="store_true", help="exit 0 after the first complete configuration")
    p.add_argument(
        "--timeout",
        type=positive_seconds,
        default=10.0,
        metavar="S",
        help="seconds to wait for the connection (and with --once, for the configuration); default 10",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="also log the client's debug messages")
    add_connection_arguments(p)
    return p


def _fmt(value: float) -> str:
    return f"{value:.1f}" if float(value).is_integer() else f"{value:g}"


class _Printer:
    """Formats client events; runs on the client thread."""

    def __init__(self, out: TextIO, wake: threading.Event) -> None:
        self.out = out
        self.wake = wake
        self.count = 0
        self.welcome: WelcomeMessage | None = None
        self.muted = False
        self.broken = threading.Event()  # stdout went away (e.g. piped into head)

    def line(self, text: str = "") -> None:
        if self.muted or self.broken.is_set():
            return
        try:
            # names come off the network: never a control character on the user's terminal
            print(one_line(text), file=self.out, flush=True)
        except (BrokenPipeError, ValueError):
            self.broken.set()
            self.wake.set()

    def message(self, msg: Message) -> None:
        if isinstance(msg, WelcomeMessage):
            # The handshake is not part of the numbered stream (which stays as v1 prints it);
            # it is summed up once the configuration is complete.
            self.welcome = msg
            return
        self.count += 1
        kind = message_type(msg)
        self.line(f"[{self.count}] {kind}")
        for detail in self._details(msg):
            self.line(f"    {detail}")

    def _details(self, msg: Message) -> list[str]:
        if isinstance(msg, StageMessage):
            s = msg.stage
            return [f"Stage: {_fmt(s.width)}m × {_fmt(s.height)}m (grid {_fmt(s.grid_size)}m)"]
        if isinstance(msg, FixturesMessage):
            out = [f"Fixtures: {len(msg.fixtures)}"]
            for f in msg.fixtures[:SHOW_FIXTURES]:
                kind = f" [{f.fixture_type}]" if f.fixture_type else ""
                out.append(f"- {f.name}: {f.manufacturer} {f.model} ({f.mode}){kind}")
                out.append(f"  Universe {f.universe}, Address {f.address}")
                p = f.position
                out.append(f"  Position: ({p.x:.2f}, {p.y:.2f}, {p.z:.2f})")
            if len(msg.fixtures) > SHOW_FIXTURES:
                out.append(f"... and {len(msg.fixtures) - SHOW_FIXTURES} more")
            return out
        if isinstance(msg, GroupsMessage):
            out = [f"Groups: {len(msg.groups)}"]
            for g in msg.groups:
                names = ", ".join(g.fixtures[:SHOW_MEMBERS])
                more = f", ... ({len(g.fixtures)} in all)" if len(g.fixtures) > SHOW_MEMBERS else ""
                out.append(f"- {g.name} ({g.color}): {names or '(no members)'}{more}")
            return out
        if isinstance(msg, HeartbeatMessage):
            ts = msg.timestamp
            if ts is None:
                return ["Heartbeat (no timestamp)"]
            try:
                when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))
            except (OverflowError, OSError, ValueError):
                when = "?"
            return [f"Heartbeat at {when} ({ts:.3f})"]
        if isinstance(msg, UpdateMessage):
            return [f"Update: {msg.update_type} {dict(msg.data)}"]
        if isinstance(msg, AckMessage):
            return [f"Ack: {msg.ack_type}"]
        if isinstance(msg, UnknownMessage):
            return [f"Unknown message type {msg.type!r} (ignored)"]
        return describe_v2(msg)



def _utf8_safe(stream: TextIO) -> None:
    # "×" and "✓" must not crash the probe on an ASCII or cp1252 console.
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(Exception):
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        host, port = parse_address(args.host, DEFAULT_PORT if args.port is None else args.port)
    except AddressError as exc:
        parser.exit(2, f"{PROG}: {exc}\n")
    if args.port is not None and port != args.port:
        parser.exit(2, f"{PROG}: port given twice: {args.host!r} and {args.port}\n")
    try:
        connection = client_options(args)
        if args.discover:
            host, port = discover_server(args, connection, min(args.timeout, 5.0), lambda text: print(text, flush=True))
    except ConnectionOptionError as exc:
        parser.exit(2, f"{PROG}: {exc}\n")
    _utf8_safe(sys.stdout)
    _utf8_safe(sys.stderr)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.CRITICAL,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
    )
    where = format_address(host, port)
    wake = threading.Event()
    printer = _Printer(sys.stdout, wake)
    failure: list[str] = []
    ever_connected = threading.Event()
    complete = threading.Event()

    client = VisualizerTCPClient(host, port, connect_timeout=args.timeout, client_name=PROG, **connection)

    last_error: list[str] = []

    def on_connected() -> None:
        ever_connected.set()
        last_error.clear()
        printer.line(f"✓ Connected to {where}")

    def on_error(text: str) -> None:
        if not ever_connected.is_set():
            failure.append(text)  # never connected: give up instead of retrying forever
            wake.set()
        elif last_error != [text]:  # one line per distinct problem, not one per retry
            last_error[:] = [text]
            printer.line(f"✗ {text}")

    shown_problems: list[tuple[Issue, ...]] = []

    def on_config(config: ShowConfig) -> None:
        if printer.welcome is not None and not complete.is_set():
            printer.line(f"✓ {describe_v2(printer.welcome)[0]}")
        printer.line(
            "✓ Received complete configuration!" if not complete.is_set() else "✓ Configuration updated"
        )
        # The same list as the viewer's Problems view: what was left out or drawn with a default.
        if config.problems and shown_problems != [config.problems]:
            printer.line(f"Problems: {problems_summary(config.problems)}")
            for text in problem_lines(config.problems):
                printer.line(f"    {text}")
        shown_problems[:] = [config.problems]
        complete.set()
        if args.once:
            printer.muted = True
        wake.set()

    def on_state(state: str) -> None:
        if state == "reconnecting" and ever_connected.is_set():
            printer.line(f"… reconnecting to {where}")
        elif state == "disconnected" and client.last_error and not failure:
            failure.append(client.last_error)  # the client gave up by itself (refused: token, TLS)
            wake.set()

    client.on_message(printer.message)
    client.on_connected(on_connected)
    client.on_error(on_error)
    client.on_config(on_config)
    client.on_state(on_state)

    printer.line(f"Connecting to {where} ...")
    deadline = time.monotonic() + args.timeout
    # Ctrl-C sets a flag instead of raising KeyboardInterrupt wherever the main thread is:
    # raised inside Event.wait it could leave the event's lock held, so the client thread
    # blocked on wake.set() and disconnect() waited for it forever (seen under load).
    interrupted: list[int] = []
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda signum, _frame: interrupted.append(signum))
    try:
        client.connect()
        while True:
            if interrupted:
                return 0
            if failure:
                print(f"{PROG}: {failure[0]}", file=sys.stderr, flush=True)
                return 1
            if printer.broken.is_set():
                return 0
            if args.once and complete.is_set():
                return 0
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if not ever_connected.is_set():
                    print(
                        f"{PROG}: cannot connect to {where}: timed out after {args.timeout:g} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
                if args.once:
                    print(
                        f"{PROG}: no complete configuration from {where} within {args.timeout:g} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
                remaining = 3600.0  # connected and watching: run until Ctrl-C
            wake.wait(min(remaining, 0.2))  # short: a signal handler cannot wake an Event safely
            wake.clear()
    except KeyboardInterrupt:
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        printer.muted = True
        with contextlib.suppress(KeyboardInterrupt):
            client.disconnect()
        if printer.broken.is_set():
            # Keep the interpreter from complaining about the closed pipe at exit.
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
