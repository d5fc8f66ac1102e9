"""VisualizerTCPServer over real loopback sockets."""

from __future__ import annotations

import json
import logging
import selectors
import socket
import threading
import time

import pytest

from server import ServerStartError, VisualizerTCPServer
from shared.protocol import MessageDecoder, ProtocolError, StageMessage, serialize_full_config
from shared.show import Fixture, ShowConfig, Stage, Vec3, demo_show
from tests.server.helpers import TIMEOUT, Events, RawClient, big_config
from tests.support import wait_until


def _read_exact_config(client: RawClient, config: ShowConfig, timeout: float = TIMEOUT) -> bytes:
    expected = serialize_full_config(config)
    data = client.read_bytes(len(expected), timeout)
    assert data == expected
    return data


# ---------------------------------------------------------------- wire format


def test_connect_sends_stage_fixtures_groups_in_order_as_ascii_lines(make_server, connect):
    demo = demo_show()
    odd = Fixture("Façade Wash ☀", "Maker", "Model", "Mode", 1, 500, Vec3(0.0, 1.0, 2.0))
    config = ShowConfig(Stage(12, 7), (*demo.fixtures, odd), demo.groups)
    server = make_server(config)
    client = connect(server.port)

    lines = [client.read_line() for _ in range(3)]
    assert b"".join(lines) == serialize_full_config(config)
    assert [json.loads(line)["type"] for line in lines] == ["stage", "fixtures", "groups"]
    for line in lines:
        assert line.isascii()
        assert line.endswith(b"\n") and line.count(b"\n") == 1 and b"\r" not in line
    stage = json.loads(lines[0])
    assert stage == {"type": "stage", "width": 12.0, "height": 7.0, "grid_size": 0.5}
    assert all(type(stage[k]) is float for k in ("width", "height", "grid_size"))
    assert b'"width":12.0' in lines[0]
    assert "\\u00e7" in lines[1].decode("ascii")
    fixtures = json.loads(lines[1])["fixtures"]
    assert fixtures[-1]["name"] == "Façade Wash ☀"
    assert len(fixtures) == len(config.fixtures)


def test_ten_clients_get_config_updates_and_new_configs(make_server, connect):
    server = make_server()
    clients = [connect(server.port) for _ in range(10)]
    for c in clients:
        _read_exact_config(c, server.config)
    wait_until(lambda: server.get_client_count() == 10)

    server.send_update("config_changed", {"reason": "test", "n": 1})
    for c in clients:
        assert c.read_message() == {
            "type": "update", "update_type": "config_changed", "data": {"reason": "test", "n": 1}
        }

    changed = ShowConfig(Stage(14.0, 9.0), demo_show().fixtures[:5], ())
    server.update_config(changed)
    assert server.config is changed
    for c in clients:
        _read_exact_config(c, changed)
    # A client connecting now gets the new config.
    _read_exact_config(connect(server.port), changed)


def test_heartbeats_at_the_interval_with_numeric_timestamps(make_server, connect):
    server = make_server(heartbeat_interval=0.05)
    client = connect(server.port)
    client.read_config()
    beats = [client.read_until("heartbeat", timeout=2.0) for _ in range(3)]
    now = time.time()
    for beat in beats:
        assert set(beat) == {"type", "timestamp"}
        assert type(beat["timestamp"]) is float
        assert now - 5 < beat["timestamp"] <= now
    assert beats[0]["timestamp"] < beats[1]["timestamp"] < beats[2]["timestamp"]


def test_huge_heartbeat_and_stall_timeouts_do_not_kill_the_io_loop(make_server, connect, events):
    """Intervals of years (no heartbeats or stall drops, in effect) used to overflow epoll's
    timeout and the TCP_USER_TIMEOUT option: the I/O thread died at the first select or
    connection while show-creator went on saying "Serving"."""
    server = make_server(heartbeat_interval=1e9, stall_timeout=1e9)
    client = connect(server.port)
    _read_exact_config(client, server.config)
    changed = ShowConfig(Stage(14.0, 9.0), demo_show().fixtures[:3], ())
    server.update_config(changed)
    _read_exact_config(client, changed)
    assert server.is_running()
    assert events.texts("error") == []


