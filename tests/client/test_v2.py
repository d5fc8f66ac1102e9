"""Protocol v2 end to end over loopback: hello, revisions, deltas, resync, auth, zlib, select.

Real ``VisualizerTCPServer`` and ``VisualizerTCPClient`` on 127.0.0.1, plus
raw sockets where the bytes themselves are the point (v1 readers, the token
never on the wire, one error line then close).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from server import VisualizerTCPServer
from shared.protocol import encode_message, serialize_full_config
from shared.protocol.auth import client_response, server_proof
from shared.protocol.extensions import HelloMessage
from shared.show import ShowConfig, demo_show
from tests.support import Log, moved, wait_until

TIMEOUT = 5.0


class Raw:
    """A raw line client on a plain socket, blocking with timeouts."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        self.sent = b""
        self.received = b""

    def send(self, data: bytes) -> None:
        self.sent += data
        self.sock.sendall(data)

    def line(self) -> dict[str, Any]:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("closed")
            self.received += chunk
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return dict(json.loads(line))

    def eof(self) -> bool:
        try:
            return self.sock.recv(1 << 16) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def clients(make_client: Callable[..., Any]) -> Callable[..., Any]:
    def make(port: int, **kwargs: Any) -> tuple[Any, dict[str, Log]]:
        kwargs.setdefault("protocol", 2)
        client, _rec = make_client(port, **kwargs)
        logs = {name: Log() for name in ("config", "welcome", "delta", "error", "selection")}
        for name, log in logs.items():
            client.on(name, log)
        return client, logs

    return make


def test_v2_client_negotiates_and_gets_revisions_and_deltas(serve, clients):
    server: VisualizerTCPServer = serve(show_name="Demo")
    client, logs = clients(server.port)
    client.connect()
    (welcome,) = logs["welcome"].wait()
    assert welcome.show == "Demo" and set(welcome.capabilities) == {"revision", "delta", "zlib", "select"}
    assert logs["config"].wait() == (demo_show(),)
    assert client.negotiated_protocol == 2 and "delta" in client.negotiated_capabilities
    new = moved(demo_show(), 5)
    server.update_config(new)
    (delta,) = logs["delta"].wait()
    assert [e.index for e in delta.fixtures] == [5] and delta.revision.number == 2
    assert logs["config"].wait(2) == (new,)
    assert client.config == new
    wait_until(lambda: server.get_clients()[0].acked_config)
    info = server.get_clients()[0]
    assert info.protocol == 2 and "delta" in info.capabilities


def test_moving_one_of_ten_thousand_fixtures_sends_well_under_a_kilobyte(serve, clients):
    from bench.fixtures import make_config

    big = make_config(10_000)
    server = serve(big)
    client, logs = clients(server.port, capabilities=("revision", "delta"))
    client.connect()
    logs["config"].wait(timeout=30)
    wait_until(lambda: server.get_clients()[0].acked_config, timeout=30)
    before = server.get_clients()[0].bytes_sent
    server.update_config(moved(big, 1234))
    logs["config"].wait(2, timeout=30)
    wait_until(lambda: server.get_clients()[0].acked_config)
    sent = server.get_clients()[0].bytes_sent - before
    assert sent < 1024, sent
    assert len(serialize_full_config(big)) > 4_000_000


def test_raw_v1_reader_gets_exactly_the_v1_stream_from_a_v2_server(serve):
    server = serve()
    raw = Raw(server.port)
    expected = serialize_full_config(demo_show())
    while len(raw.received) < len(expected):
        raw.received += raw.sock.recv(1 << 20)
    assert raw.received == expected  # no welcome, no revision, nothing else
    server.update_config(moved(demo_show(), 2))
    raw.buf = b""
    assert [raw.line()["type"] for _ in range(3)] == ["stage", "fixtures", "groups"]
    raw.close()


def test_the_original_programs_kind_of_client_still_works(serve):
    """Written from docs/PROTOCOL.md v1 alone: recv, decode each chunk as UTF-8, split on newlines."""
    server = serve()
    server.update_config(demo_show())
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    buffer = ""
    seen: dict[str, Any] = {}
    while not {"stage", "fixtures", "groups"} <= seen.keys():
        data = sock.recv(4096)
        assert data, "server closed"
        buffer += data.decode("utf-8")
        while "\n" in buffer:
            line, buffer = buffer.split("\n", 1)
            if line.strip():
                msg = json.loads(line)
                seen[msg["type"]] = msg
    sock.close()
    assert seen["stage"]["width"] == 10.0
    assert len(seen["fixtures"]["fixtures"]) == len(demo_show().fixtures)
    assert "revision" not in seen["groups"]


