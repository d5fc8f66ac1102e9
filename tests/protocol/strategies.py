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
from shared.show import Dimensions, Fixture, Group, Layout, Orientation, Stage, Vec3

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20
)
plain = st.text(max_size=12)
coord = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
size = st.floats(min_value=0.01, max_value=20, allow_nan=False, allow_infinity=False)
angle = st.floats(min_value=-360, max_value=360, allow_nan=False, allow_infinity=False)
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
            | st.builds(Orientation, st.sampled_from(["hanging", "standing"]), angle, angle, angle)
        ),
        fixture_type=draw(st.none() | st.sampled_from(["PAR", "WASH", "BAR", "MH", "PIXELBAR"])),
        physical=draw(st.none() | st.builds(Dimensions, size, size, size)),
        layout=draw(st.none() | st.builds(Layout, st.integers(1, 64), st.integers(1, 4))),
        beam_angle=draw(st.none() | angle),
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
