"""What every importer shares: warnings, unique names, distinct colours, the final check.

An importer turns a foreign file into the JSON show shape (``{"stage", "fixtures",
"groups"}``) with group members given as *fixture indices*; :func:`finish` then makes
names unique (the wire protocol and the careful decoder key fixtures by name), turns
the indices into names, and runs the same codec and checks a JSON show file gets, so
an imported rig is exactly as trustworthy as one written by hand.
"""

from __future__ import annotations

import colorsys
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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


def _unique_names(draft: Draft) -> list[str]:
    """Final fixture names: a repeated name gets `` (2)``, `` (3)``… and a warning."""
    taken: set[str] = {str(f.get("name", "")) for f in draft.fixtures}
    seen: set[str] = set()
    names: list[str] = []
    for i, f in enumerate(draft.fixtures):
        name = str(f.get("name", ""))
        if name in seen:
            k = 2
            while f"{name} ({k})" in taken:
                k += 1
            new = f"{name} ({k})"
            taken.add(new)
            draft.warn(draft.label(i), f"name {name!r} is used before; renamed {new!r}")
            name = new
        seen.add(name)
        names.append(name)
    return names


def finish(path: str | os.PathLike[str], draft: Draft) -> tuple[ShowConfig, list[Issue]]:
    """Settle names, build the show through the careful codec and check it like a JSON show.

    Raises ShowFileError (one line) for anything the codec or the checks call an error.
    """
    names = _unique_names(draft)
    fixtures = []
    for f, name in zip(draft.fixtures, names, strict=True):
        if f.get("name") != name:
            f = {**f, "name": name}
        fixtures.append(f)
    groups: list[dict[str, Any]] = []
    for g in draft.groups:
        groups.append({"name": g.name, "color": g.color, "fixtures": [names[i] for i in g.members]})
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
    decoded = [i for i in getattr(config, "problems", ()) if i not in issues]
    return config, draft.issues + decoded + issues


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
