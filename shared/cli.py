"""Command-line pieces all three commands share: argument types and one-line errors.

A user who mistypes ``--port`` should get the same one-line message from
``show-creator``, ``visualizer`` and ``visualizer-probe``.
"""

from __future__ import annotations

import argparse
import math
from typing import NoReturn


def format_address(host: str, port: int) -> str:
    """``host:port``, with brackets around IPv6 hosts (``[::1]:9000``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class OneLineParser(argparse.ArgumentParser):
    """argparse, but errors are one line (``prog: ...``) without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _port(text: str, lowest: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, got {text!r}") from None
    if not lowest <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside {lowest}..65535")
    return value


def port_number(text: str) -> int:
    """A port to listen on, 0..65535 (0: any free port)."""
    return _port(text, 0)


def remote_port(text: str) -> int:
    """A port to connect to, 1..65535."""
    return _port(text, 1)


def _seconds(text: str, allow_zero: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "a number of seconds >= 0" if allow_zero else "a positive number of seconds"
        raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    return _seconds(text, allow_zero=False)


def non_negative_seconds(text: str) -> float:
    return _seconds(text, allow_zero=True)
