"""Checks that span more than one fixture or group.

Per-field problems are caught while decoding (``codec``); these are the
patch-level mistakes a programmer makes: repeated fixture names, a group
naming a fixture that is gone, two fixtures answering the same DMX channels,
millimetres typed as metres.  All of them are warnings now (issue 7): QLC+
and MVR identify fixtures by ID, so names may repeat, and an odd group member
never makes a show unusable.  ``Issue`` lives in ``shared.show.issues`` and is
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from shared.show.issues import Issue
from shared.show.model import DMX_CHANNELS, ShowConfig
from shared.show.units import plausible_mask, unit_issues

__all__ = ["Issue", "check_config", "plausible_mask", "repeated_names", "with_check_problems"]


def with_check_problems(config: ShowConfig) -> ShowConfig:
    """``config`` with ``check_config``'s findings added to its ``problems`` (what a viewer lists)."""
    found = check_config(config)
    return replace(config, problems=(*config.problems, *found)) if found else config


def repeated_names(config: ShowConfig) -> Issue | None:
    """ONE warning naming every fixture name used more than once, or None."""
    names = [f.name for f in config.fixtures]
    if len(set(names)) == len(names):  # the common case, without building the index
        return None
    repeats = {name: ix for name, ix in config.indices_by_name.items() if len(ix) > 1}
    if not repeats:
        return None
    shown = ", ".join(f'"{name}" ×{len(ix)}' for name, ix in list(repeats.items())[:4])
    more = f" and {len(repeats) - 4} more" if len(repeats) > 4 else ""
    first = next(iter(repeats.values()))
    noun = "name is" if len(repeats) == 1 else "names are"
    return Issue(
        "warning", f'fixtures[{first[1]}] "{config.fixtures[first[1]].name}"',
        f"{len(repeats)} fixture {noun} used more than once: {shown}{more}; "
        "fixtures are told apart by their place in the list, groups by order of mention",
        "name", next(iter(repeats)), "kept; told apart by position", first[1],
    )


def check_config(config: ShowConfig) -> list[Issue]:
    """All cross-reference problems in ``config``, errors first (today: only warnings).

    Runs on every configuration a viewer receives, so the per-fixture work is
    numpy over the DMX footprints (10,000 fixtures: a few milliseconds).
    """
    errors: list[Issue] = []
    warnings: list[Issue] = []

    repeated = repeated_names(config)
    if repeated is not None:
        warnings.append(repeated)
    fp = _footprints(config)
    for i in fp.index[fp.end > DMX_CHANNELS].tolist():
        f = config.fixtures[i]
        last = f.address + (f.channel_count or 1) - 1
        warnings.append(Issue("warning", f'fixtures[{i}] "{f.name}"',
                              f"channels {f.address}..{last} run past {DMX_CHANNELS}",
                              "address", str(f.address), "drawn as patched", i))

    names = {f.name for f in config.fixtures}
    group_index: dict[str, int] = {}
    for i, g in enumerate(config.groups):
        where = f'groups[{i}] "{g.name}"'
        if g.name in group_index:
            warnings.append(
                Issue("warning", where, f"duplicate group name (also groups[{group_index[g.name]}]); "
                      "both are shown", "name", g.name, "both shown")
            )
        else:
            group_index[g.name] = i
        missing = [m for m in dict.fromkeys(g.fixtures) if m not in names]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            warnings.append(Issue("warning", where, f"member {missing[0]!r} is not a fixture{more}; ignored",
                                  "fixtures", missing[0], "ignored"))

    warnings.extend(_overlaps(config, fp))
    warnings.extend(unit_issues(config))
    return errors + warnings


@dataclass(frozen=True)
class _Footprints:
    """The known DMX footprints: fixture index, universe, first and last channel, (K,) each."""

    index: npt.NDArray[np.intp]
    universe: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]


def _footprints(config: ShowConfig) -> _Footprints:
    rows = [(i, f.universe, f.address, f.address + max(m)) for i, f in enumerate(config.fixtures)
            if (m := f.channel_mapping)]
    a = np.array(rows, np.int64).reshape(-1, 4)
    return _Footprints(a[:, 0].astype(np.intp), a[:, 1], a[:, 2], a[:, 3])


def _overlaps(config: ShowConfig, fp: _Footprints | None = None) -> list[Issue]:
    """Fixtures whose known DMX footprints share channels in one universe.

    Sorted by (universe, first channel, last channel, index), a footprint
    overlaps when it starts at or before the furthest end reached so far in
    its universe; the message names the fixture that reached it first.
    """
    fp = _footprints(config) if fp is None else fp
    n = len(fp.index)
    if n < 2:
        return []
    order = np.lexsort((fp.index, fp.end, fp.start, fp.universe))
    _, rank = np.unique(fp.universe[order], return_inverse=True)
    base = rank.astype(np.int64) * 4096  # channels end below 1024: universes never mix
    ends = base + fp.end[order]
    reach = np.maximum.accumulate(ends)
    before = np.concatenate([[-1], reach[:-1]])
    new_max = ends > before
    reach_at = np.maximum.accumulate(np.where(new_max, np.arange(n), 0))
    out: list[Issue] = []
    for p in np.flatnonzero(base + fp.start[order] <= before).tolist():
        i = int(fp.index[order[p]])
        j = int(fp.index[order[reach_at[p - 1]]])
        a, b = config.fixtures[j], config.fixtures[i]
        start, end = int(fp.start[order[p]]), int(fp.end[order[p]])
        reach_end = int(before[p] - base[p])
        out.append(
            Issue(
                "warning",
                f'fixtures[{i}] "{b.name}"',
                f"DMX channels {start}..{end} in universe {b.universe} overlap "
                f'"{a.name}" ({a.address}..{reach_end})',
                "address", str(start), "drawn as patched", i,
            )
        )
    return out
