"""Properties of protocol 2's sans-IO parts, with hypothesis: deltas, frames, the server session."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from server.session import Closing, ServerSession
from shared.protocol import encode_message, parse_message, serialize_full_config
from shared.protocol.delta import apply_delta, compute_delta
from shared.protocol.extensions import Revision, SelectMessage
from shared.protocol.frames import StreamDecoder, maybe_frame
from shared.protocol.messages import message_type
from shared.show import ShowConfig, demo_show
from shared.show.model import Vec3

BASE = demo_show()
R1, R2 = Revision("p", 1), Revision("p", 2)

edit = st.tuples(st.sampled_from(["insert", "remove", "change", "swap"]), st.integers(0, 40), st.integers(0, 40))


def _edited(ops: list[tuple[str, int, int]]) -> ShowConfig:
    fixtures = list(BASE.fixtures)
    groups = list(BASE.groups)
    for op, a, b in ops:
        n = len(fixtures)
        if op == "insert":
            fixtures.insert(min(a, n), BASE.fixtures[b % len(BASE.fixtures)])
        elif op == "remove" and n:
            del fixtures[a % n]
        elif op == "change" and n:
            f = fixtures[a % n]
            fixtures[a % n] = f.replace(position=Vec3(f.position.x + b, f.position.y, f.position.z))
        elif op == "swap" and n:
            i, j = a % n, b % n
            fixtures[i], fixtures[j] = fixtures[j], fixtures[i]
        if b % 7 == 0 and groups:
            groups.pop()
    return ShowConfig(BASE.stage, tuple(fixtures), tuple(groups))


@settings(max_examples=150, deadline=None)
@given(st.lists(edit, max_size=8))
def test_any_edit_sequence_round_trips_through_a_delta_on_the_wire(ops):
    new = _edited(ops)
    delta = parse_message(encode_message(compute_delta(BASE, new, R1, R2)))
    assert apply_delta(BASE, delta) == new  # type: ignore[arg-type]


big = encode_message(SelectMessage(tuple(range(4000))))
stream = (serialize_full_config(BASE) + maybe_frame(big * 3) + b'{"type":"resync"}\n'
          + maybe_frame(serialize_full_config(BASE)))
expected = [message_type(m) for m in StreamDecoder().feed(stream)]  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=1, max_size=60))
def test_frames_and_lines_decode_the_same_in_any_chunking(cuts):
    dec = StreamDecoder()
    out = []
    pos = 0
    for size in cuts:
        out += dec.feed(stream[pos : pos + size])
        pos += size
    out += dec.feed(stream[pos:])
    assert [message_type(m) for m in out] == expected  # type: ignore[arg-type]
    assert expected.count("select") == 3 and dec.frames == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=20), st.booleans())
def test_server_session_survives_any_bytes(chunks, token):
    s = ServerSession(now=0.0, token=b"t" if token else None, max_line_length=256, max_invalid_lines=5)
    now = 0.0
    for chunk in chunks:
        events = s.receive(chunk, now)
        s.take_output()
        now += 0.01
        if any(isinstance(e, Closing) for e in events):
            assert s.closed and s.receive(b'{"type":"ack","ack_type":"config"}\n', now) == []
            break
    s.poll(now + 10)
    assert s.state in ("ready", "closing", "challenged")
