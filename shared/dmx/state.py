"""DMX state: every universe's merged levels in one numpy array, fed packet by packet.

``DmxState`` is sans-IO: a receiver thread hands it datagrams with the time
they arrived (``receive_artnet`` / ``receive_sacn``), the GUI thread takes a
``snapshot()`` once per rendered frame.  One lock guards both sides; a
snapshot copies the levels (256 universes are 128 kB), so the GUI reads them
without holding anything.

Rows are added for every fixture universe the show expects (``expect``), up
to ``max_universes``, and for up to ``max_stray_universes`` other universes
that arrive (so the monitor can show "receiving universe 0 but the show
expects 1"); strays beyond that are counted, never given a row, so traffic for
other universes cannot crowd out a show loaded later.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from shared.dmx import artnet, sacn
from shared.dmx.artnet import ArtDmx
from shared.dmx.errors import Ignored, PacketError
from shared.dmx.merge import (
    ARTNET_SOURCE_TIMEOUT,
    CHANNELS,
    SACN_SOURCE_TIMEOUT,
    TERMINATED,
    SourceInfo,
    UniverseMerge,
)
from shared.dmx.sacn import SacnData, SacnOtherStart
from shared.dmx.universes import UniverseMap

#: A universe with no level packet for this long shows its static look again (issue 8).
DEFAULT_STALE_AFTER = 2.5
DEFAULT_MAX_UNIVERSES = 4096
MAX_STRAY_UNIVERSES = 64


@dataclass(frozen=True, slots=True)
class DmxSnapshot:
    """What the GUI needs for one frame; every array is its own copy."""

    levels: npt.NDArray[np.uint8]  # (U, 512)
    rows: Mapping[int, int]  # fixture universe -> row
    fresh: npt.NDArray[np.bool_]  # (U,)
    last_seen: npt.NDArray[np.float64]  # (U,) monotonic seconds, NaN = never
    sources: Mapping[int, tuple[SourceInfo, ...]]  # fixture universe -> live sources, best first
    version: int  # changes whenever levels, rows or sources change
    packets: int  # level packets taken, all protocols
    received: int  # datagrams read, all protocols
    errors: Mapping[str, int]  # refused packets by "protocol reason"
    dropped: Mapping[str, int]  # well-formed packets not used for levels, by reason
    time: float

    def universe(self, universe: int) -> npt.NDArray[np.uint8] | None:
        row = self.rows.get(universe)
        return None if row is None else self.levels[row]


class DmxState:
    """Merged levels per fixture universe, plus the counters a user needs to see what arrives."""

    def __init__(
        self,
        universes: Iterable[int] = (),
        *,
        base: int = 1,
        stale_after: float = DEFAULT_STALE_AFTER,
        artnet_timeout: float = ARTNET_SOURCE_TIMEOUT,
        sacn_timeout: float = SACN_SOURCE_TIMEOUT,
        max_universes: int = DEFAULT_MAX_UNIVERSES,
        max_stray_universes: int = MAX_STRAY_UNIVERSES,
    ) -> None:
        self.map = UniverseMap(base)
        self.stale_after = stale_after
        self.artnet_timeout = artnet_timeout
        self.sacn_timeout = sacn_timeout
        self.max_universes = max_universes
        self.max_stray_universes = max_stray_universes
        self._expected: set[int] = set()
        self._lock = threading.Lock()
        self._levels = np.zeros((0, CHANNELS), np.uint8)
        self._last_seen = np.zeros(0, np.float64)
        self._rows: dict[int, int] = {}
        self._rows_view: Mapping[int, int] = MappingProxyType({})
        self._merges: list[UniverseMerge] = []
        self._universe_of_row: list[int] = []
        self.version = 0
        self.packets = 0
        self.received = 0
        self.errors: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        #: The latest refused packet, worded for a user (sender and problem).
        self.last_error: str | None = None
        self.expect(universes)

    # ------------------------------------------------------------------ rows

    @property
    def universes(self) -> tuple[int, ...]:
        with self._lock:
            return tuple(self._rows)

    @property
    def expected(self) -> tuple[int, ...]:
        """The fixture universes shows asked for (``expect``), sorted; strays heard on the network are not."""
        with self._lock:
            return tuple(sorted(self._expected))

    def expect(self, universes: Iterable[int], *, only: bool = False) -> None:
        """Make sure these fixture universes have rows (called when a show arrives).

        ``only``: these are now all the show's universes (a changed show); the
        others keep their rows but are no longer announced as ours.
        """
        with self._lock:
            if only:
                self._expected.clear()
            for u in sorted(set(universes)):
                if self._row(u, expected=True) is not None:
                    self._expected.add(u)

    def _row(self, universe: int, expected: bool = False) -> int | None:
        row = self._rows.get(universe)
        if row is not None:
            return row
        n = len(self._rows)
        if n >= self.max_universes + self.max_stray_universes:
            return None
        if expected:
            if len(self._expected) >= self.max_universes:
                return None
        elif n - len(self._expected) >= self.max_stray_universes:
            return None
        if n == len(self._levels):
            cap = max(8, 2 * n)
            levels = np.zeros((cap, CHANNELS), np.uint8)
            levels[:n] = self._levels
            seen = np.full(cap, np.nan)
            seen[:n] = self._last_seen
            self._levels, self._last_seen = levels, seen
        self._rows[universe] = n
        self._rows_view = MappingProxyType(dict(self._rows))
        self._merges.append(UniverseMerge(self.artnet_timeout, self.sacn_timeout))
        self._universe_of_row.append(universe)
        self.version += 1
        return n

    # ------------------------------------------------------------------ packets

    def note_dropped(self, reason: str) -> None:
        """Count a well-formed packet the receiver chose not to act on (e.g. an ArtPoll storm)."""
        with self._lock:
            self.dropped[reason] += 1

    def note_internal_error(self, line: str) -> None:
        """Count a datagram the receiver failed on (a bug), worded for the status bar's tooltip."""
        with self._lock:
            self.errors["internal error"] += 1
            self.last_error = line

    def _refused(self, error: PacketError, sender: str) -> None:
        self.errors[f"{error.protocol} {error.reason}"] += 1
        self.last_error = error.describe(sender)

    def receive_artnet(self, datagram: bytes | bytearray | memoryview, sender: str, now: float) -> artnet.ArtPacket:
        """Parse one Art-Net datagram from ``sender`` ("ip:port") and apply it; returns what it was."""
        packet = artnet.parse(datagram)
        with self._lock:
            self.received += 1
            if isinstance(packet, ArtDmx):
                self._apply_artdmx(packet, sender, now)
            elif isinstance(packet, PacketError):
                self._refused(packet, sender)
            elif isinstance(packet, Ignored):
                self.dropped[f"Art-Net {packet.reason}"] += 1
        return packet

    def receive_sacn(self, datagram: bytes | bytearray | memoryview, sender: str, now: float) -> sacn.SacnPacket:
        """Parse one sACN datagram from ``sender`` and apply it; returns what it was."""
        packet = sacn.parse(datagram)
        with self._lock:
            self.received += 1
            if isinstance(packet, SacnData):
                self._apply_sacn(packet, sender, now)
            elif isinstance(packet, PacketError):
                self._refused(packet, sender)
            elif isinstance(packet, SacnOtherStart):
                self.dropped[f"sACN {packet.reason}"] += 1
                if packet.options & sacn.OPTION_TERMINATED:
                    self._terminate(packet)
            else:
                self.dropped[f"sACN {packet.reason}"] += 1
        return packet

    def _apply_artdmx(self, packet: ArtDmx, sender: str, now: float) -> None:
        row = self._row(self.map.from_artnet(packet.port_address))
        if row is None:
            self.dropped["Art-Net too many universes"] += 1
            return
        merge = self._merges[row]
        self._after(row, merge, merge.artnet(packet, sender, now), now)

    def _apply_sacn(self, packet: SacnData, sender: str, now: float) -> None:
        row = self._row(self.map.from_sacn(packet.universe))
        if row is None:
            self.dropped["sACN too many universes"] += 1
            return
        merge = self._merges[row]
        self._after(row, merge, merge.sacn(packet, sender, now), now)

    def _after(self, row: int, merge: UniverseMerge, reason: str | None, now: float) -> None:
        if reason is None:
            merge.merge_into(self._levels[row])
            self._last_seen[row] = now
            self.packets += 1
            self.version += 1
        else:
            self.dropped[reason] += 1
            if reason == TERMINATED:  # a source left: the rest take over
                merge.merge_into(self._levels[row])
                self.version += 1

    def _terminate(self, packet: SacnOtherStart) -> None:
        row = self._rows.get(self.map.from_sacn(packet.universe))
        if row is not None and self._merges[row].terminate(packet.cid):
            self._merges[row].merge_into(self._levels[row])
            self.version += 1

    def expire(self, now: float) -> bool:
        """Drop sources past their timeout and re-merge; True if anything changed."""
        changed = False
        with self._lock:
            for row, merge in enumerate(self._merges):
                if merge.sources and merge.expire(now):
                    merge.merge_into(self._levels[row])
                    changed = True
            if changed:
                self.version += 1
        return changed

    # ------------------------------------------------------------------ reading

    def snapshot(self, now: float) -> DmxSnapshot:
        """A consistent copy for the GUI thread; ``fresh`` is "a level packet within ``stale_after``"."""
        with self._lock:
            n = len(self._rows)
            levels = self._levels[:n].copy()
            seen = self._last_seen[:n].copy()
            sources = {u: m.info for u, m in zip(self._universe_of_row, self._merges, strict=True) if m.sources}
            snap_errors = dict(self.errors)
            snap_dropped = dict(self.dropped)
            rows, version, packets, received = self._rows_view, self.version, self.packets, self.received
        with np.errstate(invalid="ignore"):
            fresh = (now - seen) <= self.stale_after  # NaN (never) compares False
        return DmxSnapshot(levels, rows, fresh, seen, MappingProxyType(sources), version, packets, received,
                           MappingProxyType(snap_errors), MappingProxyType(snap_dropped), now)
