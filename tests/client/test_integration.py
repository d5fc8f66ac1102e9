"""The client against the real Show Creator server (``server.core``), over loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.show import ShowConfig, Stage, demo_show
from tests.support import wait_until
from visualizer.tcp import ShowState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_server(serve):
    def make(config: ShowConfig | None = None, port: int = 0, heartbeat_interval: float = 0.1):
        return serve(config, port=port, heartbeat_interval=heartbeat_interval)

    return make


def test_config_heartbeats_ack_and_changes(real_server, make_client):
    server = real_server()
    client, rec = make_client(server.port, heartbeat_timeout=0.5)
    state = ShowState()
    diffs = []
    client.on_config(lambda c: diffs.append(state.apply(c)))
    client.connect()
    assert rec.wait("config") == (demo_show(),)
    rec.wait("heartbeat", 3)
    wait_until(lambda: [c.acked_config for c in server.get_clients()] == [True])

    demo = demo_show()
    changed = ShowConfig(Stage(14.0, 8.0), demo.fixtures[:-1], demo.groups)
    server.update_config(changed)
    (got,) = rec.wait("config", 2)
    assert (got.stage, got.fixtures, got.groups) == (changed.stage, changed.fixtures, changed.groups)
    # the group still lists the fixture that is gone: one warning, listed under Problems
    assert [str(p) for p in got.problems] == [
        'groups[4] "Pixel Bars": member \'Pixel Bar 2\' is not a fixture; ignored'
    ]
    assert diffs[-1].stage_changed and diffs[-1].removed_fixtures == (len(demo.fixtures) - 1,)
    assert not diffs[-1].changed_fixtures and not diffs[-1].added_fixtures
    server.send_update("config_changed", {})
    assert rec.wait("update") == ("config_changed", {})
    assert rec.count("config") == 2 and rec.count("error") == 0


def test_server_restart_on_the_same_port(real_server, make_client):
    server = real_server()
    port = server.port
    client, rec = make_client(port, heartbeat_timeout=0.5)
    client.connect()
    rec.wait("config")
    server.stop()
    rec.wait_state("reconnecting")
    changed = ShowConfig(Stage(20.0, 12.0), demo_show().fixtures[:3], ())
    real_server(changed, port=port)
    assert rec.wait("config", 2) == (changed,)
    assert client.state == "connected"


def test_probe_once_against_the_real_server(real_server):
    server = real_server()
    proc = subprocess.run(
        [sys.executable, "-m", "visualizer.probe", "127.0.0.1", str(server.port), "--once"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=20,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:5] == [
        f"Connecting to 127.0.0.1:{server.port} ...",
        f"✓ Connected to 127.0.0.1:{server.port}",
        "[1] stage",
        "    Stage: 10.0m × 8.0m (grid 0.5m)",
        "[2] fixtures",
    ]
    assert "    Fixtures: 22" in lines and "[3] groups" in lines
    assert lines[-1] == "✓ Received complete configuration!"
