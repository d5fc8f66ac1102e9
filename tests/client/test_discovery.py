"""mDNS discovery on loopback: a real zeroconf advert found by the browser, the probe and --discover."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from server import VisualizerTCPServer
from server.discovery import Advertiser
from shared.protocol.discovery import Advert, advert_from_txt
from visualizer.tcp.discovery import discover

LOOPBACK = ["127.0.0.1"]


@pytest.fixture
def advertise() -> Iterator[Callable[..., Advertiser]]:
    made: list[Advertiser] = []

    def make(advert: Advert) -> Advertiser:
        adv = Advertiser(advert, interfaces=LOOPBACK)
        adv.start()
        made.append(adv)
        assert adv.registered.wait(10), "advert not registered"
        return adv

    yield make
    for adv in made:
        adv.close()


def test_an_advertised_server_is_found_with_its_txt(advertise, serve):
    server: VisualizerTCPServer = serve()
    advertise(Advert("", "127.0.0.1", server.port, show="Gala", server="Show Creator", protocol=2,
                     token=True, tls=False))
    found = [a for a in discover(10, interfaces=LOOPBACK, first=True) if a.port == server.port]
    assert len(found) == 1
    a = found[0]
    assert (a.host, a.show, a.protocol, a.token, a.tls) == ("127.0.0.1", "Gala", 2, True, False)
    assert "needs token" in a.describe()


def test_probe_discover_lists_and_connects(advertise, serve, capsys):
    from visualizer.probe import main

    server = serve()
    advertise(Advert("", "127.0.0.1", server.port, show="Probe Show", protocol=2))
    code = main(["--discover", "--mdns-interface", "127.0.0.1", "--once", "--timeout", "10"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f'"Probe Show" at 127.0.0.1:{server.port}' in out
    assert "Received complete configuration" in out


def test_nothing_found_is_one_line(capsys):
    from visualizer.probe import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--discover", "--mdns-interface", "127.0.0.1", "--timeout", "0.5"])
    assert exit_info.value.code == 2
    assert "no Show Creator found on the local network" in capsys.readouterr().err


def test_txt_values_that_make_no_sense_fall_back():
    a = advert_from_txt("X._showcreator._tcp.local.", "10.0.0.2", 9000, {b"protocol": b"two", b"tls": None})
    assert (a.instance, a.protocol, a.tls, a.address) == ("X", 1, False, "10.0.0.2:9000")


def test_discover_on_an_interface_this_host_lacks_is_one_line(capsys):
    # a venue laptop whose network went away: zeroconf cannot join the multicast group there
    from visualizer.probe import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--discover", "--mdns-interface", "203.0.113.5", "--timeout", "0.5"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot search the network (mDNS) on 203.0.113.5" in err, err
