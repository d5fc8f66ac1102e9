"""visualizer-probe as a user runs it: a subprocess against a loopback server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import msgspec
import pytest

from shared.protocol import HeartbeatMessage, encode_message, serialize_full_config
from shared.show import demo_show

ROOT = Path(__file__).resolve().parents[2]


def probe(*args: str, encoding: str = "utf-8", **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.Popen(
        [sys.executable, "-m", "visualizer.probe", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding=encoding,
        errors="replace",
        **popen,  # type: ignore[arg-type]
    )


def run(*args: str, encoding: str = "utf-8") -> tuple[int, str, str]:
    proc = probe(*args, encoding=encoding)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


def test_once_prints_messages_and_exits_zero(fake_server):
    server = fake_server(serialize_full_config(demo_show()))
    code, out, err = run("127.0.0.1", str(server.port), "--once")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert f"✓ Connected to 127.0.0.1:{server.port}" in lines
    for expected in (
        "[1] stage",
        "    Stage: 10.0m × 8.0m (grid 0.5m)",
        "[2] fixtures",
        "    Fixtures: 22",
        "    - LED Bar 1: Stairville LED BAR 240/8 (24 Channel) [BAR]",
        "      Universe 1, Address 1",
        "      Position: (-2.00, 3.00, 0.00)",
        "    ... and 19 more",
        "[3] groups",
        "    Groups: 5",
        "    - Moving Heads (#4CAF50): Spot 1, Spot 2, Spot 3, Spot 4",
    ):
        assert expected in lines
    assert lines[-1] == "✓ Received complete configuration!"
    assert sum(line.startswith("    - ") for line in lines) == 3 + 5  # first 3 fixtures, all groups


def test_heartbeats_and_unknown_messages_are_numbered(fake_server):
    greeting = (
        encode_message(HeartbeatMessage(1764237600.25))
        + b'{"type":"dmx_frame","universe":1}\n'
        + serialize_full_config(demo_show())
    )
    server = fake_server(greeting)
    code, out, _ = run("127.0.0.1", str(server.port), "--once")
    assert code == 0
    lines = out.splitlines()
    assert "[1] heartbeat" in lines
    assert any(line.startswith("    Heartbeat at ") and "(1764237600.250)" in line for line in lines)
    assert "[2] dmx_frame" in lines
    assert "[5] groups" in lines


def test_refused_port_is_one_line_and_exit_one(fake_server):
    server = fake_server(listen=False)  # bound, not listening: refused
    code, out, err = run("127.0.0.1", str(server.port), "--timeout", "5")
    assert code == 1
    assert err.splitlines() == [f"visualizer-probe: cannot connect to 127.0.0.1:{server.port}: Connection refused"]
    assert "Traceback" not in out + err


def test_once_without_configuration_times_out_with_exit_one(fake_server):
    server = fake_server()  # accepts, never sends
    code, _out, err = run("127.0.0.1", str(server.port), "--once", "--timeout", "0.5")
    assert code == 1
    assert err.splitlines() == [
        f"visualizer-probe: no complete configuration from 127.0.0.1:{server.port} within 0.5 s"
    ]


def test_bad_port_argument_is_a_usage_error():
    code, _out, err = run("localhost", "99999")
    assert code == 2 and "port 99999 is outside 1..65535" in err and "Traceback" not in err


def test_host_colon_port_as_the_visualizer_takes_it(fake_server):
    """``visualizer-probe 127.0.0.1:9000`` was looked up as the host name
    "127.0.0.1:9000" (port 9000 again) and failed with "cannot resolve host"."""
    server = fake_server(serialize_full_config(demo_show()))
    code, out, err = run(f"127.0.0.1:{server.port}", "--once")
    assert (code, err) == (0, "")
    assert f"✓ Connected to 127.0.0.1:{server.port}" in out.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["localhost:99999"],
         "visualizer-probe: bad port 99999 in 'localhost:99999': expected a number from 1 to 65535"),
        (["localhost:9000", "9001"], "visualizer-probe: port given twice: 'localhost:9000' and 9001"),
        (["[::1"], "visualizer-probe: bad address '[::1': missing ']' after the IPv6 address"),
    ],
)
def test_bad_address_is_a_usage_error(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


def test_ascii_console_does_not_crash(fake_server):
    server = fake_server(serialize_full_config(demo_show()))
    code, out, err = run("127.0.0.1", str(server.port), "--once", encoding="ascii")
    assert (code, err) == (0, "")
    assert "Stage: 10.0m ? 8.0m (grid 0.5m)" in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_exits_zero_quietly(fake_server):
    server = fake_server(serialize_full_config(demo_show()))
    proc = probe("127.0.0.1", str(server.port))
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # blocks on the pipe; the pytest timeout bounds it
            if line.startswith("✓ Received complete configuration!"):
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert err == "" and "Traceback" not in out


def test_empty_token_is_one_line_not_a_connection_without_one():
    # `--token "$UNSET"` must not quietly connect as if no token had been asked for
    proc = probe("--token", "", "127.0.0.1", "9")
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert err.strip().splitlines() == [
        "visualizer-probe: --token is empty (an unset variable?): give the shared secret, or leave --token out"
    ]


def test_names_off_the_network_never_reach_the_terminal_as_control_characters(fake_server):
    """A fixture or group name is any string a server sends: ESC [2J cleared the user's screen, a newline
    forged a line of its own."""
    show = demo_show()
    odd = "Spot\x1b[2J\nFAKE ✓ Received complete configuration!"
    fixtures = (msgspec.structs.replace(show.fixtures[0], name=odd), *show.fixtures[1:])
    groups = (replace(show.groups[0], name="G\x07", fixtures=(odd,)), *show.groups[1:])
    server = fake_server(serialize_full_config(replace(show, fixtures=fixtures, groups=groups)))
    code, out, _ = run("127.0.0.1", str(server.port), "--once")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "    - Spot\\x1b[2J\\nFAKE ✓ Received complete configuration!: Stairville LED BAR 240/8 (24 Channel) [BAR]" \
        in out.splitlines()
    assert out.splitlines().count("✓ Received complete configuration!") == 1
    assert not any(line.startswith("FAKE") for line in out.splitlines())
