"""``--sacn-interface``: multicast sACN joined on the network card the user names."""

from __future__ import annotations

import socket
import time

import pytest

from shared.dmx.state import DmxState
from tests.app.helpers import WAIT_MS
from tests.dmx.packets import e131
from visualizer.app.cli import parse_args
from visualizer.app.dmx_controller import DmxController
from visualizer.app.dmx_options import DmxOptions
from visualizer.app.window import MainWindow
from visualizer.dmx.receiver import DmxReceiver


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


def test_an_interface_this_machine_lacks_is_one_line_naming_the_flag() -> None:
    """It said "No such device" and asked about a route to 239.255.0.0/16: the address was the problem."""
    receiver = DmxReceiver(DmxState(()), artnet_enabled=False, sacn_bind="127.0.0.1", sacn_port=0,
                           multicast_interface="192.0.2.1")
    try:
        assert receiver.start() == []
        receiver.set_universes([1, 2, 3])
        problems = list(receiver.problems)
    finally:
        receiver.stop()
    assert problems == [
        "sACN: cannot join multicast for universe 1-3 on interface 192.0.2.1: 192.0.2.1 is not an address of "
        "this machine (check --sacn-interface); multicast sACN will not arrive; unicast sACN still works"
    ]


@pytest.mark.parametrize(
    ("value", "why"),
    [("239.255.0.1", "a multicast group"), ("255.255.255.255", "the broadcast address")],
)
def test_an_address_no_network_card_can_have_is_refused(
    value: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        parse_args(["--sacn", "--sacn-interface", value])
    assert info.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (f"visualizer: argument --sacn-interface: {value!r} is {why}, not a network card's address "
                    "(e.g. 10.0.0.5) (see --help)")


@pytest.mark.parametrize("argv", [["--sacn-interface", "127.0.0.1"], ["--artnet", "--sacn-interface", "127.0.0.1"]])
def test_sacn_interface_without_sacn_is_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """It was silently ignored: the user meant to receive sACN."""
    with pytest.raises(SystemExit) as info:
        parse_args(argv)
    assert info.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == "visualizer: --sacn-interface says where to join sACN multicast: add --sacn to receive sACN"
