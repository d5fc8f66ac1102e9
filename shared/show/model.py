"""The show model shared by Show Creator and the Visualizer.

Immutable values (frozen dataclasses, and frozen msgspec Structs for the
fixture types the wire decoder builds in bulk) so a configuration can be
handed between threads without copies or locks, and compared (for diffs) by
value.  Every type keeps the fields it does not know in ``extra`` so a round
trip through an older or newer peer never drops data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field, structs

DEFAULT_GRID_SIZE = 0.5
DMX_CHANNELS = 512
MOUNTINGS = ("hanging", "standing")


# The Structs are created by the ten thousand per configuration and form
# trees of plain values (no reference cycles), so they opt out of the cyclic
# garbage collector (``gc=False``): fewer objects for it to scan.

# Bounds keep infinities (which JSON decoders may produce from 1e999) out of
# the model; no real rig is 100 km wide.
# The careful decoder (``codec``) applies the same limits.
MAX_MAGNITUDE = 1e5
MAX_LUMENS = 1e9
Coord = Annotated[float, Meta(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
Size = Annotated[float, Meta(gt=0, le=MAX_MAGNITUDE)]
Angle = Annotated[float, Meta(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]


class _TupleLike:
    """Lets the small vector types unpack and index like the tuples they replace."""

    __slots__ = ()
    __struct_fields__: tuple[str, ...]

    def __iter__(self) -> Iterator[Any]:
        for name in self.__struct_fields__:
            yield getattr(self, name)

    def __len__(self) -> int:
        return len(self.__struct_fields__)

    def __getitem__(self, index: int) -> Any:
        return getattr(self, self.__struct_fields__[index])

    def _asdict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__struct_fields__}


class Vec3(_TupleLike, Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """A position in metres: x across the stage, y into its depth, z up."""

    x: Coord
    y: Coord
    z: Coord


class Dimensions(_TupleLike, Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """A fixture's physical size in metres."""

    width: Size
    height: Size
    depth: Size


class Layout(_TupleLike, Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """Pixel/segment layout of a multi-cell fixture (columns x rows)."""

    width: Annotated[int, Meta(ge=1)]
    height: Annotated[int, Meta(ge=1)]


# A field name no JSON peer sends: ``extra`` holds unknown keys gathered by the
# careful decoder, never a wire key of its own.
_EXTRA: dict[str, Any] = field(default_factory=dict, name="__extra_fields__")


class Orientation(Struct, frozen=True, forbid_unknown_fields=True, gc=False, omit_defaults=True):
    """How a fixture is rigged; angles in degrees.

    Every field is required here so the wire encoder always writes all four
    (existing visualizers index them directly); the careful decoder fills in
    ``"hanging"`` and 0 for what an older Show Creator left out.
    """

    mounting: Literal["hanging", "standing"]
    yaw: Angle
    pitch: Angle
    roll: Angle
    extra: Mapping[str, Any] = _EXTRA


@dataclass(frozen=True, slots=True)
class Stage:
    """The stage floor: ``height`` is its depth along y (kept for wire compatibility)."""

    width: float
    height: float
    grid_size: float = DEFAULT_GRID_SIZE
    extra: Mapping[str, Any] = dc_field(default_factory=dict)

    @property
    def depth(self) -> float:
        return self.height


class Fixture(Struct, frozen=True, forbid_unknown_fields=True, gc=False, omit_defaults=True):
    """One patched fixture.

    A msgspec Struct rather than a dataclass: the wire codec builds and
    validates it straight from JSON in C (and encodes it back), several times
    faster than going through dicts in Python, which matters for
    10,000-fixture rigs.  The annotations are the wire schema; unset optional
    fields are left out on the wire; ``codec`` words the errors.

    The optional fields are those current Show Creator builds already send.
    ``channel_mapping`` maps 0-based channel offsets to functions (on the
    wire the offsets are JSON object keys, so strings).  ``color_wheel``,
    ``gobo_wheel`` and ``pixel_segments`` are kept as the JSON values they
    arrived as, because only the live-DMX layer interprets them.
    """

    name: Annotated[str, Meta(min_length=1)]
    manufacturer: str
    model: str
    mode: str
    universe: Annotated[int, Meta(ge=0)]
    address: Annotated[int, Meta(ge=1, le=DMX_CHANNELS)]
    position: Vec3
    orientation: Orientation | None = None
    fixture_type: str | None = None
    physical: Dimensions | None = None
    layout: Layout | None = None
    beam_angle: Angle | None = None
    pan_max: Angle | None = None
    tilt_max: Angle | None = None
    lumens: Annotated[float, Meta(ge=0, le=MAX_LUMENS)] | None = None
    channel_mapping: dict[Annotated[int, Meta(ge=0, lt=DMX_CHANNELS)], str] | None = None
    color_wheel: list[Any] | None = None
    gobo_wheel: list[Any] | None = None
    pixel_segments: list[Any] | None = None
    extra: Mapping[str, Any] = _EXTRA

    def replace(self, **changes: Any) -> Fixture:
        """A copy with some fields changed (like ``dataclasses.replace``)."""
        return structs.replace(self, **changes)

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
    extra: Mapping[str, Any] = dc_field(default_factory=dict)

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