# ---------------------------------------------------------------- slow clients


def test_stalled_client_neither_delays_others_nor_stays_forever(make_server, connect, events, caplog):
    caplog.set_level(logging.INFO, logger="server")
    config = big_config(20_000)
    blob_size = len(serialize_full_config(config))
    server = make_server(config, stall_timeout=3.0)

    stalled = connect(server.port, rcvbuf=4096)  # and never reads
    events.wait_for("connected", stalled.address)
    wait_until(lambda: any(c.address == stalled.address and c.bytes_sent > 0 for c in server.get_clients()))

    start = time.monotonic()
    fresh = connect(server.port)
    _read_exact_config(fresh, config, timeout=10.0)
    elapsed = time.monotonic() - start
    (info,) = [c for c in server.get_clients() if c.address == stalled.address]
    assert 0 < info.bytes_sent < blob_size, "the stalled client should be stuck mid-config"
    assert elapsed < 2.5, f"fresh client waited {elapsed:.2f} s behind a stalled one"

    waited = events.wait_for("disconnected", stalled.address, timeout=6.0)
    assert waited < 5.0
    assert server.get_client_count() == 1
    dropped = [r.getMessage() for r in caplog.records if "Dropping client" in r.getMessage()]
    assert len(dropped) == 1 and stalled.address in dropped[0] and "stalled" in dropped[0]
    # The healthy client still gets everything.
    server.send_update("ping", {})
    assert fresh.read_until("update")["update_type"] == "ping"


def test_last_value_wins_for_a_slow_client_with_bounded_memory(make_server, connect):
    base = big_config(20_000)
    server = make_server(base)
    slow = connect(server.port, rcvbuf=4096)
    wait_until(lambda: any(c.address == slow.address and c.bytes_sent > 0 for c in server.get_clients()))

    configs = [ShowConfig(Stage(10.0 + i, 8.0), base.fixtures[:3], ()) for i in range(200)]
    for cfg in configs:
        server.update_config(cfg)
    newest = configs[-1]
    newest_size = len(serialize_full_config(newest))
    base_size = len(serialize_full_config(base))

    def backlog_settled() -> bool:
        (info,) = [c for c in server.get_clients() if c.address == slow.address]
        return info.queued_messages == 1 and info.pending_bytes > newest_size

    wait_until(backlog_settled)
    (info,) = [c for c in server.get_clients() if c.address == slow.address]
    # One pending config marker; the unsent rest of the first config plus one newest config.
    assert info.queued_messages == 1
    assert info.pending_bytes <= base_size + newest_size

    decoder = MessageDecoder()
    items = [m for _ in range(6) for m in decoder.feed(slow.read_line(timeout=10.0))]
    assert [type(m).__name__ for m in items] == ["StageMessage", "FixturesMessage", "GroupsMessage"] * 2
    assert isinstance(items[0], StageMessage) and items[0].stage == base.stage
    assert isinstance(items[3], StageMessage) and items[3].stage == newest.stage  # none of the 198 between
    with pytest.raises(TimeoutError):
        slow.read_line(timeout=0.2)  # and nothing more


def test_client_with_too_large_update_backlog_is_dropped(make_server, connect, events, caplog):
    caplog.set_level(logging.INFO, logger="server")
    server = make_server(big_config(20_000), max_backlog_messages=20)
    slow = connect(server.port, rcvbuf=4096)
    fast = connect(server.port)
    fast.read_config(timeout=10.0)
    wait_until(lambda: any(c.address == slow.address and c.bytes_sent > 0 for c in server.get_clients()))
    for i in range(40):
        server.send_update("tick", {"i": i})
    events.wait_for("disconnected", slow.address)
    assert any("backlog" in r.getMessage() and slow.address in r.getMessage() for r in caplog.records)
    for i in range(40):
        assert fast.read_until("update")["data"] == {"i": i}
    assert server.get_client_count() == 1


