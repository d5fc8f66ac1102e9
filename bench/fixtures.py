"""Synthetic rigs of any size for benchmarks.

Fixtures carry the optional fields real Show Creator builds send (orientation,
physical size, channel mapping), because their size dominates what goes over
the wire and what the decoder validates.
"""

from __future__ import annotations

import math

from shared.show.model import Dimensions, Fixture, Group, Layout, Orientation, ShowConfig, Stage, Vec3

_KINDS = (
    ("PAR", "Eurolite", "LED PAR-64 RGBW", ["dimmer", "red", "green", "blue", "white", "shutter"]),
    ("BAR", "Stairville", "LED BAR 240/8", ["red", "green", "blue"] * 8),
    ("MH", "Varytec", "Hero Spot 60", ["pan", "pan_fine", "tilt", "tilt_fine", "dimmer", "shutter",
                                         "color_wheel", "gobo", "prism", "focus"]),
    ("WASH", "Cameo", "Zenit W600", ["pan", "tilt", "dimmer", "red", "green", "blue", "white", "zoom"]),
)
_GROUP_COLORS = ("#FF5722", "#2196F3", "#4CAF50", "#9C27B0", "#FFC107", "#00BCD4", "#E91E63", "#8BC34A")


def make_config(n: int, *, groups: int = 8) -> ShowConfig:
    """A rig of ``n`` fixtures laid out in rows over a stage sized to hold them."""
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    spacing = 0.5
    width, depth = max(10.0, cols * spacing + 1), max(8.0, rows * spacing + 1)
    fixtures = []
    universe, address = 1, 1
    for i in range(n):
        kind, maker, model, functions = _KINDS[i % len(_KINDS)]
        if address + len(functions) - 1 > 512:
            universe, address = universe + 1, 1
        col, row = i % cols, i // cols
        fixtures.append(
            Fixture(
                name=f"{kind.title()} {i + 1}",
                manufacturer=maker,
                model=model,
                mode=f"{len(functions)} Channel",
                universe=universe,
                address=address,
                position=Vec3((col - (cols - 1) / 2) * spacing, (row - (rows - 1) / 2) * spacing, 4.0),
                orientation=Orientation("hanging", 0.0, -30.0, 0.0),
                fixture_type=kind,
                physical=Dimensions(1.0, 0.09, 0.11) if kind == "BAR" else Dimensions(0.3, 0.35, 0.3),
                layout=Layout(8, 1) if kind == "BAR" else None,
                beam_angle=25.0,
                channel_mapping=dict(enumerate(functions)),
            )
        )
        address += len(functions)
    group_list = tuple(
        Group(f"Group {g + 1}", _GROUP_COLORS[g % len(_GROUP_COLORS)],
              tuple(f.name for f in fixtures[g::groups]))
        for g in range(min(groups, n))
    )
    return ShowConfig(Stage(width, depth, 0.5), tuple(fixtures), group_list)
