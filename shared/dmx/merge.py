"""Per-universe source tracking and merging for Art-Net and sACN, sans-IO.

Rules, each from its spec:

- **sACN** (E1.31-2018 §6.2.3, §6.7.2, §6.2.6, §6.6.1): the highest priority
  wins; sources *sharing* the highest priority are merged HTP (never
  alternated, which flickers); a packet whose sequence number is behind the
  last one by less than 20 (signed 8-bit difference in (−20, 0]) is
  discarded; a source is lost 2.5 s after its last packet
  (E131_NETWORK_DATA_LOSS_TIMEOUT) or at once when it sets Stream_Terminated;
  Preview_Data packets are not used for levels.
- **Art-Net** (Art-Net 4, *Data Merging*): up to two sources per universe,
  merged HTP; a third is ignored while two are live; a source silent for 10 s
  leaves the merge.  *ArtDmx*, Sequence: 0 disables sequencing, otherwise
  1..255 wraps to 1; a frame behind the last one from that source (by 1..20
  steps, so a restarted sender is not shut out) is dropped.

Sources are keyed by CID for sACN and by IP *and* UDP port for Art-Net (the
spec keys by IP; two programs on one machine are still two sources here).
Art-Net sources take part in priority at the sACN default, 100, so a universe
fed by both protocols merges them HTP unless an sACN source outranks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shared.dmx.artnet import ArtDmx
from shared.dmx.errors import Protocol
from shared.dmx.sacn import DEFAULT_PRIORITY, SacnData

ARTNET_SOURCE_TIMEOUT = 10.0
SACN_SOURCE_TIMEOUT = 2.5
ARTNET_MAX_SOURCES = 2
#: sACN sources kept per universe; more are dropped ("sACN too many sources") until one leaves, so forged
#: CIDs cannot grow the state or the per-packet merge without bound (E1.31-2018 §6.2.3.1, sources exceeded).
MAX_SACN_SOURCES = 16
SEQUENCE_WINDOW = 20
#: The drop reason that also means "a source left: merge again".
TERMINATED = "sACN stream terminated"
CHANNELS = 512

Levels = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A source as the DMX monitor shows it."""

    protocol: Protocol
    name: str
    address: str
    priority: int


@dataclass(slots=True, eq=False)
class Source:
    protocol: Protocol
    name: str
    address: str
    priority: int
    last_seen: float
    sequence: int = -1
    timeout: float = SACN_SOURCE_TIMEOUT
    levels: Levels = field(default_factory=lambda: np.zeros(CHANNELS, np.uint8))

    def info(self) -> SourceInfo:
        return SourceInfo(self.protocol, self.name, self.address, self.priority)


def sacn_sequence_is_old(new: int, last: int) -> bool:
    """E1.31-2018 §6.7.2: discard when the signed 8-bit difference new − last is in (−20, 0]."""
    diff = (new - last) & 0xFF
    if diff >= 128:
        diff -= 256
    return -SEQUENCE_WINDOW < diff <= 0


def artnet_sequence_is_old(new: int, last: int) -> bool:
    """Art-Net *ArtDmx* Sequence: 0 is "off"; 1..255 wraps to 1; behind by 1..20 steps is old."""
    if new == 0 or last <= 0:
        return False
    behind = (last - new) % 255
    return 0 < behind <= SEQUENCE_WINDOW


