"""Show Creator's fixture test: test patterns sent as Art-Net (and sACN) at 44 Hz.

``TestPattern`` is pure: a time in, each universe's 512 levels out.  The
pattern gives every fixture a colour and an intensity (numpy, the whole rig
at once); ``shared.fixtures.patch.RigLevelWriter`` turns those into every
fixture's channels through its personality (``Personality.levels_for``,
vectorised over the rig).  ``DmxTestSender`` is the small thread that
sends the frames: unicast to ``--dmx-target`` (default 127.0.0.1), broadcast
only with ``--dmx-broadcast``.

Patterns: ``chase`` (one fixture after another in white), ``rainbow`` (hue
across the rig, moving), ``groups`` (each group in its colour, pulsing),
``full`` (everything at full white), ``sweep`` (the rainbow while every
moving head pans and tilts, so movement from DMX shows too).
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import threading
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from shared.dmx import artnet, sacn
from shared.dmx.universes import UniverseMap
from shared.fixtures.patch import RigLevelWriter
from shared.show.model import ShowConfig

log = logging.getLogger(__name__)

PATTERNS = ("chase", "rainbow", "groups", "full", "sweep")
RATE_HZ = 44.0
CHASE_STEP_S = 0.25
RAINBOW_PERIOD_S = 6.0
PULSE_PERIOD_S = 2.0
SWEEP_PERIOD_S = 8.0
#: ``sweep``: pan swings ±SWEEP_PAN_DEG about centre, tilt between SWEEP_TILT_DEG ± 15°.
SWEEP_PAN_DEG = 60.0
SWEEP_TILT_DEG = 35.0
F32 = np.float32


def _hsv_to_rgb(h: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Full-saturation, full-value hues (0..1) to RGB, vectorised."""
    k = (np.array([5.0, 3.0, 1.0], F32)[None, :] + h[:, None] * 6.0) % 6.0
    return (1.0 - np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)).astype(F32)


class TestPattern:
    """Levels for every universe of ``config`` at time ``t`` for one pattern."""

    __test__ = False  # not a pytest class, whatever its name

    def __init__(self, config: ShowConfig, pattern: str, base: int = 1) -> None:
        if pattern not in PATTERNS:
            raise ValueError(f"unknown test pattern {pattern!r}; choose one of {', '.join(PATTERNS)}")
        self.pattern = pattern
        self.map = UniverseMap(base)
        fixtures = config.fixtures
        self.writer = RigLevelWriter(config)
        self.patched = [i for i, p in enumerate(self.writer.personalities) if p is not None]
        self.universes = self.writer.universes
        x = np.array([f.position.x for f in fixtures], F32) if fixtures else np.zeros(0, F32)
        span = float(x.max() - x.min()) if x.size else 0.0
        self._x = (x - x.min()) / span if span > 0 else np.zeros_like(x)
        group_rgb = np.full((len(fixtures), 3), 1.0, F32)
        self._group = np.full(len(fixtures), -1, np.int32)
        for i, gi in enumerate(config.fixture_group_index):  # by index: names may repeat
            if gi is not None:
                group_rgb[i] = np.array(config.groups[gi].rgb, F32) / 255.0
                self._group[i] = gi
        self._group_rgb = group_rgb

    def looks(self, t: float) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(rgb (N,3), intensity (N,)) of every fixture at ``t`` seconds."""
        rgb, inten, _pan, _tilt = self.state(t)
        return rgb, inten

    def state(
        self, t: float
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(rgb (N,3), intensity (N,), pan (N,), tilt (N,)) at ``t`` seconds; angles in degrees from centre."""
        n = len(self._x)
        rgb = np.ones((n, 3), F32)
        inten = np.ones(n, F32)
        pan = np.zeros(n, F32)
        tilt = np.zeros(n, F32)
        if self.pattern == "chase":
            inten[:] = 0.0
            if self.patched:
                inten[self.patched[int(t / CHASE_STEP_S) % len(self.patched)]] = 1.0
        elif self.pattern in ("rainbow", "sweep"):
            rgb = _hsv_to_rgb(((self._x * 0.8 + t / RAINBOW_PERIOD_S) % 1.0).astype(F32))
            if self.pattern == "sweep":
                phase = 2 * np.pi * (t / SWEEP_PERIOD_S) + self._x * np.pi
                pan = (SWEEP_PAN_DEG * np.sin(phase)).astype(F32)
                tilt = (SWEEP_TILT_DEG + 15.0 * np.cos(0.7 * phase)).astype(F32)
        elif self.pattern == "groups":
            rgb = self._group_rgb
            phase = np.where(self._group >= 0, self._group, 0).astype(F32) * 0.7
            inten = (0.55 + 0.45 * np.sin(2 * np.pi * t / PULSE_PERIOD_S + phase)).astype(F32)
        return rgb, inten, pan, tilt

    def frame(self, t: float) -> dict[int, npt.NDArray[np.uint8]]:
        """Fixture universe -> 512 levels at ``t`` (every fixture at once, ``RigLevelWriter``)."""
        rgb, inten, pan, tilt = self.state(t)
        levels = self.writer.levels(rgb, inten, pan, tilt)
        return {u: levels[row] for row, u in enumerate(self.universes)}


