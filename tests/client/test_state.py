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
    assert state.config is None and state.fixtures == () and state.fixture(0) is None
    diff = state.apply(demo)
    assert diff.added_fixtures == tuple(range(len(demo.fixtures)))
    assert diff.added_groups == tuple(g.name for g in demo.groups)
    assert diff.stage_changed and not diff.removed_fixtures and not diff.is_empty


def test_lookups():
    state = ShowState(demo_show())
    spot2 = state.find("Spot 2")
    assert spot2 is not None and state.find("spot 2") == spot2  # case-insensitive as a fallback
    assert state.fixture(spot2).model == "Hero Spot 60"
    assert state.group_color(spot2) == "#4CAF50"
    assert state.group_of(spot2).name == "Moving Heads"
    assert state.group_color(999) is None and state.find("nobody") is None
    side = [g.name for g in state.groups].index("Side Wash")
    assert [state.fixture(i).name for i in state.members(side)] == ["Side Wash L", "Side Wash R"]
    assert state.members(99) == ()
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
    assert diff.removed_fixtures == (0,)  # index in the old config
    assert diff.changed_fixtures == (0,)  # "LED Bar 2", now first
    assert diff.added_fixtures == (len(fixtures) - 1,)
    assert not diff.stage_changed and not diff.changed_groups
    assert diff.fixtures_changed
    assert state.find(gone.name) is None
    # the group still lists the removed fixture: lookups skip it
    assert "LED Bar 1" not in [state.fixture(i).name for i in state.members(1)]


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
    names = {demo.fixtures[i].name for i in diff.recolored_fixtures}
    assert names == {f"Front Par {i}" for i in range(1, 7)} | {"Pixel Bar 1", "Pixel Bar 2"}
    assert not diff.fixtures_changed
    assert state.group_color(state.find("Pixel Bar 1")) is None
    assert state.group_color(state.find("Front Par 1")) == "#000000"


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
    assert diff.changed_fixtures == (0,)


def four_pars() -> ShowConfig:
    """Four same-named PARs patched 1.1, 1.9, 1.17, 1.25; two in "Front", two in "Back" (issue 7 §3)."""
    from shared.show import Fixture

    pars = tuple(
        Fixture("Retro Flat Par", "Eurolite", "Retro Flat Par", "8ch", 1, 1 + 8 * i, Vec3(-3.0 + 2 * i, 0.0, 5.0))
        for i in range(4)
    )
    groups = (
        Group("Front", "#4477CC", ("Retro Flat Par", "Retro Flat Par")),
        Group("Back", "#CC7744", ("Retro Flat Par", "Retro Flat Par")),
    )
    return ShowConfig(Stage(10.0, 8.0), pars, groups)


def test_repeated_names_are_four_fixtures_in_their_own_groups():
    config = four_pars()
    state = ShowState(config)
    assert config.group_members(0) == (0, 1) and config.group_members(1) == (2, 3)
    assert config.fixture_group_index == (0, 0, 1, 1)
    assert [state.group_color(i) for i in range(4)] == ["#4477CC", "#4477CC", "#CC7744", "#CC7744"]
    assert [state.fixture(i).address for i in range(4)] == [1, 9, 17, 25]


def test_repeated_names_diff_by_occurrence():
    config = four_pars()
    state = ShowState(config)
    moved = list(config.fixtures)
    moved[2] = replace(moved[2], position=Vec3(0.0, 2.0, 5.0))
    diff = state.apply(ShowConfig(config.stage, tuple(moved), config.groups))
    assert diff.changed_fixtures == (2,) and not diff.added_fixtures and not diff.removed_fixtures
    diff = state.apply(ShowConfig(config.stage, tuple(moved[:3]), config.groups))
    assert diff.removed_fixtures == (3,) and diff.recolored_fixtures == ()


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
