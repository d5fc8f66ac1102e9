"""``show-creator --headless`` as a real subprocess (``python -m server``)."""

from __future__ import annotations

import json
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.protocol import serialize_full_config
from shared.show import demo_show, demo_show_dict, load_show
from tests.server.helpers import CliProcess, RawClient

KEEPING = "keeping the last good show"


def _show_text(width: float = 10.0, *, bad_address: int | None = None, overlap: bool = False) -> str:
    d = demo_show_dict()
    d["stage"]["width"] = width
    if bad_address is not None:
        d["fixtures"][3]["address"] = bad_address
    if overlap:
        d["fixtures"][1]["address"] = d["fixtures"][0]["address"] + 2
    return json.dumps(d, indent=2) + "\n"


@pytest.fixture
def show_file(tmp_path: Path) -> Path:
    path = tmp_path / "show.json"
    path.write_text(_show_text())
    return path


@pytest.fixture
def run_cli() -> Iterator[type[CliProcess]]:
    procs: list[CliProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> CliProcess:
        # Tests stay on loopback: a server on 0.0.0.0 would announce itself on every interface.
        proc = CliProcess("--no-advertise", *args, env=env)
        procs.append(proc)
        return proc

    yield start  # type: ignore[misc]
    for proc in procs:
        proc.kill()


def _serve(run_cli, show: Path | None, *extra: str) -> tuple[CliProcess, int]:
    args = ["--headless", "--host", "127.0.0.1", "--port", "0", "--heartbeat", "5", *extra]
    if show is not None:
        args += ["--show", str(show)]
    proc = run_cli(*args)
    return proc, proc.wait_serving()


def _stage_width(client: RawClient, timeout: float = 10.0) -> float:
    return float(client.read_config(timeout)[0]["width"])


def test_serves_the_file_and_logs_the_bound_port(run_cli, show_file):
    proc, port = _serve(run_cli, show_file)
    assert proc.matching(rf'Serving "show" \(22 fixtures, 5 groups\) on 127\.0\.0\.1:{port}$')
    client = RawClient(port)
    expected = serialize_full_config(load_show(show_file)[0])
    assert client.read_bytes(len(expected)) == expected
    client.close()
    proc.wait_line(rf"Client disconnected: {client.address}")


def test_serves_the_demo_show_without_a_file(run_cli):
    proc, port = _serve(run_cli, None)
    assert proc.matching(r'Serving "demo" \(22 fixtures, 5 groups\)')
    client = RawClient(port)
    expected = serialize_full_config(demo_show())
    assert client.read_bytes(len(expected)) == expected
    client.close()


def test_rewrite_in_place_and_atomic_replace_reach_clients(run_cli, show_file, tmp_path):
    proc, port = _serve(run_cli, show_file)
    client = RawClient(port)
    assert _stage_width(client) == 10.0
    inode = os.stat(show_file).st_ino

    with open(show_file, "w") as fh:  # in place
        fh.write(_show_text(12.5))
    assert _stage_width(client) == 12.5
    assert os.stat(show_file).st_ino == inode

    # Atomic: write a temp file, rename it over; twice.  The replaced files are held
    # open so their inode numbers cannot be reused: each version is a new inode.
    held = []
    for width in (14.25, 16.0):
        held.append(open(show_file))  # noqa: SIM115
        tmp = tmp_path / f".show.json.{width}.tmp"
        tmp.write_text(_show_text(width))
        os.replace(tmp, show_file)
        assert _stage_width(client) == width
    inodes = {os.fstat(fh.fileno()).st_ino for fh in held} | {os.stat(show_file).st_ino}
    assert len(inodes) == 3 and inode in inodes
    for fh in held:
        fh.close()
    proc.wait_line(r"Reloaded .*show\.json \(22 fixtures, 5 groups\), sent to 1 clients", count=3)
    client.close()


def test_invalid_rewrite_keeps_the_last_good_show(run_cli, show_file):
    proc, port = _serve(run_cli, show_file)
    first = RawClient(port)
    assert _stage_width(first) == 10.0

    show_file.write_text(_show_text(11.0, bad_address=600))
    line = proc.wait_line(KEEPING).string
    assert line.endswith(
        f'{show_file}: fixtures[3] "LED Bar 4": address 600 is outside 1..512 — {KEEPING}'
    )
    # A new client still gets the last good show.
    newcomer = RawClient(port)
    assert _stage_width(newcomer) == 10.0
    # A later good version is served; the bad one was reported in exactly one line.
    show_file.write_text(_show_text(13.0))
    assert _stage_width(first) == 13.0
    assert len(proc.matching(KEEPING)) == 1
    assert not proc.matching("Traceback")
    first.close()
    newcomer.close()


def test_show_replaced_by_a_fifo_is_reported_and_the_next_version_served(run_cli, show_file):
    """Reading a FIFO used to block the file watcher for good: every later version
    of the show was ignored while the server went on serving the old one."""
    proc, port = _serve(run_cli, show_file)
    client = RawClient(port)
    assert _stage_width(client) == 10.0
    show_file.unlink()
    os.mkfifo(show_file)
    proc.wait_line(f"{show_file}: not a regular file — {KEEPING}")
    show_file.unlink()
    show_file.write_text(_show_text(12.0))
    assert _stage_width(client) == 12.0
    assert not proc.matching("Traceback")
    client.close()


def test_show_that_is_a_device_exits_2_at_once(run_cli):
    proc = run_cli("--headless", "--port", "0", "--show", "/dev/zero")
    assert proc.wait_exit() == 2
    assert proc.lines == [proc.lines[0]] and proc.lines[0].endswith("ERROR /dev/zero: not a regular file")


def test_show_warnings_are_logged_one_line_each(run_cli, tmp_path):
    path = tmp_path / "overlap.json"
    path.write_text(_show_text(overlap=True))
    proc, port = _serve(run_cli, path)
    warnings = proc.matching(r"WARNING .*overlap\.json: .*overlap")
    assert len(warnings) == 1 and '"LED Bar 2"' in warnings[0]
    RawClient(port).close()


def test_repeated_names_and_odd_optional_values_are_warnings_and_the_show_is_served(run_cli, tmp_path):
    d = demo_show_dict()
    d["fixtures"][1]["name"] = "LED Bar 1"  # QLC+ and MVR allow repeated names
    d["fixtures"][9]["orientation"]["mounting"] = "wall_left"  # a known mounting: no warning
    d["fixtures"][10]["physical"] = {"width": 0, "height": 0, "depth": 0}  # QLC+'s "unknown size"
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(d))
    proc, port = _serve(run_cli, path)
    warnings = proc.matching(r"WARNING .*odd\.json: ")
    assert any('"LED Bar 1" ×2' in w for w in warnings)
    assert any('fixtures[10] "Front Par 3": physical 0 × 0 × 0 is not a size' in w for w in warnings)
    client = RawClient(port)
    fixtures = client.read_until("fixtures")["fixtures"]
    assert len(fixtures) == len(d["fixtures"])
    assert fixtures[10]["physical"] == {"width": 0, "height": 0, "depth": 0}  # passed on unchanged
    assert fixtures[9]["orientation"]["mounting"] == "wall_left"
    client.close()


