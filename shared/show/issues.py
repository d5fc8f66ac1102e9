"""One problem found in a show: where, what, and what was done about it.

Kept in a module of its own so the model (``ShowConfig.problems``), the codec
and the cross-checks can all use it without importing one another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: Characters that end a line, steer a terminal or reorder text (C0, DEL, C1, the Unicode line and
#: paragraph separators, the bidirectional embeddings, overrides and isolates of Unicode UAX #9).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``, ``\\u202e``): a fixture
    name is any JSON string, and a message or label naming it must stay one line, never steer the
    user's terminal and never show its letters in another order (``"\\u202eevil"`` drawn as "live")."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem in a show, for people: ``fixtures[3] "LED Bar 4": address 600 is outside 1..512``.

    ``severity`` is "error" for what cannot be used (a show file with one is
    refused; on the wire the fixture or group is left out) and "warning" for
    what was drawn with a default.  The optional fields let a Problems view
    show columns: ``field`` (``"orientation.mounting"``), ``value`` (the odd
    value as written, shortened), ``action`` (``"treated as 'custom'"``,
    ``"left out"``) and ``fixture_index`` (the fixture's position in
    ``ShowConfig.fixtures``, when it is in the config; None when it was left
    out or the issue is not about one fixture).  ``where`` names the place in
    the message or file (``fixtures[52]`` counts every fixture sent).
    """

    severity: Literal["error", "warning"]
    where: str
    problem: str
    field: str | None = None
    value: str | None = None
    action: str | None = None
    fixture_index: int | None = None

    def __str__(self) -> str:
        return one_line(f"{self.where}: {self.problem}" if self.where else self.problem)


def problem_lines(problems: Sequence[Issue]) -> list[str]:
    """One line per problem, for terminals and logs: ``! fixtures[3] "X": ...; drawn ...`` (``✗`` when left out)."""
    return [f"{'✗' if p.severity == 'error' else '!'} {p}" for p in problems]


def problems_summary(problems: Sequence[Issue]) -> str:
    """``"3 problems (1 fixture left out)"``, ``"1 problem"``, or ``"no problems"``."""
    n = len(problems)
    if n == 0:
        return "no problems"
    left_out = sum(1 for p in problems if p.severity == "error")
    extra = f" ({left_out} left out)" if left_out else ""
    return f"{n} problem{'s' if n != 1 else ''}{extra}"
