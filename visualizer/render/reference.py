"""A festival-size reference rig and synthetic looks, to judge the lit picture by eye.

``festival_show()``: about 60 fixtures on a 16 × 10 m stage: a front truss of
washes, two trusses of moving heads, blinders, floor beams, pixel bars and two
side towers (x = -7.5 is stage left).  ``pattern_look(config, name, t)`` makes a
``Look`` without any DMX (the live path is the DMX evaluator's): ``rainbow``,
``white``, ``sweep`` (heads moving with time ``t``) and ``chase``.
"""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np

from shared.show.model import Dimensions, Fixture, Group, Layout, Orientation, ShowConfig, Stage, Vec3
from visualizer.light.look import Look

PATTERNS = ("rainbow", "white", "sweep", "chase")


def _fixture(name: str, kind: str, x: float, y: float, z: float, mounting: str,
             angles: tuple[float, float, float] = (0.0, 0.0, 0.0), **extra: Any) -> dict[str, Any]:
    yaw, pitch, roll = angles
    out: dict[str, Any] = {
        "name": name, "manufacturer": "Reference", "model": kind, "mode": "std", "universe": 1, "address": 1,
        "position": {"x": x, "y": y, "z": z},
        "orientation": {"mounting": mounting, "yaw": yaw, "pitch": pitch, "roll": roll},
        "fixture_type": kind,
    }
    out.update(extra)
    return out


#: Personalities (0-based offset -> function) so the test-pattern sender can drive the rig.
WASH_RGBW = {0: "dimmer", 1: "red", 2: "green", 3: "blue", 4: "white", 5: "shutter"}
HEAD_16BIT = {0: "pan", 1: "pan_fine", 2: "tilt", 3: "tilt_fine", 4: "dimmer", 5: "shutter",
              6: "red", 7: "green", 8: "blue", 9: "zoom"}
PIXEL_BAR_12 = {3 * k + c: colour for k in range(12) for c, colour in enumerate(("red", "green", "blue"))}
BLINDER = {0: "dimmer"}
PAR_RGB = {0: "red", 1: "green", 2: "blue", 3: "dimmer"}


def festival_show() -> ShowConfig:
    f: list[dict[str, Any]] = []
    groups: dict[str, list[str]] = {}
    patch = {"universe": 1, "address": 1}

    def add(group: str, item: dict[str, Any]) -> None:
        """Patch in order, each fixture after the last, a new universe when it would not fit."""
        count = max(item["channel_mapping"]) + 1
        if patch["address"] + count - 1 > 512:
            patch["universe"] += 1
            patch["address"] = 1
        item["universe"], item["address"] = patch["universe"], patch["address"]
        patch["address"] += count
        f.append(item)
        groups.setdefault(group, []).append(item["name"])

    for i in range(8):
        x = -7.0 + 2.0 * i
        add("Front washes", _fixture(f"Front Wash {i + 1}", "WASH", x, -4.5, 7.0, "hanging", (180.0, 55.0, 0.0),
                                     beam_angle=30.0, physical={"width": 0.35, "height": 0.4, "depth": 0.3},
                                     channel_mapping=WASH_RGBW))
        add("Mid heads", _fixture(f"Mid Spot {i + 1}", "MH", x, 0.0, 7.5, "hanging", beam_angle=12.0,
                                  physical={"width": 0.35, "height": 0.5, "depth": 0.3}, channel_mapping=HEAD_16BIT))
        add("Back heads", _fixture(f"Back Beam {i + 1}", "MH", x, 4.0, 7.5, "hanging", beam_angle=6.0,
                                   physical={"width": 0.3, "height": 0.45, "depth": 0.25}, channel_mapping=HEAD_16BIT))
        add("Floor beams", _fixture(f"Floor Beam {i + 1}", "MH", x, 4.6, 0.0, "standing", beam_angle=5.0,
                                    physical={"width": 0.3, "height": 0.45, "depth": 0.25},
                                    channel_mapping=HEAD_16BIT))
        add("Pixel bars", _fixture(f"Pixel Bar {i + 1}", "PIXELBAR", x, 4.2, 0.0, "wall_back",
                                   physical={"width": 1.8, "height": 0.08, "depth": 0.08},
                                   layout={"width": 12, "height": 1}, channel_mapping=PIXEL_BAR_12))
    for i in range(4):
        add("Blinders", _fixture(f"Blinder {i + 1}", "PAR", -4.5 + 3.0 * i, 4.3, 7.2, "custom", (0.0, 15.0, 0.0),
                                 beam_angle=60.0, physical={"width": 0.45, "height": 0.2, "depth": 0.45},
                                 channel_mapping=BLINDER))
    for side, (x, mounting) in (("L", (-7.6, "wall_left")), ("R", (7.6, "wall_right"))):
        for k, z in enumerate((1.5, 3.0, 4.5)):
            add("Side towers", _fixture(f"Tower {side} Par {k + 1}", "PAR", x, -1.0, z, mounting, beam_angle=25.0,
                                        channel_mapping=PAR_RGB))
        add("Side towers", _fixture(f"Tower {side} Spot", "MH", x, 1.0, 5.5, mounting, beam_angle=14.0,
                                    channel_mapping=HEAD_16BIT))
    colours = {"Front washes": "#FF7043", "Mid heads": "#42A5F5", "Back heads": "#66BB6A", "Floor beams": "#AB47BC",
               "Pixel bars": "#FFCA28", "Blinders": "#BDBDBD", "Side towers": "#26C6DA"}

    def build(d: dict[str, Any]) -> Fixture:
        # built directly: the wall mountings are newer than some decoders
        o = d["orientation"]
        phys = d.get("physical")
        lay = d.get("layout")
        return Fixture(
            name=d["name"], manufacturer=d["manufacturer"], model=d["model"], mode=d["mode"],
            universe=d["universe"], address=d["address"], position=Vec3(**d["position"]),
            orientation=Orientation(o["mounting"], o["yaw"], o["pitch"], o["roll"]),
            fixture_type=d["fixture_type"], beam_angle=d.get("beam_angle"),
            physical=None if phys is None else Dimensions(**phys),
            layout=None if lay is None else Layout(**lay), channel_mapping=dict(d["channel_mapping"]))

    return ShowConfig(Stage(16.0, 10.0, 1.0), tuple(build(d) for d in f),
                      tuple(Group(g, colours[g], tuple(names)) for g, names in groups.items()))


