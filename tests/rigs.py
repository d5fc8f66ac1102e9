"""Test rigs for issue 7: the shows that used to blank the viewer, as show-file dicts.

Written for these tests (not copied from any product): a theatre with side
booms on the walls, zero dimensions, four same-named PARs in two groups, and a
fixture typed in millimetres.
"""

from __future__ import annotations

import copy
from typing import Any


def fixture(name: str, universe: int, address: int, x: float, y: float, z: float, **more: Any) -> dict[str, Any]:
    return {
        "name": name, "manufacturer": "Generic", "model": more.pop("model", "LED PAR 7x10"), "mode": "8 Channel",
        "universe": universe, "address": address, "position": {"x": x, "y": y, "z": z}, **more,
    }


def theatre() -> dict[str, Any]:
    """16 fixtures: 6 front washes, 6 back washes, 2 side booms on the walls (x = ±5.5, z = 1.5), 2 specials."""
    fixtures = []
    for i in range(6):
        fixtures.append(fixture(f"Front Wash {i + 1}", 1, 1 + 8 * i, -5 + 2 * i, -5.0, 6.0, fixture_type="WASH",
                                orientation={"mounting": "hanging", "yaw": 0, "pitch": 0, "roll": 0}))
    for i in range(6):
        fixtures.append(fixture(f"Back Wash {i + 1}", 1, 49 + 8 * i, -5 + 2 * i, 4.0, 6.5, fixture_type="WASH",
                                orientation={"mounting": "hanging", "yaw": 0, "pitch": 0, "roll": 0}))
    fixtures.append(fixture("Side Boom L", 1, 97, -5.5, 0.0, 1.5, fixture_type="PAR",
                            orientation={"mounting": "wall_left", "yaw": 0, "pitch": 0, "roll": 0}))
    fixtures.append(fixture("Side Boom R", 1, 105, 5.5, 0.0, 1.5, fixture_type="PAR",
                            orientation={"mounting": "wall_right", "yaw": 0, "pitch": 0, "roll": 0}))
    fixtures.append(fixture("Special 1", 1, 113, 0.0, -1.0, 7.0, fixture_type="PROFILE", beam_angle=19))
    fixtures.append(fixture("Special 2", 1, 121, 0.0, 1.0, 7.0, fixture_type="PROFILE", beam_angle=26))
    groups = [
        {"name": "Front", "color": "#4477CC", "fixtures": [f["name"] for f in fixtures[:6]]},
        {"name": "Back", "color": "#CC7744", "fixtures": [f["name"] for f in fixtures[6:12]]},
        {"name": "Booms", "color": "#44CC77", "fixtures": ["Side Boom L", "Side Boom R"]},
    ]
    return {"stage": {"width": 12.0, "height": 10.0, "grid_size": 1.0}, "fixtures": fixtures, "groups": groups}


def theatre_with(index: int, key: str, value: Any) -> dict[str, Any]:
    """The theatre with one field of one fixture set to ``value``."""
    show = copy.deepcopy(theatre())
    show["fixtures"][index][key] = value
    return show


def zero_dimensions() -> dict[str, Any]:
    """The theatre as QLC+ writes unknown sizes: every ``physical`` is 0 × 0 × 0."""
    show = theatre()
    for f in show["fixtures"]:
        f["physical"] = {"width": 0, "height": 0, "depth": 0}
    return show


def four_pars() -> dict[str, Any]:
    """Four "Retro Flat Par" patched 1.1, 1.9, 1.17, 1.25: two in "Front" (#4477CC), two in "Back" (#CC7744)."""
    pars = [fixture("Retro Flat Par", 1, 1 + 8 * i, -3.0 + 2 * i, -2.0 if i < 2 else 2.0, 5.0, fixture_type="PAR",
                    model="Retro Flat Par") for i in range(4)]
    groups = [
        {"name": "Front", "color": "#4477CC", "fixtures": ["Retro Flat Par", "Retro Flat Par"]},
        {"name": "Back", "color": "#CC7744", "fixtures": ["Retro Flat Par", "Retro Flat Par"]},
    ]
    return {"stage": {"width": 10.0, "height": 8.0}, "fixtures": pars, "groups": groups}


def mm_as_m() -> dict[str, Any]:
    """The theatre plus one fixture at (1500, 2000, 3000): millimetres typed as metres."""
    show = theatre()
    show["fixtures"].append(fixture("Typo Par", 2, 1, 1500, 2000, 3000, fixture_type="PAR"))
    return show
