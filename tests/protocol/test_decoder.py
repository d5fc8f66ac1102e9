"""The incremental decoder: framing, resynchronisation and bounded memory."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.protocol import (
    FixturesMessage,
    HeartbeatMessage,
    InvalidJSON,
    InvalidMessage,
    LineTooLong,
    MessageDecoder,
    ProtocolError,
    StageMessage,
    UnknownMessage,
    UpdateMessage,
    encode_message,
    serialize_full_config,
)
from shared.show import Stage, demo_show

from .strategies import messages


def feed_all(decoder: MessageDecoder, chunks: list[bytes]) -> list[object]:
    out: list[object] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    return out


def test_full_config_one_byte_at_a_time() -> None:
    config = demo_show()
    blob = serialize_full_config(config)
    decoder = MessageDecoder()
    out = feed_all(decoder, [blob[i : i + 1] for i in range(len(blob))])
    assert [type(m) for m in out] == [StageMessage, FixturesMessage, type(out[2])]
    assert isinstance(out[1], FixturesMessage)
    assert out[1].fixtures == config.fixtures
    assert decoder.buffered == 0


def test_many_lines_in_one_chunk_crlf_and_blank_lines() -> None:
    data = (
        b'{"type":"heartbeat","timestamp":1.5}\r\n'
        b"\n   \r\n"
        b'{"type": "heartbeat", "timestamp": null}\n'
        b'{"type":"update","update_type":"config_changed","data":{}}\n'
    )
    out = MessageDecoder().feed(data)
    assert out == [
        HeartbeatMessage(1.5),
        HeartbeatMessage(None),
        UpdateMessage("config_changed", {}),
    ]


def test_utf8_split_across_chunks() -> None:
    # Peers must send ASCII, but a raw UTF-8 line must still decode when a
    # multi-byte character is split between two reads.
    line = '{"type":"stage","width":10,"height":8,"venue":"Große Halle ☃"}\n'.encode()
    cut = line.index("☃".encode()) + 1
    decoder = MessageDecoder()
    assert decoder.feed(line[:cut]) == []
    (msg,) = decoder.feed(line[cut:])
    assert isinstance(msg, StageMessage)
    assert msg.stage.extra == {"venue": "Große Halle ☃"}


def test_errors_are_returned_in_order_and_decoding_continues() -> None:
    data = (
        b"this is not json\n"
        b'{"type":"fixtures","fixtures":{"A":1}}\n'
        b"[1,2,3]\n"
        b'{"no_type":1}\n'
        b'{"type":"future_thing","x":1}\n'
        b'{"type":"heartbeat","timestamp":2}\n'
    )
    out = MessageDecoder().feed(data)
    assert isinstance(out[0], InvalidJSON) and out[0].line == 1
    assert isinstance(out[1], InvalidMessage) and out[1].line == 2
    assert "fixtures must be a list" in str(out[1]) and "fixtures" in str(out[1])
    assert isinstance(out[2], InvalidJSON) and "list" in str(out[2])
    assert isinstance(out[3], InvalidMessage) and "type" in str(out[3])
    assert out[4] == UnknownMessage("future_thing", {"type": "future_thing", "x": 1})
    assert out[5] == HeartbeatMessage(2.0)


def test_overlong_line_is_reported_once_skipped_and_not_held() -> None:
    decoder = MessageDecoder(max_line_length=1000)
    out = decoder.feed(b'{"type":"heartbeat","timestamp":1}\n' + b"x" * 600)
    assert out == [HeartbeatMessage(1.0)]
    out = decoder.feed(b"y" * 600)
    assert len(out) == 1 and isinstance(out[0], LineTooLong)
    assert "1000" in str(out[0])
    # The rest of the endless line is dropped as it arrives.
    for _ in range(1000):
        assert decoder.feed(b"z" * 4096) == []
        assert decoder.buffered == 0
    out = decoder.feed(b'zzz\n{"type":"heartbeat","timestamp":3}\n')
    assert out == [HeartbeatMessage(3.0)]


def test_overlong_complete_line_inside_one_chunk() -> None:
    decoder = MessageDecoder(max_line_length=100)
    out = decoder.feed(b"a" * 150 + b'\n{"type":"heartbeat","timestamp":4}\n')
    assert isinstance(out[0], LineTooLong)
    assert out[1] == HeartbeatMessage(4.0)


def test_line_numbers_count_every_line() -> None:
    decoder = MessageDecoder()
    decoder.feed(b"\n\n")
    (err,) = decoder.feed(b"{oops\n")
    assert isinstance(err, ProtocolError)
    assert str(err).startswith("line 3: invalid JSON")


def test_memoryview_and_bytearray_input() -> None:
    line = encode_message(StageMessage(Stage(4.0, 3.0)))
    assert MessageDecoder().feed(memoryview(line)) == [StageMessage(Stage(4.0, 3.0))]
    assert MessageDecoder().feed(bytearray(line)) == [StageMessage(Stage(4.0, 3.0))]


@settings(max_examples=150, deadline=None)
@given(
    msgs=st.lists(messages(), min_size=1, max_size=6),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=25),
    crlf=st.booleans(),
)
def test_any_chunking_decodes_to_the_same_messages(
    msgs: list[object], cuts: list[int], crlf: bool
) -> None:
    blob = b"".join(encode_message(m) for m in msgs)  # type: ignore[arg-type]
    if crlf:
        blob = blob.replace(b"\n", b"\r\n")
    whole = MessageDecoder().feed(blob)
    assert whole == msgs
    points = sorted({c % (len(blob) + 1) for c in cuts})
    chunks = [blob[a:b] for a, b in zip([0, *points], [*points, len(blob)], strict=True)]
    assert feed_all(MessageDecoder(), chunks) == msgs


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=10))
def test_garbage_never_raises_and_good_line_after_it_decodes(junk: bytes, cuts: list[int]) -> None:
    blob = junk + b'\n{"type":"heartbeat","timestamp":7}\n'
    points = sorted({c % (len(blob) + 1) for c in cuts})
    chunks = [blob[a:b] for a, b in zip([0, *points], [*points, len(blob)], strict=True)]
    out = feed_all(MessageDecoder(max_line_length=300), chunks)
    assert out[-1] == HeartbeatMessage(7.0)
    assert all(isinstance(m, ProtocolError | HeartbeatMessage | UnknownMessage) or m for m in out)


def test_decoder_output_matches_json_loads_for_legacy_spacing() -> None:
    # Existing Show Creator builds write json.dumps() defaults: ", " and ": ".
    legacy = json.dumps({"type": "stage", "width": 10.0, "height": 8.0, "grid_size": 0.5}) + "\n"
    assert MessageDecoder().feed(legacy.encode()) == [StageMessage(Stage(10.0, 8.0, 0.5))]


_FIXTURE = (
    '{"name":"F","manufacturer":"m","model":"m","mode":"m","universe":1,"address":1,'
    '"position":{"x":0,"y":0,"z":0}%s}'
)


@pytest.mark.parametrize("depth", [990, 1000, 1023, 1024, 5000])
@pytest.mark.parametrize(
    "template",
    [
        '{"type":"stage","width":%s,"height":1}',
        '{"type":"groups","groups":[{"name":"g","color":%s}]}',
        '{"type":"fixtures","fixtures":[' + _FIXTURE % ',"color_wheel":%s' + "]}",
        '{"type":"heartbeat","timestamp":1,"x":%s}',
    ],
    ids=["stage", "groups", "fixtures", "heartbeat"],
)
def test_deeply_nested_values_are_an_error_not_an_exception(template: str, depth: int) -> None:
    """Nesting near Python's recursion limit made the codec's repr() or msgspec raise
    RecursionError out of feed(): one such line from any client killed the server's
    I/O loop, and the decoder then raised on every later feed."""
    nested = "[" * depth + "]" * depth
    line = (template % nested).encode()
    decoder = MessageDecoder()
    out = decoder.feed(line + b'\n{"type":"heartbeat","timestamp":7}\n')
    assert out[-1] == HeartbeatMessage(7.0)
    assert len(out) == 2
    if isinstance(out[0], ProtocolError):
        assert out[0].line == 1 and "\n" not in str(out[0])
        assert len(str(out[0])) < 200
    assert decoder.feed(b'{"type":"heartbeat","timestamp":8}\n') == [HeartbeatMessage(8.0)]


def test_a_channel_offset_of_thousands_of_digits_is_a_warning_not_an_exception() -> None:
    key = "9" * 5000  # int() refuses strings this long with ValueError
    line = '{"type":"fixtures","fixtures":[' + _FIXTURE % f',"channel_mapping":{{"{key}":"red"}}' + "]}"
    (msg,) = MessageDecoder().feed(line.encode() + b"\n")
    assert isinstance(msg, FixturesMessage) and len(msg.fixtures) == 1
    (problem,) = msg.problems
    assert "channel_mapping offset '99999" in str(problem) and "is outside 0..511" in str(problem)
    assert len(str(problem)) < 200


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"\x00\xff garbage", "line 1: invalid JSON: not UTF-8 (invalid start byte at position 1)"),
        (b'{"type":"stage","name":"\xc3"}',
         "line 1: invalid JSON: not UTF-8 (invalid continuation byte at position 24)"),
    ],
)
def test_bytes_that_are_not_utf8_are_named_as_such(line: bytes, expected: str) -> None:
    """orjson's own text, "str is not valid UTF-8: surrogates not allowed at position 0",
    names neither the problem nor the place."""
    (error,) = MessageDecoder().feed(line + b"\n")
    assert isinstance(error, InvalidJSON)
    assert str(error) == expected
