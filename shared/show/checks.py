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

from dataclasses import replace

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
    """All cross-reference problems in ``config``, errors first (today: only warnings)."""
    errors: list[Issue] = []
    warnings: list[Issue] = []

    repeated = repeated_names(config)
    if repeated is not None:
        warnings.append(repeated)
    for i, f in enumerate(config.fixtures):
        where = f'fixtures[{i}] "{f.name}"'
        count = f.channel_count
        if count is not None and f.address + count - 1 > DMX_CHANNELS:
            warnings.append(
                Issue(
                    "warning",
                    where,
                    f"channels {f.address}..{f.address + count - 1} run past {DMX_CHANNELS}",
                    "address", str(f.address), "drawn as patched", i,
                )
            )

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
        missing = [m for m in dict.fromkeys(g.fixtures) if m not in config.indices_by_name]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            warnings.append(Issue("warning", where, f"member {missing[0]!r} is not a fixture{more}; ignored",
                                  "fixtures", missing[0], "ignored"))

    warnings.extend(_overlaps(config))
    warnings.extend(unit_issues(config))
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
                        "address", str(start), "drawn as patched", i,
                    )
                )
            if end > reach_end:
                reach_end, reach_index = end, i
    return out
