"""QLC+ workspaces: 0-based patch, repeated names, groups, monitor positions, hostile XML."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from shared.show import ShowFileError, load_show, save_show
from shared.show.checks import Issue
from shared.show.model import ShowConfig
from shared.show.orientation import aim_vectors

DATA = Path(__file__).parent / "data"

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Workspace>\n'


def _fixture(fid: int, name: str, universe: int, address: int, channels: int = 4) -> str:
    return (
        f"<Fixture><Manufacturer>Generic</Manufacturer><Model>RGBW</Model><Mode>4ch</Mode><ID>{fid}</ID>"
        f"<Name>{name}</Name><Universe>{universe}</Universe><Address>{address}</Address>"
        f"<Channels>{channels}</Channels></Fixture>"
    )


def _workspace(engine: str) -> bytes:
    return (HEADER + f'<Workspace xmlns="http://www.qlcplus.org/Workspace"><Engine>{engine}</Engine></Workspace>').encode()


def test_qxw_fields_land_where_they_should() -> None:
    config, warnings = load_show(DATA / "club.qxw")
    par_a, par_b, beam = config.fixtures
    # 0-based Universe/Address in the file, 1-based in the show
    assert (par_a.universe, par_a.address) == (1, 1)
    assert (par_b.universe, par_b.address) == (1, 6)
    assert (beam.universe, beam.address) == (2, 100)
    assert (beam.manufacturer, beam.model, beam.mode) == ("Clay Paky", "Sharpy", "Standard")
    assert beam.extra["channel_count"] == 16
    # repeated names: identified by ID, kept as in the file (the one check warning says so)
    assert (par_a.name, par_b.name) == ("Par", "Par")
    assert len(warnings) == 1 and "used more than once" in str(warnings[0])
    # 3D monitor (mm, grid 10 x 8 m): XPos from the audience's left edge, ZPos from the back, YPos up
    assert tuple(par_a.position) == (4.0, -2.5, 3.5)  # XPos 1000: the audience's left = stage right = +x
    assert tuple(par_b.position) == (-4.0, -2.5, 3.5)
    assert tuple(beam.position) == (0.0, 3.0, 0.0)  # ZPos 1000: near the back wall, upstage
    # Was yaw 30 (YRot copied as yaw) and no orientation without a rotation (mounting by height).
    # QLC+ hangs every item beam-down at rotation 0 and turns it by -YRot about the vertical
    # (MainView3D::updateFixtureRotation), which is our yaw -30: see the rotation tests below.
    assert par_b.orientation is not None
    assert (par_b.orientation.mounting, par_b.orientation.yaw, par_b.orientation.pitch) == ("hanging", -30.0, 90.0)
    assert par_a.orientation is not None and par_a.orientation.mounting == "hanging"  # the preset, as QLC+ shows it
    assert (par_a.orientation.yaw, par_a.orientation.pitch, par_a.orientation.roll) == (0.0, 0.0, 0.0)
    # on the floor without a rotation QLC+ still shows it hanging, beam into the floor
    assert beam.orientation is not None and beam.orientation.mounting == "hanging"
    assert (config.stage.width, config.stage.height) == (10.0, 8.0)
    # FixtureGroup heads by fixture ID, in head order; channel groups by fixture ID
    groups = {g.name: g for g in config.groups}
    # each group means the file's fixtures: "Front Pars" = IDs 3, 0; "Dimmers" = IDs 3, 7
    members = {g.name: config.group_members(i) for i, g in enumerate(config.groups)}
    assert set(members["Front Pars"]) == {0, 1}
    assert members["Dimmers"] == (1, 2)
    assert config.fixture_group_index == (0, 0, 1)
    assert groups["Front Pars"].color != groups["Dimmers"].color


def _group(gid: int, name: str, ids: list[int]) -> str:
    heads = "".join(f'<Head X="{k}" Y="0" Fixture="{i}">0</Head>' for k, i in enumerate(ids))
    return f'<FixtureGroup ID="{gid}"><Name>{name}</Name><Size X="{len(ids)}" Y="1"/>{heads}</FixtureGroup>'


def _four_pars(groups: str, tmp_path: Path) -> Path:
    path = tmp_path / "pars.qxw"
    fixtures = "".join(_fixture(i, "Retro Flat Par", 0, i * 8) for i in range(4))
    path.write_bytes(_workspace(fixtures + groups))
    return path


def test_qxw_repeated_names_kept_and_groups_mean_the_files_fixtures(tmp_path: Path) -> None:
    path = _four_pars(_group(0, "Front", [0, 1]) + _group(1, "Back", [2, 3]), tmp_path)
    config, warnings = load_show(path)
    assert [f.name for f in config.fixtures] == ["Retro Flat Par"] * 4
    assert [g.fixtures for g in config.groups] == [("Retro Flat Par",) * 2] * 2
    assert (config.group_members(0), config.group_members(1)) == ((0, 1), (2, 3))
    assert not any("renamed" in str(w) or "group" in w.where for w in warnings)


@pytest.mark.parametrize(
    "heads",
    [
        # each group starts where the previous one's mentions stopped, counting round again
        [[0, 1], [2, 3], [0, 1]],
        # a group of all four mentions the name extra times so the next group starts at ID 2
        [[0, 1, 2, 3], [2], [3, 0]],
        # one fixture in several groups; a whole group, then one in the middle
        [[0, 1], [3, 0, 1, 2], [1]],
        [[0], [0, 1, 2, 3], [3, 0], [1]],
    ],
)
def test_qxw_group_memberships_that_order_of_mention_can_write(heads: list[list[int]], tmp_path: Path) -> None:
    path = _four_pars("".join(_group(k, f"G{k}", ids) for k, ids in enumerate(heads)), tmp_path)
    config, warnings = load_show(path)
    assert [f.name for f in config.fixtures] == ["Retro Flat Par"] * 4
    assert [set(config.group_members(k)) for k in range(len(heads))] == [set(ids) for ids in heads]
    assert not any("renamed" in str(w) for w in warnings)


def test_qxw_group_order_of_mention_cannot_write_is_renamed_with_one_warning(tmp_path: Path) -> None:
    path = _four_pars(_group(0, "Front", [1, 2]) + _group(1, "Back", [0, 3]), tmp_path)
    config, warnings = load_show(path)
    # the membership is exact; the names had to give
    assert (config.group_members(0), config.group_members(1)) == ((1, 2), (0, 3))
    # only Front's two are renamed; Back (IDs 0 and 3, all that is left of the name) keeps it
    assert [f.name for f in config.fixtures] == [
        "Retro Flat Par", "Retro Flat Par (2)", "Retro Flat Par (3)", "Retro Flat Par"
    ]
    about = [w for w in warnings if "renamed" in w.problem]
    assert len(about) == 1
    assert about[0].where == 'group "Front"'
    assert "pars.qxw" in about[0].problem and "renamed" in about[0].problem
    assert "Fixture ID 1" in about[0].problem and "Fixture ID 2" in about[0].problem


def test_qxw_without_monitor_lays_out_rows_and_warns(tmp_path: Path) -> None:
    path = tmp_path / "rows.qxw"
    path.write_bytes(_workspace(_fixture(0, "A", 0, 0) + _fixture(1, "B", 0, 4) + _fixture(2, "C", 1, 0)))
    config, warnings = load_show(path)
    a, b, c = config.fixtures
    assert a.position.y == b.position.y > c.position.y  # one row per universe, first upstage
    assert a.position.x > b.position.x  # address order from stage right
    assert {f.position.z for f in config.fixtures} == {3.0}
    assert any(w.where == "Monitor" and "laid out in rows per universe" in w.problem for w in warnings)
    half_w, half_d = config.stage.width / 2, config.stage.height / 2
    assert all(abs(f.position.x) < half_w and abs(f.position.y) < half_d for f in config.fixtures)


def test_qxw_2d_monitor_is_a_top_view(tmp_path: Path) -> None:
    path = tmp_path / "legacy.qxw"
    monitor = (
        '<Monitor DisplayMode="0"><Grid Width="6" Height="4" Units="0"/>'
        '<FxItem ID="0" XPos="0" YPos="4000"/></Monitor>'
    )
    path.write_bytes(_workspace(_fixture(0, "A", 0, 0) + monitor))
    config, warnings = load_show(path)
    assert tuple(config.fixtures[0].position) == (3.0, -2.0, 1.0)
    assert any("read as a top view" in w.problem for w in warnings)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Workspace [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Workspace xmlns="http://www.qlcplus.org/Workspace"><Engine><Fixture><Name>&lol9;</Name></Fixture></Engine></Workspace>
"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Workspace [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Workspace xmlns="http://www.qlcplus.org/Workspace"><Engine><Fixture><Name>&secret;</Name></Fixture></Engine></Workspace>
"""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (BILLION_LAUGHS, "refused: the XML declares entity 'lol'"),
        (EXTERNAL, "refused: the XML declares entity 'secret'"),
        (HEADER.encode() + b'<Workspace xmlns="http://www.qlcplus.org/Workspace"><Engine>', "invalid XML at line 3"),
        (_workspace(_fixture(0, "A", 0, 600)), 'Fixture ID 0 "A": address 601 is outside 1..512'),
        (_workspace("<Fixture><ID>x</ID><Name>A</Name></Fixture>"), "Fixture \"A\": ID 'x' is not a whole number"),
        (_workspace(_fixture(1, "A", 0, 0) + _fixture(1, "B", 0, 9)), 'Fixture ID 1 "B": ID 1 is used by two'),
        (b'<Workspace xmlns="http://www.qlcplus.org/Workspace"/>', "not a QLC+ workspace: no <Engine> element"),
        (b"not xml at all", "not a QLC+ workspace: a .qxw is XML"),
    ],
)
def test_bad_qxw_is_one_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.qxw"
    path.write_bytes(content)
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert expected in message


