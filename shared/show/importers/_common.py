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
from shared.show.members import member_names
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


def _settle_names(path: str | os.PathLike[str], draft: Draft) -> tuple[list[str], list[list[str]]]:
    """Fixture names exactly as in the file, and group member lists that mean the file's
    fixtures.  Where a group's choice among fixtures of one repeated name cannot be written
    by order of mention, the members that break the run are renamed ``"Name (2)"``… and
    ONE warning per such group names the file, the group and the renames."""
    names = [str(f.get("name", "")) for f in draft.fixtures]
    renamed: dict[int, list[str]] = {}  # group index -> what was renamed for it
    while True:
        plan = member_names(names, [g.members for g in draft.groups])
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
