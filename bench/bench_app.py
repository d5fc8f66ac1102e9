"""Show Creator window: from an edit to every connected visualizer having it.

The edit is what typing in the fixture table does (``FixtureTableModel.setData``
on fixture 0's x): validation, the undo stack, the document's ``changed``
signal, the table, the top plan, the 3D preview and the server panel all run,
then the server encodes and sends.  Ten real ``VisualizerTCPClient``s run in
ten processes of their own (as visualizers do: their decoding shares no
interpreter lock with the editor or each other); each prints the moment it has a complete
configuration with the new value (``time.monotonic`` is system-wide on Linux).
Clients ask for protocol 2 (deltas) when ``visualizer.tcp`` offers it.
The figure is the time until the LAST of the ten has it.

Baseline, same clients and rigs: ``VisualizerTCPServer.update_config`` called
directly with the edited configuration (no window, no validation).

Edits are spaced more than the panel's push interval apart, so each is
measured on its own (not waiting for a coalescing slot).  The drag rows
synthesise a 100-step mouse drag in the top plan, 5 ms per step, and count
the configurations handed to the server (baseline: one per step).

Run: ``python -m bench.bench_app`` (needs a display: ``xvfb-run -a``).
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from bench.common import Row, format_table, row
from bench.fixtures import make_config
from shared.show import ShowConfig, Vec3

CLIENTS = 10
SPACING = 0.08  # s between edits: more than the 50 ms push interval
TIMEOUT = 30.0

_CHILD = r"""
import sys, time
from visualizer.tcp import VisualizerTCPClient
port, k = int(sys.argv[1]), int(sys.argv[2])
try:  # protocol 2 (deltas) where the client has it: what a current visualizer asks for
    c = VisualizerTCPClient("127.0.0.1", port, backoff_initial=0.05, backoff_max=0.2, protocol=2)
except TypeError:
    c = VisualizerTCPClient("127.0.0.1", port, backoff_initial=0.05, backoff_max=0.2)
def got(config):
    t = time.monotonic()
    x = config.fixtures[0].position.x if config.fixtures else 0.0
    sys.stdout.write(f"{k} {x:.4f} {t:.6f}\n")
    sys.stdout.flush()
