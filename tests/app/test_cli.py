"""``visualizer`` as a user runs it: a real process against a real server."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from PyQt6.QtGui import QImage

from server import VisualizerTCPServer
from server.tls import server_context
from tests.app.helpers import free_port, hue_pixels, image_array, run_python

GROUP_COLORS = {"Front Wash": "#FF5722", "LED Bars": "#2196F3", "Moving Heads": "#4CAF50",
                "Side Wash": "#9C27B0", "Pixel Bars": "#FFC107"}


def test_screenshot_of_a_real_server(server: VisualizerTCPServer, tmp_path: Path) -> None:
    out = tmp_path / "shots" / "viewer.png"
    proc = run_python(
        ["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--screenshot", str(out), "--size", "1000x640",
         "--camera", "front", "--timeout", "20"],
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    img = QImage(str(out))
    assert not img.isNull()
    assert (img.width(), img.height()) == (1000, 640)
    rgb = image_array(img)
    # The 3D view is right of the side panel: every group's colour is drawn there.
    view = rgb[60:-40, 420:]
    for group, color in GROUP_COLORS.items():
        assert hue_pixels(view, color) > 30, f"{group} ({color}) not visible in the 3D view"
    assert len(set(map(tuple, view.reshape(-1, 3)[::97]))) > 50  # not a flat fill


def test_screenshot_with_nothing_listening_fails_in_one_line(tmp_path: Path) -> None:
    port = free_port()
    out = tmp_path / "never.png"
    started = time.monotonic()
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{port}", "--screenshot", str(out), "--timeout", "1.5"],
                      timeout=20)
    elapsed = time.monotonic() - started
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"visualizer: no configuration from 127.0.0.1:{port} within 1.5 s (connection refused)"]
    assert not out.exists()
    assert elapsed < 10


@pytest.fixture
def closing_server() -> Iterator[int]:
    """A port whose server accepts every connection and closes it at once."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                listener.accept()[0].close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()


@pytest.mark.parametrize("case", ["server closes", "unresolvable host"])
def test_screenshot_failure_is_one_line_however_often_it_retried(
    case: str, closing_server: int, tmp_path: Path
) -> None:
    """Every reconnect used to log a WARNING line of its own before the final line."""
    if case == "server closes":
        address = f"127.0.0.1:{closing_server}"
        reason = f"{address} closed the connection"
    else:
        address = "x" * 64 + ".invalid:9000"  # refused by the IDNA codec: no DNS query is sent
        reason = "cannot resolve host ("
    proc = run_python(["-m", "visualizer.app", address, "--screenshot", str(tmp_path / "x.png"),
                       "--timeout", "1.5"], timeout=20)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"visualizer: no configuration from {address} within 1.5 s ({reason}")


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("{tmp}", "Is a directory"),
        ("{tmp}/file.txt/x.png", "{tmp}/file.txt is not a directory"),
        ("{tmp}/file.txt/deeper/x.png", "Not a directory"),
        ("/proc/x.png", "No such file or directory"),
    ],
    ids=["directory", "parent is a file", "ancestor is a file", "cannot create there"],
)
def test_unwritable_screenshot_path_fails_at_once_in_one_line(
    target: str, reason: str, server: VisualizerTCPServer, tmp_path: Path
) -> None:
    """It used to connect, wait for the show and only then say "cannot write screenshot"
    (no reason, exit 1) -- or, with the server down, blame the connection instead."""
    (tmp_path / "file.txt").write_text("not a directory")
    path = target.format(tmp=tmp_path)
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--screenshot", path,
                       "--timeout", "20"], timeout=20)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"visualizer: cannot write screenshot {path}: "), lines[0]
    assert lines[0].endswith(reason.format(tmp=tmp_path)), lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_screenshot_path_that_is_a_fifo_is_refused_without_blocking(server: VisualizerTCPServer,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    os.mkfifo(path)
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--screenshot", str(path)],
                      timeout=20)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"visualizer: cannot write screenshot {path}: not a regular file"]


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["localhost:99999"], r"^visualizer: bad port 99999 in 'localhost:99999'"),
        (["[::1"], r"^visualizer: bad address '\[::1'"),
        (["--size", "big"], r"^visualizer: bad --size 'big': expected WIDTHxHEIGHT"),
        (["--camera", "behind"], r"^visualizer: argument --camera: invalid choice"),
        (["--timeout", "-1"], r"^visualizer: argument --timeout: expected a positive number"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(args: list[str], pattern: str) -> None:
    proc = run_python(["-m", "visualizer.app", *args], timeout=20)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert re.match(pattern, lines[0]), lines[0]


def test_without_a_display_it_says_so(tmp_path: Path) -> None:
    # (With --screenshot it renders under xvfb-run instead: tests/app/test_offscreen.py.)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = run_python(["-m", "visualizer.app"], timeout=20, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "visualizer: no display (DISPLAY and WAYLAND_DISPLAY are not set); "
        "run it under xvfb-run, or try `make demo`"
    ]


def test_untrusted_tls_certificate_keeps_its_acronym_in_the_one_line(
    serve: Callable[..., VisualizerTCPServer], tmp_path: Path
) -> None:
    """The reason used to start "(tLS certificate ...": only its first letter is lowered, never an acronym."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(tmp_path / "server.pem")
    server = serve(ssl_context=server_context(str(tmp_path / "server.pem")))
    proc = run_python(["-m", "visualizer.app", f"127.0.0.1:{server.port}", "--tls", "--screenshot",
                       str(tmp_path / "x.png"), "--timeout", "1.5"], timeout=20)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        f"visualizer: no configuration from 127.0.0.1:{server.port} within 1.5 s (TLS certificate of "), lines[0]