class UniverseMerge:
    """The sources of one universe and their merged levels."""

    __slots__ = ("_info", "artnet_timeout", "sacn_timeout", "sources")

    def __init__(self, artnet_timeout: float = ARTNET_SOURCE_TIMEOUT, sacn_timeout: float = SACN_SOURCE_TIMEOUT):
        self.sources: dict[object, Source] = {}
        self.artnet_timeout = artnet_timeout
        self.sacn_timeout = sacn_timeout
        self._info: tuple[SourceInfo, ...] | None = ()

    @property
    def info(self) -> tuple[SourceInfo, ...]:
        """Live sources, highest priority first (cached until the set changes)."""
        if self._info is None:
            ordered = sorted(self.sources.values(), key=lambda s: (-s.priority, s.protocol, s.address))
            self._info = tuple(s.info() for s in ordered)
        return self._info

    def artnet(self, packet: ArtDmx, address: str, now: float) -> str | None:
        """Take an ArtDmx frame from ``address``; a drop reason, or None when its levels were taken."""
        src = self.sources.get(address)
        if src is None:
            artnet_sources = [(k, s) for k, s in self.sources.items() if s.protocol == "Art-Net"]
            if len(artnet_sources) >= ARTNET_MAX_SOURCES:
                # A new port from an IP we already hear is that sender again (a socket per frame, a
                # restart): it replaces its stalest entry instead of being shut out for 10 s.
                ip = address.rsplit(":", 1)[0]
                same_ip = [(s.last_seen, k) for k, s in artnet_sources if s.name == ip]
                if not same_ip:
                    return "Art-Net third source"
                del self.sources[min(same_ip)[1]]
            src = self.sources[address] = Source("Art-Net", address.rsplit(":", 1)[0], address, DEFAULT_PRIORITY,
                                                 now, timeout=self.artnet_timeout)
            self._info = None
        elif artnet_sequence_is_old(packet.sequence, src.sequence):
            return "Art-Net out of sequence"
        src.sequence = packet.sequence
        src.last_seen = now
        _store(src.levels, packet.data)
        return None

    def sacn(self, packet: SacnData, address: str, now: float) -> str | None:
        """Take an E1.31 level packet; a drop reason, or None when its levels were taken."""
        key = packet.cid
        src = self.sources.get(key)
        if src is not None and sacn_sequence_is_old(packet.sequence, src.sequence):
            return "sACN out of sequence"  # also a late Stream_Terminated: it must not end a live stream (§6.7.2)
        if packet.terminated:  # the source leaves now; its last packet's levels are not used (§6.2.6)
            self.terminate(key)
            return TERMINATED
        if packet.preview:
            return "sACN preview"
        if src is None:
            if sum(1 for s in self.sources.values() if s.protocol == "sACN") >= MAX_SACN_SOURCES:
                return "sACN too many sources"
            src = self.sources[key] = Source("sACN", packet.source_name or address, address, packet.priority, now,
                                             timeout=self.sacn_timeout)
            self._info = None
        else:
            if src.priority != packet.priority or src.name != (packet.source_name or address):
                src.priority = packet.priority
                src.name = packet.source_name or address
                self._info = None
        src.sequence = packet.sequence
        src.last_seen = now
        _store(src.levels, packet.data)
        return None

    def terminate(self, cid: bytes) -> bool:
        """Stream_Terminated seen on a packet we do not use for levels (another START code)."""
        if self.sources.pop(cid, None) is not None:
            self._info = None
            return True
        return False

    def expire(self, now: float) -> bool:
        """Drop sources silent for longer than their protocol's timeout; True if any left."""
        gone = [k for k, s in self.sources.items() if now - s.last_seen > s.timeout]
        for k in gone:
            del self.sources[k]
        if gone:
            self._info = None
        return bool(gone)

    def merge_into(self, out: Levels) -> None:
        """Write the merged levels to ``out`` (512,): highest priority wins, HTP within it."""
        sources = self.sources
        if not sources:
            return  # nobody left: keep the last look; freshness tells the viewer it is stale
        if len(sources) == 1:
            out[:] = next(iter(sources.values())).levels
            return
        top = max(s.priority for s in sources.values())
        winners = [s.levels for s in sources.values() if s.priority == top]
        if len(winners) == 1:
            out[:] = winners[0]
        else:
            np.maximum.reduce(winners, out=out)


def _store(levels: Levels, data: bytes) -> None:
    n = len(data)
    levels[:n] = np.frombuffer(data, np.uint8)
    if n < CHANNELS:
        levels[n:] = 0
