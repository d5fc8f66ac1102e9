"""MVR scenes built here with pymvr: patch, layout (stage left stays stage left), classes, GDTF data."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pymvr
import pytest

from shared.show import ShowFileError, load_show
from shared.show.importers.mvr_export import save_mvr
from shared.show.model import Fixture, Orientation, ShowConfig, Stage, Vec3
from shared.show.orientation import aim_vectors, base_rotation, resolved_angles

DATA = Path(__file__).parent / "data"
SPEC = "Acme@Spot 60@v1.gdtf"


def _gdtf(tmp_path: Path) -> Path:
    path = tmp_path / SPEC
    with zipfile.ZipFile(path, "w") as z:
        z.write(DATA / "spot_description.xml", "description.xml")
    return path


def _matrix(x: float, y: float, z: float, rows: tuple[tuple[float, ...], ...] | None = None) -> pymvr.Matrix:
    u, v, w = rows or ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    return pymvr.Matrix([[*u, 0], [*v, 0], [*w, 0], [x, y, z, 0]])


def _fixture(name: str, x: float, y: float, z: float, address: pymvr.Address, **kwargs: object) -> pymvr.Fixture:
    return pymvr.Fixture(
        name=name, gdtf_spec=SPEC, gdtf_mode="Standard", matrix=_matrix(x, y, z),
        addresses=pymvr.Addresses(addresses=[address]), **kwargs,
    )


def _write(tmp_path: Path, layers: list[pymvr.Layer], classes: list[pymvr.Class] | None = None,
           gdtf: Path | None = None, name: str = "rig.mvr") -> Path:
    """An MVR of ``layers`` with one GDTF packed: ``gdtf`` (under its own name), else the test spot as SPEC."""
    writer = pymvr.GeneralSceneDescriptionWriter()
    scene = pymvr.Scene(layers=pymvr.Layers(layers=layers), aux_data=pymvr.AUXData(classes=classes or []))
    writer.serialize_scene(scene)
    writer.files_list.append((str(gdtf), gdtf.name) if gdtf else (str(_gdtf(tmp_path)), SPEC))
    path = tmp_path / name
    writer.write_mvr(str(path))
    return path


def test_mvr_layout_patch_groups_and_gdtf(tmp_path: Path) -> None:
    front, back = pymvr.Class(name="Front"), pymvr.Class(name="Back")
    # MVR: mm, Z up, audience at -Y, +X to the audience's right (= stage left)
    stage_left = _fixture("SL", 4000, 2000, 6000, pymvr.Address(dmx_break=0, universe=2, address=17),
                          classing=back.uuid, fixture_id="101")
    stage_right = _fixture("SR", -4000, 2000, 6000, pymvr.Address(dmx_break=0, universe=1, address=1),
                           classing=back.uuid)
    downstage = _fixture("DS", 0, -3000, 500, pymvr.Address(dmx_break=0, universe=1, address=33),
                         classing=front.uuid)
    # nested in a group object 1 m upstage: positions compose with the parent's matrix
    truss = pymvr.GroupObject(
        name="Truss", matrix=_matrix(0.0, 1000.0, 0.0), child_list=pymvr.ChildList(fixtures=[stage_left])
    )
    group = pymvr.GroupObject(name="Floor", child_list=pymvr.ChildList(fixtures=[downstage]))
    layer1 = pymvr.Layer(name="Rig", child_list=pymvr.ChildList(fixtures=[stage_right], group_objects=[truss]))
    layer2 = pymvr.Layer(name="Floor", child_list=pymvr.ChildList(group_objects=[group]))
    config, warnings = load_show(_write(tmp_path, [layer1, layer2], [front, back]))
    assert warnings == []
    f = {x.name: x for x in config.fixtures}
    assert set(f) == {"SL", "SR", "DS"}
    # stage left is the audience's right: our -x; stage right +x; downstage -y
    assert tuple(f["SL"].position) == (-4.0, 3.0, 6.0)  # + the group's 1 m offset upstage
    assert tuple(f["SR"].position) == (4.0, 2.0, 6.0)
    assert tuple(f["DS"].position) == (0.0, -3.0, 0.5)
    assert (f["SL"].universe, f["SL"].address) == (2, 17)
    assert (f["SR"].universe, f["SR"].address) == (1, 1)
    assert f["SL"].extra["fixture_id"] == "101" and f["SL"].extra["gdtf_spec"] == SPEC
    assert (f["SL"].manufacturer, f["SL"].model, f["SL"].mode) == ("Acme", "Spot 60", "Standard")
    # identity matrix: GDTF's default pose hangs, beam down
    assert f["SR"].orientation is not None
    o = f["SR"].orientation
    assert (o.mounting, o.yaw, o.pitch, o.roll) == ("hanging", 0.0, 0.0, 0.0)
    # from the GDTF mode
    assert f["SR"].channel_mapping == {0: "pan", 1: "pan_fine", 2: "tilt", 3: "tilt_fine", 4: "dimmer", 6: "red"}
    assert (f["SR"].pan_max, f["SR"].tilt_max, f["SR"].beam_angle) == (540.0, 270.0, 18.0)
    assert f["SR"].fixture_type == "MH"
    assert f["SR"].physical is not None and tuple(f["SR"].physical) == (0.3, 0.4, 0.25)
    # classes become groups
    assert {g.name: g.fixtures for g in config.groups} == {"Back": ("SR", "SL"), "Front": ("DS",)}
    half_w, half_d = config.stage.width / 2, config.stage.height / 2
    assert all(abs(x.position.x) < half_w and abs(x.position.y) < half_d for x in config.fixtures)


def test_mvr_absolute_address_and_layers_as_groups(tmp_path: Path) -> None:
    a = _fixture("A", 0, 0, 3000, pymvr.Address(dmx_break=0, universe=3, address=10))  # written as 1034
    path = _write(tmp_path, [pymvr.Layer(name="Truss 1", child_list=pymvr.ChildList(fixtures=[a]))])
    with zipfile.ZipFile(path) as z:
        assert b">1034</Address>" in z.read("GeneralSceneDescription.xml")
    config, _ = load_show(path)
    assert (config.fixtures[0].universe, config.fixtures[0].address) == (3, 10)
    assert [(g.name, g.fixtures) for g in config.groups] == [("Truss 1", ("A",))]


def test_mvr_tilted_and_standing_fixtures(tmp_path: Path) -> None:
    # beam (-Z local) turned by 90 degrees about X: pointing at the audience (-Y), horizontal
    tilted = pymvr.Fixture(name="T", gdtf_spec=SPEC, gdtf_mode="Standard",
                           matrix=_matrix(0, 0, 3000, ((1, 0, 0), (0, 0, -1), (0, 1, 0))))
    standing = pymvr.Fixture(name="S", gdtf_spec=SPEC, gdtf_mode="Standard",
                             matrix=_matrix(0, 0, 0, ((1, 0, 0), (0, -1, 0), (0, 0, -1))))
    path = _write(tmp_path, [pymvr.Layer(name="L", child_list=pymvr.ChildList(fixtures=[tilted, standing]))])
    config, warnings = load_show(path)
    t, s = config.fixtures
    assert t.orientation is not None and s.orientation is not None
    # the horizontal beam at the audience is the wall_back preset; beam up is the standing preset
    assert (t.orientation.mounting, t.orientation.yaw, t.orientation.pitch, t.orientation.roll) == (
        "wall_back", 0.0, 0.0, 0.0)
    assert (s.orientation.mounting, s.orientation.yaw, s.orientation.pitch) == ("standing", 0.0, 0.0)
    assert aim_vectors([t, s]) == pytest.approx(np.array([[0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]))
    unpatched = [w for w in warnings if w.problem == "has no DMX address; left unpatched (universe 0, address 1)"]
    assert [w.where for w in unpatched] == [f'Fixture "T" ({tilted.uuid})', f'Fixture "S" ({standing.uuid})']
    assert (t.universe, s.universe) == (0, 0)


def test_mvr_missing_gdtf_and_mode_are_warnings(tmp_path: Path) -> None:
    a = pymvr.Fixture(name="A", gdtf_spec="Other@Thing.gdtf", gdtf_mode="X",
                      addresses=pymvr.Addresses(addresses=[pymvr.Address(universe=1, address=5)]))
    b = pymvr.Fixture(name="B", gdtf_spec=SPEC, gdtf_mode="Nope",
                      addresses=pymvr.Addresses(addresses=[pymvr.Address(universe=1, address=9)]))
    path = _write(tmp_path, [pymvr.Layer(name="L", child_list=pymvr.ChildList(fixtures=[a, b]))])
    config, warnings = load_show(path)
    text = [str(w) for w in warnings]
    assert any("GDTF file 'Other@Thing.gdtf' is not in the archive; no channel data" in t for t in text)
    assert any("GDTF mode 'Nope' is not in the fixture type ('Standard'); no channel data" in t for t in text)
    assert (config.fixtures[0].manufacturer, config.fixtures[0].model) == ("Other", "Thing")
    assert config.fixtures[1].channel_mapping is None


SCENE_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE GeneralSceneDescription [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<GeneralSceneDescription verMajor="1" verMinor="6"><Scene><Layers><Layer name="&b;"/></Layers></Scene>
</GeneralSceneDescription>"""


