"""ServerSession and AuthLimiter without sockets: bytes and clock in, events and bytes out."""

from __future__ import annotations

import json

from server.session import (
    Acked,
    AuthFailed,
    AuthLimiter,
    BadLine,
    Closing,
    FixturesSelected,
    Ready,
    ResyncRequested,
    ServerSession,
)
from shared.protocol import encode_message
from shared.protocol.auth import client_response, server_proof
from shared.protocol.extensions import HelloMessage, ResyncMessage, SelectMessage

HELLO = encode_message(HelloMessage(2, "test", ("revision", "delta", "zlib", "select"), nonce="c0ffee"))


def lines(data: bytes) -> list[dict[str, object]]:
    return [json.loads(x) for x in data.splitlines() if x]


def test_silent_client_is_v1_after_the_hello_wait_and_gets_no_welcome():
    s = ServerSession(now=0.0, hello_wait=0.1)
    assert s.deadline() == 0.1
    assert s.poll(0.05) == []
    assert s.poll(0.1) == [Ready(1, frozenset(), "")]
    assert s.take_output() == b"" and s.deadline() is None and s.protocol == 1


def test_v1_client_that_speaks_first_is_v1_at_once():
    s = ServerSession(now=0.0)
    events = s.receive(b'{"type":"ack","ack_type":"config"}\n', 0.01)
    assert events == [Ready(1, frozenset(), ""), Acked("config")]


def test_hello_gets_a_welcome_with_the_offered_subset_byte_by_byte():
    s = ServerSession(now=0.0, show_name="Demo", offered=("revision", "delta"))
    events = []
    hello = encode_message(HelloMessage(2, "viz", ("delta", "revision", "teleport")))
    for i in range(len(hello)):
        events += s.receive(hello[i : i + 1], 0.01)
    assert events == [Ready(2, frozenset({"revision", "delta"}), "viz")]
    [welcome] = lines(s.take_output())
    assert welcome == {
        "type": "welcome", "protocol": 2, "server": "Show Creator", "show": "Demo",
        "capabilities": ["revision", "delta"],
    }


def test_delta_without_revision_is_not_granted():
    s = ServerSession(now=0.0)
    [ready] = s.receive(encode_message(HelloMessage(2, "x", ("delta",))), 0.0)
    assert isinstance(ready, Ready) and ready.capabilities == frozenset()


def test_token_challenge_response_and_proof():
    token = b"s3cret"
    s = ServerSession(now=0.0, token=token)
    assert s.receive(HELLO, 0.0) == []
    [challenge] = lines(s.take_output())
    assert challenge["type"] == "welcome" and challenge["capabilities"] == []
    server_nonce = str(challenge["challenge"])
    assert "s3cret" not in json.dumps(challenge)
    answer = HelloMessage(2, "test", ("revision",), nonce="c0ffee",
                          response=client_response(token, "c0ffee", server_nonce))
    [ready] = s.receive(encode_message(answer), 0.1)
    assert ready == Ready(2, frozenset({"revision"}), "test")
    [welcome] = lines(s.take_output())
    assert welcome["proof"] == server_proof(token, "c0ffee", server_nonce)


def test_wrong_token_is_one_error_line_and_close():
    s = ServerSession(now=0.0, token=b"right")
    s.receive(HELLO, 0.0)
    server_nonce = str(lines(s.take_output())[0]["challenge"])
    bad = HelloMessage(2, nonce="c0ffee", response=client_response(b"wrong", "c0ffee", server_nonce))
    events = s.receive(encode_message(bad), 0.0)
    assert [type(e) for e in events] == [AuthFailed, Closing]
    [error] = lines(s.take_output())
    assert error["type"] == "error" and error["code"] == "auth_failed"
    assert s.receive(encode_message(bad), 0.0) == []  # closed: nothing more is read


