"""Conversion between the show model and plain JSON values, with validation.

The same dict shapes are used on the wire (inside the ``stage``, ``fixtures``
and ``groups`` messages) and in show files, so one codec serves both.  Errors
name the place (``fixtures[3] "LED Bar 4"``) and the problem (``address 600 is
outside 1..512``), because the person reading them has to find the line in a
file or the fixture in a patch.

Strict and lenient (issue 7, docs/PROTOCOL.md "Strict and lenient fields"):
one odd fixture must never blank a rig.

- *Strict*: a fixture's ``name``, ``universe``, ``address`` and ``position``;
  a group's ``name``; the shape of the message or file itself (an object, with
  ``fixtures``/``groups`` lists).  A fixture or group whose strict field is
  broken is left out on its own (an ``error`` Issue); a show *file* with one is
  refused (``showfile``), with the same one line as before.
- *Lenient*: everything else.  An unknown or out-of-range value is kept and
  passed on unchanged (in ``extra``, or in the typed field when the model can
  hold it, such as an unknown mounting name), drawn with a default, and
  reported as one ``warning`` Issue per fixture and field naming the field,
  the value and the default used.

The fixture fields are not listed here: they come from
``Fixture.__struct_fields__`` and their msgspec annotations (the usable range
of each), so a new optional field is a change in ``model`` alone.  Only the
fields that need words of their own have a parser below.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from shared.show.issues import Issue
from shared.show.model import (
    DEFAULT_GRID_SIZE,
    DEFAULT_STAGE_SIZE,
    DMX_CHANNELS,
    FIXTURE_TYPE_PATTERN,
    MAX_MAGNITUDE,
    MAX_UNIVERSE,
    MOUNTING_PATTERN,
    MOUNTINGS,
    Fixture,
    Group,
    Orientation,
    ShowConfig,
    Stage,
    Vec3,
)


class ValidationError(ValueError):
    """A value that does not fit the model: ``where`` it is and what is wrong."""

    def __init__(self, where: str, problem: str, field: str | None = None, value: Any = None) -> None:
        self.where = where
        self.problem = problem
        self.field = field
        self.value = value
        super().__init__(f"{where}: {problem}" if where else problem)


_COLOR_RE = re.compile(r"#[0-9A-Fa-f]{6}\Z")
_MOUNTING_RE = re.compile(MOUNTING_PATTERN)
_FIXTURE_TYPE_RE = re.compile(FIXTURE_TYPE_PATTERN)
#: Shown for a group whose colour is unusable (the tree's "Ungrouped" grey).
FALLBACK_GROUP_COLOR = "#8C9096"

#: Every field of a Fixture (in declaration order) except ``extra``: the one
#: list of wire keys, derived from the model.
FIXTURE_FIELDS: tuple[str, ...] = tuple(k for k in Fixture.__struct_fields__ if k != "extra")
FIXTURE_KEYS = frozenset(FIXTURE_FIELDS)
REQUIRED_FIXTURE_KEYS = ("name", "universe", "address", "position")
#: Always written on the wire (existing visualizers index them); read as "" when missing.
TEXT_FIXTURE_KEYS = ("manufacturer", "model", "mode")
ORIENTATION_KEYS = frozenset(k for k in Orientation.__struct_fields__ if k != "extra")
STAGE_KEYS = frozenset({"width", "height", "grid_size"})
GROUP_KEYS = frozenset({"name", "color", "fixtures"})
_FIELD_TYPES: dict[str, Any] = {f.name: f.type for f in msgspec.structs.fields(Fixture)}

Issues = list[Issue]


def describe(value: Any) -> str:
    """A value as a person reads it in one line: ``'ceiling'``, ``-5``, ``{'width': 0, ...}``."""
    try:
        text = repr(value)
    except RecursionError:
        return "(nested too deeply)"
    return text if len(text) <= 40 else text[:37] + "..."


_describe = describe


def _number(value: Any, where: str, name: str, limit: float = MAX_MAGNITUDE) -> float:
    # bool is an int subclass; a True width is a bug upstream, not 1 metre.
    if type(value) is float:
        if not math.isfinite(value):
            raise ValidationError(where, f"{name} must be a finite number, got {_describe(value)}", name, value)
    elif type(value) is not int:
        raise ValidationError(where, f"{name} must be a number, got {_describe(value)}", name, value)
    # Nothing on a stage is 100 km away; such values only break the drawing.
    # (Compared before float(), which overflows on a 400-digit int.)
    if not -limit <= value <= limit:
        shown = f"{value:g}" if type(value) is float else _describe(value)
        raise ValidationError(where, f"{name} {shown} is outside -{limit:g}..{limit:g}", name, value)
    return float(value)


def _int(value: Any, where: str, name: str) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise ValidationError(where, f"{name} must be a whole number, got {_describe(value)}", name, value)


def _str(value: Any, where: str, name: str) -> str:
    if type(value) is str:
        return value
    raise ValidationError(where, f"{name} must be a string, got {_describe(value)}", name, value)


def _object(value: Any, where: str, name: str) -> dict[str, Any]:
    if type(value) is dict:
        return value
    raise ValidationError(where, f"{name} must be an object, got {_describe(value)}", name, value)


def _list(value: Any, where: str, name: str) -> list[Any]:
    if type(value) is list:
        return value
    raise ValidationError(where, f"{name} must be a list, got {_describe(value)}", name, value)


def _extra(d: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    if len(d) <= len(known) and known.issuperset(d):
        return {}
    return {k: v for k, v in d.items() if k not in known}


class _Odd(Exception):
    """An optional value that cannot be used: ``problem`` says why (raised by field parsers)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _warn(issues: Issues, where: str, field: str, value: Any, problem: str, action: str,
          fixture_index: int | None = None) -> None:
    issues.append(Issue("warning", where, f"{problem}; {action}", field, _describe(value), action, fixture_index))