def _zip(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "bad.mvr"
    with zipfile.ZipFile(path, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"readme.txt": b"hi"}, "not an MVR file: the archive has no GeneralSceneDescription.xml"),
        ({"GeneralSceneDescription.xml": SCENE_BOMB}, "refused: the XML declares entity 'a'"),
        ({"GeneralSceneDescription.xml": b"<GeneralSceneDescription>"}, "invalid XML at line 1"),
        ({"GeneralSceneDescription.xml": b"<Other/>"}, "starts with <Other>"),
    ],
)
def test_bad_mvr_is_one_line(tmp_path: Path, files: dict[str, bytes], expected: str) -> None:
    path = _zip(tmp_path, files)
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert expected in message


def test_mvr_non_ascii_gdtf_name(tmp_path: Path) -> None:
    spec = "Lumière@Façade 7.gdtf"
    gdtf = tmp_path / "x.gdtf"
    with zipfile.ZipFile(gdtf, "w") as z:
        z.write(DATA / "spot_description.xml", "description.xml")
    a = pymvr.Fixture(name="A", gdtf_spec=spec, gdtf_mode="Standard",
                      addresses=pymvr.Addresses(addresses=[pymvr.Address(universe=1, address=5)]))
    writer = pymvr.GeneralSceneDescriptionWriter()
    layer = pymvr.Layer(name="L", child_list=pymvr.ChildList(fixtures=[a]))
    writer.serialize_scene(pymvr.Scene(layers=pymvr.Layers(layers=[layer])))
    writer.files_list.append((str(gdtf), spec))
    path = tmp_path / "rig.mvr"
    writer.write_mvr(str(path))
    config, warnings = load_show(path)
    assert warnings == []
    assert config.fixtures[0].extra["gdtf_spec"] == spec
    assert config.fixtures[0].channel_mapping is not None


