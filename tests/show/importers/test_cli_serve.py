"""``show-creator --headless --show RIG`` as a real subprocess, for each foreign format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.helpers import CliProcess, RawClient

DATA = Path(__file__).parent / "data"


@pytest.fixture
def run_cli() -> Iterator[type[CliProcess]]:
    procs: list[CliProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> CliProcess:
        proc = CliProcess(*args, env=env)
        procs.append(proc)
        return proc

    yield start  # type: ignore[misc]
    for proc in procs:
        proc.kill()


def test_qxw_served_with_its_warnings_logged(run_cli) -> None:  # type: ignore[no-untyped-def]
    path = DATA / "club.qxw"
    proc = run_cli("--headless", "--host", "127.0.0.1", "--port", "0", "--show", str(path))
    port = proc.wait_serving()
    client = RawClient(port)
    try:
        messages = {m["type"]: m for m in client.read_config()}
    finally:
        client.close()
    par_a, par_b, beam = messages["fixtures"]["fixtures"]
    assert [f["name"] for f in (par_a, par_b, beam)] == ["Par", "Par", "Beam"]  # kept as in the file
    assert (par_a["universe"], par_a["address"]) == (1, 1)
    assert (par_b["universe"], par_b["address"]) == (1, 6)
    assert beam["position"] == {"x": 0.0, "y": 3.0, "z": 0.0}
    assert len(proc.matching(rf"WARNING {path}: .*\"Par\" ×2")) == 1


def test_unknown_file_exits_2_naming_the_formats(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n")
    proc = run_cli("--headless", "--port", "0", "--show", str(path))
    assert proc.wait_exit() == 2
    assert len(proc.lines) == 1, proc.lines
    assert f"{path}: not a show file this program can open (supported: JSON show (.json)" in proc.lines[0]


def test_window_without_a_display_is_one_line_before_serving(run_cli) -> None:  # type: ignore[no-untyped-def]
    """Qt aborted (SIGABRT, exit 134) with its plugin help text, after the server had started."""
    no_display = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}
    proc = run_cli("--port", "0", "--no-advertise", env=no_display)
    assert proc.wait_exit() == 2
    (line,) = proc.lines
    assert line.endswith(
        "ERROR no display for the Show Creator window (DISPLAY and WAYLAND_DISPLAY are not set); "
        "add --headless to serve without it, or run it under xvfb-run"
    ), line