def pattern_look(config: ShowConfig, pattern: str = "rainbow", t: float = 0.0) -> Look:
    """A Look for every fixture of ``config`` (vectorised), as a test pattern would light it."""
    if pattern not in PATTERNS:
        raise ValueError(f"pattern {pattern!r} is not one of {', '.join(PATTERNS)}")
    n = len(config.fixtures)
    kinds = np.array([(fx.fixture_type or "").upper() for fx in config.fixtures])
    idx = np.arange(n, dtype=np.float32)
    hue = (idx / max(n, 1) * 3.0 + t * 0.1) % 1.0
    rgb = np.array([colorsys.hsv_to_rgb(float(h), 0.85, 1.0) for h in hue], np.float32).reshape(n, 3)
    pan = np.zeros(n, np.float32)
    tilt = np.zeros(n, np.float32)
    heads = kinds == "MH"
    spread = ((idx % 8) - 3.5).astype(np.float32)
    if pattern == "white":
        rgb[:] = 1.0
        tilt[heads] = 20.0
    elif pattern == "sweep":
        pan[heads] = 60.0 * np.sin(t + spread[heads] * 0.3)
        tilt[heads] = 35.0 + 15.0 * np.cos(t * 0.7)
    elif pattern == "chase":
        on = ((idx + int(t * 4)) % 4) == 0
        rgb[~on] = 0.0
        tilt[heads] = 25.0
    else:
        pan[heads] = spread[heads] * 9.0
        tilt[heads] = 30.0
    blinders = np.array(["Blinder" in fx.name for fx in config.fixtures])
    rgb[blinders] = (1.0, 0.72, 0.4) if pattern != "chase" else rgb[blinders]
    cells_per = [fx.layout.width * fx.layout.height if fx.layout is not None and kinds[i] == "PIXELBAR" else 0
                 for i, fx in enumerate(config.fixtures)]
    owner = np.repeat(np.arange(n, dtype=np.int32), cells_per)
    k = np.arange(len(owner), dtype=np.float32)
    cell_hue = (k / 24.0 + t * 0.2) % 1.0
    cells = np.array([colorsys.hsv_to_rgb(float(h), 1.0, 1.0) for h in cell_hue], np.float32).reshape(-1, 3)
    beam = np.array([fx.beam_angle or 20.0 for fx in config.fixtures], np.float32)
    return Look(color=rgb, intensity=rgb.max(axis=1), live=np.ones(n, bool), pan_deg=pan, tilt_deg=tilt,
                beam_deg=beam, cell_color=cells, cell_owner=owner)