def test_mvr_repeated_names_are_kept_and_classes_mean_the_right_fixtures(tmp_path: Path) -> None:
    front, back = pymvr.Class(name="Front"), pymvr.Class(name="Back")
    # four "Wash" alternating Front, Back, Front, Back in file order
    washes = [
        _fixture("Wash", 1000 * k, 0, 6000, pymvr.Address(dmx_break=0, universe=1, address=1 + 16 * k),
                 classing=(front if k % 2 == 0 else back).uuid)
        for k in range(4)
    ]
    layer = pymvr.Layer(name="Rig", child_list=pymvr.ChildList(fixtures=washes))
    path = _write(tmp_path, [layer], [front, back])
    config, warnings = load_show(path)
    members = {g.name: set(config.group_members(i)) for i, g in enumerate(config.groups)}
    assert members == {"Front": {0, 2}, "Back": {1, 3}}
    # Front = the 1st and 3rd Wash cannot be written by order of mention alone: the 3rd is
    # renamed (the others keep the file's name), said once, naming the file and the class
    assert [f.name for f in config.fixtures] == ["Wash", "Wash", "Wash (2)", "Wash"]
    about = [w for w in warnings if "renamed" in w.problem]
    assert len(about) == 1 and about[0].where == 'group "Front"'
    assert "rig.mvr" in about[0].problem and "to 'Wash (2)'" in about[0].problem


