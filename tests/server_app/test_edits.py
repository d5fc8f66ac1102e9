"""The editor's edits as pure functions: show in, show out, show-file rules and messages."""

from __future__ import annotations

import pytest

from server.app import edits
from server.app.side import GridSpec
from shared.show import Fixture, Group, Orientation, ShowConfig, Stage, Vec3, demo_show


def _par(name: str, x: float = 0.0, z: float = 5.0, orientation: Orientation | None = None) -> Fixture:
    return Fixture(name, "Generic", "PAR", "RGB", 1, 1, Vec3(x, 0.0, z), orientation, "PAR")


def test_a_cell_edit_changes_one_fixture_and_keeps_everything_else():
    config = demo_show()
    new = edits.set_cell(config, 5, "y", "-2.5")
    assert new.fixtures[5].position.y == -2.5
    assert new.fixtures[5].position.x == config.fixtures[5].position.x
    assert all(a is b for i, (a, b) in enumerate(zip(config.fixtures, new.fixtures, strict=True)) if i != 5)
    assert new.groups == config.groups


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        ("address", "0", 'fixtures[2] "LED Bar 3": address 0 is outside 1..512'),
        ("universe", "1.5", 'fixtures[2] "LED Bar 3": universe must be a whole number, got 1.5'),
        ("z", "1e6", 'fixtures[2] "LED Bar 3": position.z 1e+06 is outside -100000..100000'),
        ("name", "  ", "fixtures[2]: name must be a non-empty string, got ''"),
        ("pitch", "down", "fixtures[2] \"LED Bar 3\": orientation.pitch must be a number, got 'down'"),
        ("yaw", "2e5", 'fixtures[2] "LED Bar 3": orientation.yaw 200000 is outside -100000..100000'),
    ],
)
def test_refused_cells_say_why_like_a_show_file(column, text, message):
    with pytest.raises(edits.EditError) as err:
        edits.set_cell(demo_show(), 2, column, text)
    assert str(err.value) == message


def test_renaming_keeps_group_membership():
    config = demo_show()
    new = edits.set_cell(config, 0, "name", "Bar A")
    assert new.groups_by_name["LED Bars"].fixtures[0] == "Bar A"
    assert "LED Bar 1" not in new.groups_by_name["LED Bars"].fixtures


def test_removing_fixtures_removes_them_from_their_groups():
    config = demo_show()
    new = edits.remove_fixtures(config, [0, 8])
    assert len(new.fixtures) == len(config.fixtures) - 2
    assert "LED Bar 1" not in new.groups_by_name["LED Bars"].fixtures
    assert "Front Par 1" not in new.groups_by_name["Front Wash"].fixtures
    gone = {0, 8}
    assert edits.group_members(new)[0] == [
        i - sum(g < i for g in gone) for i in edits.group_members(config)[0] if i not in gone
    ]


def test_repeated_names_resolve_by_order_of_occurrence():
    fixtures = (_par("PAR", 1.0), _par("PAR", 2.0), _par("Spot"))
    groups = (Group("A", "#FF0000", ("PAR",)), Group("B", "#00FF00", ("PAR", "Spot")))
    config = ShowConfig(Stage(10, 8), fixtures, groups)
    assert edits.group_members(config) == [[0], [1, 2]]


def test_group_edits_keep_what_repeated_names_mean():
    """An imported rig (club.qxw): "Front" = both PARs, mentioned three times so "Dimmers" means the 2nd."""
    from shared.show import load_show
    from tests.show.importers.test_qxw import DATA

    config, _ = load_show(DATA / "club.qxw")
    assert edits.group_members(config) == [[0, 1], [1, 2]]
    # edits to other groups, colours and other fixtures leave both groups meaning the same fixtures
    new = edits.set_group_members(config, 1, add=[0])
    assert edits.group_members(new) == [[0, 1], [0, 1, 2]]
    new = edits.set_group(new, 0, color="#123456")
    assert edits.group_members(new) == [[0, 1], [0, 1, 2]]
    new = edits.set_group_members(new, 1, remove=[0, 2])
    assert edits.group_members(new) == [[0, 1], [1]]
    new = edits.set_cell(new, 2, "z", "4")
    assert edits.group_members(new) == [[0, 1], [1]]
    # "Front" = the second PAR alone cannot be written (its first mention is the first PAR): refused
    with pytest.raises(edits.EditError) as info:
        edits.set_group_members(new, 0, remove=[0])
    assert str(info.value) == (
        'groups[0] "Front Pars": cannot tell fixtures[1] from the other fixtures named \'Par\' '
        "(groups tell such fixtures apart by order of mention); give it a name of its own first"
    )
    # once it has one, the edit goes through
    new = edits.set_cell(new, 1, "name", "Par B")
    new = edits.set_group_members(new, 0, remove=[0])
    assert edits.group_members(new) == [[1], [1]]


