"""What every importer shares: warnings, group members by name, distinct colours, the final check.

An importer turns a foreign file into the JSON show shape (``{"stage", "fixtures",
"groups"}``) with group members given as *fixture indices*; :func:`finish` then keeps
the file's fixture names (they may repeat: a fixture is its place in the list), writes
each group's members as names that the order-of-mention rule of
``ShowConfig.group_members`` resolves to those indices, and runs the same codec and
checks a JSON show file gets, so an imported rig is exactly as trustworthy as one
written by hand.
"""

from __future__ import annotations

import colorsys
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shared.show.checks import Issue, check_config
from shared.show.codec import ValidationError, config_from_dict
from shared.show.model import MAX_MAGNITUDE, ShowConfig
from shared.show.showfile import ShowFileError

#: Group colours: twelve hues far apart, then golden-ratio steps round the wheel.
PALETTE = (
    "#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#42D4F4",
    "#F032E6", "#BFEF45", "#FFE119", "#469990", "#DCBEFF", "#9A6324",
)


def distinct_color(index: int) -> str:
    """The ``index``-th of a sequence of colours that stay apart from each other."""
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.65, 0.95)
    return f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"


class Refused(Exception):
    """A file an importer cannot use; ``str()`` is the one-line problem (the caller adds the path)."""


@dataclass
class ImportedGroup:
    name: str
    color: str
    members: list[int] = field(default_factory=list)  # fixture indices, in order


@dataclass
class Draft:
    """An imported show before the names are settled and the codec has checked it."""

    stage: dict[str, Any]
    fixtures: list[dict[str, Any]] = field(default_factory=list)
    groups: list[ImportedGroup] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: How to name fixture i in a warning (``Fixture ID 7 "Par"``); default ``fixtures[i] "name"``.
    labels: list[str] = field(default_factory=list)

    def warn(self, where: str, problem: str) -> None:
        self.issues.append(Issue("warning", where, problem))

    def label(self, index: int) -> str:
        if index < len(self.labels):
            return self.labels[index]
        return f'fixtures[{index}] "{self.fixtures[index].get("name", "")}"'