def test_mvr_repeated_names_in_classes_that_order_of_mention_can_write(tmp_path: Path) -> None:
    front, back = pymvr.Class(name="Front"), pymvr.Class(name="Back")
    washes = [
        _fixture("Wash", 1000 * k, 0, 6000, pymvr.Address(dmx_break=0, universe=1, address=1 + 16 * k),
                 classing=(front if k < 2 else back).uuid)
        for k in range(4)
    ]
    path = _write(tmp_path, [pymvr.Layer(name="Rig", child_list=pymvr.ChildList(fixtures=washes))], [front, back])
    config, warnings = load_show(path)
    assert [f.name for f in config.fixtures] == ["Wash"] * 4
    assert [(g.name, g.fixtures) for g in config.groups] == [("Front", ("Wash", "Wash")), ("Back", ("Wash", "Wash"))]
    assert (config.group_members(0), config.group_members(1)) == ((0, 1), (2, 3))
    assert not any("renamed" in w.problem for w in warnings)


def test_mvr_absolute_address_past_every_universe_is_one_line(tmp_path: Path) -> None:
    # an absolute Address of 20 digits decodes to universe 195312500000000000: no real universe
    import zipfile

    path = tmp_path / "far.mvr"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "GeneralSceneDescription.xml",
            '<GeneralSceneDescription verMajor="1" verMinor="5"><Scene><Layers><Layer name="L" uuid="1">'
            '<ChildList><Fixture name="F" uuid="2"><GDTFSpec></GDTFSpec><GDTFMode>m</GDTFMode>'
            "<Matrix>{1,0,0}{0,1,0}{0,0,1}{1,2,3}</Matrix>"
            '<Addresses><Address break="0">99999999999999999999</Address></Addresses>'
            "</Fixture></ChildList></Layer></Layers></Scene></GeneralSceneDescription>",
        )
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    expected = 'Fixture "F" (2): universe 195312500000000000 is too large (at most 2147483647)'
    assert str(err.value) == f"{path}: {expected}"


def _scene_with(tmp_path: Path, matrix: str, address: str, brk: str = "0") -> Path:
    path = tmp_path / "odd.mvr"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "GeneralSceneDescription.xml",
            '<GeneralSceneDescription verMajor="1" verMinor="5"><Scene><Layers><Layer name="L" uuid="1">'
            '<ChildList><Fixture name="F" uuid="2"><GDTFSpec></GDTFSpec><GDTFMode>m</GDTFMode>'
            f'<Matrix>{matrix}</Matrix><Addresses><Address break="{brk}">{address}</Address></Addresses>'
            "</Fixture></ChildList></Layer></Layers></Scene></GeneralSceneDescription>",
        )
    return path


GOOD_MATRIX = "{1,0,0}{0,1,0}{0,0,1}{1000,2000,3000}"


@pytest.mark.parametrize(
    ("matrix", "address", "brk", "expected"),
    [
        ("garbage", "1", "0", "Matrix 'garbage' is not 12 numbers"),
        ("{1,0,0}{0,1,0}", "1", "0", "Matrix '{1,0,0}{0,1,0}' is not 12 numbers"),
        (GOOD_MATRIX, "abc", "0", "Address 'abc' (break '0') is not a DMX address"),
        (GOOD_MATRIX, "-5", "0", "Address '-5' (break '0') is not a DMX address"),
        (GOOD_MATRIX, "1.2.3", "0", "Address '1.2.3' (break '0') is not a DMX address"),
        (GOOD_MATRIX, "0.7", "0", "Address '0.7' (break '0') is not a DMX address"),
        (GOOD_MATRIX, "1.1", "x", "Address '1.1' (break 'x') is not a DMX address"),
    ],
)
def test_mvr_bad_matrix_or_address_names_the_fixture_and_value(
    tmp_path: Path, matrix: str, address: str, brk: str, expected: str
) -> None:
    path = _scene_with(tmp_path, matrix, address, brk)
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    assert str(err.value).startswith(f'{path}: Fixture "F" (2): {expected}')


