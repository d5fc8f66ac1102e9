"""The evaluator's rules written plainly, one fixture at a time.

This is the definition :class:`~visualizer.light.evaluate.RigEvaluator` is
tested against, and the baseline its benchmark compares with.  Far too slow
for a frame of a large rig (a Python loop per fixture); never used to draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from shared.fixtures.personality import Personality, ShutterRange
from shared.show.model import DMX_CHANNELS, ShowConfig
from visualizer.light.evaluate import STROBE_DUTY, default_beam
from visualizer.light.look import Look


def _gate(table: Sequence[ShutterRange], raw: int, t: float) -> float:
    for r in table:
        if r.min <= raw <= r.max:
            if r.kind == "closed":
                return 0.0
            if r.kind == "strobe":
                span = r.max - r.min
                hz = r.hz_from if span == 0 else r.hz_from + (r.hz_to - r.hz_from) * (raw - r.min) / span
                hz = max(float(np.float32(hz)), 0.05)
                phase = float(np.mod(np.float32(t) * np.float32(hz), np.float32(1.0)))
                return 1.0 if phase < STROBE_DUTY else 0.0
            return 1.0
    return 1.0


def evaluate_reference(
    config: ShowConfig,
    personalities: Sequence[Personality | None],
    levels: npt.NDArray[np.uint8],
    rows: Mapping[int, int],
    fresh: Sequence[bool] | npt.NDArray[np.bool_],
    t: float,
) -> Look:
    n = len(config.fixtures)
    color = np.zeros((n, 3), np.float32)
    intensity = np.zeros(n, np.float32)
    live = np.zeros(n, bool)
    pan = np.zeros(n, np.float32)
    tilt = np.zeros(n, np.float32)
    beam = np.zeros(n, np.float32)
    cells: list[tuple[float, float, float]] = []
    owners: list[int] = []
    u = levels.shape[0]
    for i, (f, p) in enumerate(zip(config.fixtures, personalities, strict=True)):
        beam[i] = default_beam(f) if p is None or p.beam_deg is None else p.beam_deg
        row = rows.get(f.universe)
        ok = p is not None and row is not None and 0 <= row < u and bool(fresh[row])
        base = f.address - 1
        if p is None:
            continue

        def raw(off: int | None, row: int | None = row, ok: bool = ok, base: int = base) -> int | None:
            if off is None or base + off >= DMX_CHANNELS:
                return None
            return int(levels[row, base + off]) if ok and row is not None else 0

        def value(fn: str, p: Personality = p, raw=raw) -> float | None:  # type: ignore[no-untyped-def]
            hi = raw(p.offset(fn))
            if hi is None:
                return None
            lo = raw(p.offset(f"{fn}_fine"))
            return float((hi * 256 + lo) / 65535 if lo is not None else hi / 255)

        def v0(fn: str, value=value) -> float:  # type: ignore[no-untyped-def]
            x = value(fn)
            return 0.0 if x is None else x

        additive = any(value(c) is not None for c in ("red", "green", "blue", "white", "amber", "uv"))
        if additive:
            w, a, uv = v0("white"), v0("amber"), v0("uv")
            mix = [v0("red") + w + a + 0.5 * uv, v0("green") + w + 0.75 * a, v0("blue") + w + uv]
        else:
            mix = [1.0 - v0("cyan"), 1.0 - v0("magenta"), 1.0 - v0("yellow")]
        wheel_raw = raw(p.offset("color_wheel"))
        if p.color_wheel and wheel_raw is not None:
            wc = next((s.color for s in p.color_wheel if s.min <= wheel_raw <= s.max), (1.0, 1.0, 1.0))
            if additive and max(mix) <= 0.0:
                mix = list(wc)
            elif not additive:
                mix = [m * c for m, c in zip(mix, wc, strict=True)]
        mix = [min(max(m, 0.0), 1.0) for m in mix]
        dim = value("dimmer")
        level = 1.0 if dim is None else dim
        shutter_raw = raw(p.offset("shutter"))
        if shutter_raw is not None:
            level *= _gate(p.shutter, shutter_raw, t)
        strobe_raw = raw(p.offset("strobe"))
        if strobe_raw is not None:
            level *= _gate(p.strobe, strobe_raw, t)
        if not ok:
            level = 0.0
        intensity[i] = level
        color[i] = [m * level for m in mix]
        live[i] = ok
        if p.cells:
            acc = [0.0, 0.0, 0.0]
            for cell in p.cells:
                c = {fn: (raw(off) or 0) / 255 for fn, off in cell.channels.items()}
                if any(fn in c for fn in ("red", "green", "blue", "white", "amber", "uv")):
                    w, a, uv = c.get("white", 0.0), c.get("amber", 0.0), c.get("uv", 0.0)
                    cm = [
                        c.get("red", 0.0) + w + a + 0.5 * uv,
                        c.get("green", 0.0) + w + 0.75 * a,
                        c.get("blue", 0.0) + w + uv,
                    ]
                else:
                    cm = [1.0, 1.0, 1.0]
                d = c.get("dimmer", 1.0) * level
                rgb = tuple(min(max(x, 0.0), 1.0) * d for x in cm)
                cells.append(rgb)  # type: ignore[arg-type]
                owners.append(i)
                acc = [x + y for x, y in zip(acc, rgb, strict=True)]
            color[i] = [x / len(p.cells) for x in acc]
        if ok:
            pv, tv, zv = value("pan"), value("tilt"), value("zoom")
            if pv is not None:
                pan[i] = (pv - 0.5) * p.pan_range
            if tv is not None:
                tilt[i] = (tv - 0.5) * p.tilt_range
            if zv is not None and p.zoom_deg is not None:
                beam[i] = p.zoom_deg[0] + zv * (p.zoom_deg[1] - p.zoom_deg[0])
    return Look(
        color=color,
        intensity=intensity,
        live=live,
        pan_deg=pan,
        tilt_deg=tilt,
        beam_deg=beam,
        cell_color=np.array(cells, np.float32).reshape(-1, 3),
        cell_owner=np.array(owners, np.int32),
    )
