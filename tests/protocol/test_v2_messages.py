"""Protocol v2 messages: one registry, round trips, deltas and frames (sans-IO)."""

from __future__ import annotations

import json
import typing
import zlib

import pytest

from shared.protocol import InvalidMessage, LineTooLong, MessageDecoder, encode_message, parse_message
from shared.protocol.decode import _PARSERS
from shared.protocol.delta import DeltaError, apply_delta, compute_delta
from shared.protocol.extensions import (
    DeltaMessage,
    ErrorMessage,
    HelloMessage,
    ResyncMessage,
    Revision,
    SelectMessage,
    WelcomeMessage,
)
from shared.protocol.frames import COMPRESS_MIN, StreamDecoder, encode_frame, maybe_frame
from shared.protocol.messages import Message, UnknownMessage, message_type
from shared.show import ShowConfig, demo_show
from shared.show.model import Group, Stage, Vec3


def test_every_message_class_has_one_name_one_parser_and_an_encoder():
    classes = [c for c in typing.get_args(Message) if c is not UnknownMessage]
    names = [c.TYPE for c in classes]
    assert len(set(names)) == len(names)
    assert set(names) == set(_PARSERS)


@pytest.mark.parametrize(
    "msg",
    [
        HelloMessage(2, "viz", ("revision", "delta"), nonce="ab", response="cd"),
        HelloMessage(2),
        WelcomeMessage(2, "SC", "Demo", ("zlib",), challenge="ee", proof="ff"),
        ErrorMessage("auth_failed", "wrong token"),
        ResyncMessage(),
        SelectMessage((1, 2, 3), Revision("abc", 4), "highlight"),
        SelectMessage(()),
    ],
)
def test_round_trip(msg: Message):
    line = encode_message(msg)
    assert line.endswith(b"\n") and line.isascii()
    back = parse_message(line)
    assert back == msg and message_type(back) == msg.TYPE  # type: ignore[union-attr]


def test_bad_select_is_a_named_error():
    with pytest.raises(InvalidMessage, match="select: fixtures must be a list"):
        parse_message(b'{"type":"select","fixtures":[1,"x"]}')


def _moved(config: ShowConfig, index: int, dx: float) -> ShowConfig:
    f = config.fixtures[index]
    p = f.position
    fixtures = list(config.fixtures)
    fixtures[index] = f.replace(position=Vec3(p.x + dx, p.y, p.z))
    return ShowConfig(config.stage, tuple(fixtures), config.groups)


R1, R2 = Revision("s", 1), Revision("s", 2)


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: _moved(c, 3, 1.0),
        lambda c: ShowConfig(c.stage, c.fixtures[:5] + c.fixtures[7:], c.groups),
        lambda c: ShowConfig(c.stage, (*c.fixtures[:2], c.fixtures[9], *c.fixtures[2:]), c.groups),
        lambda c: ShowConfig(c.stage, c.fixtures + c.fixtures[:3], c.groups[1:]),
        lambda c: ShowConfig(Stage(20, 9), tuple(reversed(c.fixtures)), (Group("New", "#123456"), *c.groups)),
        lambda c: ShowConfig(c.stage, (), ()),
        lambda c: _moved(_moved(ShowConfig(c.stage, c.fixtures[1:], c.groups), 0, 2.0), 15, -1.0),
    ],
)
def test_delta_round_trip_through_the_wire(edit: typing.Callable[[ShowConfig], ShowConfig]):
    old = demo_show()
    new = edit(old)
    delta = compute_delta(old, new, R1, R2)
    back = parse_message(encode_message(delta))
    assert isinstance(back, DeltaMessage) and back.base == R1 and back.revision == R2
    assert apply_delta(old, back) == new


def test_moving_one_fixture_of_ten_thousand_is_well_under_a_kilobyte():
    from bench.fixtures import make_config

    old = make_config(10_000)
    new = _moved(old, 5000, 0.5)
    line = encode_message(compute_delta(old, new, R1, R2))
    assert len(line) < 1024
    assert json.loads(line)["fixtures"][0]["index"] == 5000


def test_delta_that_does_not_fit_is_refused_naming_the_place():
    old = demo_show()
    delta = compute_delta(old, _moved(old, len(old.fixtures) - 1, 1.0), R1, R2)
    with pytest.raises(DeltaError, match=r"delta: fixtures\[0\]: change at index"):
        apply_delta(ShowConfig(old.stage, old.fixtures[:3], old.groups), delta)


def test_frames_interleave_with_lines_in_any_chunking():
    config = demo_show()
    big = encode_message(SelectMessage(tuple(range(3000)))) * 3
    assert len(big) >= COMPRESS_MIN
    stream = b'{"type":"heartbeat","timestamp":1.0}\n' + maybe_frame(big) + b'{"type":"resync"}\n'
    assert stream[37:38] == b"\x00" and len(stream) < len(big) / 3
    for size in (1, 7, 4096, len(stream)):
        dec = StreamDecoder()
        out = []
        for i in range(0, len(stream), size):
            out += dec.feed(stream[i : i + size])
        assert [message_type(m) for m in out] == ["heartbeat", "select", "select", "select", "resync"]  # type: ignore[arg-type]
        assert dec.frames == 1 and dec.buffered == 0
    # A plain v1 stream goes through unchanged.
    from shared.protocol import serialize_full_config

    assert len(StreamDecoder().feed(serialize_full_config(config))) == 3


def test_frame_limits_and_garbage():
    bomb = encode_frame(b"\n" * 2_000_000)
    dec = StreamDecoder(max_line_length=100_000)
    [err] = dec.feed(bomb + b'{"type":"resync"}\n')[:1]
    assert isinstance(err, InvalidMessage) and "inflates past" in str(err)
    assert isinstance(dec.feed(b'{"type":"resync"}\n')[0], ResyncMessage)
    huge = b"\x00" + (10**9).to_bytes(4, "big") + b"zz"
    dec = StreamDecoder(max_line_length=1000)
    [err] = dec.feed(huge)
    assert isinstance(err, LineTooLong)
    bad = b"\x00" + (4).to_bytes(4, "big") + b"nope" + b'{"type":"resync"}\n'
    out = StreamDecoder().feed(bad)
    assert "not valid zlib" in str(out[0]) and isinstance(out[1], ResyncMessage)
    # A NUL inside a line is that line's problem, not a frame.
    out = StreamDecoder().feed(b'{"a\x00b"}\n{"type":"resync"}\n')
    assert len(out) == 2 and isinstance(out[1], ResyncMessage)
    assert zlib.decompress(encode_frame(b"x\n")[5:]) == b"x\n"
    assert MessageDecoder().feed(b"\x00x\n")  # v1 decoder: still just a bad line
