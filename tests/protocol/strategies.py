"""Hypothesis strategies for protocol messages and show-model values."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from shared.protocol import (
    AckMessage,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    StageMessage,
    UpdateMessage,
)
from shared.show import MOUNTINGS, Dimensions, Fixture, Group, Layout, Orientation, Stage, Vec3

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20
)
plain = st.text(max_size=12)
coord = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
size = st.floats(min_value=0.01, max_value=20, allow_nan=False, allow_infinity=False)
angle = st.floats(min_value=-360, max_value=360, allow_nan=False, allow_infinity=False)
beam = st.floats(min_value=0.5, max_value=120, allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | plain


@st.composite
def fixtures(draw: st.DrawFn, name: str | None = None) -> Fixture:
    mapping = draw(
        st.none()
        | st.dictionaries(st.integers(0, 511), st.sampled_from(["dimmer", "red", "pan"]), max_size=6)
    )
    return Fixture(
        name=name or draw(names),
        manufacturer=draw(plain),
        model=draw(plain),
        mode=draw(plain),
        universe=draw(st.integers(0, 32767)),
        address=draw(st.integers(1, 512)),
        position=Vec3(draw(coord), draw(coord), draw(coord)),
        orientation=draw(
            st.none()
            | st.builds(Orientation, st.sampled_from(MOUNTINGS), angle, angle, angle)
        ),
        fixture_type=draw(st.none() | st.sampled_from(["PAR", "WASH", "BAR", "MH", "PIXELBAR"])),
        physical=draw(st.none() | st.builds(Dimensions, size, size, size)),
        layout=draw(st.none() | st.builds(Layout, st.integers(1, 64), st.integers(1, 4))),
        beam_angle=draw(st.none() | beam),
        channel_mapping=mapping,
        color_wheel=draw(st.none() | st.lists(st.fixed_dictionaries({"min": st.integers(0, 255)}), max_size=3)),
        extra=draw(st.dictionaries(st.sampled_from(["dmx_footprint", "notes", "uuid"]), json_scalars, max_size=2)),
    )


@st.composite
def fixture_lists(draw: st.DrawFn) -> tuple[Fixture, ...]:
    count = draw(st.integers(0, 5))
    unique = draw(st.lists(names, min_size=count, max_size=count, unique=True))
    return tuple(draw(fixtures(name=n)) for n in unique)


stages = st.builds(Stage, size, size, size)
groups = st.builds(
    Group,
    names,
    st.from_regex(r"#[0-9A-F]{6}", fullmatch=True),
    st.lists(names, max_size=4).map(tuple),
)


def messages() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(StageMessage, stages),
        st.builds(FixturesMessage, fixture_lists()),
        st.builds(GroupsMessage, st.lists(groups, max_size=3).map(tuple)),
        st.builds(
            UpdateMessage,
            st.sampled_from(["config_changed", "fixture_moved"]),
            st.dictionaries(plain, json_scalars, max_size=3),
        ),
        st.builds(HeartbeatMessage, st.none() | st.floats(0, 2e9, allow_nan=False)),
        st.builds(AckMessage, st.sampled_from(["config", "stage"])),
    )


#: One odd value per lenient fixture field: (field, value as sent).  Each is
#: kept and passed on, drawn with a default, and reported once (issue 7 §1).
ODD_OPTIONAL_VALUES: list[tuple[str, Any]] = [
    ("orientation", {"mounting": "ceiling", "yaw": 0, "pitch": 0, "roll": 0}),
    ("orientation", {"mounting": 7, "yaw": 0, "pitch": 0, "roll": 0}),
    ("orientation", {"mounting": "hanging", "yaw": "north", "pitch": 0, "roll": 0}),
    ("orientation", "hanging"),
    ("physical", {"width": 0, "height": 0, "depth": 0}),
    ("physical", {"width": 1}),
    ("physical", [1, 2, 3]),
    ("beam_angle", -5),
    ("beam_angle", 0),
    ("beam_angle", "wide"),
    ("fixture_type", "FOGGER"),
    ("fixture_type", 3),
    ("layout", {"width": 0, "height": 1}),
    ("layout", "8x1"),
    ("pan_max", -540),
    ("tilt_max", True),
    ("lumens", 1e12),
    ("channel_mapping", {"0": "dimmer", "zero": "red"}),
    ("channel_mapping", {"600": "red"}),
    ("channel_mapping", ["dimmer"]),
    ("color_wheel", {"min": 0}),
    ("gobo_wheel", 5),
    ("pixel_segments", "all"),
    ("manufacturer", None),
    ("model", 12),
]