def _refuse_first(issues: Issues) -> None:
    """Raise the first error among ``issues`` as a ValidationError (strict callers)."""
    for issue in issues:
        if issue.severity == "error":
            raise ValidationError(issue.where, issue.problem, issue.field, issue.value)


# ---------------------------------------------------------------- stage

_STAGE_DEFAULTS = (
    ("width", DEFAULT_STAGE_SIZE[0], "drawn {0:g} m wide"),
    ("height", DEFAULT_STAGE_SIZE[1], "drawn {0:g} m deep"),
    ("grid_size", DEFAULT_GRID_SIZE, "grid drawn every {0:g} m"),
)


def decode_stage(d: Any, issues: Issues, where: str = "stage") -> Stage:
    """The stage; an unusable or missing size is drawn with the default and reported (lenient).

    Raises ValidationError only when ``d`` is not an object.
    """
    d = _object(d, where, "stage")
    extra = _extra(d, STAGE_KEYS)
    values = []
    for key, default, action in _STAGE_DEFAULTS:
        v = d.get(key)
        if v is None and key == "grid_size":  # optional; null means the default
            values.append(default)
            continue
        problem = None
        if key not in d:
            problem = f"missing field {key!r}"
        else:
            try:
                x = _number(v, where, key)
            except ValidationError as exc:
                problem = exc.problem
            else:
                if x > 0:
                    values.append(x)
                    continue
                problem = f"{key} {x:g} must be greater than 0"
        if key in d:
            extra[key] = v  # kept as sent
        _warn(issues, where, key, v, problem, action.format(default))
        values.append(default)
    return Stage(values[0], values[1], values[2], extra)


def stage_from_dict(d: Any, where: str = "stage") -> Stage:
    """The stage; problems are drawn with defaults (see ``decode_stage``) and not reported."""
    return decode_stage(d, [], where)


def stage_to_dict(stage: Stage) -> dict[str, Any]:
    # Typed values first; a value kept as sent (in extra) wins over its default.
    return {
        "width": float(stage.width),
        "height": float(stage.height),
        "grid_size": float(stage.grid_size),
        **stage.extra,
    }


