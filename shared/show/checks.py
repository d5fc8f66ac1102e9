"""Checks that span more than one fixture or group.

Per-field problems are caught while decoding (``codec``); these are the
patch-level mistakes a programmer makes: two fixtures with one name, a group
naming a fixture that is gone, two fixtures answering the same DMX channels.
Errors make a show unusable; warnings are shown but the show is served.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.show.model import DMX_CHANNELS, ShowConfig


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Literal["error", "warning"]
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}" if self.where else self.problem


def check_config(config: ShowConfig) -> list[Issue]:
    """All cross-reference problems in ``config``, errors first."""
    errors: list[Issue] = []
    warnings: list[Issue] = []

    first_index: dict[str, int] = {}
    for i, f in enumerate(config.fixtures):
        where = f'fixtures[{i}] "{f.name}"'
        if f.name in first_index:
            errors.append(
                Issue("error", where, f"duplicate fixture name (also fixtures[{first_index[f.name]}])")
            )
        else:
            first_index[f.name] = i
        count = f.channel_count
        if count is not None and f.address + count - 1 > DMX_CHANNELS:
            warnings.append(
                Issue(
                    "warning",
                    where,
                    f"channels {f.address}..{f.address + count - 1} run past {DMX_CHANNELS}",
                )
            )

    group_index: dict[str, int] = {}
    for i, g in enumerate(config.groups):
        where = f'groups[{i}] "{g.name}"'
        if g.name in group_index:
            errors.append(
                Issue("error", where, f"duplicate group name (also groups[{group_index[g.name]}])")
            )
        else:
            group_index[g.name] = i
        for member in g.fixtures:
            if member not in first_index:
                errors.append(Issue("error", where, f"member {member!r} is not a fixture"))

    warnings.extend(_overlaps(config))
    return errors + warnings


def _overlaps(config: ShowConfig) -> list[Issue]:
    """Fixtures whose known DMX footprints share channels in one universe."""
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for i, f in enumerate(config.fixtures):
        count = f.channel_count
        if count is not None:
            spans.setdefault(f.universe, []).append((f.address, f.address + count - 1, i))
    out: list[Issue] = []
    for universe, items in spans.items():
        items.sort()
        reach_end, reach_index = -1, -1
        for start, end, i in items:
            if start <= reach_end:
                a, b = config.fixtures[reach_index], config.fixtures[i]
                out.append(
                    Issue(
                        "warning",
                        f'fixtures[{i}] "{b.name}"',
                        f"DMX channels {start}..{end} in universe {universe} overlap "
                        f'"{a.name}" ({a.address}..{reach_end})',
                    )
                )
            if end > reach_end:
                reach_end, reach_index = end, i
    return out
