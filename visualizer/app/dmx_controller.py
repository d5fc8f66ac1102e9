"""Live DMX in the Visualizer window: receivers, per-frame evaluation, status bar, monitor, hints.

The receiver thread only fills ``DmxState``.  In the GUI thread a timer
ticks at most 60 times a second: it takes the newest snapshot, runs
``RigEvaluator`` once (every fixture at once, numpy) and hands the colours to
``StageScene.set_fixture_colors``.  Fixtures on a universe that has been
silent for ``--dmx-timeout`` (2.5 s) get their static look back and the status
bar says which universes went quiet.  Once a second the status bar shows the
sources, universes and packets per second; 5 s after start with nothing
received, one hint line says where we listen and what usually goes wrong.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from PyQt6.QtCore import QCoreApplication, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QDockWidget, QLabel

from shared.dmx.artnet import PollReplyInfo
from shared.dmx.state import DmxSnapshot, DmxState
from shared.dmx.universes import format_ranges, show_universes, universe_warnings
from shared.fixtures.library import FixtureLibrary
from shared.show.model import ShowConfig
from visualizer.app.dmx_monitor import DmxMonitor
from visualizer.app.dmx_options import DmxOptions
from visualizer.app.window import MainWindow
from visualizer.dmx.qt import QtDmxReceiver
from visualizer.dmx.receiver import DmxReceiver
from visualizer.light.evaluate import RigEvaluator
from visualizer.light.look import Look

log = logging.getLogger(__name__)

FRAME_MS = 16  # at most about 60 evaluations a second
STATUS_MS = 1000
MONITOR_MS = 150


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class DmxController(QObject):
    """Wires live DMX into a ``MainWindow``; create it after the window, then ``start()``."""

    #: Emitted after new colours went to the scene (with the number of live fixtures).
    frame_applied = pyqtSignal(int)
    #: The status bar's DMX text changed.
    status_changed = pyqtSignal(str)
    #: One line for the user: a port taken, a universe gone quiet, the no-data hint.
    notice = pyqtSignal(str)

    def __init__(self, window: MainWindow, options: DmxOptions) -> None:
        super().__init__(window)
        self.window = window
        self.options = options
        self.state = DmxState(base=options.universe_base, stale_after=options.timeout)
        receiver = DmxReceiver(
            self.state,
            artnet_enabled=options.artnet,
            sacn_enabled=options.sacn,
            artnet_bind=options.artnet_bind,
            artnet_port=options.artnet_port,
            sacn_bind=options.sacn_bind,
            sacn_port=options.sacn_port,
            multicast_interface=options.sacn_interface,
            poll_reply=PollReplyInfo("0.0.0.0"),
        )
        self.receiver = QtDmxReceiver(receiver, self)
        self.receiver.problem.connect(self._report)
        #: Personality step 3 (``--fixtures-dir``, then QLC+'s folders); indexed on first use.
        self.library = FixtureLibrary(options.fixtures_dirs)
        self._library_warned: set[str] = set()
        self.evaluator: RigEvaluator | None = None
        self.config: ShowConfig | None = None
        self.selected: int | None = None
        self.live_count = 0
        self.hint_text: str | None = None
        self._last_version = -1
        #: The look last handed to the scene (None before the first live frame of a show).
        self.last_look: Look | None = None
        self._was_live = False
        self._fresh_before: set[int] = set()
        self._packets_before = 0
        self._started = time.monotonic()
        self._hinted = False
        self._snapshot: DmxSnapshot | None = None

        self.status = QLabel("DMX: starting", window)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # sACN source names come off the network
        self.status.setContentsMargins(6, 0, 6, 0)
        bar = window.statusBar()
        assert bar is not None
        bar.addPermanentWidget(self.status)
        self.monitor = DmxMonitor(self.state.map, window)
        self.dock = QDockWidget("DMX monitor", window)
        self.dock.setObjectName("dmx-monitor")
        self.dock.setWidget(self.monitor)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        action = self.dock.toggleViewAction()
        assert action is not None
        action.setShortcut("Ctrl+D")
        window.addAction(action)
        self.monitor.universe_box.currentIndexChanged.connect(lambda _: self._refresh_monitor())

        window.config_applied.connect(self.set_config)
        window.selection_changed.connect(self._on_selection)
        self._frame = QTimer(self)
        self._frame.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame.timeout.connect(self.tick)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self._update_status)
        self._monitor_timer = QTimer(self)
        self._monitor_timer.timeout.connect(self._refresh_monitor)
        self._hint_timer = QTimer(self)  # a child: never fires after the window is gone
        self._hint_timer.setSingleShot(True)
        self._hint_timer.timeout.connect(self._hint_if_silent)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)  # sockets closed before the interpreter goes

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> list[str]:
        """Bind the receivers (problems are reported, never fatal) and start ticking."""
        self._started = time.monotonic()
        config = self.window.state.config
        if config is not None:
            self.set_config(config)
        problems = self.receiver.start()
        self._frame.start(FRAME_MS)
        self._status_timer.start(STATUS_MS)
        self._monitor_timer.start(MONITOR_MS)
        self._hint_timer.start(int(self.options.hint_after * 1000))
        self._update_status()
        return problems

    def stop(self) -> None:
        self._frame.stop()
        self._status_timer.stop()
        self._monitor_timer.stop()
        self._hint_timer.stop()
        self.receiver.stop()

    def _report(self, line: str) -> None:
        self.window.message.show_message(line, 15000)
        self.notice.emit(line)

    # ------------------------------------------------------------------ show

    def set_config(self, config: ShowConfig) -> None:
        self.config = config
        self.evaluator = RigEvaluator(config, self.library)
        for issue in self.library.warnings:  # a .qxf that does not parse: once per file
            if str(issue) not in self._library_warned:
                self._library_warned.add(str(issue))
                log.warning("%s", issue)
                self._report(str(issue))
        universes = show_universes(config)
        self.receiver.receiver.set_universes(universes)
        for issue in universe_warnings(config, self.options.universe_base):
            log.warning("%s", issue)
            self._report(str(issue))
        self._last_version = -1
        self.last_look = None
        self.monitor.set_universes(universes)
        selected = self.window.selected_fixture
        self._on_selection(-1 if selected is None else selected)

    def _on_selection(self, selection: int) -> None:
        """``selection``: the window's fixture index, −1 for none."""
        config = self.config
        index = selection if selection >= 0 else None
        self.selected = index
        if config is None or index is None or index >= len(config.fixtures) or self.evaluator is None:
            self.monitor.set_fixture(None, None, 0)
        else:
            p = self.evaluator.personalities[index]
            count = p.channel_count if p is not None else (config.fixtures[index].channel_count or 0)
            self.monitor.set_fixture(config.fixtures[index], None if p is None else p.functions, count)
        self._refresh_monitor()

    # ------------------------------------------------------------------ per frame

    def tick(self) -> None:
        """One rendered frame's worth: newest snapshot -> look -> scene colours."""
        evaluator = self.evaluator
        if evaluator is None or self.window.scene.rig is None:
            return
        now = time.monotonic()
        snap = self.state.snapshot(now)
        self._snapshot = snap
        fresh_key = snap.version
        if fresh_key == self._last_version and not self._was_live:
            return  # nothing new and nothing lit (strobes need evaluating even when DMX holds still)
        look = evaluator.evaluate(snap.levels, snap.rows, snap.fresh, now)
        scene = self.window.scene
        if len(look.live) != len(scene.rig or ()):
            return  # a new show is on its way to the scene
        self._last_version = fresh_key
        self._was_live = bool(look.live.any())
        scene.set_look(look)  # colours, pan/tilt, beams, pixel cells; not-live fixtures keep their static look
        self.last_look = look
        self.live_count = int(look.live.sum())
        self.frame_applied.emit(self.live_count)

    # ------------------------------------------------------------------ status and hints

    def _update_status(self) -> None:
        now = time.monotonic()
        snap = self.state.snapshot(now)
        rate = snap.packets - self._packets_before
        self._packets_before = snap.packets
        fresh = {u for u, row in snap.rows.items() if snap.fresh[row]}
        quiet = sorted(self._fresh_before - fresh)
        self._fresh_before = fresh
        if quiet:
            self._report(f"DMX: universe {format_ranges(quiet)} silent for {self.options.timeout:g} s; "
                         "its fixtures show their static look")
        names = sorted({s.name for u in fresh for s in snap.sources.get(u, ())})
        inputs = "/".join(p for p in ("Art-Net", "sACN") if p in self.receiver.receiver.bound) or "no input"
        if not fresh:
            text = f"DMX ({inputs}): no data"
            expected = set(show_universes(self.config)) if self.config is not None else set()
            silent = sorted(u for u in expected if snap.rows.get(u) is not None and u not in fresh)
            if snap.packets and silent:
                text += f" · universe {format_ranges(silent)} silent"
        else:
            who = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
            text = (f"DMX: {_plural(len(names), 'source')} ({who}) · universe {format_ranges(sorted(fresh))} · "
                    f"{rate:,} pkt/s")
        if snap.errors:
            text += f" · {sum(snap.errors.values()):,} bad packets"
        if text != self.status.text():
            self.status.setText(text)
            self.status.setToolTip(self.state.last_error or "")
            self.status_changed.emit(text)

    def _hint_if_silent(self) -> None:
        snap = self.state.snapshot(time.monotonic())
        expected = show_universes(self.config) if self.config is not None else ()
        if any(snap.universe(u) is not None and snap.fresh[snap.rows[u]] for u in expected):
            return
        self._hinted = True
        self.hint_text = self.hint(snap, expected)
        log.warning("%s", self.hint_text)
        self._report(self.hint_text)

    def hint(self, snap: DmxSnapshot, expected: tuple[int, ...]) -> str:
        """Why nothing lights up: where we listen, what the show expects, the usual causes."""
        receiver = self.receiver.receiver
        if not receiver.bound:  # the cause is known: say it, not the usual ones
            return "No DMX input is running: " + "; ".join(receiver.problems or ["no input could start"])
        where = ", ".join(f"{p} on UDP {a}" for p, a in receiver.bound.items())
        m = self.state.map
        wants = "; ".join(m.describe(u) for u in expected[:4]) + (" …" if len(expected) > 4 else "")
        got = sorted(u for u, row in snap.rows.items() if snap.fresh[row] and u not in expected)
        if got:
            head = (f"DMX arrives for universe {format_ranges(got)} but the show expects {wants}: "
                    "universe off by one? try --universe-base 0 or 1")
        elif snap.received:
            head = ("DMX packets arrive but there is no show to light yet" if self.config is None
                    else f"DMX packets arrive but none carry levels for the show ({wants or 'no universes'})")
        else:
            head = f"No DMX received after {self.options.hint_after:g} s"
        causes = ("a firewall blocking UDP 6454/5568, the console unicasting to another IP "
                  "(or Art-Net to a bound address that misses broadcasts), the universe off by one")
        show = ("no show yet (not connected to Show Creator)" if self.config is None
                else f"the show expects {wants or 'no universes'}")
        return f"{head}; listening: {where}; {show}; usual causes: {causes}"

    def _refresh_monitor(self) -> None:
        if not self.dock.isVisible():
            return
        snap = self._snapshot or self.state.snapshot(time.monotonic())
        universes = set(snap.rows)
        if self.config is not None:
            universes |= set(show_universes(self.config))
        self.monitor.set_universes(sorted(universes))
        fixture = self.monitor.fixture
        levels = snap.universe(fixture.universe) if fixture is not None else None
        shown = self.monitor.current_universe()
        row = snap.rows.get(shown) if shown is not None else None
        self.monitor.update_values(
            levels,
            None if row is None or np.isnan(snap.last_seen[row]) else snap.levels[row],
            snap.sources.get(shown, ()) if shown is not None else (),
            bool(row is not None and snap.fresh[row]),
        )
