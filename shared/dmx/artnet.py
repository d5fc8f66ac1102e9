"""Art-Net 4 packets, sans-IO: ArtDmx in and out, ArtPoll in, ArtPollReply out.

Field offsets follow the Art-Net 4 specification (Artistic Licence, "Art-Net 4
Protocol Release V1.4", sections *ArtDmx*, *ArtPoll*, *ArtPollReply* and
*Port-Address*), cross-checked against the packet tables published at
https://hexdocs.pm/art_net/ArtNet.Packet.ArtPollReply.html,
https://infosys.beckhoff.com/content/1033/artnet/1077021195.html (ArtPollReply)
and https://infosys.beckhoff.com/content/1033/artnet/1076781067.html (ArtPoll).

ArtDmx (spec: *ArtDmx*)::

    0  ID[8]      "Art-Net\\0"
    8  OpCode     0x5000, little-endian
    10 ProtVerHi  } protocol version, big-endian, >= 14
    11 ProtVerLo  }
    12 Sequence   0 = sequencing off, else 1..255 wrapping to 1
    13 Physical   informative: the sender's physical input port
    14 SubUni     low byte of the 15-bit Port-Address (Sub-Net << 4 | Universe)
    15 Net        bits 14..8 of the Port-Address
    16 LengthHi   } channel count, big-endian, 2..512 ("should be even";
    17 Length     }   an odd count is accepted here, as most receivers do)
    18 Data[Length]

Parsing never raises: it returns a packet, ``Ignored`` or a ``PacketError``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from shared.dmx.errors import Ignored, PacketError

ARTNET_PORT = 6454
ARTNET_ID = b"Art-Net\x00"
OP_POLL = 0x2000
OP_POLL_REPLY = 0x2100
OP_DMX = 0x5000
OP_SYNC = 0x5200
PROTOCOL_VERSION = 14
HEADER_SIZE = 18  # ArtDmx header up to Data
POLL_MIN_SIZE = 14  # ArtPoll up to DiagPriority; later fields are optional
POLL_TARGETED = 0x20  # ArtPoll Flags bit 5: Targeted Mode (reply only within TargetPortAddressBottom..Top)
POLL_REPLY_SIZE = 239
MAX_PORT_ADDRESS = 0x7FFF
DMX_MAX = 512
#: Art-Net 4 OpCodes we read and ignore, by name; any other OpCode is counted as one "other OpCode"
#: (a counter per OpCode let a stream of odd packets pile up 65,536 counter keys).
IGNORED_OPCODES = {
    0x2100: "ArtPollReply", 0x2300: "ArtDiagData", 0x2400: "ArtCommand", 0x2700: "ArtDataRequest",
    0x2800: "ArtDataReply", 0x5100: "ArtNzs", 0x5200: "ArtSync", 0x6000: "ArtAddress", 0x7000: "ArtInput",
    0x8000: "ArtTodRequest", 0x8100: "ArtTodData", 0x8200: "ArtTodControl", 0x8300: "ArtRdm", 0x8400: "ArtRdmSub",
    0x9700: "ArtTimeCode", 0x9800: "ArtTimeSync", 0x9900: "ArtTrigger", 0x9A00: "ArtDirectory",
    0x9B00: "ArtDirectoryReply", 0xF200: "ArtFirmwareMaster", 0xF300: "ArtFirmwareReply", 0xF800: "ArtIpProg",
    0xF900: "ArtIpProgReply",
}


@dataclass(frozen=True, slots=True)
class ArtDmx:
    """One ArtDmx frame: levels for ``port_address`` (0..32767)."""

    port_address: int
    data: bytes
    sequence: int = 0
    physical: int = 0

    @property
    def net(self) -> int:
        return self.port_address >> 8

    @property
    def sub_net(self) -> int:
        return (self.port_address >> 4) & 0x0F

    @property
    def universe(self) -> int:
        return self.port_address & 0x0F


@dataclass(frozen=True, slots=True)
class ArtPoll:
    """A controller looking for nodes (spec: *ArtPoll*); we answer with ArtPollReply."""

    flags: int
    diag_priority: int
    target_top: int | None = None
    target_bottom: int | None = None


ArtPacket = ArtDmx | ArtPoll | Ignored | PacketError


def port_address(net: int, sub_net: int, universe: int) -> int:
    """The 15-bit Port-Address (spec: *Port-Address*): Net 0..127, Sub-Net 0..15, Universe 0..15."""
    if not (0 <= net <= 127 and 0 <= sub_net <= 15 and 0 <= universe <= 15):
        raise ValueError(f"Net {net}, Sub-Net {sub_net}, Universe {universe} out of range (0..127, 0..15, 0..15)")
    return (net << 8) | (sub_net << 4) | universe


def _error(reason: str, detail: str) -> PacketError:
    return PacketError("Art-Net", reason, detail)


def parse(packet: bytes | bytearray | memoryview) -> ArtPacket:
    """Read one UDP payload received on the Art-Net port."""
    size = len(packet)
    if size < 12:
        if bytes(packet[:8]) == ARTNET_ID[:min(size, 8)]:
            return _error("short", f"{size} bytes is too short for an Art-Net header (12)")
        return _error("not-artnet", "does not start with the Art-Net ID")
    if bytes(packet[:8]) != ARTNET_ID:
        return _error("not-artnet", "does not start with the Art-Net ID")
    opcode = packet[8] | (packet[9] << 8)
    version = (packet[10] << 8) | packet[11]
    if opcode == OP_DMX:
        return _parse_dmx(packet, size, version)
    if opcode == OP_POLL:
        if version < PROTOCOL_VERSION:
            return _error("old-version", f"ArtPoll protocol version {version} is older than {PROTOCOL_VERSION}")
        if size < POLL_MIN_SIZE:
            return _error("short", f"ArtPoll of {size} bytes is shorter than {POLL_MIN_SIZE}")
        top = bottom = None
        if size >= 18:  # Art-Net 4 targeted mode fields (spec: ArtPoll, TargetPortAddressTop/Bottom)
            top = (packet[14] << 8) | packet[15]
            bottom = (packet[16] << 8) | packet[17]
        return ArtPoll(packet[12], packet[13], top, bottom)
    return Ignored("Art-Net", IGNORED_OPCODES.get(opcode, "other OpCode"))


def _parse_dmx(packet: bytes | bytearray | memoryview, size: int, version: int) -> ArtPacket:
    if version < PROTOCOL_VERSION:
        return _error("old-version", f"ArtDmx protocol version {version} is older than {PROTOCOL_VERSION}")
    if size < HEADER_SIZE:
        return _error("short", f"ArtDmx of {size} bytes is shorter than its header ({HEADER_SIZE})")
    length = (packet[16] << 8) | packet[17]
    port = ((packet[15] & 0x7F) << 8) | packet[14]
    if not 2 <= length <= DMX_MAX:
        return _error("bad-length", f"ArtDmx for Port-Address {port}: length {length} is outside 2..512")
    if size < HEADER_SIZE + length:
        return _error(
            "truncated",
            f"ArtDmx for Port-Address {port}: length says {length} channels but {size - HEADER_SIZE} arrived",
        )
    return ArtDmx(port, bytes(packet[HEADER_SIZE:HEADER_SIZE + length]), packet[12], packet[13])


def build_dmx(port_address: int, data: bytes | bytearray | memoryview, sequence: int = 0, physical: int = 0) -> bytes:
    """An ArtDmx packet; an odd channel count is padded with one zero (the spec asks for even lengths)."""
    if not 0 <= port_address <= MAX_PORT_ADDRESS:
        raise ValueError(f"Port-Address {port_address} is outside 0..{MAX_PORT_ADDRESS}")
    if not 0 <= sequence <= 255:
        raise ValueError(f"sequence {sequence} is outside 0..255")
    payload = bytes(data)
    if len(payload) % 2:
        payload += b"\x00"
    if len(payload) < 2:
        payload = payload.ljust(2, b"\x00")
    if len(payload) > DMX_MAX:
        raise ValueError(f"{len(data)} channels is more than 512")
    return (
        ARTNET_ID
        + struct.pack("<H", OP_DMX)
        + struct.pack(">HBBBBH", PROTOCOL_VERSION, sequence, physical & 0xFF, port_address & 0xFF,
                      port_address >> 8, len(payload))
        + payload
    )


def build_poll(flags: int = 0, diag_priority: int = 0x10) -> bytes:
    """An ArtPoll (used by tests and tools; the visualizer only answers polls)."""
    return ARTNET_ID + struct.pack("<H", OP_POLL) + struct.pack(">HBB", PROTOCOL_VERSION, flags, diag_priority)


def next_sequence(sequence: int) -> int:
    """The sequence after ``sequence``: 1..255 wrapping to 1 (0 stays "off")."""
    return 0 if sequence == 0 else sequence % 255 + 1


@dataclass(frozen=True, slots=True)
class PollReplyInfo:
    """What a node tells a controller about itself (spec: *ArtPollReply*)."""

    ip: str
    short_name: str = "Stage Visualizer"
    long_name: str = "Stage Visualizer (Show Creator rig viewer)"
    node_report: str = "#0001 [0000] receiving"
    mac: bytes = b"\x00" * 6
    oem: int = 0x00FF  # "unknown" OEM code
    esta_man: int = 0x0000


def build_poll_reply(info: PollReplyInfo, port_addresses: list[int] | tuple[int, ...]) -> list[bytes]:
    """ArtPollReply packets announcing output ports for ``port_addresses``.

    One reply describes up to four ports sharing Net and Sub-Net (NetSwitch,
    SubSwitch and SwOut[4] hold the Port-Address); more universes take more
    replies, told apart by BindIndex 1, 2, ... (spec: *ArtPollReply*, BindIndex).
    Offsets (total 239 bytes): IP 10, Port 14 (LE), VersInfo 16, NetSwitch 18,
    SubSwitch 19, Oem 20, Ubea 22, Status1 23, EstaMan 24 (LE), ShortName 26[18],
    LongName 44[64], NodeReport 108[64], NumPorts 172, PortTypes 174[4],
    GoodInput 178[4], GoodOutputA 182[4], SwIn 186[4], SwOut 190[4],
    AcnPriority 194, SwMacro 195, SwRemote 196, Spare 197[3], Style 200,
    MAC 201[6], BindIp 207[4], BindIndex 211, Status2 212, filler to 239.
    """
    ip = bytes(int(p) for p in info.ip.split("."))
    if len(ip) != 4:
        raise ValueError(f"not an IPv4 address: {info.ip!r}")
    groups: dict[int, list[int]] = {}
    for pa in sorted(set(port_addresses)):
        groups.setdefault(pa >> 4, []).append(pa & 0x0F)
    chunks: list[tuple[int, list[int]]] = []
    for high, lows in groups.items():
        chunks.extend((high, lows[i:i + 4]) for i in range(0, len(lows), 4))
    if not chunks:
        chunks = [(0, [])]
    replies = []
    for bind_index, (high, lows) in enumerate(chunks, start=1):
        buf = bytearray(POLL_REPLY_SIZE)
        buf[0:8] = ARTNET_ID
        struct.pack_into("<H", buf, 8, OP_POLL_REPLY)
        buf[10:14] = ip
        struct.pack_into("<H", buf, 14, ARTNET_PORT)
        struct.pack_into(">H", buf, 16, 1)  # our firmware version
        buf[18] = (high >> 4) & 0x7F  # NetSwitch
        buf[19] = high & 0x0F  # SubSwitch
        struct.pack_into(">H", buf, 20, info.oem)
        buf[23] = 0xD0  # Status1: indicators normal, Port-Address set by front panel
        struct.pack_into("<H", buf, 24, info.esta_man)
        buf[26:26 + 17] = info.short_name.encode("ascii", "replace")[:17].ljust(17, b"\x00")
        buf[44:44 + 63] = info.long_name.encode("ascii", "replace")[:63].ljust(63, b"\x00")
        buf[108:108 + 63] = info.node_report.encode("ascii", "replace")[:63].ljust(63, b"\x00")
        struct.pack_into(">H", buf, 172, len(lows))
        for i, low in enumerate(lows):
            buf[174 + i] = 0x80  # PortTypes: can output DMX512 from the network
            buf[182 + i] = 0x80  # GoodOutputA: data is being output
            buf[190 + i] = low  # SwOut
        buf[200] = 0x00  # Style: StNode
        buf[201:207] = info.mac[:6].ljust(6, b"\x00")
        buf[207:211] = ip  # BindIp
        buf[211] = bind_index
        buf[212] = 0x08  # Status2: supports 15-bit Port-Address (Art-Net 3/4)
        replies.append(bytes(buf))
    return replies


def parse_poll_reply(packet: bytes | bytearray | memoryview) -> tuple[str, str, list[int], int] | PacketError:
    """(ip, short name, Port-Addresses of its outputs, BindIndex) from an ArtPollReply (for tests and tools)."""
    if len(packet) < 213 or bytes(packet[:8]) != ARTNET_ID or (packet[8] | packet[9] << 8) != OP_POLL_REPLY:
        return _error("short", f"ArtPollReply of {len(packet)} bytes is shorter than 213")
    ip = ".".join(str(b) for b in packet[10:14])
    short = bytes(packet[26:44]).split(b"\x00", 1)[0].decode("ascii", "replace")
    count = min(4, (packet[172] << 8) | packet[173])
    high = ((packet[18] & 0x7F) << 4) | (packet[19] & 0x0F)
    ports = [(high << 4) | (packet[190 + i] & 0x0F) for i in range(count)]
    return ip, short, ports, packet[211]