def test_v1_client_is_refused_while_a_token_is_set():
    s = ServerSession(now=0.0, token=b"t", hello_wait=0.1)
    assert s.poll(0.2) == []  # with a token, a slow hello is waited for longer: nothing is sent before it
    [closing] = s.poll(2.0)
    assert isinstance(closing, Closing)
    [error] = lines(s.take_output())
    assert error["code"] == "auth_required" and "--token" in str(error["message"])


def test_challenge_times_out():
    s = ServerSession(now=0.0, token=b"t")
    s.receive(HELLO, 0.0)
    s.take_output()
    assert s.deadline() is not None
    [closing] = s.poll(s.deadline() or 0.0)
    assert isinstance(closing, Closing) and lines(s.take_output())[0]["code"] == "auth_failed"


def test_requests_after_ready_need_their_capability():
    s = ServerSession(now=0.0)
    s.receive(HELLO, 0.0)
    events = s.receive(
        encode_message(ResyncMessage()) + encode_message(SelectMessage((3, 1))) + b"nonsense\n", 0.0
    )
    assert events[:2] == [ResyncRequested(), FixturesSelected((3, 1), None)]
    assert isinstance(events[2], BadLine) and s.invalid_lines == 1
    plain = ServerSession(now=0.0)
    plain.poll(1.0)
    assert plain.receive(encode_message(ResyncMessage()) + encode_message(SelectMessage((1,))), 0.0) == []


def test_invalid_line_limit_and_line_too_long_close():
    s = ServerSession(now=0.0, max_invalid_lines=2, max_line_length=100)
    s.poll(1.0)
    events = s.receive(b"x\n" * 3, 1.0)
    assert isinstance(events[-1], Closing) and "invalid lines" in events[-1].reason
    s = ServerSession(now=0.0, max_line_length=100)
    s.poll(1.0)
    [closing] = s.receive(b"y" * 200, 1.0)
    assert isinstance(closing, Closing) and "longer than 100" in closing.reason


def test_auth_limiter_blocks_after_repeated_failures_per_host():
    lim = AuthLimiter(max_failures=3, window=10.0, block=30.0)
    assert not lim.failed("10.0.0.1", 0.0)
    assert not lim.failed("10.0.0.1", 1.0)
    assert lim.blocked_for("10.0.0.1", 1.0) == 0.0
    assert lim.failed("10.0.0.1", 2.0)
    assert lim.blocked_for("10.0.0.1", 3.0) == 29.0
    assert lim.blocked_for("10.0.0.2", 3.0) == 0.0
    assert lim.blocked_for("10.0.0.1", 32.0) == 0.0
    # Failures outside the window do not add up.
    assert not lim.failed("10.0.0.3", 0.0)
    assert not lim.failed("10.0.0.3", 20.0)
    assert not lim.failed("10.0.0.3", 40.0)


def test_hello_wait_restarts_after_a_tls_handshake():
    s = ServerSession(now=0.0, hello_wait=0.1)
    s.restart_wait(5.0)  # the handshake took five seconds
    assert s.poll(0.2) == [] and s.deadline() == 5.1
    [ready] = s.receive(HELLO, 5.05)
    assert isinstance(ready, Ready) and ready.protocol == 2


def test_a_late_hello_upgrades_a_client_served_as_v1_without_zlib():
    s = ServerSession(now=0.0, hello_wait=0.05, show_name="Demo")
    assert s.poll(0.1) == [Ready(1, frozenset(), "")]
    [ready] = s.receive(HELLO, 0.2)
    assert ready == Ready(2, frozenset({"revision", "delta", "select"}), "test", upgrade=True)
    [welcome] = lines(s.take_output())
    assert welcome["capabilities"] == ["revision", "delta", "select"]
    assert s.receive(HELLO, 0.3) == []  # only once


def test_a_protocol_1_hello_gets_a_welcome_that_grants_nothing():
    s = ServerSession(now=0.0)
    [ready] = s.receive(b'{"type":"hello","protocol":1,"capabilities":["delta"]}\n', 0.0)
    assert ready == Ready(1, frozenset(), "")
    [welcome] = lines(s.take_output())
    assert welcome["protocol"] == 1 and welcome["capabilities"] == []