# ---------------------------------------------------------------- fixtures


def _vec3(d: Any, where: str, name: str) -> Vec3:
    d = _object(d, where, name)
    try:
        return Vec3(
            _number(d["x"], where, f"{name}.x"),
            _number(d["y"], where, f"{name}.y"),
            _number(d["z"], where, f"{name}.z"),
        )
    except KeyError as exc:
        raise ValidationError(where, f"{name} is missing {exc.args[0]!r}", name, d) from None


def _orientation(d: Any, where: str, issues: Issues, fi: int) -> Orientation:
    if type(d) is not dict:
        raise _Odd(f"orientation must be an object, got {_describe(d)}")
    extra = _extra(d, ORIENTATION_KEYS)
    mounting = d.get("mounting")
    if mounting is None:
        mounting = "hanging"  # older Show Creator builds send no mounting
    elif type(mounting) is not str:
        extra["mounting"] = mounting
        _warn(issues, where, "orientation.mounting", mounting,
              f"orientation.mounting must be a string, got {_describe(mounting)}", "treated as 'custom'", fi)
        mounting = "custom"
    elif not _MOUNTING_RE.match(mounting):
        _warn(issues, where, "orientation.mounting", mounting,
              f"orientation.mounting {_describe(mounting)} is not one of {', '.join(MOUNTINGS)}",
              "treated as 'custom'", fi)
    angles = []
    for k in ("yaw", "pitch", "roll"):
        v = d.get(k)
        if v is None:
            angles.append(0.0)
            continue
        try:
            angles.append(_number(v, where, f"orientation.{k}"))
        except ValidationError as exc:
            extra[k] = v
            _warn(issues, where, f"orientation.{k}", v, exc.problem, "drawn as 0°", fi)
            angles.append(0.0)
    return Orientation(mounting, angles[0], angles[1], angles[2], extra)


def _channel_mapping(d: Any, where: str, issues: Issues, fi: int) -> dict[int, str]:
    """The usable entries; the first unusable one is reported (the whole object is kept as sent)."""
    if type(d) is not dict:
        raise _Odd(f"channel_mapping must be an object, got {_describe(d)}")
    out: dict[int, str] = {}
    bad: str | None = None
    for key, function in d.items():
        problem = None
        if not (type(key) is str and key.isdigit() and key.isascii()):
            problem = f"channel_mapping key {_describe(key)} is not a channel offset"
        elif len(key) > 9 or int(key) >= DMX_CHANNELS:  # len first: int() refuses thousands of digits
            problem = f"channel_mapping offset {_describe(key) if len(key) > 9 else int(key)} is outside 0..511"
        elif type(function) is not str:
            problem = f"channel_mapping[{key!r}] must be a string, got {_describe(function)}"
        if problem is None:
            out[int(key)] = function
        elif bad is None:
            bad = problem
    if bad is not None:
        raise _PartlyOdd(bad, out) if out else _Odd(bad)
    return out


class _PartlyOdd(_Odd):
    """Some of a value is usable (``usable``); the whole is kept as sent."""

    def __init__(self, problem: str, usable: Any) -> None:
        super().__init__(problem)
        self.usable = usable


#: What the viewer does instead, per optional field (default: "ignored").
_ACTIONS: dict[str, str] = {
    "orientation": "drawn hanging, unrotated",
    "fixture_type": "drawn as a plain box",
    "physical": "drawn with the default size for its type",
    "layout": "drawn as one cell",
    "beam_angle": "drawn with the default beam angle",
    "channel_mapping": "drawn without live DMX",
}


def _convert(key: str, value: Any) -> Any:
    """``value`` as the model's type for field ``key`` (its usable range), or _Odd."""
    try:
        return msgspec.convert(value, _FIELD_TYPES[key])
    except msgspec.ValidationError as exc:
        raise _Odd(_odd_text(key, value, str(exc))) from None