def test_resync_gets_the_full_configuration_with_its_revision(serve):
    server = serve()
    raw = Raw(server.port)
    raw.send(encode_message(HelloMessage(2, "raw", ("revision", "delta"))))
    assert raw.line()["type"] == "welcome"
    lines = [raw.line() for _ in range(3)]
    assert lines[2]["revision"]["number"] == 1
    raw.send(b'{"type":"resync"}\n')
    again = [raw.line() for _ in range(3)]
    assert [m["type"] for m in again] == ["stage", "fixtures", "groups"]
    assert again[2]["revision"] == lines[2]["revision"]
    raw.close()


def test_a_gap_makes_the_client_ask_for_resync_and_recover(fake_server, clients):
    from shared.protocol import FixturesMessage, GroupsMessage, StageMessage
    from shared.protocol.delta import compute_delta
    from shared.protocol.extensions import Revision, WelcomeMessage

    def full(config: ShowConfig, number: int) -> bytes:
        return b"".join((
            encode_message(StageMessage(config.stage)),
            encode_message(FixturesMessage(config.fixtures)),
            encode_message(GroupsMessage(config.groups, {"revision": {"show": "s", "number": number}})),
        ))

    base = demo_show()
    server = fake_server(encode_message(WelcomeMessage(2, "fake", None, ("revision", "delta"))) + full(base, 1))
    client, logs = clients(server.port, capabilities=("revision", "delta"))
    client.connect()
    assert logs["config"].wait() == (base,)
    peer = server.accept()
    assert json.loads(peer.readline())["type"] == "hello"
    assert json.loads(peer.readline())["type"] == "ack"
    # Revision 2 never reached this client: a delta from 2 to 3 is a gap.
    two, three = moved(base, 1), moved(moved(base, 1), 2)
    peer.send(encode_message(compute_delta(two, three, Revision("s", 2), Revision("s", 3))))
    assert json.loads(peer.readline()) == {"type": "resync"}
    assert logs["delta"].items == [] and client.config == base
    peer.send(full(three, 3))
    assert logs["config"].wait(2) == (three,)
    # And the next delta applies.
    four = moved(three, 4)
    peer.send(encode_message(compute_delta(three, four, Revision("s", 3), Revision("s", 4))))
    assert logs["config"].wait(3) == (four,)


def test_token_right_wrong_and_v1(serve, clients):
    server = serve(token="opensesame")
    good, logs = clients(server.port, token="opensesame")
    good.connect()
    assert logs["config"].wait() == (demo_show(),)
    assert logs["welcome"].wait()[0].proof

    bad, bad_logs = clients(server.port, token="guess")
    bad.connect()
    (text,) = bad_logs["error"].wait()
    assert "wrong token" in text
    wait_until(lambda: not bad.running)  # no retry loop with a wrong token
    assert bad_logs["config"].items == []

    v1 = Raw(server.port)
    error = v1.line()
    assert error["type"] == "error" and error["code"] == "auth_required" and "--token" in error["message"]
    assert v1.eof()
    v1.close()


def test_token_never_crosses_the_wire_and_server_proves_it(serve):
    token = b"correct horse battery staple"
    server = serve(token=token)
    raw = Raw(server.port)
    raw.send(encode_message(HelloMessage(2, "raw", ("revision",), nonce="aa11")))
    challenge = raw.line()
    assert challenge["type"] == "welcome" and challenge["challenge"]
    response = client_response(token, "aa11", challenge["challenge"])
    raw.send(encode_message(HelloMessage(2, "raw", ("revision",), nonce="aa11", response=response)))
    welcome = raw.line()
    assert welcome["proof"] == server_proof(token, "aa11", challenge["challenge"])
    assert [raw.line()["type"] for _ in range(3)] == ["stage", "fixtures", "groups"]
    assert token not in raw.sent and token not in raw.received
    raw.close()


