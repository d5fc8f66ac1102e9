"""The show model shared by Show Creator and the Visualizer.

Frozen dataclasses so a configuration can be handed between threads without
copies or locks, and compared (for diffs) by value.  Every type keeps the
fields it does not know in ``extra`` so a round trip through an older or newer
peer never drops data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

DEFAULT_GRID_SIZE = 0.5
DMX_CHANNELS = 512
MOUNTINGS = ("hanging", "standing")


class Vec3(NamedTuple):
    """A position in metres: x across the stage, y into its depth, z up."""

    x: float
    y: float
    z: float


class Dimensions(NamedTuple):
    """A fixture's physical size in metres."""

    width: float
    height: float
    depth: float


class Layout(NamedTuple):
    """Pixel/segment layout of a multi-cell fixture (columns x rows)."""

    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Orientation:
    """How a fixture is rigged; angles in degrees."""

    mounting: str = "hanging"
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stage:
    """The stage floor: ``height`` is its depth along y (kept for wire compatibility)."""

    width: float
    height: float
    grid_size: float = DEFAULT_GRID_SIZE
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def depth(self) -> float:
        return self.height


@dataclass(frozen=True, slots=True)
class Fixture:
    """One patched fixture.

    The optional fields are those current Show Creator builds already send;
    ``color_wheel``, ``gobo_wheel`` and ``pixel_segments`` are kept as the JSON
    values they arrived as, because only the live-DMX layer interprets them.
    """

    name: str
    manufacturer: str
    model: str
    mode: str
    universe: int
    address: int
    position: Vec3
    orientation: Orientation | None = None
    fixture_type: str | None = None
    physical: Dimensions | None = None
    layout: Layout | None = None
    beam_angle: float | None = None
    pan_max: float | None = None
    tilt_max: float | None = None
    lumens: float | None = None
    channel_mapping: Mapping[int, str] | None = None
    color_wheel: list[Any] | None = None
    gobo_wheel: list[Any] | None = None
    pixel_segments: list[Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def channel_count(self) -> int | None:
        """Channels the fixture occupies, when its channel mapping tells us."""
        if not self.channel_mapping:
            return None
        return max(self.channel_mapping) + 1

    @property
    def kind(self) -> str:
        """Upper-case fixture type, or an empty string when unknown."""
        return (self.fixture_type or "").upper()


@dataclass(frozen=True, slots=True)
class Group:
    """A named, coloured set of fixtures (members by fixture name)."""

    name: str
    color: str
    fixtures: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rgb(self) -> tuple[int, int, int]:
        c = self.color
        return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


@dataclass(frozen=True)
class ShowConfig:
    """A complete configuration: what Show Creator serves and a Visualizer shows."""

    stage: Stage
    fixtures: tuple[Fixture, ...] = ()
    groups: tuple[Group, ...] = ()

    @cached_property
    def fixtures_by_name(self) -> Mapping[str, Fixture]:
        return {f.name: f for f in self.fixtures}

    @cached_property
    def groups_by_name(self) -> Mapping[str, Group]:
        return {g.name: g for g in self.groups}

    def fixture(self, name: str) -> Fixture | None:
        return self.fixtures_by_name.get(name)

    def group_of(self, fixture_name: str) -> Group | None:
        """The first group that lists the fixture (its colour is the fixture's colour)."""
        return self._first_group.get(fixture_name)

    @cached_property
    def _first_group(self) -> Mapping[str, Group]:
        out: dict[str, Group] = {}
        for g in self.groups:
            for member in g.fixtures:
                out.setdefault(member, g)
        return out