def test_a_show_in_another_format_is_told_which_formats_are_supported(run_cli, tmp_path):
    path = tmp_path / "rig.yaml"
    path.write_text("stage:\n  width: 10\n  height: 8\n")
    proc = run_cli("--headless", "--port", "0", "--show", str(path))
    assert proc.wait_exit() == 2
    assert len(proc.lines) == 1, proc.lines
    assert "supported: JSON show (.json), Show Creator YAML rig (.yaml/.yml)" in proc.lines[0]


def test_bad_show_at_start_exits_2_with_one_line(run_cli, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(_show_text(bad_address=600))
    proc = run_cli("--headless", "--port", "0", "--show", str(path))
    assert proc.wait_exit() == 2
    assert len(proc.lines) == 1, proc.lines
    assert f'{path}: fixtures[3] "LED Bar 4": address 600 is outside 1..512' in proc.lines[0]
    assert "Traceback" not in proc.lines[0]


def test_missing_show_file_exits_2(run_cli, tmp_path):
    path = tmp_path / "nope.json"
    proc = run_cli("--headless", "--port", "0", "--show", str(path))
    assert proc.wait_exit() == 2
    assert len(proc.lines) == 1 and str(path) in proc.lines[0] and "No such file" in proc.lines[0]


def test_port_in_use_exits_nonzero_naming_the_port(run_cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli("--headless", "--host", "127.0.0.1", "--port", str(port))
        assert proc.wait_exit() == 1
    assert len(proc.lines) == 1, proc.lines
    assert f"Port {port}" in proc.lines[0] and "--port" in proc.lines[0]
    assert "Traceback" not in proc.lines[0]


def test_host_in_brackets_as_the_visualizer_writes_it(run_cli):
    """``--host [::1]`` (the visualizer's own spelling) was looked up as a host name."""
    proc = run_cli("--headless", "--host", "[::1]", "--port", "0")
    port = proc.wait_serving()
    assert proc.matching(rf"on \[::1\]:{port}$")
    with socket.create_connection(("::1", port), timeout=5) as sock:
        assert sock.recv(1 << 16).startswith(b'{"type":"stage"')


@pytest.mark.parametrize("value", ["5.5", "30", "1e8"])
def test_heartbeat_slower_than_visualizers_tolerate_is_a_usage_error(run_cli, value):
    """Visualizers take 15 s without a byte for a dead link: heartbeats further apart
    than 5 s made every idle viewer drop and reconnect, over and over."""
    proc = run_cli("--headless", "--port", "0", "--heartbeat", value)
    assert proc.wait_exit() == 2
    assert len(proc.lines) == 1, proc.lines
    assert proc.lines[0].startswith("show-creator: argument --heartbeat: ")
    assert "at most 5" in proc.lines[0] and repr(value) in proc.lines[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly(run_cli, show_file, sig):
    proc, port = _serve(run_cli, show_file)
    client = RawClient(port)
    client.read_config()
    proc.wait_line(f"Client connected: {client.address}")
    proc.proc.send_signal(sig)
    assert proc.wait_exit() == 0
    client.wait_closed()
    assert proc.lines[-1].endswith("Stopped")
    assert not proc.matching("Traceback")
    client.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_window_mode_serves_and_stops_on_signals(run_cli, show_file, sig):
    # The window needs a display: offscreen Qt, so this runs with or without Xvfb.
    proc = run_cli("--host", "127.0.0.1", "--port", "0", "--show", str(show_file),
                   env={"QT_QPA_PLATFORM": "offscreen"})
    port = proc.wait_serving(timeout=20.0)
    client = RawClient(port)
    assert client.read_config()[0]["width"] == 10.0
    proc.wait_line(f"Client connected: {client.address}")
    proc.proc.send_signal(sig)
    assert proc.wait_exit() == 0
    client.wait_closed()
    assert not proc.matching("Traceback")
    client.close()
