"""The built-in demo show: a small but realistic club rig.

It is what ``show-creator`` serves without ``--show`` and what ``make demo``
renders, so it exercises every fixture body the viewer draws (bars, pars,
washes, moving heads, pixel bars), both mountings, and several groups.
Orientation angles are absolute (``shared.show.orientation``): the front pars
hang at the audience side aiming upstage (yaw 180) and 50 degrees down; the side
washes stand at x = -4.5 (stage left) and 4.5 aiming across and 30 degrees up.
"""

from __future__ import annotations

from typing import Any

from shared.show.codec import config_from_dict
from shared.show.model import ShowConfig


def _rgb_segments(count: int, stride: int = 3, first: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "channels": [first + i * stride, first + i * stride + 1, first + i * stride + 2],
            "red": first + i * stride,
            "green": first + i * stride + 1,
            "blue": first + i * stride + 2,
            "white": None,
        }
        for i in range(count)
    ]


def _mapping(functions: list[str]) -> dict[str, str]:
    return {str(i): fn for i, fn in enumerate(functions)}


def demo_show_dict() -> dict[str, Any]:
    """The demo show as the JSON object a show file would hold."""
    fixtures: list[dict[str, Any]] = []

    bar_channels = _mapping([c for _ in range(8) for c in ("red", "green", "blue")])
    for i in range(8):
        floor = i < 4
        fixtures.append(
            {
                "name": f"LED Bar {i + 1}",
                "manufacturer": "Stairville",
                "model": "LED BAR 240/8",
                "mode": "24 Channel",
                "universe": 1,
                "address": 1 + 24 * i,
                "position": {
                    "x": -2.0 + (i % 4) * 4 / 3,
                    "y": 3.0 if floor else 3.5,
                    "z": 0.0 if floor else 4.5,
                },
                "orientation": {
                    "mounting": "standing" if floor else "hanging",
                    "yaw": 0.0,
                    "pitch": 0.0,
                    "roll": 0.0,
                },
                "fixture_type": "BAR",
                "physical": {"width": 1.0, "height": 0.09, "depth": 0.11},
                "layout": {"width": 8, "height": 1},
                "beam_angle": 25.0,
                "channel_mapping": bar_channels,
                "pixel_segments": _rgb_segments(8),
                "lumens": 1200,
            }
        )

    par_channels = _mapping(["dimmer", "red", "green", "blue", "white", "shutter", "macro", "speed"])
    for i in range(6):
        fixtures.append(
            {
                "name": f"Front Par {i + 1}",
                "manufacturer": "Eurolite",
                "model": "LED PAR-64 RGBW",
                "mode": "8 Channel",
                "universe": 1,
                "address": 193 + 8 * i,
                "position": {"x": -3.75 + 1.5 * i, "y": -3.5, "z": 5.0},
                "orientation": {"mounting": "hanging", "yaw": 180.0, "pitch": 50.0, "roll": 0.0},
                "fixture_type": "PAR",
                "physical": {"width": 0.25, "height": 0.3, "depth": 0.25},
                "beam_angle": 40.0,
                "channel_mapping": par_channels,
                "lumens": 2500,
            }
        )

    head_channels = _mapping(
        [
            "pan", "pan_fine", "tilt", "tilt_fine", "speed", "dimmer", "shutter",
            "color_wheel", "gobo", "gobo_rotation", "prism", "focus", "zoom", "reset",
        ]
    )
    wheel = [
        {"min": 0, "max": 9, "color": "#FFFFFF"},
        {"min": 10, "max": 19, "color": "#FF0000"},
        {"min": 20, "max": 29, "color": "#00FF00"},
        {"min": 30, "max": 39, "color": "#0000FF"},
        {"min": 40, "max": 49, "color": "#FFFF00"},
        {"min": 50, "max": 59, "color": "#FF00FF"},
    ]
    for i in range(4):
        fixtures.append(
            {
                "name": f"Spot {i + 1}",
                "manufacturer": "Varytec",
                "model": "Hero Spot 60",
                "mode": "14 Channel",
                "universe": 2,
                "address": 1 + 14 * i,
                "position": {"x": -3.0 + 2.0 * i, "y": 0.5, "z": 5.0},
                "orientation": {"mounting": "hanging", "yaw": 0.0, "pitch": 0.0, "roll": 0.0},
                "fixture_type": "MH",
                "physical": {"width": 0.3, "height": 0.4, "depth": 0.25},
                "beam_angle": 15.0,
                "pan_max": 540.0,
                "tilt_max": 270.0,
                "channel_mapping": head_channels,
                "color_wheel": wheel,
                "gobo_wheel": [{"min": 0, "max": 7, "name": "Open"}, {"min": 8, "max": 15, "name": "Dots"}],
                "lumens": 3000,
            }
        )

    wash_channels = _mapping(["pan", "tilt", "dimmer", "red", "green", "blue", "white", "zoom"])
    for i, side in enumerate((-1, 1)):
        fixtures.append(
            {
                "name": f"Side Wash {'L' if side < 0 else 'R'}",
                "manufacturer": "Cameo",
                "model": "Zenit W600",
                "mode": "8 Channel",
                "universe": 2,
                "address": 57 + 8 * i,
                "position": {"x": 4.5 * side, "y": -1.0, "z": 0.0},
                "orientation": {"mounting": "standing", "yaw": 90.0 * side, "pitch": -30.0, "roll": 0.0},
                "fixture_type": "WASH",
                "physical": {"width": 0.35, "height": 0.45, "depth": 0.3},
                "beam_angle": 30.0,
                "channel_mapping": wash_channels,
                "lumens": 6000,
            }
        )

    pixel_channels = _mapping([c for _ in range(16) for c in ("red", "green", "blue")])
    for i in range(2):
        fixtures.append(
            {
                "name": f"Pixel Bar {i + 1}",
                "manufacturer": "Showtec",
                "model": "Pixel Bar 16",
                "mode": "48 Channel",
                "universe": 3,
                "address": 1 + 48 * i,
                "position": {"x": -1.25 + 2.5 * i, "y": -3.8, "z": 0.0},
                "orientation": {"mounting": "standing", "yaw": 0.0, "pitch": 0.0, "roll": 0.0},
                "fixture_type": "PIXELBAR",
                "physical": {"width": 2.0, "height": 0.07, "depth": 0.07},
                "layout": {"width": 16, "height": 1},
                "channel_mapping": pixel_channels,
                "pixel_segments": _rgb_segments(16),
            }
        )

    def names(prefix: str, count: int) -> list[str]:
        return [f"{prefix} {n}" for n in range(1, count + 1)]

    groups = [
        {"name": "Front Wash", "color": "#FF5722", "fixtures": names("Front Par", 6)},
        {"name": "LED Bars", "color": "#2196F3", "fixtures": names("LED Bar", 8)},
        {"name": "Moving Heads", "color": "#4CAF50", "fixtures": names("Spot", 4)},
        {"name": "Side Wash", "color": "#9C27B0", "fixtures": ["Side Wash L", "Side Wash R"]},
        {"name": "Pixel Bars", "color": "#FFC107", "fixtures": names("Pixel Bar", 2)},
    ]
    return {
        "stage": {"width": 10.0, "height": 8.0, "grid_size": 0.5},
        "fixtures": fixtures,
        "groups": groups,
    }


def demo_show() -> ShowConfig:
    return config_from_dict(demo_show_dict())
