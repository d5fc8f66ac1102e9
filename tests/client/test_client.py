"""VisualizerTCPClient over real loopback sockets and real threads."""

from __future__ import annotations

import itertools
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from shared.protocol import (
    FixturesMessage,
    HeartbeatMessage,
    StageMessage,
    UpdateMessage,
    dumps_line,
    encode_message,
    serialize_full_config,
)
from shared.show import ShowConfig, Stage, config_from_dict, demo_show, demo_show_dict
from tests.support import wait_until
from visualizer.tcp import VisualizerTCPClient

ACK = json.loads('{"type":"ack","ack_type":"config"}')


def small_config(width: float = 6.0, names: tuple[str, ...] = ("A", "B")) -> ShowConfig:
    fixtures = [
        {
            "name": n, "manufacturer": "M", "model": "P", "mode": "3ch", "universe": 1,
            "address": 1 + 3 * i, "position": {"x": float(i), "y": 0.0, "z": 3.0},
        }
        for i, n in enumerate(names)
    ]
    return config_from_dict(
        {
            "stage": {"width": width, "height": 4.0},
            "fixtures": fixtures,
            "groups": [{"name": "All", "color": "#112233", "fixtures": list(names)}],
        }
    )


# ---------------------------------------------------------------- happy path


def test_config_arrives_in_order_and_is_acked(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    (config,) = rec.wait("config")
    assert config == demo_show()
    assert client.config == config
    assert client.state == "connected"
    ordered = [e for e, _, _ in rec.events if e in ("stage", "fixtures", "groups", "config")]
    assert ordered == ["stage", "fixtures", "groups", "config"]
    assert rec.states()[:2] == ["connecting", "connected"]
    # callbacks run on the client thread, never the caller's
    assert {thread for _, _, thread in rec.events} == {f"visualizer-client 127.0.0.1:{server.port}"}
    assert json.loads(server.accept().readline()) == ACK


def test_each_later_triple_fires_config_once_and_acks(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    peer = server.accept()
    assert json.loads(peer.readline()) == ACK
    changed = small_config()
    peer.send(serialize_full_config(changed) + encode_message(UpdateMessage("config_changed", {})))
    assert rec.wait("config", 2) == (changed,)
    assert rec.wait("update") == ("config_changed", {})
    assert json.loads(peer.readline()) == ACK
    peer.send(encode_message(HeartbeatMessage(1.5)))
    assert rec.wait("heartbeat") == (1.5,)
    assert rec.count("config") == 2  # one per triple, not one per part


def test_lone_fixtures_after_complete_set_makes_new_config(fake_server, make_client):
    first = small_config()
    server = fake_server(serialize_full_config(first))
    client, rec = make_client(server.port, config_settle=0.05)
    client.connect()
    rec.wait("config")
    peer = server.accept()
    peer.readline()
    new_fixtures = small_config(names=("A", "B", "C")).fixtures
    peer.send(encode_message(FixturesMessage(new_fixtures)))
    (config,) = rec.wait("config", 2)
    assert config == ShowConfig(first.stage, new_fixtures, first.groups)
    assert json.loads(peer.readline()) == ACK
    # a lone stage followed by another message is flushed at that message, no timer needed
    peer.send(encode_message(StageMessage(Stage(12.0, 9.0))) + encode_message(HeartbeatMessage(None)))
    (config,) = rec.wait("config", 3)
    assert config.stage == Stage(12.0, 9.0) and config.fixtures == new_fixtures


def test_raising_callback_is_logged_and_connection_survives(fake_server, make_client, demo_bytes, caplog):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)

    def broken(_stage: object) -> None:
        raise RuntimeError("subscriber bug")

    client.on_stage(broken)
    client.connect()
    rec.wait("config")
    assert any("subscriber bug" in r.exc_text for r in caplog.records if r.exc_text)
    assert client.state == "connected"
    assert server.accepted == 1


# ---------------------------------------------------------------- reconnecting


def test_client_started_before_server_connects_when_it_comes_up(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes, listen=False)  # port bound, not listening: refused
    client, rec = make_client(server.port)
    client.connect()
    text = rec.wait("error")[0]
    assert text == f"cannot connect to 127.0.0.1:{server.port}: Connection refused"
    rec.wait_state("reconnecting")
    server.listen()
    (config,) = rec.wait("config")
    assert config == demo_show()
    assert rec.states()[:3] == ["connecting", "reconnecting", "connected"]


def test_server_restart_reconnects_and_config_arrives_again(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    server.stop()
    rec.wait("disconnected")
    lost = rec.wait("error")[0]  # "closed the connection", or "reset" when our ack was unread
    assert f"127.0.0.1:{server.port}" in lost and ("closed" in lost or "lost" in lost)
    assert client.config == demo_show()  # last good state kept while away
    changed = small_config()
    restarted = fake_server(serialize_full_config(changed), port=server.port)
    assert rec.wait("config", 2) == (changed,)
    assert rec.count("connected") == 2
    assert "reconnecting" in rec.states()
    assert json.loads(restarted.accept().readline()) == ACK


def test_silent_server_is_dropped_after_heartbeat_timeout(fake_server, make_client):
    server = fake_server()  # accepts, then never sends a byte (like a half-open link)
    client, rec = make_client(server.port, heartbeat_timeout=0.3)
    t0 = time.monotonic()
    client.connect()
    first = server.accept()
    assert first.wait_closed()  # the client gives up on it...
    elapsed = time.monotonic() - t0
    server.accept()  # ...and connects again
    assert 0.3 <= elapsed < 3.0
    assert "no data from" in rec.wait("error")[0]
    assert rec.count("disconnected") >= 1


def test_heartbeats_keep_a_quiet_connection_alive(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port, heartbeat_timeout=0.6)
    client.connect()
    peer = server.accept()
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(0.05):
            peer.send(encode_message(HeartbeatMessage(time.time())))

    beater = threading.Thread(target=beat)
    beater.start()
    try:
        rec.wait("heartbeat", 20)  # 1 s of 50 ms beats: well past the 0.6 s timeout
    finally:
        stop.set()
        beater.join()
    assert server.accepted == 1
    assert rec.count("disconnected") == 0


def test_backoff_grows_and_resets_after_a_good_connection():
    client = VisualizerTCPClient(backoff_initial=0.25, backoff_max=5.0)
    delays = [client._backoff(n) for n in range(8)]
    for n, d in enumerate(delays):
        nominal = min(5.0, 0.25 * 2**n)
        assert 0.8 * nominal <= d <= min(5.0, 1.2 * nominal)
    assert max(delays) <= 5.0


# ---------------------------------------------------------------- bad input


def test_two_megabyte_config_in_tiny_writes_over_a_real_socket(fake_server, make_client):
    from bench.fixtures import make_config

    big = make_config(4100)
    data = serialize_full_config(big)
    assert len(data) > 2_000_000
    server = fake_server()
    client, rec = make_client(server.port)
    client.connect()
    server.accept().send_bytewise(data, sizes=(1, 2, 3, 5, 7, 11, 13))
    (config,) = rec.wait("config", timeout=30)
    assert config == big
    assert rec.count("error") == 0


def test_demo_config_one_byte_per_write(fake_server, make_client, demo_bytes):
    server = fake_server()
    client, rec = make_client(server.port)
    client.connect()
    server.accept().send_bytewise(demo_bytes)
    assert rec.wait("config") == (demo_show(),)


def test_garbage_is_reported_and_skipped_state_kept(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    peer = server.accept()
    peer.send(b"\x00\xff\xfe garbage {{{\n" + bytes(b for b in range(256) if b != 10) + b"\n[1,2,3]\n")
    errors = [rec.wait("error", n)[0] for n in (1, 2, 3)]
    assert all("line" in e for e in errors)
    assert "invalid JSON" in errors[0]
    assert "expected a JSON object, got list" in errors[2]
    assert client.config == demo_show() and client.state == "connected"
    changed = small_config()
    peer.send(serialize_full_config(changed))
    assert rec.wait("config", 2) == (changed,)
    assert server.accepted == 1


@pytest.mark.parametrize(
    ("patch", "field_words"),
    [
        (lambda f: f.pop("address"), ("missing field 'address'", 'fixtures[1] "LED Bar 2"')),
        (lambda f: f.update(universe="one"), ("universe", 'fixtures[1] "LED Bar 2"')),
        (lambda f: f["position"].update(y="up"), ("position.y", 'fixtures[1] "LED Bar 2"')),
    ],
)
def test_a_broken_required_field_leaves_out_that_fixture_alone(fake_server, make_client, demo_bytes, patch,
                                                               field_words):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    peer = server.accept()
    d = demo_show_dict()
    patch(d["fixtures"][1])
    stage_line = dumps_line({"type": "stage", **d["stage"]})
    peer.send(stage_line + dumps_line({"type": "fixtures", "fixtures": d["fixtures"]}))
    peer.send(dumps_line({"type": "groups", "groups": d["groups"]}))
    (config,) = rec.wait("config", 2)
    expected = [f.name for f in demo_show().fixtures if f.name != "LED Bar 2"]
    assert [f.name for f in config.fixtures] == expected  # every other fixture is drawn
    errors = [p for p in config.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].action == "left out"
    for words in field_words:
        assert words in str(errors[0])
    assert rec.count("error") == 0 and client.state == "connected"


def test_wrong_typed_groups_and_stage_are_rejected(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    peer = server.accept()
    peer.send(b'{"type":"groups","groups":{"a":1}}\n{"type":"fixtures"}\n')
    assert "its groups message was refused: groups: groups must be a list" in rec.wait("error", 1)[0]
    assert "its fixtures message was refused: fixtures: missing field 'fixtures'" in rec.wait("error", 2)[0]
    peer.send(encode_message(HeartbeatMessage(2.0)))
    rec.wait("heartbeat")
    assert rec.count("config") == 1 and client.config == demo_show()


def test_unknown_message_type_is_ignored(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    peer = server.accept()
    peer.send(b'{"type":"dmx_frame","universe":1,"data":[0,255]}\n' + encode_message(HeartbeatMessage(3.0)))
    rec.wait("heartbeat")
    (unknown,) = rec.wait("unknown")
    assert unknown.type == "dmx_frame" and unknown.fields["universe"] == 1
    assert rec.count("error") == 0


def test_over_long_line_is_dropped_with_an_error(fake_server, make_client, demo_bytes):
    server = fake_server()
    client, rec = make_client(server.port, max_line_length=4096)
    client.connect()
    peer = server.accept()
    peer.send(b'{"type":"heartbeat","timestamp":1,"pad":"' + b"x" * 10_000 + b'"}\n')
    assert "longer than 4096 bytes" in rec.wait("error")[0]
    small = small_config()
    peer.send(serialize_full_config(small))
    assert rec.wait("config") == (small,)


def test_unknown_fixture_fields_are_kept(fake_server, make_client):
    d = {"type": "fixtures", "fixtures": [dict(demo_show_dict()["fixtures"][0], dmx_personality=7)]}
    server = fake_server()
    client, rec = make_client(server.port)
    client.connect()
    server.accept().send(dumps_line(d))
    (fixtures,) = rec.wait("fixtures")
    assert fixtures[0].extra == {"dmx_personality": 7}


# ---------------------------------------------------------------- stopping


def _syn_sent_to(port: int) -> bool:
    """True if this network namespace has a connection attempt to ``port`` in SYN_SENT."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[3] == "02" and int(cols[2].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def test_disconnect_while_connecting_returns_quickly():
    # A listener that never accepts, with its backlog already full: new SYNs
    # are dropped, so the client's connect hangs (on loopback, nothing leaves the host).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        client = VisualizerTCPClient("127.0.0.1", port, connect_timeout=30.0)
        client.connect()
        deadline = time.monotonic() + 5
        while not _syn_sent_to(port) and time.monotonic() < deadline:
            time.sleep(0.01)  # polling a condition, bounded: the client's SYN is in flight
        assert _syn_sent_to(port), "the client's connect should be hanging in SYN_SENT"
        assert client.state == "connecting"
        t0 = time.monotonic()
        assert client.disconnect()
        assert time.monotonic() - t0 < 1.0
        assert client.state == "disconnected" and not client.running
    finally:
        for s in fillers:
            s.close()
        listener.close()


def test_backoff_keeps_growing_while_connections_deliver_only_half_a_config(fake_server, make_client, demo_bytes):
    # A server that sends part of a configuration and closes has not given a
    # good connection: the delay must keep doubling, not reset to the minimum.
    half = demo_bytes[: demo_bytes.index(b"\n") + 1]  # the stage line only
    times: list[float] = []

    def close_after_half(peer):
        times.append(time.monotonic())
        peer.close()

    server = fake_server(half, on_accept=close_after_half)
    client, _rec = make_client(server.port, backoff_initial=0.05, backoff_max=10.0)
    client.connect()
    wait_until(lambda: len(times) >= 5, timeout=10)
    gaps = [b - a for a, b in itertools.pairwise(times[:5])]
    # Delays are 0.05 * 2**k with +-20 % jitter; load can only make gaps longer.
    assert gaps[3] >= 0.05 * 2**3 * 0.8, gaps


def test_disconnect_during_backoff_returns_quickly(fake_server, make_client):
    server = fake_server(listen=False)
    client, rec = make_client(server.port, backoff_initial=30.0, backoff_max=30.0)
    client.connect()
    rec.wait_state("reconnecting")
    t0 = time.monotonic()
    assert client.disconnect()
    assert time.monotonic() - t0 < 1.0
    assert rec.states()[-1] == "disconnected"


def test_disconnect_while_connected_returns_quickly(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.connect()
    rec.wait("config")
    t0 = time.monotonic()
    assert client.disconnect()
    assert time.monotonic() - t0 < 1.0
    assert server.accept().wait_closed()
    assert rec.states()[-1] == "disconnected"
    assert rec.count("error") == 0  # leaving on purpose is not an error
    client.disconnect()  # twice is fine


def test_disconnect_from_a_callback_does_not_deadlock(fake_server, make_client, demo_bytes):
    server = fake_server(demo_bytes)
    client, rec = make_client(server.port)
    client.on_config(lambda _c: client.disconnect())
    client.connect()
    rec.wait_state("disconnected")
    assert client.disconnect()
    assert server.accepted == 1


def test_no_reconnect_mode_stops_after_first_failure(fake_server, make_client):
    server = fake_server(listen=False)
    client, rec = make_client(server.port, reconnect=False)
    client.connect()
    rec.wait_state("disconnected")
    assert rec.states() == ["connecting", "disconnected"]
    assert client.last_error == f"cannot connect to 127.0.0.1:{server.port}: Connection refused"


def _fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_connect_disconnect_cycles_leave_nothing_behind(fake_server, demo_bytes):
    threads_before = set(threading.enumerate())
    fds_before = _fd_count()
    server = fake_server(demo_bytes)
    client = VisualizerTCPClient("127.0.0.1", server.port)
    connected = threading.Event()
    client.on_connected(connected.set)
    for _ in range(100):
        connected.clear()
        client.connect()
        assert connected.wait(5)
        assert client.disconnect()
    assert client.state == "disconnected"
    server.stop()
    assert set(threading.enumerate()) == threads_before
    assert _fd_count() == fds_before
