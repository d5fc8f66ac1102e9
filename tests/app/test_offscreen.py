"""Failures that say why, and never hang (issue 7 §6): real subprocesses with time limits."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt6.QtGui import QImage

from server import VisualizerTCPServer
from shared.protocol import dumps_line
from tests import rigs
from tests.app.helpers import hue_pixels, image_array, run_python

OFFSCREEN = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
#: Offscreen with no X display to borrow a GL context from: OpenGL cannot be set up at all.
NO_GL = {k: v for k, v in OFFSCREEN.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
RUN_DIRECT = ("import sys; from visualizer.app.cli import parse_args; from visualizer.app.run import run; "
              "sys.exit(run(parse_args(sys.argv[1:])))")


def test_offscreen_without_screenshot_says_what_to_do_and_exits_2(server: VisualizerTCPServer) -> None:
    started = time.monotonic()
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}"], timeout=20, env=OFFSCREEN)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "visualizer: QT_QPA_PLATFORM=offscreen has no OpenGL, so the 3D view cannot be drawn; "
        "unset QT_QPA_PLATFORM on a desktop, or use --screenshot PATH (rendered under xvfb-run)"
    ]
    assert time.monotonic() - started < 10


def test_offscreen_screenshot_renders_under_xvfb(server: VisualizerTCPServer, tmp_path: Path) -> None:
    out = tmp_path / "view.png"
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--screenshot", str(out),
                       "--size", "1000x640", "--timeout", "20"], timeout=60, env=OFFSCREEN)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    view = image_array(QImage(str(out)))[60:-40, 420:]
    assert hue_pixels(view, "#FF5722") > 30 and hue_pixels(view, "#4CAF50") > 30  # the 3D view was drawn


def test_a_gl_failure_is_one_line_and_non_zero_within_seconds(server: VisualizerTCPServer, tmp_path: Path) -> None:
    # The window itself on a platform without OpenGL (what the command line now catches
    # before Qt starts): it must neither hang nor write a screenshot with an empty 3D view.
    out = tmp_path / "empty.png"
    started = time.monotonic()
    proc = run_python(["-c", RUN_DIRECT, f"127.0.0.1:{server.port}", "--screenshot", str(out), "--timeout", "30"],
                      timeout=30, env=NO_GL)
    assert proc.returncode == 1
    ours = [line for line in proc.stderr.splitlines() if line.startswith("visualizer: ")]
    assert len(ours) == 1 and "OpenGL" in ours[0] and "'offscreen'" in ours[0], proc.stderr
    assert not out.exists()
    assert time.monotonic() - started < 15
    # And without --screenshot: the window does not stay up without its view.
    proc = run_python(["-c", RUN_DIRECT, f"127.0.0.1:{server.port}"], timeout=30, env=NO_GL)
    assert proc.returncode == 1
    assert [line for line in proc.stderr.splitlines() if line.startswith("visualizer: ")] == [ours[0].replace(
        "no screenshot written: ", "")]


def test_screenshot_format_follows_the_extension(server: VisualizerTCPServer, tmp_path: Path) -> None:
    out = tmp_path / "view.jpg"
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--screenshot", str(out),
                       "--size", "800x600", "--timeout", "20"], timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG data in a .jpg
    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (800, 600)


def test_an_unknown_image_extension_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "view.xyz"
    proc = run_python(["-m", "visualizer.app", "127.0.0.1:1", "--screenshot", str(out)], timeout=20)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"visualizer: cannot write screenshot {out}: extension .xyz is not an image format "
                           "Qt can write (")
    assert ".jpg" in line and ".png" in line
    assert not out.exists()


@pytest.fixture
def refusing_server() -> Iterator[int]:
    """A server whose fixtures message is not a list: connected, but no configuration."""
    show = rigs.theatre()
    data = dumps_line({"type": "stage", **show["stage"]}) + b'{"type":"fixtures","fixtures":"all"}\n'
    sock = socket.create_server(("127.0.0.1", 0))
    peers: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                peer, _ = sock.accept()
            except OSError:
                return
            peers.append(peer)
            peer.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield sock.getsockname()[1]
    sock.close()
    for peer in peers:
        peer.close()


def test_screenshot_names_a_refused_message(refusing_server: int, tmp_path: Path) -> None:
    out = tmp_path / "never.png"
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{refusing_server}", "--screenshot", str(out),
                       "--timeout", "2"], timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"visualizer: no configuration from 127.0.0.1:{refusing_server} within 2 s (connected to "
        f"127.0.0.1:{refusing_server}, but its fixtures message was refused: fixtures: fixtures must be a list, "
        "got 'all')"
    ]


def test_demo_under_offscreen_renders_under_xvfb(tmp_path: Path) -> None:
    out = tmp_path / "demo.png"
    proc = run_python(["-m", "visualizer.demo", "--screenshot", str(out), "--timeout", "20"], timeout=90,
                      env=OFFSCREEN)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"visualizer.demo: wrote {out}"
    view = image_array(QImage(str(out)))[60:-40, 400:]
    assert hue_pixels(view, "#FF5722") > 30


def test_a_rig_framed_as_a_dot_still_counts_as_rendered(serve, tmp_path: Path) -> None:
    # The mm-as-m fixture pulls the framing 4 km out: the picture is nearly empty, but drawn.
    from shared.show import config_from_dict

    server = serve(config_from_dict(rigs.mm_as_m()), heartbeat_interval=1.0)
    out = tmp_path / "far.png"
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--screenshot", str(out),
                       "--timeout", "20"], timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not QImage(str(out)).isNull()


@pytest.mark.parametrize("env", [NO_GL, OFFSCREEN], ids=["no display", "offscreen"])
def test_render_module_without_a_display_renders_under_xvfb(env: dict[str, str], tmp_path: Path) -> None:
    """`python -m visualizer.render` used to abort in Qt (no display) or write no PNG (offscreen)."""
    out = tmp_path / "scene.png"
    proc = run_python(["-m", "visualizer.render", str(out), "--size", "400x300", "--preset", "front"],
                      timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (400, 300)
    rgb = image_array(image)
    assert hue_pixels(rgb, "#4CAF50") > 20  # the moving heads' group colour: the scene was drawn