def _num(value: int | float) -> str:
    """A number as ``%g`` (an int too big for a float, as Python's JSON reads them, shortened instead)."""
    if type(value) is int and not -1e300 < value < 1e300:
        return _describe(value)
    return f"{value:g}"


def _odd_text(key: str, value: Any, why: str) -> str:
    if key == "physical" and type(value) is dict and all(type(value.get(k)) in (int, float)
                                                         for k in ("width", "height", "depth")):
        w, h, dp = (_num(value[k]) for k in ("width", "height", "depth"))
        return f"physical {w} × {h} × {dp} is not a size (each must be > 0)"
    if type(value) in (int, float) and key in ("beam_angle", "pan_max", "tilt_max", "lumens"):
        bounds = {"beam_angle": "greater than 0 and at most 360", "lumens": "0..1e+09"}.get(key, "0..100000")
        shown = _num(value)
        return f"{key} {shown} is not {bounds}" if key == "beam_angle" else f"{key} {shown} is outside {bounds}"
    if key == "fixture_type" and type(value) is str:
        return f"fixture_type {_describe(value)} is not a known type"
    why = why.replace("`", "").replace(" - at $.", " at ").replace(" - at $", "")
    return f"{key} {_describe(value)} is not usable ({why[:1].lower()}{why[1:]})"


def _parse_optional(key: str, v: Any, where: str, issues: Issues, fi: int) -> Any:
    if key == "orientation":
        return _orientation(v, where, issues, fi)
    if key == "channel_mapping":
        return _channel_mapping(v, where, issues, fi)
    if key == "fixture_type" and type(v) is str:
        if not _FIXTURE_TYPE_RE.match(v):
            _warn(issues, where, key, v, _odd_text(key, v, ""), _ACTIONS[key], fi)
        return v  # an unknown type is kept as typed: the details pane shows it
    return _convert(key, v)


def _decode_fixture(d: Any, index: int, prefix: str, issues: Issues, fi: int) -> Fixture | None:
    """One fixture, or None (left out, an error in ``issues``) when a strict field is broken.

    ``index`` is its place in the list as sent (for ``where``), ``fi`` the index
    it will have in the decoded tuple (``Issue.fixture_index``).
    """
    if type(d) is not dict:
        issues.append(Issue("error", f"{prefix}[{index}]", f"fixture must be an object, got {_describe(d)}",
                            None, _describe(d), "left out"))
        return None
    name = d.get("name")
    if type(name) is not str or not name:
        issues.append(Issue("error", f"{prefix}[{index}]", f"name must be a non-empty string, got {_describe(name)}",
                            "name", _describe(name), "left out"))
        return None
    where = f'{prefix}[{index}] "{name}"'
    try:
        for key in REQUIRED_FIXTURE_KEYS:
            if key not in d:
                raise ValidationError(where, f"missing field {key!r}", key)
        universe = _int(d["universe"], where, "universe")
        if universe < 0:
            raise ValidationError(where, f"universe {universe} must not be negative", "universe", universe)
        if universe > MAX_UNIVERSE:
            raise ValidationError(
                where, f"universe {universe} is too large (at most {MAX_UNIVERSE})", "universe", universe
            )
        address = _int(d["address"], where, "address")
        if not 1 <= address <= DMX_CHANNELS:
            raise ValidationError(where, f"address {address} is outside 1..{DMX_CHANNELS}", "address", address)
        position = _vec3(d["position"], where, "position")
    except ValidationError as exc:
        value = None if exc.field is None or exc.problem.startswith("missing") else _describe(exc.value)
        issues.append(Issue("error", where, exc.problem, exc.field, value, "left out"))
        return None

    extra = _extra(d, FIXTURE_KEYS)
    values: dict[str, Any] = {"name": name, "universe": universe, "address": address, "position": position}
    for key in TEXT_FIXTURE_KEYS:
        v = d.get(key)
        if type(v) is str:
            values[key] = v
            continue
        values[key] = ""
        if key in d:
            extra[key] = v
            _warn(issues, where, key, v, f"{key} must be a string, got {_describe(v)}", 'shown as ""', fi)
        else:
            _warn(issues, where, key, None, f"missing field {key!r}", 'shown as ""', fi)
    get = d.get
    for key in _OPTIONAL_FIXTURE_KEYS:
        v = get(key)
        if v is None:
            continue
        try:
            values[key] = _parse_optional(key, v, where, issues, fi)
        except _Odd as odd:
            extra[key] = v  # kept as sent, passed on unchanged
            if isinstance(odd, _PartlyOdd):
                values[key] = odd.usable
            _warn(issues, where, key, v, odd.problem,
                  "those entries ignored" if isinstance(odd, _PartlyOdd) else _ACTIONS.get(key, "ignored"), fi)
    return Fixture(**values, extra=extra)


