"""Unit mistakes: millimetres or centimetres typed as metres (issue 7 §5).

A show in metres whose one fixture sits at (1500, 2000, 3000) shrinks the
real rig to a dot.  Nothing on a stage is 200 m from its centre, and no stage
is 500 m wide, so such values are reported (once, naming the fixture, the
value and the likely unit) and the viewer frames on the plausible fixtures
(``plausible_mask``).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from shared.show.issues import Issue
from shared.show.model import ShowConfig

#: Farther than this from the stage centre (metres) is almost certainly a unit mistake.
MAX_PLAUSIBLE_DISTANCE = 200.0
#: A stage wider or deeper than this (metres) is almost certainly a unit mistake.
MAX_PLAUSIBLE_STAGE = 500.0
_UNITS = (("millimetres", 1000.0), ("centimetres", 100.0))


def plausible_mask(config: ShowConfig) -> npt.NDArray[np.bool_]:
    """(N,) bool, True for fixtures within ``MAX_PLAUSIBLE_DISTANCE`` m of the stage centre (the origin)."""
    n = len(config.fixtures)
    if not n:
        return np.zeros(0, np.bool_)
    pos = np.array([(p.x, p.y, p.z) for p in [f.position for f in config.fixtures]], np.float64).reshape(n, 3)
    out: npt.NDArray[np.bool_] = np.linalg.norm(pos, axis=1) <= MAX_PLAUSIBLE_DISTANCE
    return out


def likely_unit(value: float, typical: float) -> tuple[str, float]:
    """The unit (``"millimetres"`` or ``"centimetres"``) that turns ``value`` into metres nearest ``typical``.

    Returns the unit's name and ``value`` in metres read that way.
    """
    typical = max(typical, 0.5)
    name, factor = min(_UNITS, key=lambda u: abs(math.log(max(abs(value) / u[1], 1e-9) / typical)))
    return name, value / factor


def _typical_distance(config: ShowConfig) -> float:
    w, d = config.stage.width, config.stage.height
    if 0 < w <= MAX_PLAUSIBLE_STAGE and 0 < d <= MAX_PLAUSIBLE_STAGE:
        return math.hypot(w, d) / 2
    return 6.0


def _fmt(v: float) -> str:
    return f"{v:,.6g}"


def unit_issues(config: ShowConfig) -> list[Issue]:
    """One warning per implausible fixture position, and one for an implausible stage size."""
    out: list[Issue] = []
    stage = config.stage
    big = max(stage.width, stage.height)
    if big > MAX_PLAUSIBLE_STAGE:
        unit = likely_unit(big, 15.0)[0]
        factor = dict(_UNITS)[unit]
        w, d = stage.width / factor, stage.height / factor
        value = f"{_fmt(stage.width)} × {_fmt(stage.height)}"
        out.append(Issue(
            "warning", "stage",
            f"stage {value} m is wider than {MAX_PLAUSIBLE_STAGE:g} m; likely {unit} typed as metres "
            f"({_fmt(w)} × {_fmt(d)} m)",
            "width" if stage.width >= stage.height else "height", value, "drawn as given",
        ))
    typical = _typical_distance(config)
    for i, far in enumerate(~plausible_mask(config)):
        if not far:
            continue
        f = config.fixtures[i]
        x, y, z = f.position
        dist = math.sqrt(x * x + y * y + z * z)
        unit, _ = likely_unit(dist, typical)
        factor = dict(_UNITS)[unit]
        value = f"({_fmt(x)}, {_fmt(y)}, {_fmt(z)})"
        out.append(Issue(
            "warning", f'fixtures[{i}] "{f.name}"',
            f"position {value} is {_fmt(round(dist))} m from the stage centre; likely {unit} typed as metres "
            f"(({_fmt(x / factor)}, {_fmt(y / factor)}, {_fmt(z / factor)}) m)",
            "position", value, "left out of the view's framing", i,
        ))
    return out
