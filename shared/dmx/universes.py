"""Fixture universe numbers and the wire's universe numbers.

Fixture universes are numbered from 1, as QLC+ and the real Show Creator do:
fixture universe U is Art-Net Port-Address U − 1 and sACN universe U (sACN
has no universe 0, E1.31-2018 §6.2.7).  ``--universe-base 0`` serves shows
numbered from 0: then U is Art-Net Port-Address U and sACN universe U + 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.dmx.artnet import MAX_PORT_ADDRESS
from shared.dmx.sacn import MAX_UNIVERSE, MIN_UNIVERSE
from shared.show.checks import Issue
from shared.show.model import ShowConfig


@dataclass(frozen=True, slots=True)
class UniverseMap:
    """Maps fixture universes to Art-Net Port-Addresses and sACN universes and back."""

    base: int = 1

    def __post_init__(self) -> None:
        if self.base not in (0, 1):
            raise ValueError(f"universe base must be 0 or 1, got {self.base}")

    def from_artnet(self, port_address: int) -> int:
        return port_address + self.base

    def from_sacn(self, universe: int) -> int:
        return universe - 1 + self.base

    def to_artnet(self, universe: int) -> int | None:
        pa = universe - self.base
        return pa if 0 <= pa <= MAX_PORT_ADDRESS else None

    def to_sacn(self, universe: int) -> int | None:
        u = universe - self.base + 1
        return u if MIN_UNIVERSE <= u <= MAX_UNIVERSE else None

    def describe(self, universe: int) -> str:
        """``universe 1 (Art-Net 0, sACN 1)``, as the hint and the monitor word it."""
        pa, su = self.to_artnet(universe), self.to_sacn(universe)
        art = "no Art-Net" if pa is None else f"Art-Net {pa}"
        sacn = "no sACN" if su is None else f"sACN {su}"
        return f"universe {universe} ({art}, {sacn})"


def show_universes(config: ShowConfig) -> tuple[int, ...]:
    """The fixture universes a show patches, sorted."""
    return tuple(sorted({f.universe for f in config.fixtures}))


def universe_warnings(config: ShowConfig, base: int) -> list[Issue]:
    """A warning per fixture whose universe cannot be received under ``base``."""
    mapping = UniverseMap(base)
    issues = []
    for i, f in enumerate(config.fixtures):
        if mapping.to_artnet(f.universe) is None and mapping.to_sacn(f.universe) is None:
            other = UniverseMap(1 - base)
            if other.to_artnet(f.universe) is None and other.to_sacn(f.universe) is None:
                problem = (f"universe {f.universe} does not exist in Art-Net (Port-Address 0..{MAX_PORT_ADDRESS}) "
                           f"or sACN ({MIN_UNIVERSE}..{MAX_UNIVERSE}); DMX cannot reach it")
            else:
                problem = (f"universe {f.universe} does not exist when universes are numbered from {base}; "
                           f"if the show numbers universes from {other.base}, start the visualizer with "
                           f"--universe-base {other.base}")
            issues.append(Issue("warning", f'fixtures[{i}] "{f.name}"', problem))
    return issues


def universes_in(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


def format_ranges(values: Iterable[int]) -> str:
    """Universe numbers as a user reads them: 1, 2, 3, 7 -> ``"1-3, 7"``."""
    runs: list[list[int]] = []
    for v in sorted(set(values)):
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
