"""Issue 7 over real loopback sockets: a client given any one odd optional value gets every fixture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.protocol import dumps_line
from shared.show import config_from_dict
from tests import rigs
from tests.protocol.strategies import ODD_OPTIONAL_VALUES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("key", "value"), ODD_OPTIONAL_VALUES, ids=[f"{k}={v!r}"[:40] for k, v in ODD_OPTIONAL_VALUES])
def test_one_odd_optional_value_still_delivers_every_fixture(serve, make_client, key, value):
    show = rigs.theatre_with(12, key, value)  # "Side Boom L"
    config = config_from_dict(show, strict=False)  # Show Creator passes the value on as it was
    server = serve(config, heartbeat_interval=1.0)
    client, rec = make_client(server.port)
    client.connect()
    (got,) = rec.wait("config")
    assert [f.name for f in got.fixtures] == [f["name"] for f in show["fixtures"]]
    (problem,) = [p for p in got.problems if p.fixture_index == 12]
    assert problem.severity == "warning" and problem.field.split(".")[0] == key
    assert str(problem).startswith('fixtures[12] "Side Boom L": ') and problem.action
    assert rec.count("error") == 0


def test_a_fixture_with_a_broken_required_field_is_left_out_alone(fake_server, make_client):
    show = rigs.theatre_with(5, "address", 600)
    lines = b"".join(dumps_line({"type": t, **body}) for t, body in (
        ("stage", show["stage"]), ("fixtures", {"fixtures": show["fixtures"]}), ("groups", {"groups": show["groups"]})))
    server = fake_server(lines)
    client, rec = make_client(server.port)
    client.connect()
    (config,) = rec.wait("config")
    assert len(config.fixtures) == 15 and "Front Wash 6" not in [f.name for f in config.fixtures]
    errors = [p for p in config.problems if p.severity == "error"]
    assert [str(p) for p in errors] == ['fixtures[5] "Front Wash 6": address 600 is outside 1..512']
    assert rec.count("error") == 0


def test_probe_prints_the_problems_list(fake_server):
    show = rigs.zero_dimensions()
    show["fixtures"][2]["orientation"]["mounting"] = "ceiling"
    show["fixtures"][7]["address"] = "seven"
    lines = b"".join(dumps_line({"type": t, **body}) for t, body in (
        ("stage", show["stage"]), ("fixtures", {"fixtures": show["fixtures"]}), ("groups", {"groups": show["groups"]})))
    server = fake_server(lines)
    proc = subprocess.run([sys.executable, "-m", "visualizer.probe", f"127.0.0.1:{server.port}", "--once"],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=30)
    assert (proc.returncode, proc.stderr) == (0, "")
    out = proc.stdout.splitlines()
    start = out.index("Problems: 18 problems (1 left out)")
    listed = out[start + 1:]
    assert '    ! fixtures[0] "Front Wash 1": physical 0 × 0 × 0 is not a size (each must be > 0); drawn with the ' \
           'default size for its type' in listed
    assert "    ! fixtures[2] \"Front Wash 3\": orientation.mounting 'ceiling' is not one of hanging, standing, " \
           "wall_left, wall_right, wall_back, wall_front, custom; treated as 'custom'" in listed
    assert '    ✗ fixtures[7] "Back Wash 2": address must be a whole number, got \'seven\'' in listed
    assert "    ! groups[1] \"Back\": member 'Back Wash 2' is not a fixture; ignored" in listed