def test_repeated_failures_from_one_address_are_rate_limited_and_logged(serve, caplog):
    from server.session import AuthLimiter

    server = serve(token="t", auth_limiter=AuthLimiter(max_failures=2, window=60, block=60))
    for _ in range(2):
        raw = Raw(server.port)
        raw.send(encode_message(HelloMessage(2, "x", (), nonce="n")))
        raw.line()
        raw.send(encode_message(HelloMessage(2, "x", (), nonce="n", response="00" * 32)))
        assert raw.line()["code"] == "auth_failed"
        assert raw.eof()
        raw.close()
    raw = Raw(server.port)
    error = raw.line()
    assert error["code"] == "rate_limited" and "try again in" in error["message"]
    raw.close()
    assert any("Refusing 127.0.0.1 for 60 s" in r.getMessage() for r in caplog.records)


def test_zlib_frames_for_large_configurations(serve, clients):
    from bench.fixtures import make_config

    big = make_config(2000)
    server = serve(big)
    client, logs = clients(server.port, capabilities=("revision", "zlib"))
    client.connect()
    assert logs["config"].wait(timeout=15) == (big,)
    wait_until(lambda: server.get_clients()[0].acked_config)
    assert server.get_clients()[0].bytes_sent < len(serialize_full_config(big)) / 4


def test_select_up_and_pushed_selection_down(serve, clients):
    picked = Log()
    server = serve(on_fixtures_selected=picked)
    client, logs = clients(server.port)
    client.connect()
    logs["config"].wait()
    client.select([3, 7])
    assert picked.wait()[1] == (3, 7)
    server.push_selection([2], highlight=True)
    assert logs["selection"].wait() == ((2,), "highlight")


def test_v2_client_falls_back_to_v1_against_a_server_that_ignores_hello(fake_server, clients, demo_bytes):
    server = fake_server(demo_bytes)  # a v1 server: greets with the config, ignores every client line
    client, logs = clients(server.port)
    start = time.monotonic()
    client.connect()
    assert logs["config"].wait() == (demo_show(),)
    assert time.monotonic() - start < 1.0
    peer = server.accept()
    assert json.loads(peer.readline())["type"] == "hello"
    assert json.loads(peer.readline()) == {"type": "ack", "ack_type": "config"}
    assert logs["welcome"].items == []


def test_a_hello_after_the_v1_stream_started_upgrades_the_connection(serve):
    server = serve()
    raw = Raw(server.port)
    assert [raw.line()["type"] for _ in range(3)] == ["stage", "fixtures", "groups"]  # served as v1
    raw.send(encode_message(HelloMessage(2, "late", ("revision", "delta", "zlib"))))
    welcome = raw.line()
    assert welcome["type"] == "welcome" and welcome["capabilities"] == ["revision", "delta"]
    lines = [raw.line() for _ in range(3)]
    assert lines[2]["type"] == "groups" and lines[2]["revision"]["number"] == 1
    raw.close()


def test_v2_client_gets_v2_even_when_the_server_does_not_wait_for_hello(serve, clients):
    server = serve(hello_wait=0.0)
    client, logs = clients(server.port)
    client.connect()
    logs["welcome"].wait()
    server.update_config(moved(demo_show(), 3))
    logs["delta"].wait()
    wait_until(lambda: client.config == moved(demo_show(), 3))


def test_many_v2_and_v1_clients_under_rapid_changes_all_end_on_the_newest(serve, clients):
    """Last-value-wins with deltas: a client gets a delta only for the revision it holds."""
    server = serve()
    viewers = []
    for i in range(12):
        caps = ("revision", "delta", "zlib") if i % 3 else ("revision", "delta")
        client, logs = clients(server.port, capabilities=caps, protocol=1 if i % 4 == 0 else 2)
        client.connect()
        viewers.append((client, logs))
    for _client, logs in viewers:
        logs["config"].wait()
    config = demo_show()
    for step in range(60):
        config = moved(config, step % len(config.fixtures), 0.1)
        server.update_config(config)
    for client, _logs in viewers:
        wait_until(lambda c=client: c.config == config, timeout=10)
    # A burst coalesces (a client behind gets the newest in full); once every client holds
    # the newest, the next change reaches each delta client as a delta.
    before = [len(logs["delta"].items) for _c, logs in viewers]
    config = moved(config, 0, 1.0)
    server.update_config(config)
    for client, _logs in viewers:
        wait_until(lambda c=client: c.config == config, timeout=10)
    got = [len(logs["delta"].items) - b for (_c, logs), b in zip(viewers, before, strict=True)]
    assert got == [0 if i % 4 == 0 else 1 for i in range(12)]
