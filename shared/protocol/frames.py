"""Compressed frames for large server-to-client messages (negotiated ``zlib``), sans-IO.

Wire shape, interleaved with ordinary lines, always starting where a line
could start::

    0x00 | length: uint32 big-endian | zlib stream of `length` bytes

The zlib stream inflates to one or more complete lines (each ending in
``\\n``), which are then decoded exactly as if they had arrived plain.  A
JSON line never contains a raw NUL byte (JSON escapes control characters),
so the first byte tells frames from lines without any mode switch: a
receiver that understands frames can read any v1 or v2 stream.

Only a client that listed ``zlib`` in its hello, and got it back in the
welcome, is ever sent a frame; a server sends frames only for messages of
at least :data:`COMPRESS_MIN` bytes (small ones would grow).

Limits: a frame longer than the line limit, or one that inflates past it
(a "zip bomb"), is reported as a ``ProtocolError`` and skipped, never
buffered whole.
"""

from __future__ import annotations

import struct
import zlib

from shared.protocol.decode import DEFAULT_MAX_LINE, MessageDecoder
from shared.protocol.errors import InvalidMessage, LineTooLong, ProtocolError
from shared.protocol.messages import Message

FRAME_MAGIC = b"\x00"
_HEADER = struct.Struct(">cI")
HEADER_SIZE = _HEADER.size  # 5

#: Messages shorter than this go out as plain lines even to a zlib client.
COMPRESS_MIN = 16 * 1024
#: zlib level: 1 is several times faster than the default 6 and loses little on JSON (bench/bench_wire.py).
DEFAULT_LEVEL = 1


def encode_frame(lines: bytes, level: int = DEFAULT_LEVEL) -> bytes:
    """One frame holding ``lines`` (complete lines, each ending in ``\\n``)."""
    body = zlib.compress(lines, level)
    return _HEADER.pack(FRAME_MAGIC, len(body)) + body


def maybe_frame(lines: bytes, level: int = DEFAULT_LEVEL) -> bytes:
    """``lines`` as a frame when that is worth it (large and smaller compressed), else as they are."""
    if len(lines) < COMPRESS_MIN:
        return lines
    framed = encode_frame(lines, level)
    return framed if len(framed) < len(lines) else lines


class StreamDecoder:
    """``MessageDecoder`` that also accepts frames: ``feed(bytes) -> [Message | ProtocolError]``.

    Attributes mirror MessageDecoder's (``buffered``, ``lines``,
    ``max_line_length``, ``bytes_received``); ``frames`` counts frames and
    ``inflated`` the bytes they expanded to.
    """

    def __init__(self, max_line_length: int = DEFAULT_MAX_LINE, *, frames: bool = True) -> None:
        self.decoder = MessageDecoder(max_line_length)
        #: False: exactly MessageDecoder (a NUL byte is garbage in a line).  Receivers turn
        #: frames on only while ``zlib`` is asked for or agreed, so a v1 peer's garbage
        #: can never be taken for a frame and swallow the good lines after it.
        self.frames_enabled = frames
        self.max_line_length = max_line_length
        self._frame: bytearray | None = None  # header + body collected so far
        self._skip = 0  # body bytes of an over-long frame still to drop
        self.frames = 0
        self.inflated = 0
        self.bytes_received = 0

    @property
    def buffered(self) -> int:
        return self.decoder.buffered + (0 if self._frame is None else len(self._frame)) + self._skip

    @property
    def lines(self) -> int:
        return self.decoder.lines

    def feed(self, data: bytes | bytearray | memoryview) -> list[Message | ProtocolError]:
        if isinstance(data, memoryview):
            data = data.tobytes()
        self.bytes_received += len(data)
        dec = self.decoder
        out: list[Message | ProtocolError] = []
        pos, end = 0, len(data)
        if not self.frames_enabled and self._frame is None and not self._skip:
            return dec.feed(data)
        while pos < end:
            if self._skip:
                n = min(self._skip, end - pos)
                self._skip -= n
                pos += n
                continue
            if self._frame is not None:
                pos = self._collect(data, pos, out)
                continue
            nul = data.find(FRAME_MAGIC, pos)
            if nul < 0:
                out += dec.feed(data[pos:] if pos else data)
                break
            if nul > pos:
                out += dec.feed(data[pos:nul])
            if dec.buffered:
                # A NUL inside a line is no frame: that line is garbage, let the decoder say so.
                nl = data.find(b"\n", nul)
                stop = end if nl < 0 else nl + 1
                out += dec.feed(data[nul:stop])
                pos = stop
                continue
            self._frame = bytearray()
            pos = nul
        return out

    def _collect(self, data: bytes | bytearray, pos: int, out: list[Message | ProtocolError]) -> int:
        frame = self._frame
        assert frame is not None
        if len(frame) < HEADER_SIZE:
            take = min(HEADER_SIZE - len(frame), len(data) - pos)
            frame += data[pos : pos + take]
            pos += take
            if len(frame) < HEADER_SIZE:
                return pos
            length = _HEADER.unpack_from(frame)[1]
            if length > self.max_line_length:
                self._frame = None
                self._skip = length
                self.decoder.lines += 1
                out.append(
                    LineTooLong(f"frame of {length} bytes longer than {self.max_line_length}, skipped",
                                line=self.decoder.lines)
                )
                return pos
        length = _HEADER.unpack_from(frame)[1]
        want = HEADER_SIZE + length - len(frame)
        take = min(want, len(data) - pos)
        frame += data[pos : pos + take]
        pos += take
        if len(frame) == HEADER_SIZE + length:
            self._frame = None
            self._inflate(memoryview(frame)[HEADER_SIZE:], out)
        return pos

    def _inflate(self, body: memoryview, out: list[Message | ProtocolError]) -> None:
        self.frames += 1
        inflater = zlib.decompressobj()
        problem = None
        try:
            lines = inflater.decompress(body, self.max_line_length + 1)
            if len(lines) > self.max_line_length or inflater.unconsumed_tail:
                problem = f"frame inflates past {self.max_line_length} bytes, skipped"
            elif not inflater.eof:
                problem = "frame holds a truncated zlib stream, skipped"
        except zlib.error as exc:
            problem = f"frame is not valid zlib data ({exc}), skipped"
        if problem is not None:
            self.decoder.lines += 1
            out.append(InvalidMessage(problem, line=self.decoder.lines))
            return
        self.inflated += len(lines)
        out += self.decoder.feed(lines)
        if self.decoder.buffered:  # a frame must end at a line end; close the stray line
            out += self.decoder.feed(b"\n")
