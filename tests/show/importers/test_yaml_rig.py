"""Show Creator YAML rigs: every field lands where it should, group defaults apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.show import ShowFileError, load_show
from shared.show.model import MOUNTINGS

DATA = Path(__file__).parent / "data"


def test_yaml_rig_fields_land_where_they_should() -> None:
    config, warnings = load_show(DATA / "rig.yaml")
    assert (config.stage.width, config.stage.height, config.stage.grid_size) == (12.0, 7.0, 0.25)
    assert [f.name for f in config.fixtures] == ["Front 1", "Front 2", "Mover 1", "Strip"]
    front1, front2, mover, strip = config.fixtures

    assert (front1.manufacturer, front1.model, front1.mode) == ("Stairville", "Par 18x10", "8ch")
    assert (front1.universe, front1.address) == (1, 1)
    assert front1.fixture_type == "PAR"
    assert front1.extra["channel_count"] == 8  # available_modes entry of current_mode
    # uses both group defaults: z from default_z_height, orientation from default_*
    assert tuple(front1.position) == (-3.0, -2.5, 5.5)
    assert front1.orientation is not None
    assert (front1.orientation.mounting, front1.orientation.yaw, front1.orientation.pitch) == ("hanging", 10.0, 35.0)

    # its own values where it says so
    assert tuple(front2.position) == (3.0, -2.5, 0.4)
    assert front2.orientation is not None
    o = front2.orientation
    assert (o.mounting, o.yaw, o.pitch, o.roll) == ("standing", -30.0, 15.0, 5.0)

    # `groups` list wins over `group`; the first is the primary group for the defaults
    assert (mover.universe, mover.address, mover.mode, mover.fixture_type) == (2, 17, "Extended", "MH")
    assert tuple(mover.position) == (0.0, 1.5, 4.2)  # z_uses_group_default: false
    assert mover.orientation is not None and mover.orientation.yaw == 180.0  # Movers' default_yaw
    assert mover.extra["channel_count"] == 14

    # ungrouped: no default applies, even with the flags set
    assert tuple(strip.position) == (0.5, -3.0, 0.2)
    assert strip.orientation is not None
    assert (strip.orientation.mounting, strip.orientation.pitch) == ("standing", -10.0)
    assert "channel_count" not in strip.extra

    groups = {g.name: g for g in config.groups}
    assert groups["Front Wash"].color == "#4477CC"
    assert groups["Front Wash"].fixtures == ("Front 1", "Front 2", "Mover 1")
    assert groups["Movers"].fixtures == ("Mover 1",)
    assert groups["Movers"].color == "#44CC77"
    assert warnings == []  # a clean rig loads without a word
    # Mover 1's primary group (first of its `groups`) gives its colour, as in the original program:
    # "Movers" is moved before "Front Wash", the file's first group
    assert [g.name for g in config.groups] == ["Movers", "Front Wash"]
    assert config.group_of("Mover 1") == groups["Movers"] and config.group_of("Front 1") == groups["Front Wash"]


def test_yaml_unknown_mounting_and_bad_values_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "rig.yml"
    path.write_text(
        "stage_width: 8\nstage_height: -1\nfixtures:\n"
        "- {name: A, manufacturer: M, model: X, current_mode: m, universe: 1, address: 5,"
        " x: 1, y: oops, z: 2, mounting: ceiling, available_modes: [{name: other, channels: 3}]}\n"
    )
    config, warnings = load_show(path)
    text = [str(w) for w in warnings]
    assert config.stage.width == 8.0 and config.stage.height == 6.0
    assert any(t.startswith("stage_height: -1 is not a positive number") for t in text)
    assert any(t.startswith('fixtures[0] "A": y \'oops\' is not a number; using 0') for t in text)
    assert tuple(config.fixtures[0].position) == (1.0, 0.0, 2.0)
    if "ceiling" not in MOUNTINGS:
        assert any("mounting 'ceiling'" in t and "drawn as hanging" in t for t in text)
    assert any("current_mode 'm' is not among available_modes" in t for t in text)


def test_yaml_unknown_python_tags_in_skipped_sections_do_not_fail(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(
        "spots: !!python/object:config.models.Spot {name: a}\n"
        "fixtures:\n- {name: A, manufacturer: M, model: X, current_mode: m, universe: 1, address: 5}\n"
    )
    config, _ = load_show(path)
    assert config.fixtures[0].name == "A"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fixtures: [\n  {name: A", "invalid YAML at line 3 column 1"),
        ("- just\n- a list\n", "not a Show Creator rig: the top level is list"),
        ("fixtures:\n- {name: A, manufacturer: M, model: X, current_mode: m, universe: 1, address: 600}\n",
         'fixtures[0] "A": address 600 is outside 1..512'),
        ("fixtures:\n- {name: A, universe: 1}\n", 'fixtures[0] "A": address must be a whole number, got None'),
        ("fixtures:\n- {name: '', universe: 1, address: 1}\n", "fixtures[0]: name must be a non-empty string"),
    ],
)
def test_bad_yaml_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert expected in message


def test_unknown_file_names_the_supported_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello there\n")
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    message = str(info.value)
    assert "\n" not in message
    for fmt in (".json", ".yaml", ".qxw", ".mvr"):
        assert fmt in message


def test_fixture_only_in_a_group_copy_still_counts(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(
        "fixtures:\n- {name: A, manufacturer: M, model: X, current_mode: m, universe: 1, address: 1, group: G,"
        " z_uses_group_default: true}\n"
        "groups:\n  G:\n    color: '#102030'\n    default_z_height: 4.5\n    fixtures:\n"
        "    - {name: A, manufacturer: M, model: X, current_mode: m, universe: 1, address: 1, group: G}\n"
        "    - {name: B, manufacturer: M, model: X, current_mode: m, universe: 1, address: 9, x: 2.0}\n"
        "songs:\n  Intro: {parts: [{name: a, bpm: 120}]}\n"
    )
    config, warnings = load_show(path)
    assert [f.name for f in config.fixtures] == ["A", "B"]
    assert [tuple(f.position) for f in config.fixtures] == [(0.0, 0.0, 4.5), (2.0, 0.0, 4.5)]
    assert config.groups[0].fixtures == ("A", "B")
    assert warnings == []


def test_yaml_rig_is_found_by_content_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "rig"
    path.write_text((DATA / "rig.yaml").read_text())
    config, _ = load_show(path)
    assert [f.name for f in config.fixtures] == ["Front 1", "Front 2", "Mover 1", "Strip"]


def test_yml_file_starting_with_a_brace_is_yaml(tmp_path: Path) -> None:
    path = tmp_path / "rig.yml"
    path.write_text("{fixtures: [{name: A, manufacturer: M, model: X, current_mode: m, universe: 1, address: 3}]}\n")
    config, _ = load_show(path)
    assert (config.fixtures[0].name, config.fixtures[0].address) == ("A", 3)


SONGS = """shows:
  Intro:
    parts:
    - {name: verse, bpm: 120, color: '#ff0000'}
    timeline_data:
      lanes:
      - name: 'a lane with a long quoted name
          that wraps: fixtures: not a key'
        light_blocks: []