def test_mvr_non_finite_matrix_and_address_zero_are_warnings(tmp_path: Path) -> None:
    path = _scene_with(tmp_path, "{1,0,0}{0,1,0}{0,0,1}{nan,inf,1e400}", "0")
    config, issues = load_show(path)
    (fixture,) = config.fixtures
    assert (fixture.universe, fixture.address) == (0, 1)  # pymvr alone made "0" universe 1 address 1
    text = [str(i) for i in issues]
    assert any("Matrix" in t and "not all finite" in t and 'Fixture "F" (2)' in t for t in text)
    assert any("has no DMX address; left unpatched" in t for t in text)


def test_mvr_scene_of_millions_of_tiny_elements_is_refused_before_parsing(tmp_path: Path) -> None:
    # 30 KB on disk, 20 MiB inflated: as an element tree that is gigabytes and minutes
    path = tmp_path / "tags.mvr"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        body = b"<a/>" * (5 * 2**20)
        z.writestr("GeneralSceneDescription.xml", b"<GeneralSceneDescription>" + body + b"</GeneralSceneDescription>")
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    assert str(err.value) == f"{path}: MVR scene has more than 4,000,000 XML tags; refused (an XML bomb?)"


def test_mvr_beam_tilted_30_degrees_below_the_horizon_reads_as_pitch_30(tmp_path: Path) -> None:
    """MVR pose: beam (-Z) turned 60 degrees from straight down toward the audience (-Y)."""
    c, si = np.cos(np.radians(60)), np.sin(np.radians(60))
    rot_x = ((1, 0, 0), (0, c, -si), (0, si, c))  # u, v, w: the images of X, Y, Z turned -60 about X
    tilted = pymvr.Fixture(name="T", gdtf_spec=SPEC, gdtf_mode="Standard", matrix=_matrix(0, 0, 6000, rot_x))
    path = _write(tmp_path, [pymvr.Layer(name="L", child_list=pymvr.ChildList(fixtures=[tilted]))])
    (t,) = load_show(path)[0].fixtures
    assert t.orientation is not None
    want = np.array([0.0, -np.cos(np.radians(30)), -np.sin(np.radians(30))])
    assert aim_vectors([t])[0] == pytest.approx(want, abs=1e-6)
    assert (t.orientation.mounting, t.orientation.yaw, t.orientation.pitch) == ("hanging", 0.0, 30.0)


POSES = [("hanging", 0, 0, 0), ("standing", 0, 0, 0), ("wall_left", 0, 0, 0), ("wall_right", 0, 0, 0),
         ("wall_back", 0, 0, 0), ("wall_front", 0, 0, 0), ("hanging", 45, 20, 30), ("custom", 30, 60, 20),
         ("standing", -120, -35, -70), ("custom", 0, 90, 15), ("hanging", 10, -5, 170)]


def test_every_pose_survives_mvr_export_and_import(tmp_path: Path) -> None:
    """Mounting presets (wall mounts too), absolute yaw/pitch and roll: the same body rotation back."""
    fixtures = tuple(
        Fixture(name=f"F{i}", manufacturer="Acme", model="Spot", mode="m", universe=1, address=1 + 16 * i,
                position=Vec3(i - 5.0, 1.0, 0.0 if m == "standing" else 5.0), orientation=Orientation(m, y, p, r))
        for i, (m, y, p, r) in enumerate(POSES))
    path = tmp_path / "rig.mvr"
    save_mvr(ShowConfig(Stage(12, 8, 0.5), fixtures, ()), path)
    back, _ = load_show(path)
    for a, b in zip(fixtures, back.fixtures, strict=True):
        ra = base_rotation(*resolved_angles(a.orientation, a.position.z))
        rb = base_rotation(*resolved_angles(b.orientation, b.position.z))
        assert rb == pytest.approx(ra, abs=1e-6), (a.orientation, b.orientation)