def test_qxw_is_found_by_content(tmp_path: Path) -> None:
    path = tmp_path / "workspace.xml"
    path.write_bytes(_workspace(_fixture(0, "A", 2, 10)))
    config, _ = load_show(path)
    assert (config.fixtures[0].universe, config.fixtures[0].address) == (3, 11)


def test_qxf_is_not_a_rig(tmp_path: Path) -> None:
    path = tmp_path / "par.qxf"
    path.write_bytes(b'<?xml version="1.0"?><FixtureDefinition xmlns="http://www.qlcplus.org/FixtureDefinition"/>')
    with pytest.raises(ShowFileError, match="fixture definition"):
        load_show(path)


@pytest.mark.parametrize("channels", ["0", "99999999999", "four"])
def test_qxw_channels_outside_a_universe_is_a_warning_naming_the_value(tmp_path: Path, channels: str) -> None:
    path = tmp_path / "ch.qxw"
    fixture = _fixture(5, "Par", 0, 0).replace("<Channels>4</Channels>", f"<Channels>{channels}</Channels>")
    path.write_bytes(_workspace(fixture))
    config, issues = load_show(path)
    assert config.fixtures[0].channel_count is None
    assert any(
        str(i).startswith('Fixture ID 5 "Par": ') and f"Channels {channels!r}" in str(i) for i in issues
    ), [str(i) for i in issues]


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        ('Width="-10" Height="5" Depth="8" Units="0"', "Monitor Grid: Width '-10' is not a positive size; using 5"),
        ('Width="10" Height="5" Depth="nan" Units="0"', "Monitor Grid: Depth 'nan' is not a positive size; using 5"),
        (
            'Width="10" Height="5" Depth="8" Units="7"',
            "Monitor Grid: Units '7' is neither 0 (metres) nor 1 (feet); read as metres",
        ),
    ],
)
def test_qxw_odd_monitor_grid_is_a_warning_and_a_sane_stage(tmp_path: Path, grid: str, expected: str) -> None:
    path = tmp_path / "grid.qxw"
    monitor = f'<Monitor><Grid {grid}/><FxItem ID="5" XPos="1000" YPos="3000" ZPos="2000"/></Monitor>'
    path.write_bytes(_workspace(_fixture(5, "Par", 0, 0) + monitor))
    config, issues = load_show(path)
    assert expected in [str(i) for i in issues]
    assert config.stage.width > 0 and config.stage.height > 0


