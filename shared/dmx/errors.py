"""Typed errors for DMX-over-IP packets: values, never exceptions in a receive loop.

A receiver counts them per ``reason`` (a short stable key shown in the DMX
monitor and the bench) and words one line per kind with ``describe``, in the
codec's style: ``Art-Net packet from 10.0.0.5:6454: ArtDmx length 600 is
outside 2..512``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Protocol = Literal["Art-Net", "sACN"]


@dataclass(frozen=True, slots=True)
class PacketError:
    """A packet that was read and refused; ``reason`` is the counter key."""

    protocol: Protocol
    reason: str
    detail: str

    def describe(self, source: str | None = None) -> str:
        where = f"{self.protocol} packet" + (f" from {source}" if source else "")
        return f"{where}: {self.detail}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True, slots=True)
class Ignored:
    """A well-formed packet that carries no levels for us (ArtSync, sACN sync, preview...)."""

    protocol: Protocol
    reason: str