def test_a_membership_order_of_mention_cannot_write_is_refused_with_the_reason():
    fixtures = tuple(_par("PAR", float(x)) for x in range(3))
    config = ShowConfig(Stage(10, 8), fixtures, (Group("A", "#FF0000", ("PAR",)),))
    assert edits.group_members(config) == [[0]]
    with pytest.raises(edits.EditError) as info:
        edits.set_group_members(config, 0, add=[2], remove=[0])  # the 3rd PAR alone, first mention
    assert str(info.value).startswith('groups[0] "A": cannot tell fixtures[2] from the other fixtures named \'PAR\'')


def test_effective_angles_follow_the_orientation_table():
    assert edits.effective_angles(_par("a", z=5.0)) == (0.0, 90.0, 0.0)  # no orientation, high: hanging
    assert edits.effective_angles(_par("a", z=0.0)) == (0.0, -90.0, 0.0)  # low: standing
    assert edits.effective_angles(_par("a", orientation=Orientation("hanging", 0.0, 0.0, 0.0))) == (0.0, 90.0, 0.0)
    assert edits.effective_angles(_par("a", orientation=Orientation("hanging", 10.0, 45.0, 0.0))) == (10.0, 45.0, 0.0)


def test_editing_one_angle_starts_from_the_effective_ones():
    config = ShowConfig(Stage(10, 8), (_par("a", orientation=Orientation("hanging", 0.0, 0.0, 0.0)),))
    new = edits.set_cell(config, 0, "yaw", "30")
    o = new.fixtures[0].orientation
    assert (o.yaw, o.pitch, o.roll) == (30.0, 90.0, 0.0)


def test_presets_set_absolute_angles():
    config = ShowConfig(Stage(10, 8), (_par("a"), _par("b")))
    for preset, angles in edits.PRESETS.items():
        new = edits.orient_fixtures(config, [0, 1], preset=preset)
        for f in new.fixtures:
            assert f.orientation is not None
            if preset in edits.known_mountings():
                assert f.orientation.mounting == preset
                assert edits.effective_angles(f) == angles
            else:  # a model that only knows hanging/standing: the angles are still written
                assert (f.orientation.yaw, f.orientation.pitch, f.orientation.roll) == angles


def test_a_row_of_eight_pars_one_metre_apart_with_free_names_and_addresses():
    config = demo_show()
    spec = GridSpec(count=8, columns=8, spacing_x=1.0, centre_x=0.0, centre_y=-3.0, prefix="Front Par",
                    start_address=500, footprint=8, universe=1)
    new = edits.grid_fixtures(spec.template(), (f.name for f in config.fixtures), count=8, columns=8,
                              centre=(0.0, -3.0), spacing=(1.0, 1.0), prefix="Front Par", universe=1,
                              start_address=500, footprint=8)
    assert [f.name for f in new] == [f"Front Par {n}" for n in range(7, 15)]  # 1..6 are taken
    assert [(f.universe, f.address) for f in new][:3] == [(1, 500), (2, 1), (2, 9)]  # wraps past 512
    assert [f.position.x for f in new] == [3.5, 2.5, 1.5, 0.5, -0.5, -1.5, -2.5, -3.5]
    grid = edits.grid_fixtures(new[0], (), count=6, columns=3, centre=(0.0, 0.0), spacing=(2.0, 1.0),
                               prefix="P", universe=1, start_address=1, footprint=1)
    assert [(f.position.x, f.position.y) for f in grid] == [
        (2.0, -0.5), (0.0, -0.5), (-2.0, -0.5), (2.0, 0.5), (0.0, 0.5), (-2.0, 0.5)
    ]


def test_groups_add_colour_and_members():
    config = demo_show()
    new = edits.add_group(config, "Specials", "#abcdef", [14, 15])
    assert new.groups[-1] == Group("Specials", "#ABCDEF", ("Spot 1", "Spot 2"))
    with pytest.raises(edits.EditError, match="is not a #RRGGBB colour"):
        edits.set_group(new, 0, color="red")
    new = edits.set_group_members(new, len(new.groups) - 1, add=[16], remove=[14])
    assert new.groups[-1].fixtures == ("Spot 2", "Spot 3")