@pytest.mark.parametrize(
    ("codec", "bom"),
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-16-le", b"")],
)
def test_qxw_saved_as_utf16_or_utf32_reads_like_the_utf8_file(tmp_path: Path, codec: str, bom: bytes) -> None:
    """A workspace re-saved by an editor as "Unicode" (UTF-16/32, with or without a mark) opens the same."""
    original = (DATA / "club.qxw").read_text("utf-8")
    path = tmp_path / "club.qxw"
    path.write_bytes(bom + original.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(codec))
    want, want_warnings = load_show(DATA / "club.qxw")
    got, got_warnings = load_show(path)
    assert got.fixtures == want.fixtures and got.groups == want.groups
    assert [w.problem for w in got_warnings] == [w.problem for w in want_warnings]


def test_json_show_saved_as_utf16_opens(tmp_path: Path) -> None:
    config, _ = load_show(DATA / "club.qxw")
    path = tmp_path / "show.json"
    save_show(config, path)
    path.write_bytes(b"\xff\xfe" + path.read_text("utf-8").encode("utf-16-le"))
    assert load_show(path)[0].fixtures == config.fixtures


def test_broken_utf16_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.qxw"
    path.write_bytes(b"\xff\xfe<\x00?\x00x\x00" + b"\x00\xd8A")  # a lone high surrogate, then an odd byte
    with pytest.raises(ShowFileError, match=r"bad\.qxw: starts like UTF-16-LE text but is not"):
        load_show(path)