_OPTIONAL_FIXTURE_KEYS = tuple(
    k for k in FIXTURE_FIELDS if k not in REQUIRED_FIXTURE_KEYS and k not in TEXT_FIXTURE_KEYS
)


def decode_fixtures(items: Any, issues: Issues, prefix: str = "fixtures") -> tuple[Fixture, ...]:
    """Every usable fixture of a JSON list, leniently (see the module docstring).

    Appends to ``issues`` one warning per fixture and odd optional field, and
    one error per fixture left out.  Raises ValidationError only when
    ``items`` is not a list.
    """
    items = _list(items, prefix, "fixtures")
    out: list[Fixture] = []
    for i, d in enumerate(items):
        f = _decode_fixture(d, i, prefix, issues, len(out))
        if f is not None:
            out.append(f)
    return tuple(out)


def fixture_from_dict(d: Any, index: int, prefix: str = "fixtures") -> Fixture:
    """Build a Fixture from its JSON object; raises ValidationError for a broken strict field."""
    issues: Issues = []
    f = _decode_fixture(d, index, prefix, issues, 0)
    _refuse_first(issues)
    assert f is not None
    return f


def fixtures_from_list(items: Any, prefix: str = "fixtures") -> tuple[Fixture, ...]:
    """Like ``decode_fixtures``, but a broken strict field raises ValidationError (show files).

    The wire decoder has a faster path for well-formed fixtures lines
    (``shared.protocol.decode``); this one is the authority it falls back to.
    """
    issues: Issues = []
    out = decode_fixtures(items, issues, prefix)
    _refuse_first(issues)
    return out


def _plain(key: str, value: Any) -> Any:
    if key == "position" or key == "physical" or key == "layout":
        return value._asdict()
    if key == "orientation":
        o: Orientation = value
        return {"mounting": o.mounting, "yaw": o.yaw, "pitch": o.pitch, "roll": o.roll, **o.extra}
    if key == "channel_mapping":
        return {str(k): v for k, v in value.items()}
    return value


def fixture_to_dict(f: Fixture) -> dict[str, Any]:
    """The fixture's JSON object: set fields, then ``extra`` (values kept as sent win)."""
    out: dict[str, Any] = {}
    for key in FIXTURE_FIELDS:
        value = getattr(f, key)
        if value is not None:
            out[key] = _plain(key, value)
    if f.extra:
        out.update(f.extra)
    return out


# ---------------------------------------------------------------- groups