c.on_config(got)
c.connect()
sys.stdin.read()
c.disconnect()
"""


class Receivers:
    """One child process per visualizer client, and the arrival times they report."""

    def __init__(self, port: int, n: int = CLIENTS) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(port), str(k)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, env=env,
            )
            for k in range(n)
        ]
        self.n = n
        self.arrivals: dict[str, dict[int, float]] = defaultdict(dict)
        self.cond = threading.Condition()
        for proc in self.procs:
            threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            k, x, t = line.split()
            with self.cond:
                self.arrivals[x].setdefault(int(k), float(t))
                self.cond.notify_all()

    def all_have(self, x: float) -> float | None:
        with self.cond:
            got = self.arrivals.get(f"{x:.4f}", {})
            return max(got.values()) if len(got) == self.n else None

    def close(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _spin(app: object, until: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        app.processEvents()  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise TimeoutError("clients did not get the edit in time")
        time.sleep(0.0005)


def _idle(app: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.002)


def _moved(config: ShowConfig, x: float) -> ShowConfig:
    f = config.fixtures[0]
    fixtures = (f.replace(position=Vec3(x, f.position.y, f.position.z)), *config.fixtures[1:])
    return ShowConfig(config.stage, fixtures, config.groups)


def _edit_latencies(n: int, samples: int) -> tuple[list[float], list[float]]:
    """Seconds from edit to all clients: (through the window, update_config directly)."""
    from PyQt6.QtCore import QSettings
    from PyQt6.QtWidgets import QApplication

    from server.app.document import ShowDocument
    from server.app.edits import COLUMNS
    from server.app.window import ShowCreatorMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    config = make_config(n)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "bench.ini"), QSettings.Format.IniFormat)
        window = ShowCreatorMainWindow(ShowDocument(config), host="127.0.0.1", port=0, settings=settings)
        window.resize(1400, 860)
        window.show()
        window.panel.start()
        server = window.panel.server
        assert server is not None
        receivers = Receivers(window.panel.port)
        try:
            x0 = config.fixtures[0].position.x
            _spin(app, lambda: receivers.all_have(x0) is not None)
            column = COLUMNS.index("x")
            ours: list[float] = []
            base: list[float] = []
            for k in range(samples):
                x = round(x0 + 0.01 * (k + 1), 4)
                _idle(app, max(SPACING, window.panel.push_interval + 0.02))
                t0 = time.monotonic()
                window.model.setData(window.model.index(0, column), f"{x:g}")
                _spin(app, lambda x=x: receivers.all_have(x) is not None)  # type: ignore[misc]
                done = receivers.all_have(x)
                assert done is not None
                ours.append(done - t0)
            for k in range(samples):
                x = round(x0 - 0.01 * (k + 1), 4)
                edited = _moved(config, x)
                _idle(app, SPACING)
                t0 = time.monotonic()
                server.update_config(edited)
                _spin(app, lambda x=x: receivers.all_have(x) is not None)  # type: ignore[misc]
                done = receivers.all_have(x)
                assert done is not None
                base.append(done - t0)
        finally:
            receivers.close()
            window._closing_confirmed = True
            window.close()
            window.deleteLater()
            _idle(app, 0.05)
    return ours, base


def _drag_pushes(steps: int = 100, step_ms: float = 5.0) -> tuple[int, float, bool]:
    """(pushes, smallest gap between pushes in ms, last position delivered) for one plan drag."""
    from PyQt6.QtCore import QPoint, QSettings, Qt
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QApplication

    from server.app.document import ShowDocument
    from server.app.window import ShowCreatorMainWindow
    from shared.show import demo_show

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "bench.ini"), QSettings.Format.IniFormat)
        window = ShowCreatorMainWindow(ShowDocument(demo_show()), host="127.0.0.1", port=0, settings=settings,
                                       preview=False)
        window.resize(1400, 860)
        window.show()
        window.panel.start()
        _idle(app, 0.2)
        times: list[float] = []
        window.panel.config_pushed.connect(lambda _c: times.append(time.monotonic()))
        plan = window.plan
        viewport = plan.viewport()
        assert viewport is not None
        i = 14
        f = window.doc.config.fixtures[i]
        start = plan.fixture_view_pos(i)
        end = plan.view_pos_of(f.position.x - 4.0, f.position.y - 2.0)
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)  # type: ignore[call-overload]
        for k in range(1, steps + 1):
            p = start + (end - start) * (k / steps)
            QTest.mouseMove(viewport, QPoint(round(p.x()), round(p.y())))  # type: ignore[call-overload]
            _idle(app, step_ms / 1000)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)  # type: ignore[call-overload]
        _idle(app, 0.2)
        server = window.panel.server
        delivered = server is not None and server.config == window.doc.config
        gaps = [b - a for a, b in itertools.pairwise(times)]
        window._closing_confirmed = True
        window.close()
        window.deleteLater()
        _idle(app, 0.05)
    return len(times), (min(gaps) * 1000 if gaps else float("inf")), delivered


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def run(quick: bool = False) -> list[Row]:
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive for the whole run
    assert app is not None
    rows: list[Row] = []
    for n, samples in ((100, 60 if quick else 200), (1_000, 60 if quick else 200), (10_000, 10 if quick else 30)):
        ours, base = _edit_latencies(n, samples)
        target = "p99 < 100 ms" if n == 1_000 else "info"
        rows.append(row(f"edit -> {CLIENTS} clients have it, {n:,} fixtures, median [vs update_config]",
                        statistics.median(ours) * 1000, "ms", statistics.median(base) * 1000, "info"))
        rows.append(row(f"edit -> {CLIENTS} clients have it, {n:,} fixtures, p99 of {samples} [vs update_config]",
                        _p99(ours) * 1000, "ms", _p99(base) * 1000, target))
    pushes, min_gap, delivered = _drag_pushes()
    rows.append(row("plan drag, 100 steps at 5 ms: configs pushed [vs one per step]", pushes, "pushes", 100,
                    "<= 1 per 50 ms"))
    rows.append(row("plan drag: smallest gap between pushes" + ("" if delivered else " (LAST STEP NOT SENT)"),
                    min_gap, "ms", None, ">= 50 ms"))
    return rows


if __name__ == "__main__":
    print(format_table(run(quick="--quick" in sys.argv)))
