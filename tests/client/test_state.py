"""ShowState lookups and ConfigDiff between consecutive configurations."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from shared.show import Group, ShowConfig, Stage, Vec3, demo_show
from visualizer.tcp import ConfigDiff, ShowState


def replace(obj: Any, **changes: Any) -> Any:
    """dataclasses.replace for the model's dataclasses and msgspec Structs alike."""
    if isinstance(obj, msgspec.Struct):
        return msgspec.structs.replace(obj, **changes)
    return dataclasses.replace(obj, **changes)


def test_first_config_is_all_added():
    demo = demo_show()
    state = ShowState()
    assert state.config is None and state.fixtures == () and state.fixture("x") is None
    diff = state.apply(demo)
    assert diff.added_fixtures == tuple(f.name for f in demo.fixtures)
    assert diff.added_groups == tuple(g.name for g in demo.groups)
    assert diff.stage_changed and not diff.removed_fixtures and not diff.is_empty


def test_lookups():
    state = ShowState(demo_show())
    assert state.fixture("Spot 2").model == "Hero Spot 60"
    assert state.group_color("Spot 2") == "#4CAF50"
    assert state.group_of("Spot 2").name == "Moving Heads"
    assert state.group_color("nobody") is None
    assert [f.name for f in state.fixtures_in_group("Side Wash")] == ["Side Wash L", "Side Wash R"]
    assert state.fixtures_in_group("no such group") == ()
    assert state.stage == Stage(10.0, 8.0, 0.5)


def test_same_config_again_is_empty():
    state = ShowState(demo_show())
    diff = state.apply(demo_show())  # equal by value, a different object
    assert diff.is_empty and diff == ConfigDiff() and str(diff) == "no change"


def test_added_removed_changed_fixtures():
    demo = demo_show()
    fixtures = list(demo.fixtures)
    gone = fixtures.pop(0)  # "LED Bar 1"
    fixtures[0] = replace(fixtures[0], position=Vec3(9.0, 0.0, 1.0))  # "LED Bar 2" moves
    new = replace(demo.fixtures[5], name="New Par")
    fixtures.append(new)
    state = ShowState(demo)
    diff = state.apply(ShowConfig(demo.stage, tuple(fixtures), demo.groups))
    assert diff.removed_fixtures == (gone.name,)
    assert diff.changed_fixtures == ("LED Bar 2",)
    assert diff.added_fixtures == ("New Par",)
    assert not diff.stage_changed and not diff.changed_groups
    assert diff.fixtures_changed
    assert state.fixture("LED Bar 1") is None
    # the group still lists the removed fixture: lookups skip it
    assert "LED Bar 1" not in [f.name for f in state.fixtures_in_group("LED Bars")]


def test_group_changes_and_recolouring():
    demo = demo_show()
    groups = list(demo.groups)
    groups[0] = replace(groups[0], color="#000000")  # Front Wash recoloured
    groups.pop()  # Pixel Bars group removed: its members lose their colour
    groups.append(Group("Uplights", "#FFFFFF", ("Side Wash L",)))  # but Side Wash L is already coloured
    state = ShowState(demo)
    diff = state.apply(ShowConfig(demo.stage, demo.fixtures, tuple(groups)))
    assert diff.changed_groups == ("Front Wash",)
    assert diff.removed_groups == ("Pixel Bars",)
    assert diff.added_groups == ("Uplights",)
    assert set(diff.recolored_fixtures) == {f"Front Par {i}" for i in range(1, 7)} | {"Pixel Bar 1", "Pixel Bar 2"}
    assert not diff.fixtures_changed
    assert state.group_color("Pixel Bar 1") is None
    assert state.group_color("Front Par 1") == "#000000"


def test_stage_only_change():
    demo = demo_show()
    state = ShowState(demo)
    diff = state.apply(ShowConfig(Stage(12.0, 8.0), demo.fixtures, demo.groups))
    assert diff.stage_changed and not diff.fixtures_changed and not diff.changed_groups
    assert str(diff) == "stage changed"


def test_unknown_fixture_fields_count_as_a_change():
    demo = demo_show()
    f = demo.fixtures[0]
    tagged = replace(f, extra={"note": "new"})
    state = ShowState(demo)
    diff = state.apply(ShowConfig(demo.stage, (tagged, *demo.fixtures[1:]), demo.groups))
    assert diff.changed_fixtures == (f.name,)


def test_show_state_applies_a_protocol_2_delta_by_fixture_index():
    import pytest

    from shared.protocol.delta import DeltaError, compute_delta
    from shared.protocol.extensions import Revision
    from shared.show import demo_show
    from tests.support import moved

    state = ShowState(demo_show())
    new = moved(demo_show(), 3)
    diff = state.apply_delta(compute_delta(demo_show(), new, Revision("s", 1), Revision("s", 2)))
    assert state.config == new
    assert diff.fixtures_changed and not diff.stage_changed
    with pytest.raises(DeltaError):
        ShowState().apply_delta(compute_delta(demo_show(), new, Revision("s", 1), Revision("s", 2)))
