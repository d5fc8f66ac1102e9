"""The show model shared by Show Creator and the Visualizer.

Immutable values (frozen dataclasses, and frozen msgspec Structs for the
fixture types the wire decoder builds in bulk) so a configuration can be
handed between threads without copies or locks, and compared (for diffs) by
value.  Every type keeps the fields it does not know in ``extra`` so a round
trip through an older or newer peer never drops data.

``extra`` also keeps the value *as sent* of a known optional field the
decoder could not use (a ``physical`` of 0 x 0 x 0, a ``beam_angle`` of -5,
a ``layout`` that is a string): the typed field is then None (drawn with a
default) and the encoders write the kept value back, so the show passes on
unchanged (docs/PROTOCOL.md, "Strict and lenient fields").

Fixture identity is the position in ``ShowConfig.fixtures``: names may repeat
(QLC+ and MVR identify fixtures by ID), see ``ShowConfig.group_members``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Annotated, Any

from msgspec import Meta, Struct, field, structs

from shared.show.issues import Issue

DEFAULT_GRID_SIZE = 0.5
#: Stage size (width, depth) in metres drawn when a show sends none that is usable.
DEFAULT_STAGE_SIZE = (10.0, 8.0)
DMX_CHANNELS = 512
#: The highest fixture universe a show may hold: a 32-bit number.  Past 64 bits a universe
#: broke every numpy array of universes (a 20-digit MVR address, a typo).  Universes DMX
#: cannot reach (above sACN's 63999, Art-Net's 32768) stay a warning of the DMX layer.
MAX_UNIVERSE = 2**31 - 1
#: The mountings Show Creator's orientation dialog offers (issue 7 table).  Any
#: other name is kept, drawn as "custom" and reported once.
MOUNTINGS = ("hanging", "standing", "wall_left", "wall_right", "wall_back", "wall_front", "custom")
#: Fixture types the viewer knows (compared case-insensitively); others are
#: kept, drawn as a plain box and reported once.
FIXTURE_TYPES = (
    "PAR", "WASH", "BAR", "PIXELBAR", "SUNSTRIP", "LEDBAR", "STRIP", "MH", "MOVINGHEAD", "MOVING_HEAD",
    "HEAD", "SPOT", "BEAM", "PROFILE", "FRESNEL", "FLOOD", "STROBE", "BLINDER", "DIMMER", "LASER",
    "SCANNER", "HAZER", "SMOKE", "FAN", "EFFECT", "OTHER",
)
#: What the fast decoder accepts (``Meta(pattern=...)``); anything else goes to
#: the careful decoder, which keeps it and reports it.  The careful decoder
#: uses the same patterns, so both paths agree on what is odd.
MOUNTING_PATTERN = "^(?:" + "|".join(MOUNTINGS) + ")$"
FIXTURE_TYPE_PATTERN = "(?i)^(?:" + "|".join(FIXTURE_TYPES) + ")$"


# The Structs are created by the ten thousand per configuration and form
# trees of plain values (no reference cycles), so they opt out of the cyclic
# garbage collector (``gc=False``): fewer objects for it to scan.

# Bounds keep infinities (which JSON decoders may produce from 1e999) out of
# the model; no real rig is 100 km wide.
# The careful decoder (``codec``) applies the same limits.
MAX_MAGNITUDE = 1e5
MAX_LUMENS = 1e9
# These are the *usable* ranges: what the fast path accepts and what a typed
# field holds.  The careful decoder keeps anything else in ``extra``.
Coord = Annotated[float, Meta(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
Size = Annotated[float, Meta(gt=0, le=MAX_MAGNITUDE)]
Angle = Annotated[float, Meta(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
#: A beam's full cone angle, degrees.
BEAM_MAX = 360.0
BeamAngle = Annotated[float, Meta(gt=0, le=BEAM_MAX)]
#: Pan or tilt range, degrees.
Range = Annotated[float, Meta(ge=0, le=MAX_MAGNITUDE)]
Lumens = Annotated[float, Meta(ge=0, le=MAX_LUMENS)]
Mounting = Annotated[str, Meta(pattern=MOUNTING_PATTERN)]
FixtureType = Annotated[str, Meta(pattern=FIXTURE_TYPE_PATTERN)]


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
    ``"hanging"`` and 0 for what an older Show Creator left out.  ``mounting``
    is any string: one of ``MOUNTINGS``, or an unknown name kept as sent
    (drawn as ``custom``).
    """

    mounting: Mounting
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

    Only ``name``, ``universe``, ``address`` and ``position`` are required
    (strict: a fixture without them is left out).  ``manufacturer``, ``model``
    and ``mode`` are always written (existing visualizers index them) but a
    missing one is read as "" with a warning.  The optional fields are those
    current Show Creator builds already send; the annotations give their
    usable range, and a value outside it is kept in ``extra`` instead.
    ``channel_mapping`` maps 0-based channel offsets to functions (on the
    wire the offsets are JSON object keys, so strings).  ``color_wheel``,
    ``gobo_wheel`` and ``pixel_segments`` are kept as the JSON values they
    arrived as, because only the live-DMX layer interprets them.
    """

    name: Annotated[str, Meta(min_length=1)]
    manufacturer: str
    model: str
    mode: str
    universe: Annotated[int, Meta(ge=0, le=MAX_UNIVERSE)]
    address: Annotated[int, Meta(ge=1, le=DMX_CHANNELS)]
    position: Vec3
    orientation: Orientation | None = None
    fixture_type: FixtureType | None = None
    physical: Dimensions | None = None
    layout: Layout | None = None
    beam_angle: BeamAngle | None = None
    pan_max: Range | None = None
    tilt_max: Range | None = None
    lumens: Lumens | None = None
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
    """A complete configuration: what Show Creator serves and a Visualizer shows.

    A fixture is identified by its index in ``fixtures``; names may repeat.
    ``problems`` lists what the decoder drew with a default or left out, and
    the patch-level warnings (``shared.show.checks``), for a Problems view.
    """

    stage: Stage
    fixtures: tuple[Fixture, ...] = ()
    groups: tuple[Group, ...] = ()
    problems: tuple[Issue, ...] = ()

    @cached_property
    def fixtures_by_name(self) -> Mapping[str, Fixture]:
        """Name -> the *first* fixture of that name (names may repeat: prefer indices)."""
        out: dict[str, Fixture] = {}
        for f in self.fixtures:
            out.setdefault(f.name, f)
        return out

    @cached_property
    def indices_by_name(self) -> Mapping[str, tuple[int, ...]]:
        """Name -> the indices of every fixture of that name, in order."""
        out: dict[str, list[int]] = {}
        for i, f in enumerate(self.fixtures):
            out.setdefault(f.name, []).append(i)
        return {name: tuple(ix) for name, ix in out.items()}

    @cached_property
    def groups_by_name(self) -> Mapping[str, Group]:
        """Name -> the first group of that name."""
        out: dict[str, Group] = {}
        for g in self.groups:
            out.setdefault(g.name, g)
        return out

    def fixture(self, name: str) -> Fixture | None:
        """The first fixture named ``name`` (names may repeat: prefer indices)."""
        return self.fixtures_by_name.get(name)

    def find_fixture(self, name: str) -> int | None:
        """Index of the first fixture named ``name``, else of the first whose name matches ignoring case."""
        ix = self.indices_by_name.get(name)
        if ix:
            return ix[0]
        folded = name.casefold()
        for i, f in enumerate(self.fixtures):
            if f.name.casefold() == folded:
                return i
        return None

    @cached_property
    def _members(self) -> tuple[tuple[int, ...], ...]:
        """Each group's members as fixture indices (see ``group_members``)."""
        by_name = self.indices_by_name
        mentions: dict[str, int] = {}
        out = []
        for g in self.groups:
            members: dict[int, None] = {}
            for name in g.fixtures:
                ix = by_name.get(name)
                if not ix:
                    continue
                k = mentions.get(name, 0)
                mentions[name] = k + 1
                members.setdefault(ix[k % len(ix)], None)
            out.append(tuple(members))
        return tuple(out)

    def group_members(self, group_index: int) -> tuple[int, ...]:
        """Indices of the fixtures in ``groups[group_index]``, in the group's order.

        Groups name their members, and names may repeat, so repeated names are
        resolved by order of occurrence: the k-th mention of name N across all
        groups (in group order) is the k-th fixture named N, counting round
        again when there are more mentions than fixtures (one fixture in
        several groups).  Names of no fixture are skipped; a fixture is listed
        once per group.  Raises IndexError for a group index out of range.
        """
        return self._members[group_index]

    @cached_property
    def fixture_group_index(self) -> tuple[int | None, ...]:
        """Per fixture, the index of the first group it is in (its colour), or None."""
        out: list[int | None] = [None] * len(self.fixtures)
        for gi, members in enumerate(self._members):
            for i in members:
                if out[i] is None:
                    out[i] = gi
        return tuple(out)

    def groups_of_fixture(self, index: int) -> tuple[int, ...]:
        """Indices of every group fixture ``index`` is in, in group order."""
        return tuple(gi for gi, members in enumerate(self._members) if index in members)

    def group_of(self, fixture_name: str) -> Group | None:
        """The first group that lists the first fixture of this name (prefer ``fixture_group_index``)."""
        ix = self.indices_by_name.get(fixture_name)
        if not ix:
            return None
        gi = self.fixture_group_index[ix[0]]
        return None if gi is None else self.groups[gi]