def test_qxw_in_another_namespace_is_read_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "other.qxw"
    path.write_bytes((DATA / "club.qxw").read_bytes().replace(b"http://www.qlcplus.org/Workspace", b"urn:other"))
    config, warnings = load_show(path)
    assert len(config.fixtures) == len(load_show(DATA / "club.qxw")[0].fixtures)
    about = [w for w in warnings if w.where == "<Workspace>"]
    assert len(about) == 1
    assert "'urn:other'" in about[0].problem and "read as a QLC+ workspace anyway" in about[0].problem


# --- monitor rotations, as QLC+'s 3D view shows them --------------------------------------
# The rule, from QLC+'s sources: MainView3D::updateFixtureRotation (qmlui/mainview3d.cpp) gives the
# item QTransform::fromAxesAndAngles(X, -XRot, Y, -YRot, Z, -ZRot), which Qt3D composes as
# q3 * q2 * q1: turn about X by -XRot, then about Y by -YRot, then about Z by -ZRot (fixed axes,
# right-hand).  getLightDirection (qmlui/js/Math3DView.js) sends the beam along the model's
# (0, -1, 0) through the item, pan and tilt transforms; Fixture3DItem.qml's setPosition tilts by
# -(degrees from centre) about the model's X.  QLC+'s X runs to the audience's right, Y up, Z toward
# the audience: ours is x = -X, y = -Z, z = Y.  Below, that is done by hand, vector by vector.


def _turn_x(v: tuple[float, float, float], deg: float) -> tuple[float, float, float]:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (v[0], c * v[1] - s * v[2], s * v[1] + c * v[2])


def _turn_y(v: tuple[float, float, float], deg: float) -> tuple[float, float, float]:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (c * v[0] + s * v[2], v[1], -s * v[0] + c * v[2])


def _turn_z(v: tuple[float, float, float], deg: float) -> tuple[float, float, float]:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (c * v[0] - s * v[1], s * v[0] + c * v[1], v[2])


def _qlc_beam(x_rot: float, y_rot: float, z_rot: float, tilt: float = 0.0) -> tuple[float, float, float]:
    """The beam QLC+ draws, in our frame: item transform · tilt · (0, -1, 0), then X -> -x, Z -> -y."""
    v = _turn_x((0.0, -1.0, 0.0), -tilt)
    v = _turn_z(_turn_y(_turn_x(v, -x_rot), -y_rot), -z_rot)
    return (-v[0], -v[2], v[1])


def _monitor(items: str, coord_sys: str = "") -> bytes:
    fixtures = "".join(_fixture(i, f"F{i}", 0, i * 8) for i in range(items.count("<FxItem")))
    return _workspace(fixtures + f'<Monitor DisplayMode="0"{coord_sys}><Grid Width="10" Height="5" Depth="8"/>'
                      + items + "</Monitor>")


def _load_items(tmp_path: Path, items: str, coord_sys: str = "") -> tuple[ShowConfig, list[Issue]]:
    path = tmp_path / "rot.qxw"
    path.write_bytes(_monitor(items, coord_sys))
    return load_show(path)


def _item(fid: int, rotation: str, zpos: bool = True) -> str:
    z = ' ZPos="4000"' if zpos else ""
    return f'<FxItem ID="{fid}" XPos="5000" YPos="4000"{z} {rotation}/>'


ROTATIONS = [
    (0.0, 0.0, 0.0),  # hanging, beam straight down
    (90.0, 0.0, 0.0),  # beam at the audience
    (-90.0, 0.0, 0.0),  # beam at the back wall
    (180.0, 0.0, 0.0),  # standing, beam up
    (30.0, 0.0, 0.0),  # 30 degrees from straight down toward the audience
    (0.0, 90.0, 0.0),  # turned about the vertical: still straight down
    (0.0, 0.0, 90.0),  # beam to the audience's left = stage right (+x)
    (90.0, 90.0, 0.0),  # at the audience, then a quarter turn clockwise from above: stage right
    (45.0, 30.0, 20.0),
    (120.0, -60.0, 200.0),
    (-15.0, 250.0, 75.0),
]


