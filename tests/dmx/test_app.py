"""Live DMX in the real Visualizer window: real UDP in, real GL out (pytest-qt, Xvfb)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import numpy as np
import pytest
from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QColor

from shared.dmx import artnet
from shared.fixtures.resolve import resolve_personality
from shared.show import ShowConfig
from tests.app.helpers import WAIT_MS, hue_pixels, image_array
from visualizer.app.cli import parse_args
from visualizer.app.dmx_controller import DmxController
from visualizer.app.dmx_options import DmxOptions
from visualizer.app.window import MainWindow

CYAN = "#00FFFF"  # no group of the demo show has this hue: only DMX can make it


def levels_for_all(config: ShowConfig, rgb: tuple[float, float, float]) -> dict[int, bytes]:
    out = {f.universe: np.zeros(512, np.uint8) for f in config.fixtures}
    for f in config.fixtures:
        p, _ = resolve_personality(f)
        if p is not None:
            lv = p.levels_for(rgb, 1.0)
            out[f.universe][f.address - 1:f.address - 1 + len(lv)] = lv[:512 - f.address + 1]
    return {u: v.tobytes() for u, v in out.items()}


@pytest.fixture
def dmx(window: MainWindow, qtbot) -> Iterator[DmxController]:  # type: ignore[no-untyped-def]
    controller = DmxController(window, DmxOptions(artnet=True, sacn=True, artnet_bind="127.0.0.1", artnet_port=0,
                                                  sacn_bind="127.0.0.1", sacn_port=0, timeout=0.6, hint_after=0.3))
    assert controller.start() == []
    yield controller
    controller.stop()


@pytest.fixture
def udp() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    yield sock
    sock.close()


def send(sock: socket.socket, dmx: DmxController, frames: dict[int, bytes], sequence: int = 0) -> None:
    port = dmx.receiver.receiver.port("Art-Net")
    assert port is not None
    for universe, data in frames.items():
        sock.sendto(artnet.build_dmx(universe - 1, data, sequence), ("127.0.0.1", port))


def scene_pixels(window: MainWindow) -> np.ndarray:
    return image_array(window.scene.grab_image())


def test_dmx_lights_fixtures_and_silence_returns_the_static_look(window: MainWindow, dmx: DmxController,
                                                                  udp: socket.socket, qtbot) -> None:  # type: ignore[no-untyped-def]
    config = window.state.config
    assert config is not None
    before = hue_pixels(scene_pixels(window), CYAN)
    frames = levels_for_all(config, (0.0, 1.0, 1.0))
    feeder = QTimer()
    feeder.timeout.connect(lambda: send(udp, dmx, frames))  # a console sends continuously
    with qtbot.waitSignal(dmx.frame_applied, timeout=WAIT_MS, check_params_cb=lambda n: n == len(config.fixtures)):
        feeder.start(50)
    qtbot.waitUntil(lambda: window.scene.frames_rendered > 0)
    lit = scene_pixels(window)
    assert hue_pixels(lit, CYAN) > before + 500, "lenses and beams should show the DMX colour"
    # The status bar names the source and the universes.
    qtbot.waitUntil(lambda: "DMX: 1 source (127.0.0.1) · universe 1-3 · " in dmx.status.text(), timeout=WAIT_MS)
    feeder.stop()
    # Silence for the --dmx-timeout: back to the static look, and the user is told.
    with qtbot.waitSignal(dmx.notice, timeout=WAIT_MS,
                          check_params_cb=lambda text: "silent for 0.6 s" in text):
        pass
    qtbot.waitUntil(lambda: dmx.live_count == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: hue_pixels(scene_pixels(window), CYAN) <= before + 50, timeout=WAIT_MS)


def test_monitor_shows_the_selected_fixtures_channels(window: MainWindow, dmx: DmxController,
                                                      udp: socket.socket, qtbot) -> None:  # type: ignore[no-untyped-def]
    config = window.state.config
    assert config is not None
    window.select_fixture(config.find_fixture("Front Par 2"))  # dimmer, red, green, blue, white, ... at 201
    frame = bytearray(512)
    frame[200:208] = bytes([255, 10, 20, 30, 40, 0, 0, 0])
    send(udp, dmx, {1: bytes(frame)})
    table = dmx.monitor.table

    def values() -> list[str]:
        return [table.item(r, 2).text() for r in range(table.rowCount())]  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: values() == ["255", "10", "20", "30", "40", "0", "0", "0"], timeout=WAIT_MS)
    assert [table.item(r, 1).text() for r in range(3)] == ["dimmer", "red", "green"]  # type: ignore[union-attr]
    assert table.item(0, 0).text() == "201"  # type: ignore[union-attr]
    assert dmx.monitor.current_universe() == 1
    qtbot.waitUntil(lambda: dmx.monitor.grid.value_at(203) == 30, timeout=WAIT_MS)
    assert dmx.monitor.sources_label.text().startswith("127.0.0.1 (Art-Net 127.0.0.1:")


def test_no_data_hint_names_ports_universes_and_causes(window: MainWindow, dmx: DmxController, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dmx.hint_text is not None, timeout=WAIT_MS)
    hint = dmx.hint_text
    assert hint is not None
    art = dmx.receiver.receiver.bound["Art-Net"]
    sacn_at = dmx.receiver.receiver.bound["sACN"]
    assert hint.startswith("No DMX received after 0.3 s; listening: ")
    assert f"Art-Net on UDP {art}" in hint and f"sACN on UDP {sacn_at}" in hint
    assert "universe 1 (Art-Net 0, sACN 1)" in hint and "universe 3 (Art-Net 2, sACN 3)" in hint
    assert "firewall" in hint and "another IP" in hint and "off by one" in hint
    assert "\n" not in hint


def test_hint_spots_a_universe_off_by_one(window: MainWindow, qtbot, udp: socket.socket) -> None:  # type: ignore[no-untyped-def]
    controller = DmxController(window, DmxOptions(artnet=True, sacn=False, artnet_bind="127.0.0.1", artnet_port=0,
                                                  hint_after=0.5))
    controller.start()
    try:
        send(udp, controller, {9: bytes(4)})  # Port-Address 8: fixture universe 9, not in the show
        qtbot.waitUntil(lambda: controller.hint_text is not None, timeout=WAIT_MS)
        assert (controller.hint_text or "").startswith(
            "DMX arrives for universe 9 but the show expects universe 1 (Art-Net 0, sACN 1)")
    finally:
        controller.stop()


def test_port_in_use_keeps_the_viewer_running(window: MainWindow, qtbot, udp: socket.socket) -> None:  # type: ignore[no-untyped-def]
    udp.bind(("127.0.0.1", 0))
    port = udp.getsockname()[1]
    controller = DmxController(window, DmxOptions(artnet=True, artnet_bind="127.0.0.1", artnet_port=port))
    try:
        with qtbot.waitSignal(controller.notice, timeout=WAIT_MS) as blocker:
            problems = controller.start()
        line = (f"Art-Net: cannot listen on UDP 127.0.0.1:{port}: another Art-Net program, such as QLC+, "
                f"is already using UDP {port}; running without Art-Net input")
        assert problems == [line] and blocker.args == [line]
        assert window.message.text() == line
        assert window.isVisible() and window.client.state == "connected"
    finally:
        controller.stop()


def test_cli_flags() -> None:
    opts = parse_args(["--artnet", "--sacn", "--artnet-bind", "10.0.0.2", "--universe-base", "0",
                       "--dmx-timeout", "4"])
    assert opts.dmx == DmxOptions(artnet=True, sacn=True, artnet_bind="10.0.0.2", universe_base=0, timeout=4.0)
    assert parse_args([]).dmx is None


def test_demo_screenshot_shows_fixtures_lit_by_live_dmx(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``make demo`` headless: Show Creator's rainbow test pattern colours the rig in the screenshot."""
    import os

    from PyQt6.QtGui import QImage

    from tests.app.helpers import run_python

    out = tmp_path / "demo.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = run_python(["-m", "visualizer.demo", "--screenshot", str(out), "--timeout", "20"], timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    view = image_array(QImage(str(out)))[60:-40, 340:1020]  # the 3D view
    # Group colours alone cover five hues; the rainbow on lenses and beams covers most of the wheel.
    hues = [f"#{QColor.fromHsv(h, 255, 255).rgb() & 0xFFFFFF:06x}" for h in range(0, 360, 30)]
    present = [h for h in hues if hue_pixels(view, h, hue_tol=15) > 60]
    assert len(present) >= 8, present