# ---------------------------------------------------------------- client input


def test_client_lines_are_tolerated_counted_and_acks_recorded(make_server, connect, caplog):
    caplog.set_level(logging.INFO, logger="server")
    server = make_server()
    client = connect(server.port)
    _read_exact_config(client, server.config)
    client.send(
        b'{"type":"hello","protocol":1}\n'
        b"\n"
        b"this is not json\r\n"
        b'{"type":"heartbeat","timestamp":1.0}\n'
        b"[1,2,3]\n"
        b'{"type":"ack","ack_type":"config"}\n'
    )
    wait_until(lambda: server.get_clients()[0].last_ack == "config")
    (info,) = server.get_clients()
    assert info.address == client.address
    assert info.acked_config and info.invalid_lines == 2
    assert info.bytes_sent == len(serialize_full_config(server.config))
    assert abs(info.connected_at - time.time()) < 60
    invalid = [r.getMessage() for r in caplog.records if "Invalid line" in r.getMessage()]
    assert len(invalid) == 1 and client.address in invalid[0]  # the second is rate-limited

    # A new config is not acked until the client acks again.
    server.update_config(ShowConfig(Stage(3.0, 3.0)))
    client.read_config()
    assert not server.get_clients()[0].acked_config
    client.send(b'{"type":"ack","ack_type":"config"}\n')
    wait_until(lambda: server.get_clients()[0].acked_config)


def test_a_deeply_nested_line_is_one_invalid_line_not_a_dead_server(make_server, connect, events, caplog):
    """``{"type":"stage","width":[[[...]]]}`` nested a thousand deep raised RecursionError
    out of the decoder: one line from anyone stopped the server for every client."""
    caplog.set_level(logging.INFO, logger="server")
    server = make_server()
    good = connect(server.port)
    good.read_config()
    attacker = connect(server.port)
    attacker.read_config()
    nested = b"[" * 1000 + b"]" * 1000
    # (A stage's odd width is now a lenient field, kept with a warning; a fixture's
    # wheel nested this deep still overflows the decoder's recursion.)
    fixture = (b'{"name":"A","manufacturer":"M","model":"X","mode":"m","universe":1,"address":1,'
               b'"position":{"x":0,"y":0,"z":0},"color_wheel":' + nested + b"}")
    attacker.send(b'{"type":"fixtures","fixtures":[' + fixture + b"]}\n")
    attacker.send(b'{"type":"ack","ack_type":"config"}\n')
    wait_until(lambda: any(c.address == attacker.address and c.last_ack == "config" for c in server.get_clients()))
    (info,) = [c for c in server.get_clients() if c.address == attacker.address]
    assert info.invalid_lines == 1
    assert server.is_running() and events.texts("error") == []
    invalid = [r.getMessage() for r in caplog.records if "Invalid line" in r.getMessage()]
    assert invalid == [f"Invalid line from {attacker.address}: line 1: invalid JSON: values nested too deeply"]
    server.send_update("still_here", {})
    assert good.read_until("update")["update_type"] == "still_here"


def test_garbage_flood_and_endless_line_do_not_disturb_others(make_server, connect, events, caplog):
    caplog.set_level(logging.INFO, logger="server")
    server = make_server(max_invalid_lines=100, heartbeat_interval=0.1)
    good = connect(server.port)
    good.read_config()
    flooder = connect(server.port)
    endless = connect(server.port)
    flooder.read_config()
    endless.read_config()

    def flood() -> None:
        try:
            for _ in range(100):
                flooder.send(b"\x00\xffgarbage{{{\n" * 100)
        except OSError:
            pass  # dropped by the server, as it should be

    def endless_line() -> None:
        try:
            for _ in range(100):
                endless.send(b"x" * 65536)
        except OSError:
            pass

    threads = [threading.Thread(target=flood), threading.Thread(target=endless_line)]
    for t in threads:
        t.start()
    events.wait_for("disconnected", flooder.address)
    events.wait_for("disconnected", endless.address)
    for t in threads:
        t.join(TIMEOUT)

    messages = [r.getMessage() for r in caplog.records]
    assert any(flooder.address in m and "invalid lines" in m for m in messages if "Dropping" in m)
    assert any(endless.address in m and "longer than 65536" in m for m in messages if "Dropping" in m)
    assert sum("Invalid line" in m for m in messages) <= 2
    # The good client is untouched: still connected, gets heartbeats and updates.
    assert [c.address for c in server.get_clients()] == [good.address]
    good.read_until("heartbeat")
    server.send_update("still_here", {})
    assert good.read_until("update")["update_type"] == "still_here"