def test_mvr_scene_and_gdtf_in_an_unreadable_encoding_are_one_line_and_a_warning(tmp_path: Path) -> None:
    declaration = b'<?xml version="1.0" encoding="bogus"?>'
    path = _zip(tmp_path, {"GeneralSceneDescription.xml": declaration + b"<GeneralSceneDescription/>"})
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    assert str(err.value) == f"{path}: the XML declares encoding 'bogus', which cannot be read (unknown encoding)"
    # a GDTF description in such an encoding costs its fixtures their channel data, not the show
    gdtf = tmp_path / "Acme@Odd.gdtf"
    with zipfile.ZipFile(gdtf, "w") as z:
        z.writestr("description.xml", declaration + (DATA / "spot_description.xml").read_bytes().split(b"?>", 1)[1])
    fixture = pymvr.Fixture(name="F", gdtf_spec=gdtf.name, gdtf_mode="Standard", matrix=_matrix(0, 0, 5000))
    path = _write(tmp_path, [pymvr.Layer(name="L", child_list=pymvr.ChildList(fixtures=[fixture]))], gdtf=gdtf,
                  name="odd.mvr")
    config, issues = load_show(path)
    assert len(config.fixtures) == 1
    assert any("GDTF file 'Acme@Odd.gdtf'" in str(i) and "declares encoding 'bogus'" in str(i) for i in issues), issues


def _pose_of(tmp_path: Path, matrix: str, parent: str | None = None) -> tuple[Fixture, list[str]]:
    """The one fixture of a scene whose Matrix (inside a group object's, if ``parent``) is given."""
    fixture = (
        '<Fixture name="F" uuid="2"><GDTFSpec></GDTFSpec><GDTFMode>m</GDTFMode>'
        f'<Matrix>{matrix}</Matrix><Addresses><Address break="0">1</Address></Addresses></Fixture>'
    )
    if parent is not None:
        fixture = (
            f'<GroupObject name="T" uuid="3"><Matrix>{parent}</Matrix><ChildList>{fixture}</ChildList></GroupObject>'
        )
    path = tmp_path / "pose.mvr"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "GeneralSceneDescription.xml",
            '<GeneralSceneDescription verMajor="1" verMinor="5"><Scene><Layers><Layer name="L" uuid="1">'
            f"<ChildList>{fixture}</ChildList></Layer></Layers></Scene></GeneralSceneDescription>",
        )
    config, issues = load_show(path)
    return config.fixtures[0], [str(i) for i in issues if "Matrix" in str(i)]


@pytest.mark.parametrize(
    ("matrix", "beam"),
    [
        ("{2,0,0}{0,2,0}{0,0,2}{0,0,5000}", (0, 0, -1)),  # a scaled symbol: the same pose
        ("{1e300,0,0}{0,1e300,0}{0,0,1e300}{0,0,5000}", (0, 0, -1)),  # overflowed the column norms
        ("{1e-300,0,0}{0,1e-300,0}{0,0,1e-300}{0,0,5000}", (0, 0, -1)),  # underflowed them to 0
        ("{0.5,0,0}{0,-3,0}{0,0,-1}{0,0,5000}", (0, 0, 1)),  # scaled per axis, turned over: standing
    ],
)
def test_mvr_scaled_rotation_is_its_rotation_without_a_word(
    tmp_path: Path, matrix: str, beam: tuple[float, float, float]
) -> None:
    with np.errstate(all="raise"):  # no RuntimeWarning lines on the user's terminal either
        fixture, warnings = _pose_of(tmp_path, matrix)
    assert aim_vectors([fixture])[0] == pytest.approx(beam, abs=1e-9)
    assert warnings == []


