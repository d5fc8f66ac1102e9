"""A string escape that is half of a UTF-16 pair (``"\\udc80"``) is legal JSON and YAML but no
character: Python keeps it as a lone surrogate, which no UTF-8 encoder writes.  Such a show
crashed ``show-creator --show`` at start (the wire encoder) and ``convert`` at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from shared.show import load_show
from tests.server.helpers import CliProcess, RawClient

SHOW = r"""{"stage": {"width": 10, "height": 8},
 "fixtures": [
  {"name": "Par \udc80", "manufacturer": "Acme\ud800", "model": "M", "mode": "m", "universe": 1, "address": 1,
   "position": {"x": 0, "y": 0, "z": 5}, "note": {"k\udfff": ["\ud83d\ude00", "\udc80"]}},
  {"name": "Smile \ud83d\ude00", "manufacturer": "A", "model": "M", "mode": "m", "universe": 1, "address": 9,
   "position": {"x": 1, "y": 0, "z": 5}}],
 "groups": [{"name": "G", "color": "#FF0000", "fixtures": ["Par \udc80", "Smile \ud83d\ude00"]}]}
"""

@pytest.fixture
def show(tmp_path: Path) -> Path:
    path = tmp_path / "show.json"
    path.write_text(SHOW, "ascii")
    return path


def test_lone_surrogates_become_u_fffd_with_one_warning(show: Path) -> None:
    config, issues = load_show(show)
    par, smile = config.fixtures
    assert (par.name, par.manufacturer, smile.name) == ("Par \ufffd", "Acme\ufffd", "Smile \U0001f600")
    assert par.extra["note"] == {"k\ufffd": ["\U0001f600", "\ufffd"]}
    assert config.group_members(0) == (0, 1)
    (warning,) = [i for i in issues if "surrogate" in i.problem]
    assert warning.where == "fixtures[0].name"
    assert warning.problem == (
        "text holds half of a UTF-16 surrogate pair (\\udc80), which is no character; "
        "replaced by U+FFFD in 5 strings"
    )


@pytest.mark.parametrize("out", ["out.json", "out.mvr"])
def test_convert_writes_the_show(show: Path, out: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = show.parent / out
    assert main(["convert", str(show), str(target)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert load_show(target)[0].fixtures[0].name == "Par \ufffd"


def test_server_serves_it(show: Path, cli: list[CliProcess]) -> None:
    proc = CliProcess("--headless", "--host", "127.0.0.1", "--port", "0", "--show", str(show))
    cli.append(proc)
    client = RawClient(proc.wait_serving())
    try:
        messages = {m["type"]: m for m in client.read_config()}
    finally:
        client.close()
    assert [f["name"] for f in messages["fixtures"]["fixtures"]] == ["Par \ufffd", "Smile \U0001f600"]
