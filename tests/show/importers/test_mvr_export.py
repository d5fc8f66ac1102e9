"""``save_mvr`` / ``show-creator convert show.json rig.mvr``: the MVR read back, by our importer and as XML."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from server.cli import main
from shared.show import demo_show, load_show, save_show
from shared.show.importers.mvr_export import save_mvr
from shared.show.model import Fixture, Group, ShowConfig, Stage, Vec3


def par(name: str, universe: int, address: int, x: float = 0.0) -> Fixture:
    return Fixture(name=name, manufacturer="Acme", model="Par", mode="8ch", universe=universe, address=address,
                   position=Vec3(x, 0.0, 5.0))


def scene(path: Path) -> ElementTree.Element:
    with zipfile.ZipFile(path) as z:
        return ElementTree.fromstring(z.read("GeneralSceneDescription.xml"))


def test_fixtures_of_one_name_get_their_own_uuid_and_their_own_group(tmp_path: Path) -> None:
    """Four "Par": Front = the first two, Back = the last two (order of mention)."""
    config = ShowConfig(Stage(10, 8, 0.5), tuple(par("Par", 1, 1 + 10 * i, i) for i in range(4)),
                        (Group("Front", "#FF0000", ("Par", "Par")), Group("Back", "#00FF00", ("Par", "Par"))))
    assert [config.group_members(g) for g in range(2)] == [(0, 1), (2, 3)]
    path = tmp_path / "rig.mvr"
    save_mvr(config, path)
    uuids = [f.get("uuid") for f in scene(path).iter("Fixture")]
    assert len(set(uuids)) == 4, uuids  # the MVR spec: every object's UUID is unique
    back, _ = load_show(path)
    assert [(f.name, f.address) for f in back.fixtures] == [("Par", 1), ("Par", 11), ("Par", 21), ("Par", 31)]
    assert {g.name: back.group_members(i) for i, g in enumerate(back.groups)} == {"Front": (0, 1), "Back": (2, 3)}
    # re-exporting the same show gives the same UUIDs (a desk that merges by UUID sees the same fixtures)
    save_mvr(config, tmp_path / "again.mvr")
    assert [f.get("uuid") for f in scene(tmp_path / "again.mvr").iter("Fixture")] == uuids


def test_groups_of_one_name_are_two_classes(tmp_path: Path) -> None:
    config = ShowConfig(Stage(10, 8, 0.5), (par("A", 1, 1), par("B", 1, 11)),
                        (Group("Wash", "#FF0000", ("A",)), Group("Wash", "#00FF00", ("B",))))
    path = tmp_path / "rig.mvr"
    save_mvr(config, path)
    classes = [c.get("uuid") for c in scene(path).iter("Class")]
    assert len(set(classes)) == 2
    assert [f.findtext("Classing") for f in scene(path).iter("Fixture")] == classes


def test_text_xml_cannot_hold_and_universe_0_are_warnings_and_the_file_stays_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON show may hold control characters (``"\\u0001"``) that XML 1.0 cannot, and universe 0
    (shows numbered from 0), which MVR cannot: the MVR written was unreadable, the patch lost unsaid."""
    fixtures = (
        Fixture(name="Par\x01A", manufacturer="Acme\x00", model="M\ufffe", mode="m\x1b", universe=1, address=1,
                position=Vec3(0.0, 0.0, 5.0)),
        par("Zero", 0, 37), par("Zero too", 0, 45), par("Tab\tand\nnewline", 2, 1),
    )
    show = tmp_path / "show.json"
    save_show(ShowConfig(Stage(10, 8, 0.5), fixtures, (Group("G\x02", "#FF0000", ("Par\x01A",)),)), show)
    out = tmp_path / "rig.mvr"
    assert main(["convert", str(show), str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert f"{out}: fixtures[0] \"Par\\x01A\": name 'Par\\x01A' holds a character XML cannot hold (\\x01); " \
        "written with U+FFFD in its place (and 3 more texts)" in err, err
    assert f'{out}: fixtures[1] "Zero": universe 0 (address 37) cannot be written in MVR, whose universes count ' \
        "from 1; written without an address (unpatched) (and 1 more fixture on universe 0)" in err, err
    assert err[-1] == f"Wrote {out}: 4 fixtures, 1 groups, 3 warnings"  # and the group's colour
    back, _ = load_show(out)
    assert [f.name for f in back.fixtures] == ["Par\ufffdA", "Zero", "Zero too", "Tab\tand\nnewline"]
    assert (back.fixtures[0].manufacturer, back.fixtures[0].mode) == ("Acme\ufffd", "m\ufffd")
    assert [g.name for g in back.groups] == ["G\ufffd"] and back.group_members(0) == (0,)


def test_a_fixture_without_manufacturer_keeps_its_model(tmp_path: Path) -> None:
    """GDTFSpec ``@Par 64.gdtf``: the empty manufacturer was dropped, so the model became the manufacturer."""
    fixtures = (
        Fixture(name="A", manufacturer="", model="Par 64", mode="m", universe=1, address=1, position=Vec3(0, 0, 5)),
        Fixture(name="B", manufacturer="Acme", model="", mode="m", universe=1, address=9, position=Vec3(1, 0, 5)),
    )
    path = tmp_path / "rig.mvr"
    save_mvr(ShowConfig(Stage(10, 8, 0.5), fixtures, ()), path)
    back, _ = load_show(path)
    assert [(f.manufacturer, f.model) for f in back.fixtures] == [("", "Par 64"), ("Acme", "")]


def test_what_an_mvr_without_gdtf_cannot_hold_is_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`convert show.json rig.mvr` then back turned every moving head into a generic fixture without a word."""
    source = tmp_path / "show.json"
    save_show(demo_show(), source)
    out = tmp_path / "rig.mvr"
    assert main(["convert", str(source), str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert f"{out}: fixtures: not written: " \
        "fixture_type (22 fixtures), physical (22), layout (10), beam_angle (20), pan_max (4), tilt_max (4), " \
        "lumens (20), channel_mapping (22), color_wheel (4), gobo_wheel (4), pixel_segments (10), as an MVR " \
        "keeps them in GDTF files and none is packed; group colours (5 groups), as MVR classes have none" in err, err