@pytest.mark.parametrize(
    ("matrix", "beam", "problem"),
    [
        # a mirrored symbol (CAD "mirror"): no rotation is one; the beam axis is kept
        ("{-1,0,0}{0,1,0}{0,0,1}{0,0,5000}", (0, 0, -1), "is a mirror image"),
        ("{1,0,0}{0,1,0}{0,0,-1}{0,0,5000}", (0, 0, 1), "is a mirror image"),
        # skewed: the beam axis (w) kept, the rest squared to it
        ("{1,0,0}{0.7,0.7,0}{0,0,1}{0,0,5000}", (0, 0, -1), "is skewed"),
        # no rotation in it at all: GDTF's rest pose, hanging (it was read as wall_back, beam at the audience)
        ("{0,0,0}{0,0,0}{0,0,0}{0,0,5000}", (0, 0, -1), "has no rotation"),
        ("{0,0,1}{0,0,1}{0,0,1}{0,0,5000}", (0, 0, -1), "has no rotation"),
    ],
)
def test_mvr_matrix_that_is_no_rotation_is_one_warning_and_a_sane_pose(
    tmp_path: Path, matrix: str, beam: tuple[float, float, float], problem: str
) -> None:
    fixture, warnings = _pose_of(tmp_path, matrix)
    assert aim_vectors([fixture])[0] == pytest.approx(beam, abs=1e-9)
    assert len(warnings) == 1 and warnings[0].startswith('Fixture "F" (2): Matrix'), warnings
    assert problem in warnings[0]


def test_mvr_parent_matrix_without_rotation_is_named_too(tmp_path: Path) -> None:
    fixture, warnings = _pose_of(tmp_path, "{1,0,0}{0,1,0}{0,0,1}{0,0,0}", parent="{0,0,0}{0,0,0}{0,0,0}{0,0,5000}")
    assert aim_vectors([fixture])[0] == pytest.approx((0, 0, -1), abs=1e-9)
    assert len(warnings) == 1 and "with its parents'" in warnings[0] and "has no rotation" in warnings[0]


def test_mvr_matrices_whose_product_overflows_are_one_line(tmp_path: Path) -> None:
    big = "{1e200,0,0}{0,1e200,0}{0,0,1e200}"
    with np.errstate(all="raise"), pytest.raises(ShowFileError) as err:
        _pose_of(tmp_path, big + "{1,1,1}", parent=big + "{0,0,5000}")
    assert str(err.value).endswith('Fixture "F" (2): position.x -1e+197 is outside -100000..100000')


@pytest.mark.parametrize(
    ("original", "odd", "problem"),
    [
        # pygdtf builds a list as long as the break number, and one as long as the offset:
        # 10,000,000 took 18 s and 0.7 GB (an offset of 10,000,000: over 2 minutes and 6 GB), a billion
        # would exhaust memory; 1e20 was an OverflowError traceback
        ('DMXBreak="1"', 'DMXBreak="1000000"', "DMXBreak '1000000' is not a DMX break from 1 to 512"),
        ('DMXBreak="1"', 'DMXBreak="99999999999999999999"', "DMXBreak '99999999999999999999' is not a DMX break"),
        ('Offset="1,2"', 'Offset="1000000,2"', "Offset '1000000,2' is not DMX offsets from 1 to 512"),
        ('Offset="1,2"', 'Offset="1,-2"', "Offset '1,-2' is not DMX offsets from 1 to 512"),
    ],
)
def test_gdtf_breaks_and_offsets_past_dmx_are_a_warning_not_a_hang(
    tmp_path: Path, original: str, odd: str, problem: str
) -> None:
    description = (DATA / "spot_description.xml").read_text("utf-8")
    assert original in description
    gdtf = tmp_path / "Acme@Odd.gdtf"
    with zipfile.ZipFile(gdtf, "w") as z:
        z.writestr("description.xml", description.replace(original, odd, 1))
    fixture = pymvr.Fixture(name="F", gdtf_spec=gdtf.name, gdtf_mode="Standard", matrix=_matrix(0, 0, 5000),
                            addresses=pymvr.Addresses(addresses=[pymvr.Address(dmx_break=0, universe=1, address=1)]))
    path = _write(tmp_path, [pymvr.Layer(name="L", child_list=pymvr.ChildList(fixtures=[fixture]))], gdtf=gdtf,
                  name="odd.mvr")
    config, issues = load_show(path)
    assert (config.fixtures[0].universe, config.fixtures[0].address) == (1, 1)
    (warning,) = [str(i) for i in issues if "GDTF file" in str(i)]
    assert "GDTF file 'Acme@Odd.gdtf': <DMXChannel" in warning and problem in warning and "no channel data" in warning
