"""``show-creator convert IN OUT.json``: any supported rig in, our JSON show out."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from shared.show import load_show

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
    assert f"{DATA / 'club.qxw'}: Fixture ID 3 \"Par\": name 'Par' is used before; renamed 'Par (2)'" in err


def test_convert_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "rig.mvr"
    bad.write_text("not a zip")
    out = tmp_path / "out.json"
    assert main(["convert", str(bad), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an MVR file" in err
    assert not out.exists()
