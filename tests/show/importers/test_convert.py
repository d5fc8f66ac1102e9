"""``show-creator convert IN OUT.json``: any supported rig in, our JSON show out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from server.cli import main
from shared.show import load_show
from shared.show.model import Fixture
from shared.show.orientation import base_rotation, resolved_angles

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["rig.yaml", "club.qxw"])
def test_convert_writes_the_same_show_as_json(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "show.json"
    assert main(["convert", str(DATA / name), str(out)]) == 0
    assert load_show(out)[0] == load_show(DATA / name)[0]
    assert f"Wrote {out}:" in capsys.readouterr().err


def test_convert_prints_warnings_with_the_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(DATA / "club.qxw"), str(tmp_path / "out.json")]) == 0
    err = capsys.readouterr().err
    assert f"{DATA / 'club.qxw'}: " in err and '"Par" ×2' in err


def test_convert_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "rig.mvr"
    bad.write_text("not a zip")
    out = tmp_path / "out.json"
    assert main(["convert", str(bad), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an MVR file" in err
    assert not out.exists()


def body_to_stage(f: Fixture) -> npt.NDArray[np.float64]:
    return base_rotation(*resolved_angles(f.orientation, f.position.z))


def test_convert_to_mvr_and_back_keeps_patch_layout_and_groups(tmp_path: Path) -> None:
    mvr = tmp_path / "rig.mvr"
    assert main(["convert", str(DATA / "rig.yaml"), str(mvr)]) == 0
    original, _ = load_show(DATA / "rig.yaml")
    back, warnings = load_show(mvr)
    assert [f.name for f in back.fixtures] == [f.name for f in original.fixtures]
    for a, b in zip(original.fixtures, back.fixtures, strict=True):
        assert (b.manufacturer, b.model, b.mode, b.universe, b.address) == (
            a.manufacturer, a.model, a.mode, a.universe, a.address)
        assert tuple(b.position) == pytest.approx(tuple(a.position))
        assert a.orientation is not None and b.orientation is not None
        # the same pose, roll included (the angles may be spelled differently: a preset by its name)
        assert body_to_stage(b) == pytest.approx(body_to_stage(a), abs=1e-6)
    # an MVR fixture has one class: its first group (Mover 1's is its primary group, Movers)
    assert {g.name: g.fixtures for g in back.groups} == {"Movers": ("Mover 1",), "Front Wash": ("Front 1", "Front 2")}
    # no GDTF files are packed: said once per file named
    assert all("is not in the archive" in w.problem for w in warnings) and len(warnings) == 3


@pytest.mark.parametrize(("name", "out"), [("rig.yaml", "same"), ("rig.yaml", "show.yaml"), ("club.qxw", "show.txt")])
def test_convert_never_writes_json_over_the_rig_or_under_another_extension(
    tmp_path: Path, name: str, out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # `convert rig.yaml rig.yaml` replaced the user's YAML rig with JSON; `show.txt` got JSON silently
    source = tmp_path / name
    source.write_bytes((DATA / name).read_bytes())
    target = source if out == "same" else tmp_path / out
    assert main(["convert", str(source), str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target) in err and (".json or .mvr" in err or "is the input" in err), err
    assert source.read_bytes() == (DATA / name).read_bytes()
    assert out == "same" or not target.exists()
