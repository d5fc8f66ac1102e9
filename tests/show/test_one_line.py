"""A fixture name is any JSON string, newlines and terminal escapes included; every message that
names it is still one line, and never writes control characters to the user's terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import main
from shared.show import ShowFileError, load_show

NAME = "Front\nPar \x1b[31mred\x1b[0m\u2028x\x7f\x85"
SHOWN = "Front\\nPar \\x1b[31mred\\x1b[0m\\u2028x\\x7f\\x85"


def show(tmp_path: Path, **fixture: object) -> Path:
    base = {"name": NAME, "universe": 1, "address": 1, "position": {"x": 0, "y": 0, "z": 5}}
    path = tmp_path / "show.json"
    path.write_text(json.dumps({"stage": {"width": 10, "height": 8}, "fixtures": [{**base, **fixture}]}))
    return path


@pytest.mark.parametrize("odd", [{"address": 600}, {"position": {"x": 0, "y": "far", "z": 5}}])
def test_refusal_naming_the_fixture_is_one_line(tmp_path: Path, odd: dict[str, object]) -> None:
    with pytest.raises(ShowFileError) as err:
        load_show(show(tmp_path, **odd))
    assert f'fixtures[0] "{SHOWN}": ' in str(err.value)
    assert str(err.value).isprintable()


def test_warnings_naming_the_fixture_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, issues = load_show(show(tmp_path))
    assert config.fixtures[0].name == NAME  # the name itself is kept as written
    assert issues and all(str(i).isprintable() and f'"{SHOWN}"' in str(i) for i in issues)
    assert main(["convert", str(show(tmp_path)), str(tmp_path / "out.json")]) == 0
    err = capsys.readouterr().err
    assert all(line.isprintable() for line in err.splitlines())
    assert err.count("\n") == len(issues) + 1
