"""Shared helpers for benchmarks: timing and the result-row format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypedDict


class Row(TypedDict):
    """One benchmark figure; ``ratio`` is value / baseline (lower is better for times)."""

    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str


def row(name: str, value: float, unit: str, baseline: float | None = None, target: str = "") -> Row:
    ratio = value / baseline if baseline else None
    return Row(name=name, value=value, unit=unit, baseline=baseline, ratio=ratio, target=target)


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in seconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def format_table(rows: list[Row]) -> str:
    header = f"{'benchmark':<58} {'value':>12} {'baseline':>12} {'ratio':>7}  target"
    lines = [header, "-" * len(header)]
    for r in rows:
        base = f"{r['baseline']:.3g}" if r["baseline"] is not None else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        value = f"{r['value']:.3g} {r['unit']}"
        lines.append(f"{r['name']:<58} {value:>12} {base:>12} {ratio:>7}  {r['target']}")
    return "\n".join(lines)