@pytest.mark.parametrize("rot", ROTATIONS)
def test_qxw_3d_rotation_points_the_beam_where_qlc_shows_it(tmp_path: Path, rot: tuple[float, float, float]) -> None:
    attrs = " ".join(f'{k}="{v:g}"' for k, v in zip(("XRot", "YRot", "ZRot"), rot, strict=True) if v)
    config, issues = _load_items(tmp_path, _item(0, attrs))
    assert not [i for i in issues if "monitor item" in i.problem]
    assert aim_vectors(config.fixtures)[0] == pytest.approx(_qlc_beam(*rot), abs=1e-6)
    # the whole pose, not just the beam: a moving head tilted 40 degrees from centre goes where
    # QLC+ tilts it (our tilt and QLC+'s both swing toward the model's +Z, the audience at rest)
    assert aim_vectors(config.fixtures, 0.0, 40.0)[0] == pytest.approx(_qlc_beam(*rot, tilt=40.0), abs=1e-6)


def test_qxw_hand_derived_beams_are_what_the_words_say() -> None:
    # a check on the test's own arithmetic, against the comments on ROTATIONS
    assert _qlc_beam(0, 0, 0) == pytest.approx((0, 0, -1))
    assert _qlc_beam(90, 0, 0) == pytest.approx((0, -1, 0))
    assert _qlc_beam(180, 0, 0) == pytest.approx((0, 0, 1))
    assert _qlc_beam(0, 0, 90) == pytest.approx((1, 0, 0))
    assert _qlc_beam(90, 90, 0) == pytest.approx((1, 0, 0))
    assert _qlc_beam(0, 0, 0, tilt=30) == pytest.approx((0, -0.5, -math.sqrt(3) / 2))


@pytest.mark.parametrize(
    ("rot", "preset"),
    [
        ("", "hanging"),  # rotation 0 (QLC+ writes no XRot/YRot/ZRot): every item hangs beam-down
        ('XRot="180"', "standing"),
        ('XRot="90"', "wall_back"),
        ('XRot="90" YRot="90"', "wall_left"),
        ('XRot="90" YRot="-90"', "wall_right"),
        ('XRot="90" YRot="180"', "wall_front"),
    ],
)
def test_qxw_rotations_that_are_a_preset_are_written_as_the_preset(tmp_path: Path, rot: str, preset: str) -> None:
    config, _ = _load_items(tmp_path, _item(0, rot))
    o = config.fixtures[0].orientation
    assert o is not None and (o.mounting, o.yaw, o.pitch, o.roll) == (preset, 0.0, 0.0, 0.0)


def test_qxw_2d_rotation_turns_a_hanging_fixture_about_the_vertical(tmp_path: Path) -> None:
    # QLC+ 4 writes Rotation only; MonitorProperties::loadXML makes it the Y value, so QLC+ 5 shows
    # YRot = Rotation: beam still straight down, the body turned clockwise from above
    config, _ = _load_items(tmp_path, _item(0, 'Rotation="90"', zpos=False) + _item(1, 'Rotation="0"', zpos=False))
    turned, plain = config.fixtures
    assert turned.orientation is not None
    assert (turned.orientation.mounting, turned.orientation.yaw, turned.orientation.pitch) == ("hanging", -90.0, 90.0)
    assert plain.orientation is not None and plain.orientation.mounting == "hanging"
    assert aim_vectors(config.fixtures)[0] == pytest.approx((0, 0, -1), abs=1e-9)
    # the turn shows in the tilt: toward the audience unturned, toward stage right (+x) turned
    tilted = aim_vectors(config.fixtures, 0.0, 30.0)
    assert tilted[0] == pytest.approx(_qlc_beam(0, 90, 0, tilt=30), abs=1e-9)
    assert tilted[0] == pytest.approx((0.5, 0, -math.sqrt(3) / 2), abs=1e-9)
    assert tilted[1] == pytest.approx((0, -0.5, -math.sqrt(3) / 2), abs=1e-9)


