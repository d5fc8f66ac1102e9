"""Packets built byte by byte from the specs, independently of shared.dmx's builders."""

from __future__ import annotations

import struct

CID_A = bytes(range(16))
CID_B = bytes(range(16, 32))


def artdmx(port_address: int, data: bytes, sequence: int = 0, physical: int = 0, *,
           length: int | None = None, version: int = 14) -> bytes:
    """Art-Net 4 ArtDmx: ID, OpCode 0x5000 LE, ProtVer 14 BE, Sequence, Physical, SubUni, Net, Length BE, Data."""
    n = len(data) if length is None else length
    return (b"Art-Net\x00" + bytes([0x00, 0x50, version >> 8, version & 0xFF, sequence, physical,
                                    port_address & 0xFF, (port_address >> 8) & 0x7F, n >> 8, n & 0xFF]) + data)


def artpoll() -> bytes:
    return b"Art-Net\x00" + bytes([0x00, 0x20, 0, 14, 0x02, 0x10])


def e131(universe: int, data: bytes, *, cid: bytes = CID_A, name: str = "test source", priority: int = 100,
         sequence: int = 0, options: int = 0, start_code: int = 0, root_vector: int = 4, frame_vector: int = 2,
         dmp_vector: int = 2, address_type: int = 0xA1, identifier: bytes = b"ASC-E1.17\x00\x00\x00") -> bytes:
    """E1.31-2018 data packet, Table 4-1, field by field."""
    values = bytes([start_code]) + data
    dmp = struct.pack(">BBHHH", dmp_vector, address_type, 0, 1, len(values)) + values
    dmp = struct.pack(">H", 0x7000 | (len(dmp) + 2)) + dmp
    framing = (struct.pack(">I", frame_vector) + name.encode().ljust(64, b"\x00") + bytes([priority])
               + struct.pack(">HBBH", 0, sequence, options, universe)) + dmp
    framing = struct.pack(">H", 0x7000 | (len(framing) + 2)) + framing
    root = struct.pack(">I", root_vector) + cid + framing
    root = struct.pack(">H", 0x7000 | (len(root) + 2)) + root
    return struct.pack(">HH", 0x0010, 0x0000) + identifier + root