def _decode_group(d: Any, index: int, prefix: str, issues: Issues) -> Group | None:
    if type(d) is not dict:
        issues.append(Issue("error", f"{prefix}[{index}]", f"group must be an object, got {_describe(d)}",
                            None, _describe(d), "left out"))
        return None
    name = d.get("name")
    if type(name) is not str or not name:
        issues.append(Issue("error", f"{prefix}[{index}]", f"name must be a non-empty string, got {_describe(name)}",
                            "name", _describe(name), "left out"))
        return None
    where = f'{prefix}[{index}] "{name}"'
    extra = _extra(d, GROUP_KEYS)
    color = d.get("color")
    if type(color) is str and _COLOR_RE.match(color):
        color = color.upper()
    else:
        if "color" in d:
            extra["color"] = color
        _warn(issues, where, "color", color, f"color {_describe(color)} is not a #RRGGBB colour",
              f"drawn {FALLBACK_GROUP_COLOR}")
        color = FALLBACK_GROUP_COLOR
    members = d.get("fixtures", [])
    if type(members) is not list:
        extra["fixtures"] = members
        _warn(issues, where, "fixtures", members, f"fixtures must be a list, got {_describe(members)}",
              "the group has no members")
        members = []
    names = [m for m in members if type(m) is str]
    if len(names) != len(members):
        extra["fixtures"] = members
        bad = next(m for m in members if type(m) is not str)
        _warn(issues, where, "fixtures", bad, f"member {_describe(bad)} is not a fixture name", "it is ignored")
    return Group(name, color, tuple(names), extra)


def decode_groups(items: Any, issues: Issues, prefix: str = "groups") -> tuple[Group, ...]:
    """Every usable group, leniently; raises ValidationError only when ``items`` is not a list."""
    items = _list(items, prefix, "groups")
    out = [_decode_group(d, i, prefix, issues) for i, d in enumerate(items)]
    return tuple(g for g in out if g is not None)


def group_from_dict(d: Any, index: int, prefix: str = "groups") -> Group:
    issues: Issues = []
    g = _decode_group(d, index, prefix, issues)
    _refuse_first(issues)
    assert g is not None
    return g


def groups_from_list(items: Any, prefix: str = "groups") -> tuple[Group, ...]:
    issues: Issues = []
    out = decode_groups(items, issues, prefix)
    _refuse_first(issues)
    return out


def group_to_dict(g: Group) -> dict[str, Any]:
    return {"name": g.name, "color": g.color, "fixtures": list(g.fixtures), **g.extra}


# ---------------------------------------------------------------- whole show


def config_from_dict(d: Any, *, strict: bool = True) -> ShowConfig:
    """A show file's top-level object: ``{"stage": ..., "fixtures": [...], "groups": [...]}``.

    Lenient fields become warnings in ``ShowConfig.problems``.  With
    ``strict`` (show files) a broken strict field raises ValidationError;
    without, that fixture or group is left out and listed as an error.  The
    shape itself (an object; lists of fixtures and groups) always raises.
    """
    d = _object(d, "", "show")
    issues: Issues = []
    if "stage" in d:
        stage = decode_stage(d["stage"], issues)
    else:
        _warn(issues, "stage", "stage", None, "missing field 'stage'",
              "drawn {:g} × {:g} m".format(*DEFAULT_STAGE_SIZE))
        stage = Stage(*DEFAULT_STAGE_SIZE)
    fixtures = decode_fixtures(d.get("fixtures", []), issues)
    groups = decode_groups(d.get("groups", []), issues)
    if strict:
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            first = errors[0]
            raise ValidationError(first.where, first.problem + (f" (and {len(errors) - 1} more)"
                                                                if len(errors) > 1 else ""), first.field)
    return ShowConfig(stage, fixtures, groups, tuple(issues))


def config_to_dict(config: ShowConfig) -> dict[str, Any]:
    return {
        "stage": stage_to_dict(config.stage),
        "fixtures": [fixture_to_dict(f) for f in config.fixtures],
        "groups": [group_to_dict(g) for g in config.groups],
    }


__all__ = [
    "FIXTURE_FIELDS",
    "FIXTURE_KEYS",
    "ValidationError",
    "config_from_dict",
    "config_to_dict",
    "decode_fixtures",
    "decode_groups",
    "decode_stage",
    "describe",
    "fixture_from_dict",
    "fixture_to_dict",
    "fixtures_from_list",
    "group_from_dict",
    "group_to_dict",
    "groups_from_list",
    "stage_from_dict",
    "stage_to_dict",
]