# ---------------------------------------------------------------- lifecycle


def test_port_in_use_fails_at_once_naming_host_and_port(make_server):
    first = make_server()
    second = VisualizerTCPServer(demo_show(), "127.0.0.1", first.port)
    start = time.monotonic()
    with pytest.raises(ServerStartError) as info:
        second.start()
    assert time.monotonic() - start < 1.0
    assert isinstance(info.value, OSError)
    assert f"127.0.0.1:{first.port}" in str(info.value)
    assert "in use" in str(info.value)
    assert not second.is_running()


def test_restart_rebinds_the_same_port_at_once(make_server, connect):
    first = make_server()
    port = first.port
    clients = [connect(port) for _ in range(3)]
    for c in clients:
        c.read_config()
    first.stop()  # the server closes first: its side of each connection sits in TIME_WAIT
    for c in clients:
        c.wait_closed()
    assert not first.is_running()

    changed = ShowConfig(Stage(5.0, 5.0))
    second = make_server(changed, port=port)
    assert second.port == port
    _read_exact_config(connect(port), changed)
    # The same object starts again after stop(), on its port.
    second.stop()
    second.start()
    assert second.is_running() and second.port == port
    _read_exact_config(connect(port), changed)


def test_stop_with_100_clients_is_fast_and_leaves_no_threads(make_server, connect):
    before = set(threading.enumerate())
    server = make_server()
    clients = [connect(server.port) for _ in range(100)]
    for c in clients:
        c.read_config()
    wait_until(lambda: server.get_client_count() == 100)

    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 1.0
    assert set(threading.enumerate()) == before
    assert not server.is_running() and server.get_client_count() == 0
    for c in clients:
        c.wait_closed()


def test_a_thousand_concurrent_clients_get_the_config(make_server):
    server = make_server()
    expected = serialize_full_config(server.config)
    sel = selectors.DefaultSelector()
    socks = []
    received: dict[socket.socket, bytearray] = {}
    try:
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.setblocking(False)
            socks.append(s)
            received[s] = bytearray()
            sel.register(s, selectors.EVENT_READ)

        def read_all(target: bytes) -> None:
            deadline = time.monotonic() + 20
            pending = {s for s in socks if len(received[s]) < len(target)}
            while pending:
                assert time.monotonic() < deadline, f"{len(pending)} clients incomplete"
                for key, _ in sel.select(1.0):
                    s = key.fileobj
                    assert isinstance(s, socket.socket)
                    data = s.recv(1 << 20)
                    assert data, "server closed a client"
                    received[s] += data
                    if len(received[s]) >= len(target):
                        pending.discard(s)

        read_all(expected)
        assert all(bytes(b) == expected for b in received.values())
        wait_until(lambda: server.get_client_count() == 1000)

        changed = ShowConfig(Stage(30.0, 20.0), demo_show().fixtures[:10], ())
        for b in received.values():
            b.clear()
        server.update_config(changed)
        new = serialize_full_config(changed)
        read_all(new)
        assert all(bytes(b) == new for b in received.values())
    finally:
        sel.close()
        for s in socks:
            s.close()


