"""``show-creator`` with protocol 2 options, as a user runs it: token sources, TLS files, mDNS off."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.show import demo_show
from tests.server.helpers import CliProcess, RawClient
from visualizer.tcp import VisualizerTCPClient


@pytest.fixture
def cli() -> Iterator[type[CliProcess]]:
    procs: list[CliProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> CliProcess:
        proc = CliProcess("--headless", "--host", "127.0.0.1", "--port", "0", "--no-advertise", *args, env=env)
        procs.append(proc)
        return proc

    yield start  # type: ignore[misc]
    for proc in procs:
        proc.kill()


def _config_with(port: int, token: str) -> object:
    done = threading.Event()
    got: list[object] = []
    client = VisualizerTCPClient("127.0.0.1", port, protocol=2, token=token, reconnect=False)
    client.on_config(lambda c: (got.append(c), done.set()))
    client.connect()
    try:
        assert done.wait(10), client.last_error
    finally:
        client.disconnect()
    return got[0]


@pytest.mark.parametrize("source", ["flag", "file", "env"])
def test_token_from_flag_file_or_environment(cli, tmp_path: Path, source: str):
    args: list[str] = []
    env: dict[str, str] = {}
    if source == "flag":
        args = ["--token", "pw1"]
    elif source == "file":
        (tmp_path / "tok").write_text("pw1\n")
        args = ["--token-file", str(tmp_path / "tok")]
    else:
        env = {"SHOWCREATOR_TOKEN": "pw1"}
    proc = cli(*args, env=env)
    port = proc.wait_serving()
    proc.wait_line("token required")
    assert _config_with(port, "pw1") == demo_show()
    v1 = RawClient(port)
    msg = json.loads(v1.read_line(timeout=10))
    assert msg["code"] == "auth_required"
    v1.wait_closed()
    v1.close()


def test_unreadable_token_file_and_missing_certificate_are_one_line(cli, tmp_path: Path):
    proc = cli("--token-file", str(tmp_path / "nope"))
    assert proc.wait_exit() == 1
    assert any("cannot read token file" in line and "nope" in line for line in proc.lines)
    proc = cli("--tls-cert", str(tmp_path / "cert.pem"))
    assert proc.wait_exit() == 1
    assert any("cannot load TLS certificate" in line for line in proc.lines)
    assert not proc.matching("Traceback")


def test_a_server_on_127_0_0_1_is_announced_on_loopback_and_found(tmp_path: Path):
    from visualizer.tcp.discovery import ServerBrowser

    proc = CliProcess("--headless", "--host", "127.0.0.1", "--port", "0", "--token", "x")
    try:
        port = proc.wait_serving()
        proc.wait_line("Advertised on mDNS", timeout=15)
        ours = threading.Event()
        browser = ServerBrowser(lambda servers: ours.set() if any(a.port == port for a in servers) else None,
                                interfaces=["127.0.0.1"])
        try:
            assert ours.wait(10)
            [found] = [a for a in browser.servers() if a.port == port]
        finally:
            browser.close()
        assert found.token and found.show == "demo" and found.protocol == 2
    finally:
        proc.kill()


@pytest.mark.parametrize("flag", ["", "  \n"])
def test_an_empty_token_flag_is_refused_not_an_open_server(cli, flag: str):
    # `--token "$UNSET_VARIABLE"`: the user asked for a token; serving without one is a silent hole
    proc = cli("--token", flag)
    assert proc.wait_exit() == 1
    assert any("--token is empty" in line for line in proc.lines), proc.lines
    assert not proc.matching("Traceback")


def test_a_token_file_that_never_ends_is_one_line(cli, tmp_path: Path):
    # /dev/zero, a log file, a disk image: never read whole into memory
    big = tmp_path / "huge.tok"
    big.write_bytes(b"x" * (1024 * 1024))
    proc = cli("--token-file", str(big))
    assert proc.wait_exit() == 1
    assert any("token file" in line and "huge.tok" in line and "larger than" in line for line in proc.lines)
    proc = cli("--token-file", "/dev/zero")
    assert proc.wait_exit() == 1
    assert any("token file /dev/zero" in line for line in proc.lines), proc.lines
    assert not proc.matching("Traceback")
