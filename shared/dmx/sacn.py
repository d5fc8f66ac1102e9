"""sACN (ANSI E1.31-2018) data packets, sans-IO: parse with all three layers checked, and build.

Layout of an E1.31 Data Packet (E1.31-2018 §4.1, Table 4-1)::

    Root layer (§5)
      0   Preamble Size          0x0010            (§5.1)
      2   Post-amble Size        0x0000            (§5.2)
      4   ACN Packet Identifier  "ASC-E1.17\\0\\0\\0" (§5.3)
      16  Flags & Length         0x7000 | (len-16) (§5.4)
      18  Vector                 0x00000004 data (0x00000008 extended: sync, discovery) (§5.5)
      22  CID[16]                the source's id   (§5.6)
    Framing layer (§6.2)
      38  Flags & Length         0x7000 | (len-38)
      40  Vector                 0x00000002 VECTOR_E131_DATA_PACKET
      44  Source Name[64]        UTF-8, NUL-terminated (§6.2.2)
      108 Priority               0..200, default 100 (§6.2.3)
      109 Synchronization Address (§6.2.4)
      111 Sequence Number        (§6.2.5, rule in §6.7.2)
      112 Options                bit 7 Preview_Data, bit 6 Stream_Terminated, bit 5 Force_Synchronization (§6.2.6)
      113 Universe               1..63999 (§6.2.7)
    DMP layer (§7)
      115 Flags & Length         0x7000 | (len-115)
      117 Vector                 0x02 VECTOR_DMP_SET_PROPERTY (§7.2)
      118 Address & Data Type    0xa1 (§7.3)
      119 First Property Address 0x0000 (§7.4)
      121 Address Increment      0x0001 (§7.5)
      123 Property value count   1 + slots, 1..513 (§7.6)
      125 START code, then up to 512 slots (§7.7)

Only START code 0x00 (null START code, levels) is a level frame; anything else,
notably 0xDD (per-address priority), is returned as ``Ignored`` so a receiver
never shows priorities as levels.  Multicast group 239.255.hi.lo (§9.3.1).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from shared.dmx.errors import Ignored, PacketError

SACN_PORT = 5568
ACN_PACKET_IDENTIFIER = b"ASC-E1.17\x00\x00\x00"
VECTOR_ROOT_E131_DATA = 0x00000004
VECTOR_ROOT_E131_EXTENDED = 0x00000008
VECTOR_E131_DATA_PACKET = 0x00000002
VECTOR_DMP_SET_PROPERTY = 0x02
DMP_ADDRESS_TYPE = 0xA1
OPTION_PREVIEW = 0x80
OPTION_TERMINATED = 0x40
OPTION_FORCE_SYNC = 0x20
START_CODE_LEVELS = 0x00
START_CODE_PRIORITY = 0xDD
MIN_UNIVERSE, MAX_UNIVERSE = 1, 63999
MAX_PRIORITY = 200
DEFAULT_PRIORITY = 100
DATA_OFFSET = 126
MIN_SIZE = 126  # a DMP layer holding only the START code
MAX_SIZE = 638


@dataclass(frozen=True, slots=True)
class SacnData:
    """One E1.31 data packet whose START code is 0x00 (levels)."""

    universe: int
    data: bytes
    cid: bytes
    source_name: str
    priority: int
    sequence: int
    options: int = 0
    sync_address: int = 0

    @property
    def preview(self) -> bool:
        return bool(self.options & OPTION_PREVIEW)

    @property
    def terminated(self) -> bool:
        return bool(self.options & OPTION_TERMINATED)


@dataclass(frozen=True, slots=True)
class SacnOtherStart(Ignored):
    """A well-formed data packet with another START code (kept so a stream termination still counts)."""

    universe: int = 0
    cid: bytes = b""
    start_code: int = 0
    options: int = 0


SacnPacket = SacnData | SacnOtherStart | Ignored | PacketError


def multicast_group(universe: int) -> str:
    """239.255.hi.lo for ``universe`` (E1.31-2018 §9.3.1)."""
    if not MIN_UNIVERSE <= universe <= MAX_UNIVERSE:
        raise ValueError(f"sACN universe {universe} is outside {MIN_UNIVERSE}..{MAX_UNIVERSE}")
    return f"239.255.{universe >> 8}.{universe & 0xFF}"


def _error(reason: str, detail: str) -> PacketError:
    return PacketError("sACN", reason, detail)


def _flags_length(packet: bytes | bytearray | memoryview, offset: int, size: int, layer: str) -> PacketError | None:
    """Flags must be 0x7; the PDU length must reach the end of the datagram (§5.4, §6.2.1, §7.1)."""
    value = (packet[offset] << 8) | packet[offset + 1]
    if value >> 12 != 0x7:
        return _error("bad-flags", f"{layer} flags are 0x{value >> 12:x}, expected 0x7")
    if (value & 0x0FFF) != size - offset:
        return _error("bad-length", f"{layer} length {value & 0x0FFF} does not match the {size - offset} bytes left")
    return None


def parse(packet: bytes | bytearray | memoryview) -> SacnPacket:
    """Read one UDP payload received on the sACN port."""
    size = len(packet)
    if size < 22:
        return _error("short", f"{size} bytes is too short for an E1.31 root layer")
    if packet[0] != 0x00 or packet[1] != 0x10 or packet[2] != 0 or packet[3] != 0:
        return _error("not-sacn", "preamble/post-amble size is not 0x0010/0x0000 (E1.31 §5.1, §5.2)")
    if bytes(packet[4:16]) != ACN_PACKET_IDENTIFIER:
        return _error("not-sacn", "ACN packet identifier is not ASC-E1.17 (E1.31 §5.3)")
    root_vector = struct.unpack_from(">I", packet, 18)[0]
    if root_vector == VECTOR_ROOT_E131_EXTENDED:
        return Ignored("sACN", "sync or discovery")
    if root_vector != VECTOR_ROOT_E131_DATA:
        return _error("bad-vector", f"root vector 0x{root_vector:08x} is not E1.31 data (E1.31 §5.5)")
    if size < MIN_SIZE:
        return _error("short", f"data packet of {size} bytes is shorter than {MIN_SIZE} (E1.31 §4.1)")
    if size > MAX_SIZE:
        return _error("bad-length", f"data packet of {size} bytes is longer than {MAX_SIZE} (E1.31 §4.1)")
    for offset, layer in ((16, "root layer"), (38, "framing layer"), (115, "DMP layer")):
        problem = _flags_length(packet, offset, size, layer)
        if problem is not None:
            return problem
    frame_vector = struct.unpack_from(">I", packet, 40)[0]
    if frame_vector != VECTOR_E131_DATA_PACKET:
        return _error("bad-vector", f"framing vector 0x{frame_vector:08x} is not a data packet (E1.31 §6.2.1)")
    universe = (packet[113] << 8) | packet[114]
    if not MIN_UNIVERSE <= universe <= MAX_UNIVERSE:
        return _error("bad-universe", f"universe {universe} is outside 1..63999 (E1.31 §6.2.7)")
    priority = packet[108]
    if priority > MAX_PRIORITY:
        return _error("bad-priority", f"universe {universe}: priority {priority} is above 200 (E1.31 §6.2.3)")
    if packet[117] != VECTOR_DMP_SET_PROPERTY:
        return _error("bad-vector", f"universe {universe}: DMP vector 0x{packet[117]:02x} is not 0x02 (E1.31 §7.2)")
    if packet[118] != DMP_ADDRESS_TYPE:
        return _error("bad-dmp",
                      f"universe {universe}: address & data type 0x{packet[118]:02x} is not 0xa1 (E1.31 §7.3)")
    first, increment, count = struct.unpack_from(">HHH", packet, 119)
    if first != 0 or increment != 1:
        return _error("bad-dmp", f"universe {universe}: first address {first} / increment {increment}, "
                      "expected 0 / 1 (E1.31 §7.4, §7.5)")
    if not 1 <= count <= 513 or count != size - 125:
        return _error("bad-length", f"universe {universe}: property value count {count} does not match the "
                      f"{size - 125} values present (E1.31 §7.6)")
    cid = bytes(packet[22:38])
    options = packet[112]
    start = packet[125]
    if start != START_CODE_LEVELS:
        return SacnOtherStart("sACN", f"START code 0x{start:02X}", universe, cid, start, options)
    name = bytes(packet[44:108]).split(b"\x00", 1)[0].decode("utf-8", "replace")
    sync = (packet[109] << 8) | packet[110]
    return SacnData(universe, bytes(packet[DATA_OFFSET:size]), cid, name, priority, packet[111], options, sync)


def build(
    universe: int,
    data: bytes | bytearray | memoryview,
    *,
    cid: bytes,
    source_name: str = "Show Creator",
    priority: int = DEFAULT_PRIORITY,
    sequence: int = 0,
    options: int = 0,
    start_code: int = START_CODE_LEVELS,
    sync_address: int = 0,
) -> bytes:
    """One E1.31 data packet (E1.31-2018 §4.1)."""
    multicast_group(universe)  # validates the range
    if len(cid) != 16:
        raise ValueError("CID must be 16 bytes")
    if not 0 <= priority <= MAX_PRIORITY:
        raise ValueError(f"priority {priority} is outside 0..200")
    slots = bytes(data)
    if len(slots) > 512:
        raise ValueError(f"{len(slots)} slots is more than 512")
    size = DATA_OFFSET + len(slots)
    buf = bytearray(size)
    struct.pack_into(">HH12sHI16s", buf, 0, 0x0010, 0, ACN_PACKET_IDENTIFIER, 0x7000 | (size - 16),
                     VECTOR_ROOT_E131_DATA, cid)
    name = source_name.encode("utf-8")[:63]
    struct.pack_into(">HI64sBHBBH", buf, 38, 0x7000 | (size - 38), VECTOR_E131_DATA_PACKET, name, priority,
                     sync_address, sequence & 0xFF, options & 0xFF, universe)
    struct.pack_into(">HBBHHHB", buf, 115, 0x7000 | (size - 115), VECTOR_DMP_SET_PROPERTY, DMP_ADDRESS_TYPE,
                     0, 1, len(slots) + 1, start_code)
    buf[DATA_OFFSET:] = slots
    return bytes(buf)


def new_cid() -> bytes:
    """A fresh component identifier (a UUID, E1.31 §5.6)."""
    return uuid.uuid4().bytes