def number(value: Any) -> float | None:
    """A finite real number from a file value (int, float or numeric text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return out if math.isfinite(out) else None


def integer(value: Any) -> int | None:
    """A whole number from a file value (``3``, ``3.0``, ``"3"``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def stage_around(points: Iterable[tuple[float, float]], margin: float = 1.0) -> dict[str, float]:
    """A stage centred on the origin that holds every (x, y) with ``margin`` metres to spare."""
    half_w, half_d = 2.0, 2.0
    for x, y in points:
        half_w = max(half_w, abs(x) + margin)
        half_d = max(half_d, abs(y) + margin)
    return {"width": round(min(2 * half_w, MAX_MAGNITUDE), 3), "height": round(min(2 * half_d, MAX_MAGNITUDE), 3)}


def _group_mentions(
    names: Sequence[str], groups: Sequence[ImportedGroup]
) -> list[list[str]] | tuple[int, list[int]]:
    """Each group's member names, listed so that the order-of-mention rule of
    ``ShowConfig.group_members`` resolves them to exactly the group's fixture indices.

    The k-th mention of name N across the groups (in group order) is the k-th fixture
    named N, counting round again past the last; a mention of a fixture already in the
    group adds nothing.  So each group takes the next run of N's fixtures: a group with
    every fixture named N may mention N a few extra times to move the count on to where
    the next group that needs N starts.  A group wanting some other choice of N's
    fixtures cannot be written: then ``(group index, fixtures)`` is returned instead, the
    group's members named N that do not continue the run (renaming them lets it be written).
    (Members of one name come out in the run's order, which may differ from the file's.)
    """
    by_name: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        by_name.setdefault(n, []).append(i)
    position = {i: k for ix in by_name.values() for k, i in enumerate(ix)}
    wanted = [_by_name(names, g.members) for g in groups]
    count: dict[str, int] = {}
    out: list[list[str]] = []
    for gi, g in enumerate(groups):
        extra: list[str] = []
        for n, members in wanted[gi].items():
            size, c = len(by_name[n]), count.get(n, 0)
            have = {position[i] for i in members}
            if len(have) == size:
                start = _next_start(n, gi, wanted, position, size)
                more = 0 if start is None else (start - c) % size
                extra += [n] * more
                count[n] = c + size + more
            elif have == {(c + k) % size for k in range(len(have))}:
                count[n] = c + len(have)
            else:
                run = 0
                while (c + run) % size in have:
                    run += 1
                fits = {by_name[n][(c + k) % size] for k in range(run)}
                return gi, [i for i in members if i not in fits]
        out.append([names[i] for i in g.members] + extra)
    return out


def _by_name(names: Sequence[str], members: Sequence[int]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i in members:
        out.setdefault(names[i], []).append(i)
    return out


def _next_start(
    name: str, after: int, wanted: Sequence[dict[str, list[int]]], position: dict[int, int], size: int
) -> int | None:
    """Where (0-based, in the fixtures named ``name``) the next group after ``after`` that
    takes only some of them must start counting; None when no such group needs a start."""
    for members in wanted[after + 1 :]:
        if name not in members:
            continue
        have = {position[i] for i in members[name]}
        if len(have) == size:
            return None
        for p in sorted(have):
            if (p - 1) % size not in have:
                return p
    return None


def _settle_names(path: str | os.PathLike[str], draft: Draft) -> tuple[list[str], list[list[str]]]:
    """Fixture names exactly as in the file, and group member lists that mean the file's
    fixtures.  Where a group's choice among fixtures of one repeated name cannot be written
    by order of mention, the members that break the run are renamed ``"Name (2)"``… and
    ONE warning per such group names the file, the group and the renames."""
    names = [str(f.get("name", "")) for f in draft.fixtures]
    renamed: dict[int, list[str]] = {}  # group index -> what was renamed for it
    while True:
        plan = _group_mentions(names, draft.groups)
        if isinstance(plan, list):
            break
        gi, fixtures = plan
        taken = set(names)
        for i in fixtures:
            old, k = names[i], 2
            while f"{old} ({k})" in taken:
                k += 1
            names[i] = f"{old} ({k})"
            taken.add(names[i])
            renamed.setdefault(gi, []).append(f"{draft.label(i)} to {names[i]!r}")
    file = os.path.basename(os.fspath(path))
    for gi, what in renamed.items():
        draft.warn(
            f'group "{draft.groups[gi].name}"',
            f"in {file}, its members cannot be told from other fixtures of the same name by order of "
            f"mention; renamed {', '.join(what)}",
        )
    return names, plan


def finish(path: str | os.PathLike[str], draft: Draft) -> tuple[ShowConfig, list[Issue]]:
    """Keep the file's names, list group members so they mean the file's fixtures, build
    the show through the careful codec and check it like a JSON show.

    Raises ShowFileError (one line) for anything the codec or the checks call an error.
    """
    names, members = _settle_names(path, draft)
    fixtures = []
    for f, name in zip(draft.fixtures, names, strict=True):
        if f.get("name") != name:
            f = {**f, "name": name}
        fixtures.append(f)
    groups: list[dict[str, Any]] = []
    for g, mentions in zip(draft.groups, members, strict=True):
        groups.append({"name": g.name, "color": g.color, "fixtures": mentions})
    data = {"stage": draft.stage, "fixtures": fixtures, "groups": groups}
    try:
        config = config_from_dict(data)
    except ValidationError as exc:
        raise ShowFileError(path, _relabel(str(exc), draft)) from None
    issues = check_config(config)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ShowFileError(path, f"{_relabel(str(errors[0]), draft)}{more}")
    # What a lenient decoder defaulted or left out (``ShowConfig.problems``, where it exists).
    decoded = [i for i in config.problems if i not in issues]
    # like a JSON show file: the config carries what the decoder and the checks found
    return replace(config, problems=(*decoded, *issues)), draft.issues + decoded + issues


def _relabel(message: str, draft: Draft) -> str:
    """Name the file's own element (``Fixture ID 7``) where the codec said ``fixtures[3]``."""
    if not draft.labels or not message.startswith("fixtures["):
        return message
    close = message.find("]")
    index = integer(message[len("fixtures[") : close]) if close > 0 else None
    if index is None or not 0 <= index < len(draft.labels):
        return message
    rest = message[close + 1 :]
    # drop the ``"name"`` the codec repeats after the index
    if rest.startswith(' "'):
        end = rest.find('"', 2)
        rest = rest[end + 1 :] if end > 0 else rest
    return draft.labels[index] + rest


def dedupe_members(members: Sequence[int]) -> list[int]:
    out: list[int] = []
    seen: set[int] = set()
    for m in members:
        if m not in seen:
            seen.add(m)
            out.append(m)
    return out
