"""The visualizer's live-DMX flags: ``--artnet``, ``--sacn``, ``--artnet-bind``, ``--universe-base``, ...

Port options exist for tests (hidden from ``--help``).
"""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass

from shared.cli import port_number, positive_seconds
from shared.dmx.artnet import ARTNET_PORT
from shared.dmx.sacn import SACN_PORT
from shared.dmx.state import DEFAULT_STALE_AFTER

#: No DMX at all this long after start: one hint line says where we listen and why it may be quiet.
HINT_AFTER = 5.0


@dataclass(frozen=True)
class DmxOptions:
    artnet: bool = True
    sacn: bool = False
    artnet_bind: str = "0.0.0.0"
    artnet_port: int = ARTNET_PORT
    sacn_bind: str = "0.0.0.0"
    sacn_port: int = SACN_PORT
    universe_base: int = 1
    timeout: float = DEFAULT_STALE_AFTER
    hint_after: float = HINT_AFTER
    #: Folders of QLC+ fixture definitions (.qxf), searched before QLC+'s own folders.
    fixtures_dirs: tuple[str, ...] = ()
    #: This machine's address on the network sACN multicast arrives from (0.0.0.0: the system's choice).
    sacn_interface: str = "0.0.0.0"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("live DMX")
    group.add_argument("--artnet", action="store_true", help="receive Art-Net (UDP 6454) and light fixtures from it")
    group.add_argument("--sacn", action="store_true",
                       help="receive sACN / E1.31 (UDP 5568, multicast 239.255.x.y per universe, and unicast)")
    group.add_argument("--artnet-bind", metavar="ADDR", default="0.0.0.0",
                       help="address to receive Art-Net on (default %(default)s: every interface, broadcasts too)")
    group.add_argument("--sacn-interface", metavar="ADDR", type=ipv4_address, default="0.0.0.0",
                       help="this machine's IPv4 address on the lighting network: sACN multicast is joined "
                       "there (default: the interface the system routes 239.255.0.0/16 to, usually the "
                       "default route's; set it when the desk is on a second network card)")
    group.add_argument("--universe-base", type=int, choices=(0, 1), default=1,
                       help="the show numbers universes from 1 (Art-Net U-1, sACN U; default) or from 0 "
                       "(Art-Net U, sACN U+1)")
    group.add_argument("--dmx-timeout", metavar="S", type=positive_seconds, default=DEFAULT_STALE_AFTER,
                       help="a universe silent this long shows its static look again (default %(default)s)")
    group.add_argument("--fixtures-dir", metavar="DIR", action="append", default=[],
                       help="QLC+ fixture definitions (.qxf) for fixtures the show sends without a channel "
                       "mapping (repeatable; QLC+'s own fixture folders are searched too)")
    group.add_argument("--artnet-port", type=port_number, default=ARTNET_PORT, help=argparse.SUPPRESS)
    group.add_argument("--sacn-port", type=port_number, default=SACN_PORT, help=argparse.SUPPRESS)
    group.add_argument("--sacn-bind", metavar="ADDR", default="0.0.0.0", help=argparse.SUPPRESS)


def from_namespace(ns: argparse.Namespace) -> DmxOptions | None:
    """The options, or None when neither --artnet nor --sacn was given."""
    if not (ns.artnet or ns.sacn):
        return None
    return DmxOptions(ns.artnet, ns.sacn, ns.artnet_bind, ns.artnet_port, ns.sacn_bind, ns.sacn_port,
                      ns.universe_base, ns.dmx_timeout, fixtures_dirs=tuple(ns.fixtures_dir),
                      sacn_interface=ns.sacn_interface)


def ipv4_address(text: str) -> str:
    """A network card's IPv4 address in dotted form, or 0.0.0.0 for the system's choice
    (argparse type): one line naming the value otherwise."""
    try:
        address = ipaddress.IPv4Address(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 address (e.g. 10.0.0.5)") from None
    why = ("a multicast group" if address.is_multicast
           else "the broadcast address" if address == ipaddress.IPv4Address("255.255.255.255") else None)
    if why is not None:
        raise argparse.ArgumentTypeError(f"{text!r} is {why}, not a network card's address (e.g. 10.0.0.5)")
    return str(address)


def usage_problem(ns: argparse.Namespace) -> str | None:
    """A live-DMX option that would silently do nothing, as one line; else None."""
    if ns.sacn_interface != "0.0.0.0" and not ns.sacn:
        return "--sacn-interface says where to join sACN multicast: add --sacn to receive sACN"
    return None