def test_qxw_rotation_attribute_wins_over_xyz_as_in_qlc(tmp_path: Path) -> None:
    config, issues = _load_items(tmp_path, _item(0, 'Rotation="30" XRot="90" ZRot="10"'))
    assert aim_vectors(config.fixtures)[0] == pytest.approx(_qlc_beam(0, 30, 0), abs=1e-9)
    assert 'Fixture ID 0 "F0": monitor item has both Rotation and XRot/ZRot; Rotation used, as QLC+ does' in [
        str(i) for i in issues]


def test_qxw_z_up_rotations_go_through_qlcs_own_conversion(tmp_path: Path) -> None:
    # CoordSys="Z-up": MonitorProperties::zUpToLegacyRotation gives the Y-up (-XRot, ZRot, YRot)
    items = (
        '<FxItem ID="0" XPos="0" YPos="0" ZPos="3000" XRot="-90"/>'  # Y-up (90, 0, 0): at the audience
        '<FxItem ID="1" XPos="0" YPos="0" ZPos="3000" XRot="-90" ZRot="90"/>'  # Y-up (90, 90, 0)
        '<FxItem ID="2" XPos="0" YPos="0" ZPos="3000" XRot="-45" YRot="20" ZRot="30"/>'
    )
    config, _ = _load_items(tmp_path, items, ' CoordSys="Z-up"')
    assert [f.orientation.mounting for f in config.fixtures if f.orientation] == ["wall_back", "wall_left", "hanging"]
    assert aim_vectors(config.fixtures)[2] == pytest.approx(_qlc_beam(45, 30, 20), abs=1e-6)


@pytest.mark.parametrize(
    ("rot", "zpos", "said", "same_as"),
    [
        ('XRot="abc" YRot="nan" ZRot="90"', True, "XRot 'abc', YRot 'nan' are not numbers; 0 used", (0, 0, 90)),
        ('XRot="inf"', True, "XRot 'inf' is not a number; 0 used", (0, 0, 0)),
        ('Rotation="east"', False, "Rotation 'east' is not a number; 0 used", (0, 0, 0)),
        ('XRot="" ZRot="45"', True, "XRot '' is not a number; 0 used", (0, 0, 45)),
    ],
)
def test_qxw_odd_rotation_is_one_warning_and_zero(
    tmp_path: Path, rot: str, zpos: bool, said: str, same_as: tuple[float, float, float]
) -> None:
    config, issues = _load_items(tmp_path, _item(0, rot, zpos))
    about = [str(i) for i in issues if "monitor item" in i.problem]
    assert about == [f'Fixture ID 0 "F0": monitor item {said}']
    assert aim_vectors(config.fixtures)[0] == pytest.approx(_qlc_beam(*same_as), abs=1e-9)


def test_qxw_z_up_grid_is_width_depth_height(tmp_path: Path) -> None:
    # MonitorProperties::saveXML writes gridSize() x, y, z as Width, Height, Depth; in a Z-up file
    # y is the stage's depth and z its height (zUpToLegacyGridSize swaps them back)
    items = '<FxItem ID="0" XPos="1000" YPos="2000" ZPos="6000"/>'
    z_up, _ = _load_items(tmp_path, items, ' CoordSys="Z-up"')
    assert (z_up.stage.width, z_up.stage.height) == (10.0, 5.0)
    assert tuple(z_up.fixtures[0].position) == (-1.0, 2.0, 6.0)
    y_up, _ = _load_items(tmp_path, '<FxItem ID="0" XPos="1000" YPos="6000" ZPos="2000"/>')
    assert (y_up.stage.width, y_up.stage.height) == (10.0, 8.0)  # Y-up: Width, Height (up), Depth


@pytest.mark.parametrize(
    ("declared", "why"),
    [
        ("bogus-enc", "unknown encoding"),  # LookupError from expat's unknown-encoding handler
        ("Shift_JIS", "multi-byte"),  # ValueError: expat reads no multi-byte codec but UTF-8/16
        ("rot13", "not a text encoding"),  # a codec that is no text encoding
        ("undefined", "undefined"),  # UnicodeError
    ],
)
def test_qxw_declaring_an_encoding_expat_cannot_read_is_one_line(tmp_path: Path, declared: str, why: str) -> None:
    path = tmp_path / "odd.qxw"
    path.write_text((DATA / "club.qxw").read_text("utf-8").replace('encoding="UTF-8"', f'encoding="{declared}"'))
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    message = str(err.value)
    assert message.startswith(f"{path}: the XML declares encoding {declared!r}, which cannot be read (")
    assert why in message and "\n" not in message
