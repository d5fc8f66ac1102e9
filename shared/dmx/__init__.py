"""DMX over IP, sans-IO: Art-Net 4 and sACN (E1.31) packets, source merging and the levels state.

Sockets live in ``visualizer/dmx`` (receivers) and ``server/dmx_test.py``
(the test-pattern sender); this package only reads and writes bytes.
"""

from shared.dmx.errors import Ignored, PacketError
from shared.dmx.merge import SourceInfo
from shared.dmx.state import DmxSnapshot, DmxState
from shared.dmx.universes import UniverseMap, show_universes, universe_warnings

__all__ = [
    "DmxSnapshot",
    "DmxState",
    "Ignored",
    "PacketError",
    "SourceInfo",
    "UniverseMap",
    "show_universes",
    "universe_warnings",
]