class DmxTargetError(ValueError):
    """``--dmx-target`` cannot be sent to; the message is the one line a user sees."""


def resolve_target(host: str, broadcast: bool = False) -> str:
    """The IPv4 address to send to, looked up once (not per packet); :class:`DmxTargetError` when unusable."""
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_DGRAM)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise DmxTargetError(f"DMX test pattern: cannot send to {host}: {reason}") from None
    address = str(infos[0][4][0])
    if address == "255.255.255.255" and not broadcast:
        raise DmxTargetError(f"DMX test pattern: cannot send to {host}: it is a broadcast address; "
                             "add --dmx-broadcast")
    return address


class DmxTestSender:
    """Sends a ``TestPattern`` at 44 Hz from a background thread until ``stop()``."""

    def __init__(
        self,
        config: ShowConfig,
        pattern: str,
        *,
        target: str = "127.0.0.1",
        artnet_port: int = artnet.ARTNET_PORT,
        sacn_enabled: bool = False,
        sacn_port: int = sacn.SACN_PORT,
        broadcast: bool = False,
        base: int = 1,
        rate: float = RATE_HZ,
        follow: Callable[[], ShowConfig] | None = None,
    ) -> None:
        self.pattern = TestPattern(config, pattern, base)
        #: Read each frame (e.g. the server's current show): a new show is sent from the next frame on.
        self.follow = follow
        self._config = config
        self.target = target
        #: ``target`` resolved by ``start()``.
        self.address = target
        self.artnet_port = artnet_port
        self.sacn_enabled = sacn_enabled
        self.sacn_port = sacn_port
        self.broadcast = broadcast
        self.period = 1.0 / rate
        self.frames = 0
        self._cid = sacn.new_cid()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def set_config(self, config: ShowConfig) -> None:
        """A changed show (file reloaded): send for its fixtures from the next frame on."""
        pattern = TestPattern(config, self.pattern.pattern, self.pattern.map.base)
        with self._lock:
            self.pattern = pattern
            self._config = config

    def start(self) -> None:
        """Resolve the target (:class:`DmxTargetError` if it cannot be used) and start sending."""
        self.address = resolve_target(self.target, self.broadcast)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if self.broadcast:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self._sock = sock
        self._thread = threading.Thread(target=self._run, name="dmx-test-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()

    def _run(self) -> None:
        sock = self._sock
        assert sock is not None
        seq = 1
        t0 = time.monotonic()
        next_at = t0
        warned = False
        while not self._stop.is_set():
            if self.follow is not None:
                config = self.follow()
                if config is not self._config:
                    self.set_config(config)
            with self._lock:
                pattern = self.pattern
            frame = pattern.frame(time.monotonic() - t0)
            try:
                for universe, levels in frame.items():
                    pa = pattern.map.to_artnet(universe)
                    if pa is not None:
                        sock.sendto(artnet.build_dmx(pa, levels.tobytes(), seq), (self.address, self.artnet_port))
                    su = pattern.map.to_sacn(universe)
                    if self.sacn_enabled and su is not None:
                        sock.sendto(sacn.build(su, levels.tobytes(), cid=self._cid, sequence=seq,
                                               source_name="Show Creator test pattern"),
                                    (self.address, self.sacn_port))
                warned = False
            except OSError as exc:
                if not warned:  # e.g. no route to the target; keep trying quietly
                    hint = ("; is it a broadcast address? add --dmx-broadcast"
                            if exc.errno == errno.EACCES and not self.broadcast else "")
                    log.warning("DMX test pattern: cannot send to %s: %s%s", self.target, exc.strerror or exc, hint)
                    warned = True
            self.frames += 1
            seq = artnet.next_sequence(seq)
            next_at += self.period
            delay = next_at - time.monotonic()
            if delay < -self.period:  # fell behind (machine busy): do not burst to catch up
                next_at = time.monotonic()
                delay = 0.0
            if self._stop.wait(max(0.0, delay)):
                break


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``show-creator`` flags for the fixture test."""
    group = parser.add_argument_group("fixture test (DMX test pattern)")
    group.add_argument("--dmx-test", choices=PATTERNS, metavar="PATTERN",
                       help=f"send a test pattern as Art-Net at 44 Hz: {', '.join(PATTERNS)}")
    group.add_argument("--dmx-target", metavar="HOST", default=None,
                       help="where to send it (default 127.0.0.1; unicast unless --dmx-broadcast)")
    group.add_argument("--dmx-broadcast", action="store_true",
                       help="allow broadcast (the target defaults to 255.255.255.255)")
    group.add_argument("--dmx-test-sacn", action="store_true", help="send the pattern as sACN (unicast) too")
    group.add_argument("--dmx-artnet-port", type=int, default=artnet.ARTNET_PORT, metavar="PORT",
                       help=argparse.SUPPRESS)
    group.add_argument("--dmx-sacn-port", type=int, default=sacn.SACN_PORT, metavar="PORT", help=argparse.SUPPRESS)
    group.add_argument("--dmx-universe-base", type=int, choices=(0, 1), default=1,
                       help="fixture universes are numbered from 1 (Art-Net U-1, sACN U; default) or 0")


def start_from_args(args: argparse.Namespace, config: ShowConfig,
                    follow: Callable[[], ShowConfig] | None = None) -> DmxTestSender | None:
    """Start the sender ``args`` ask for, or None; ``follow`` gives the current show (it may be reloaded)."""
    if not args.dmx_test:
        return None
    target = args.dmx_target or ("255.255.255.255" if args.dmx_broadcast else "127.0.0.1")
    sender = DmxTestSender(config, args.dmx_test, target=target, artnet_port=args.dmx_artnet_port,
                           sacn_enabled=args.dmx_test_sacn, sacn_port=args.dmx_sacn_port,
                           broadcast=args.dmx_broadcast, base=args.dmx_universe_base, follow=follow)
    try:
        sender.start()
    except DmxTargetError as exc:
        log.error("%s", exc)
        return None
    pattern = sender.pattern
    lost = [u for u in pattern.universes if pattern.map.to_artnet(u) is None and pattern.map.to_sacn(u) is None]
    if lost:
        other = UniverseMap(1 - pattern.map.base)
        fixable = all(other.to_artnet(u) is not None or other.to_sacn(u) is not None for u in lost)
        log.warning("DMX test pattern: universe %s cannot be sent when universes are numbered from %d "
                    "(no Art-Net Port-Address or sACN universe)%s", ", ".join(str(u) for u in lost),
                    pattern.map.base, f"; try --dmx-universe-base {other.base}" if fixable else "")
    what = "Art-Net and sACN" if args.dmx_test_sacn else "Art-Net"
    log.info("DMX test pattern %r: %s to %s, %d universe(s), 44 Hz", args.dmx_test, what, target,
             len(sender.pattern.universes))
    return sender
