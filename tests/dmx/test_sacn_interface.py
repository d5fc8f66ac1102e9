"""``--sacn-interface``: multicast sACN joined on the network card the user names."""

from __future__ import annotations

import socket
import time

import pytest

from tests.app.helpers import WAIT_MS
from tests.dmx.packets import e131
from visualizer.app.cli import parse_args
from visualizer.app.dmx_controller import DmxController
from visualizer.app.dmx_options import DmxOptions
from visualizer.app.window import MainWindow


def test_cli_names_the_interface() -> None:
    assert parse_args(["--sacn", "--sacn-interface", "127.0.0.1"]).dmx == DmxOptions(
        artnet=False, sacn=True, sacn_interface="127.0.0.1")
    assert parse_args(["--sacn"]).dmx == DmxOptions(artnet=False, sacn=True)


def test_a_bad_interface_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse_args(["--sacn", "--sacn-interface", "eth0"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == "visualizer: argument --sacn-interface: 'eth0' is not an IPv4 address (e.g. 10.0.0.5) (see --help)"


def test_multicast_arrives_on_the_named_interface(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The app joins 239.255.0.1 on 127.0.0.1 and multicast sent out of loopback reaches the state."""
    controller = DmxController(window, DmxOptions(artnet=False, sacn=True, sacn_bind="0.0.0.0", sacn_port=0,
                                                  sacn_interface="127.0.0.1"))
    assert controller.start() == []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        controller.receiver.receiver.set_universes([1])
        assert "239.255.0.1" in controller.receiver.receiver.joined
        port = controller.receiver.receiver.port("sACN")
        assert port is not None
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)

        def arrived() -> bool:
            sock.sendto(e131(1, bytes([77, 78])), ("239.255.0.1", port))
            row = controller.state.snapshot(time.monotonic()).universe(1)
            return row is not None and bytes(row[:2]) == bytes([77, 78])

        qtbot.waitUntil(arrived, timeout=WAIT_MS)
    finally:
        sock.close()
        controller.stop()