block_defs:
  colour: {c0: {red: 255.0}}
"""


def test_rig_sections_are_read_alone_and_songs_skipped(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(SONGS + (DATA / "rig.yaml").read_text())
    config, warnings = load_show(path)
    assert config == load_show(DATA / "rig.yaml")[0] and warnings == []


@pytest.mark.parametrize(
    "text",
    [
        # an alias into a skipped section: the whole document is read
        "defaults: &d {manufacturer: M, model: X, current_mode: m}\n"
        "fixtures:\n- {<<: *d, name: A, universe: 1, address: 2}\n",
        # a key given twice: the whole document decides (the last one wins, as in PyYAML)
        "fixtures: []\nshows: {}\nfixtures:\n- {name: A, manufacturer: M, model: X, current_mode: m, universe: 1,"
        " address: 2}\n",
    ],
)
def test_documents_that_cannot_be_cut_are_read_whole(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(text)
    config, _ = load_show(path)
    assert [(f.name, f.address) for f in config.fixtures] == [("A", 2)]


def test_error_line_numbers_count_the_skipped_sections(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(SONGS + "fixtures:\n- {name: A, universe: 1, address: [\n")
    with pytest.raises(ShowFileError, match=r"invalid YAML at line 1[45] column"):
        load_show(path)


def test_numeric_names_and_modes_are_text(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text("fixtures:\n- {name: 101, manufacturer: M, model: 7, current_mode: 8, universe: 1, address: 2,"
                    " group: 5}\ngroups:\n  5: {color: '#abcdef'}\n")
    config, warnings = load_show(path)
    f = config.fixtures[0]
    assert (f.name, f.model, f.mode) == ("101", "7", "8")
    assert config.groups[0].name == "5" and config.groups[0].fixtures == ("101",)
    assert warnings == []


def test_primary_groups_that_contradict_keep_the_file_order(tmp_path: Path) -> None:
    fixture = "{{name: {n}, manufacturer: M, model: X, current_mode: m, universe: 1, address: {a}, groups: [{g}]}}"
    path = tmp_path / "rig.yaml"
    path.write_text(
        "fixtures:\n"
        f"- {fixture.format(n='A', a=1, g='G2, G1')}\n"
        f"- {fixture.format(n='B', a=9, g='G1, G2')}\n"
        f"- {fixture.format(n='C', a=17, g='G3, G2')}\n"
        "groups:\n  G1: {color: '#111111'}\n  G2: {color: '#222222'}\n  G3: {color: '#333333'}\n"
    )
    config, _ = load_show(path)
    # C puts G3 before G2; A and B contradict each other, so G1 and G2 keep their file order
    assert [g.name for g in config.groups] == ["G3", "G1", "G2"]


def test_quoted_top_level_keys_are_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(SONGS + "'fixtures':\n- {name: A, manufacturer: M, model: X, current_mode: m, universe: 1,"
                    " address: 4}\nstage_width: 9\n")
    config, _ = load_show(path)
    assert [f.name for f in config.fixtures] == ["A"] and config.stage.width == 9.0


def test_songs_are_never_parsed(tmp_path: Path) -> None:
    # proof that only the rig's sections are read: a broken song does not stop the rig
    path = tmp_path / "rig.yaml"
    path.write_text("shows:\n  Intro: {parts: [unclosed\n" + (DATA / "rig.yaml").read_text())
    config, _ = load_show(path)
    assert len(config.fixtures) == 4


def _laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "tail",
    [
        "stage_width: *a9\nfixtures: []\n",
        "fixtures:\n  - name: A\n    manufacturer: *a9\n    universe: 1\n    address: 1\n",
        "fixtures: *a9\n",
        "groups:\n  G: {color: *a9}\nfixtures: []\n",
    ],
)
def test_yaml_alias_bomb_is_one_line_not_a_hang(tmp_path: Path, tail: str) -> None:
    # "billion laughs" in YAML: aliases expand to 9**10 strings if anything walks them
    path = tmp_path / "laughs.yaml"
    path.write_text(_laughs() + tail)
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    message = str(err.value)
    assert "laughs.yaml" in message and "alias" in message and "\n" not in message


def test_yaml_aliases_of_fixture_copies_still_load(tmp_path: Path) -> None:
    # yaml.dump writes a fixture shared by the list and its group as an anchor + alias
    path = tmp_path / "rig.yaml"
    path.write_text(
        "fixtures:\n- &id001\n  name: Par 1\n  universe: 1\n  address: 1\n  group: Front\n"
        "groups:\n  Front:\n    color: '#FF0000'\n    fixtures:\n    - *id001\n"
    )
    config, _ = load_show(path)
    assert [f.name for f in config.fixtures] == ["Par 1"]
    assert config.group_members(0) == (0,)


@pytest.mark.parametrize(
    "groups",
    ["  [1, 2]: {color: '#FFFFFF'}\n", "  ? {a: 1}\n  : {color: '#FFFFFF'}\n", "  G: {[1]: 2, color: '#FFFFFF'}\n"],
)
def test_yaml_group_with_a_list_or_mapping_as_its_name_is_one_line(tmp_path: Path, groups: str) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("fixtures:\n  - name: A\n    universe: 1\n    address: 1\n    group: G\ngroups:\n" + groups)
    try:
        config, _ = load_show(path)
    except ShowFileError as err:  # a group named by a list or a mapping
        kind = "sequence" if "[1, 2]" in groups else "mapping"
        assert str(err) == f"{path}: groups: a group name must be text, got a {kind} at line 7"
    else:  # a setting named by a list: not one we read
        assert [g.name for g in config.groups] == ["G"] and "[1]" in groups


def test_json_show_saved_as_yaml_is_read_as_the_json_show(tmp_path: Path) -> None:
    # a show.json renamed (or saved) as .yaml: YAML parses JSON, but it is our show, not a rig
    source = Path(__file__).parents[3] / "examples" / "festival.json"
    path = tmp_path / "festival.yaml"
    path.write_bytes(source.read_bytes())
    config, issues = load_show(path)
    assert config == load_show(source)[0]
    assert not [i for i in issues if "current_mode" in str(i) or "groups skipped" in str(i)]


@pytest.mark.parametrize("songs", ["", SONGS])
def test_yaml_duplicate_keys_are_a_warning_with_the_files_line(tmp_path: Path, songs: str) -> None:
    # PyYAML keeps the last value silently; songs first make the reader cut the rig out alone
    path = tmp_path / "dup.yaml"
    path.write_text(songs + "fixtures:\n  - name: A\n    universe: 1\n    address: 1\n    address: 9\n")
    config, issues = load_show(path)
    assert config.fixtures[0].address == 9
    line = songs.count("\n") + 5
    expected = f"line {line}: key 'address' appears twice in one mapping; the last value is used"
    assert expected in [str(i) for i in issues]


@pytest.mark.parametrize(
    ("fixtures", "groups", "expected"),
    [
        ("  - name: []\n    universe: 1\n    address: 1\n", "  G: {color: '#FFFFFF'}\n",
         "fixtures[0]: name must be a non-empty string, got []"),
        ("  - name: {a: 1}\n    universe: 1\n    address: 1\n", "  G: {color: '#FFFFFF'}\n",
         "fixtures[0]: name must be a non-empty string, got {'a': 1}"),
        ("  - name: A\n    universe: 1\n    address: 1\n",
         "  G:\n    color: '#FFFFFF'\n    fixtures:\n      - name: [x]\n        universe: 1\n        address: 9\n",
         "fixtures[1]: name must be a non-empty string, got ['x']"),
    ],
)
def test_yaml_fixture_named_by_a_list_or_mapping_is_one_line(
    tmp_path: Path, fixtures: str, groups: str, expected: str
) -> None:
    """It was a TypeError traceback (unhashable type) while gathering the rig's fixture names."""
    path = tmp_path / "names.yaml"
    path.write_text(f"fixtures:\n{fixtures}groups:\n{groups}")
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    assert str(err.value) == f"{path}: {expected}"