def test_client_close_is_noticed_at_once_without_any_write(make_server, connect, events, caplog):
    caplog.set_level(logging.INFO, logger="server")
    server = make_server()  # heartbeats once an hour: no write will reveal the close
    client = connect(server.port)
    client.read_config()
    address = client.address
    events.wait_for("connected", address)
    size = len(serialize_full_config(server.config))
    wait_until(lambda: server.get_clients()[0].bytes_sent == size)  # counted just after the send
    client.close()
    assert events.wait_for("disconnected", address, timeout=2.0) < 1.0
    assert server.get_client_count() == 0
    assert f"Client disconnected: {address}" in [r.getMessage() for r in caplog.records]
    assert f"Client connected: {address}" in [r.getMessage() for r in caplog.records]


def test_callbacks_get_addresses_on_the_io_thread_and_may_fail(connect, caplog):
    events = Events()
    record_connect = events.recorder("connected")

    def flaky_connect(address: str) -> None:
        record_connect(address)
        raise RuntimeError("callback bug")

    server = VisualizerTCPServer(
        demo_show(), "127.0.0.1", 0, 3600.0,
        on_client_connected=flaky_connect,
        on_client_disconnected=events.recorder("disconnected"),
    )
    server.start()
    try:
        client = connect(server.port)
        client.read_config()  # the failing callback did not hurt the client
        events.wait_for("connected", client.address)
        client.close()
        events.wait_for("disconnected", client.address)
        threads = {tid for _, _, tid in events.items}
        assert len(threads) == 1 and threading.get_ident() not in threads
        assert any("callback" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    finally:
        server.stop()


def test_on_error_when_out_of_file_descriptors_and_recovery(make_server, connect, events):
    import resource

    server = make_server()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    hogs: list[socket.socket] = []
    try:
        highest = max(int(fd) for fd in __import__("os").listdir("/proc/self/fd"))
        resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 8, hard))
        try:
            while True:
                hogs.append(socket.socket())
        except OSError:
            pass
        hogs.pop().close()  # room for exactly the client's socket, none for the server's accept
        client = connect(server.port)
        events.wait_for("error")
        assert "cannot accept" in events.texts("error")[0]
    finally:
        for h in hogs:
            h.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    # The server resumes accepting and the waiting client is served.
    _read_exact_config(client, server.config)


def test_concurrent_updates_connects_and_disconnects(make_server, connect):
    server = make_server(big_config(50))
    stop = threading.Event()
    errors: list[BaseException] = []

    def updater(k: int) -> None:
        try:
            for i in range(50):
                server.update_config(ShowConfig(Stage(1.0 + k, 1.0 + i), big_config(5).fixtures, ()))
                server.send_update("progress", {"k": k, "i": i})
        except BaseException as exc:
            errors.append(exc)

    def churn() -> None:
        try:
            while not stop.is_set():
                c = RawClient(server.port)
                c.read_line()
                c.close()
        except BaseException as exc:
            errors.append(exc)

    readers = [connect(server.port) for _ in range(5)]
    threads = [threading.Thread(target=updater, args=(k,)) for k in range(8)]
    threads += [threading.Thread(target=churn) for _ in range(2)]
    for t in threads:
        t.start()
    # Keep the readers draining while the storm runs, checking every line parses.
    decoders = [MessageDecoder() for _ in readers]
    for t in threads[:8]:
        while t.is_alive():
            for r, d in zip(readers, decoders, strict=True):
                try:
                    line = r.read_line(timeout=0.01)
                except TimeoutError:
                    continue
                assert not [m for m in d.feed(line) if isinstance(m, ProtocolError)]
            t.join(0.001)
    stop.set()
    for t in threads:
        t.join(TIMEOUT)
    assert not errors
    final = ShowConfig(Stage(99.0, 99.0), (), ())
    server.update_config(final)
    for r, d in zip(readers, decoders, strict=True):
        while True:
            line = r.read_line()
            items = d.feed(line)
            assert not [m for m in items if isinstance(m, ProtocolError)]
            if any(isinstance(m, StageMessage) and m.stage == final.stage for m in items):
                break
    wait_until(lambda: server.get_client_count() == 5)
    assert server.config is final
