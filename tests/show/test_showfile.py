"""Show files and patch checks: errors name file, place and problem."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from shared.show import (
    ShowFileError,
    check_config,
    config_to_dict,
    demo_show,
    demo_show_dict,
    load_show,
    save_show,
)
from shared.show.showfile import MAX_SHOW_BYTES


def write(tmp_path: Path, data: object, name: str = "show.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_demo_show_is_valid_and_as_documented() -> None:
    config = demo_show()
    assert (config.stage.width, config.stage.height) == (10.0, 8.0)
    bar = config.fixture("LED Bar 1")
    assert bar is not None
    assert (bar.manufacturer, bar.model, bar.universe, bar.address) == ("Stairville", "LED BAR 240/8", 1, 1)
    assert tuple(bar.position) == (-2.0, 3.0, 0.0)
    assert len([f for f in config.fixtures if f.model == "LED BAR 240/8"]) == 8
    assert {f.kind for f in config.fixtures} >= {"BAR", "PAR", "MH", "WASH", "PIXELBAR"}
    front = config.groups_by_name["Front Wash"]
    assert front.color == "#FF5722" and len(config.groups) >= 2
    assert check_config(config) == []


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "show.json"
    save_show(demo_show(), path)
    config, warnings = load_show(path)
    assert config == demo_show()
    assert warnings == []
    assert json.loads(path.read_text()) == config_to_dict(config)


def test_field_error_names_file_place_and_problem(tmp_path: Path) -> None:
    data = demo_show_dict()
    data["fixtures"][3]["address"] = 600
    path = write(tmp_path, data)
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    assert str(info.value) == f'{path}: fixtures[3] "LED Bar 4": address 600 is outside 1..512'


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["fixtures"][0].update(universe=-2), "universe -2 must not be negative"),
        (lambda d: d["fixtures"][0].update(universe=10**30), f"universe {10**30} is too large (at most 2147483647)"),
        (lambda d: d["fixtures"][2]["position"].update(z=10**400), "position.z 1000000"),
        (lambda d: d["fixtures"][2].pop("position"), 'fixtures[2] "LED Bar 3": missing field \'position\''),
        (lambda d: d["fixtures"][2].update(name=7), "fixtures[2]: name must be a non-empty string, got 7"),
        (lambda d: d["groups"][1].pop("name"), "groups[1]: name must be a non-empty string, got None"),
        (lambda d: d.update(fixtures={"a": 1}), "fixtures must be a list"),
    ],
)
def test_show_errors(tmp_path: Path, mutate: object, expected: str) -> None:
    data = demo_show_dict()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ShowFileError, match=None) as info:
        load_show(write(tmp_path, data))
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["fixtures"][1].update(name="LED Bar 1"),
         '1 fixture name is used more than once: "LED Bar 1" ×2'),
        (lambda d: d["groups"][0]["fixtures"].append("Ghost"), "member 'Ghost' is not a fixture; ignored"),
        (lambda d: d["groups"][0].update(color="orange"), "color 'orange' is not a #RRGGBB colour; drawn #8C9096"),
        (lambda d: d.pop("stage"), "stage: missing field 'stage'; drawn 10 × 8 m"),
        (lambda d: d["stage"].update(width=None), "width must be a number, got None; drawn 10 m wide"),
        (lambda d: d["stage"].update(width=1e6), "width 1e+06 is outside -100000..100000; drawn 10 m wide"),
        (lambda d: d["fixtures"][4]["orientation"].update(mounting="wall_left"), None),
        (lambda d: d["fixtures"][4]["orientation"].update(mounting="truss"),
         'fixtures[4] "LED Bar 5": orientation.mounting \'truss\' is not one of'),
        (lambda d: d["fixtures"][8].update(physical={"width": 0, "height": 0, "depth": 0}),
         'fixtures[8] "Front Par 1": physical 0 × 0 × 0 is not a size'),
        (lambda d: d["fixtures"][8].update(beam_angle=-20), "beam_angle -20 is not greater than 0"),
        (lambda d: d["fixtures"][8].update(fixture_type="FOGGER"), "fixture_type 'FOGGER' is not a known type"),
    ],
)
def test_optional_oddities_are_warnings_and_the_show_loads(
    tmp_path: Path, mutate: object, expected: str | None
) -> None:
    data = demo_show_dict()
    mutate(data)  # type: ignore[operator]
    path = write(tmp_path, data)
    config, warnings = load_show(path)
    assert len(config.fixtures) == len(data["fixtures"])
    assert [str(w) for w in warnings] == [str(p) for p in config.problems]
    if expected is None:
        assert warnings == []
        return
    (warning,) = [w for w in warnings if expected in str(w)]  # once, naming fixture, field and value
    assert warning.severity == "warning" and warning.field and warning.action and "\n" not in str(warning)
    assert all(w.severity == "warning" for w in warnings)
    save_show(config, tmp_path / "again.json")  # passed on unchanged
    assert json.loads((tmp_path / "again.json").read_text()) == config_to_dict(config)
    again, _ = load_show(tmp_path / "again.json")
    assert (again.stage, again.fixtures, again.groups) == (config.stage, config.fixtures, config.groups)


def test_an_unknown_file_is_told_which_formats_are_supported(tmp_path: Path) -> None:
    path = tmp_path / "rig.txt"
    path.write_text("stage: width 10\n")
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    assert "supported: JSON show (.json), Show Creator YAML rig (.yaml/.yml), QLC+ workspace (.qxw), MVR (.mvr)" in str(
        info.value
    )
    assert "\n" not in str(info.value)


def test_a_yaml_that_is_not_a_rig_is_told_which_formats_are_supported(tmp_path: Path) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text("stage:\n  width: 10\n")
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    assert "not a Show Creator rig" in str(info.value)
    assert "supported: JSON show (.json), Show Creator YAML rig (.yaml/.yml)" in str(info.value)
    assert "\n" not in str(info.value)


def test_overlapping_footprints_are_a_warning(tmp_path: Path) -> None:
    data = demo_show_dict()
    data["fixtures"][1]["address"] = 10  # LED Bar 1 uses 1..24
    config, warnings = load_show(write(tmp_path, data))
    assert len(config.fixtures) == len(data["fixtures"])
    assert [w.severity for w in warnings] == ["warning"]
    assert 'overlap "LED Bar 1" (1..24)' in str(warnings[0])


def test_footprint_past_512_is_a_warning(tmp_path: Path) -> None:
    data = demo_show_dict()
    data["fixtures"][0]["address"] = 500
    _, warnings = load_show(write(tmp_path, data))
    assert any("run past 512" in str(w) for w in warnings)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b'{"stage": {"width": 10,', "invalid JSON at line 1 column"),
        (b"\xff\xfe", "file is empty"),  # a UTF-16 mark and nothing else
        (b"\xff\xfe{\x00\x00", "starts like UTF-16-LE text but is not"),
        (b'{"stage": "\xff"}', "not UTF-8 text"),
        (b"[1, 2]", "show must be an object"),
        (b"[" * 100_000 + b"]" * 100_000, "values nested too deeply"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    assert str(info.value).startswith(f"{path}: ")
    assert expected in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ShowFileError, match="No such file"):
        load_show(tmp_path / "nope.json")


def _load_in_thread(path: Path, timeout: float = 5.0) -> BaseException | None:
    """load_show(path) with a deadline, so a hang fails the test instead of the suite."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            load_show(path)
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert outcome, f"load_show({path}) still running after {timeout} s"
    return outcome[0]


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO in place of the show file used to block the reader (and with it the
    server's file watcher) forever: no later version of the show was ever served."""
    path = tmp_path / "show.json"
    os.mkfifo(path)
    error = _load_in_thread(path)
    assert isinstance(error, ShowFileError)
    assert str(error) == f"{path}: not a regular file"


def test_an_endless_device_is_refused_without_reading_it() -> None:
    """``--show /dev/zero`` used to read until memory ran out."""
    error = _load_in_thread(Path("/dev/zero"))
    assert isinstance(error, ShowFileError)
    assert str(error) == "/dev/zero: not a regular file"


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(MAX_SHOW_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ShowFileError) as info:
        load_show(path)
    assert str(info.value) == f"{path}: file is larger than {MAX_SHOW_BYTES // 2**20} MiB"


def test_save_keeps_the_mode_of_an_existing_file_and_is_not_private_when_new(tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    save_show(demo_show(), new)
    assert new.stat().st_mode & 0o044 == 0o044  # group and others may read, as with any new file
    shared = tmp_path / "shared.json"
    shared.write_text("{}")
    shared.chmod(0o664)
    save_show(demo_show(), shared)
    assert shared.stat().st_mode & 0o777 == 0o664
