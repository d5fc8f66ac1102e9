"""Per-frame DMX evaluation: DMX levels → colour, intensity, pan/tilt, beam and cells for a whole rig.

Rigs from ``bench.fixtures.make_config`` (RGBW PARs with shutter, 8-cell RGB
bars, 16-bit spots with a colour wheel, RGBW washes with zoom), every
universe's levels different every frame, as live DMX from a console would be.
Ours: ``RigEvaluator.evaluate`` (index arrays built once per configuration,
then numpy gathers and vector arithmetic).  Baseline, same run, same rigs and
frames: ``evaluate_reference``, the same rules written as a Python loop over
fixtures (what a straightforward implementation does every frame).

Run: ``python -m bench.bench_light``.
"""

from __future__ import annotations

import sys

import numpy as np

from bench.common import Row, format_table, median_time, row
from bench.fixtures import make_config
from shared.fixtures.patch import RigLevelWriter
from visualizer.light.evaluate import RigEvaluator
from visualizer.light.reference import evaluate_reference

SIZES = (1_000, 5_000, 10_000)
TARGET_MS = 2.0


def _measure(n: int, quick: bool, rng: np.random.Generator) -> Row:
    config = make_config(n)
    evaluator = RigEvaluator(config)
    universes = max(f.universe for f in config.fixtures)
    row_of = {u: u - 1 for u in range(1, universes + 1)}
    fresh = np.ones(universes, dtype=bool)
    frames = [rng.integers(0, 256, size=(universes, 512), dtype=np.uint8) for _ in range(8)]
    state = {"k": 0}

    def ours() -> None:
        state["k"] += 1
        evaluator.evaluate(frames[state["k"] % len(frames)], row_of, fresh, state["k"] / 60.0)

    def naive() -> None:
        state["k"] += 1
        evaluate_reference(
            config, evaluator.personalities, frames[state["k"] % len(frames)], row_of, fresh, state["k"] / 60.0
        )

    ours_s = median_time(ours, repeat=30 if quick else 200, warmup=5)
    naive_s = median_time(naive, repeat=2 if quick else 5, warmup=1)
    return row(
        f"light: evaluate {n:,} fixtures ({evaluator.cell_count:,} cells) per frame",
        ours_s * 1e3,
        "ms",
        naive_s * 1e3,
        f"< {TARGET_MS:g} ms" if n == 5_000 else "",
    )


def _measure_writer(n: int, quick: bool, rng: np.random.Generator) -> Row:
    """The test-pattern sender's side: colours → DMX levels for the rig, vs ``levels_for`` per fixture."""
    config = make_config(n)
    writer = RigLevelWriter(config)
    rgb = rng.random((n, 3))
    inten = rng.random(n)

    def ours() -> None:
        writer.levels(rgb, inten)

    def naive() -> None:
        for i, p in enumerate(writer.personalities):
            if p is not None:
                p.levels_for((rgb[i, 0], rgb[i, 1], rgb[i, 2]), float(inten[i]))

    ours_s = median_time(ours, repeat=20 if quick else 100, warmup=3)
    naive_s = median_time(naive, repeat=2 if quick else 5, warmup=1)
    return row(f"light: DMX levels for a pattern, {n:,} fixtures", ours_s * 1e3, "ms", naive_s * 1e3, "< 22 ms (44 Hz)")


def run(quick: bool = False) -> list[Row]:
    rng = np.random.default_rng(7)
    rows = [_measure(n, quick, rng) for n in SIZES]
    rows += [_measure_writer(n, quick, rng) for n in (1_000, 5_000)]
    return rows


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    print(format_table(run(quick=quick)))
