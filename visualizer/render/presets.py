"""Camera presets, defined once, without Qt (the command line reads them before any window exists)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    azimuth: float
    elevation: float
    fov: float  # horizontal, degrees
    #: A true orthographic plan (a fixture's drawn position is its coordinates, at any height).
    orthographic: bool = False


#: The camera presets, defined once (the window, the command line and the keys
#: 1-4 use this order).  Stage coordinates: +x stage right (the audience's left),
#: -y downstage, z up; the picture is mirrored so that it is the real stage.
#: Front: an elevation from the audience (-y), stage left on the right.
#: Top: a plan with the audience at the bottom and +x (stage right) on the left.
#: Side: an elevation from stage right (+x), the audience on the right.
PRESETS: dict[str, Preset] = {
    "front": Preset(azimuth=-90.0, elevation=0.0, fov=20.0, orthographic=True),
    "top": Preset(azimuth=-90.0, elevation=90.0, fov=20.0, orthographic=True),
    "side": Preset(azimuth=0.0, elevation=0.0, fov=20.0, orthographic=True),
    "perspective": Preset(azimuth=-62.0, elevation=24.0, fov=50.0),
}
#: A stage wider or deeper than this (metres) is almost certainly in millimetres
#: or centimetres: framing leaves it out.
PLAUSIBLE_STAGE = 500.0
