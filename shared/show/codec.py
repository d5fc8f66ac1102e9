"""Conversion between the show model and plain JSON values, with validation.

The same dict shapes are used on the wire (inside the ``stage``, ``fixtures``
and ``groups`` messages) and in show files, so one codec serves both.  Errors
name the place (``fixtures[3] "LED Bar 4"``) and the problem (``address 600 is
outside 1..512``), because the person reading them has to find the line in a
file or the fixture in a patch.

This is on the hot path for large rigs (10,000 fixtures per message), so the
checks are written inline rather than through a generic schema layer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from shared.show.model import (
    DEFAULT_GRID_SIZE,
    DMX_CHANNELS,
    MAX_LUMENS,
    MAX_MAGNITUDE,
    MOUNTINGS,
    Dimensions,
    Fixture,
    Group,
    Layout,
    Orientation,
    ShowConfig,
    Stage,
    Vec3,
)


class ValidationError(ValueError):
    """A value that does not fit the model: ``where`` it is and what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


_COLOR_RE = re.compile(r"#[0-9A-Fa-f]{6}\Z")

STAGE_KEYS = frozenset({"width", "height", "grid_size"})
FIXTURE_KEYS = frozenset(
    {
        "name", "manufacturer", "model", "mode", "universe", "address", "position",
        "orientation", "fixture_type", "physical", "layout", "beam_angle", "pan_max",
        "tilt_max", "lumens", "channel_mapping", "color_wheel", "gobo_wheel",
        "pixel_segments",
    }
)
GROUP_KEYS = frozenset({"name", "color", "fixtures"})
ORIENTATION_KEYS = frozenset({"mounting", "yaw", "pitch", "roll"})


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any, where: str, name: str, limit: float = MAX_MAGNITUDE) -> float:
    # bool is an int subclass; a True width is a bug upstream, not 1 metre.
    if type(value) is float:
        if not math.isfinite(value):
            raise ValidationError(where, f"{name} must be a finite number, got {_describe(value)}")
    elif type(value) is not int:
        raise ValidationError(where, f"{name} must be a number, got {_describe(value)}")
    # Nothing on a stage is 100 km away; such values only break the drawing.
    # (Compared before float(), which overflows on a 400-digit int.)
    if not -limit <= value <= limit:
        shown = f"{value:g}" if type(value) is float else _describe(value)
        raise ValidationError(where, f"{name} {shown} is outside -{limit:g}..{limit:g}")
    return float(value)


def _int(value: Any, where: str, name: str) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise ValidationError(where, f"{name} must be a whole number, got {_describe(value)}")


def _str(value: Any, where: str, name: str) -> str:
    if type(value) is str:
        return value
    raise ValidationError(where, f"{name} must be a string, got {_describe(value)}")


def _object(value: Any, where: str, name: str) -> dict[str, Any]:
    if type(value) is dict:
        return value
    raise ValidationError(where, f"{name} must be an object, got {_describe(value)}")


def _list(value: Any, where: str, name: str) -> list[Any]:
    if type(value) is list:
        return value
    raise ValidationError(where, f"{name} must be a list, got {_describe(value)}")


def _extra(d: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    if len(d) <= len(known) and known.issuperset(d):
        return {}
    return {k: v for k, v in d.items() if k not in known}


# ---------------------------------------------------------------- stage


def stage_from_dict(d: Any, where: str = "stage") -> Stage:
    d = _object(d, where, "stage")
    for key in ("width", "height"):
        if key not in d:
            raise ValidationError(where, f"missing field {key!r}")
    width = _number(d["width"], where, "width")
    height = _number(d["height"], where, "height")
    grid = d.get("grid_size")
    grid_size = DEFAULT_GRID_SIZE if grid is None else _number(grid, where, "grid_size")
    if width <= 0:
        raise ValidationError(where, f"width {width:g} must be greater than 0")
    if height <= 0:
        raise ValidationError(where, f"height {height:g} must be greater than 0")
    if grid_size <= 0:
        raise ValidationError(where, f"grid_size {grid_size:g} must be greater than 0")
    return Stage(width, height, grid_size, _extra(d, STAGE_KEYS))


def stage_to_dict(stage: Stage) -> dict[str, Any]:
    return {
        **stage.extra,
        "width": float(stage.width),
        "height": float(stage.height),
        "grid_size": float(stage.grid_size),
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
        raise ValidationError(where, f"{name} is missing {exc.args[0]!r}") from None


def _orientation(d: Any, where: str) -> Orientation:
    d = _object(d, where, "orientation")
    mounting = d.get("mounting", "hanging")
    if mounting not in MOUNTINGS:
        raise ValidationError(
            where, f"orientation.mounting {_describe(mounting)} is not 'hanging' or 'standing'"
        )
    angles = [
        0.0 if d.get(k) is None else _number(d[k], where, f"orientation.{k}")
        for k in ("yaw", "pitch", "roll")
    ]
    return Orientation(mounting, angles[0], angles[1], angles[2], _extra(d, ORIENTATION_KEYS))


def _dimensions(d: Any, where: str) -> Dimensions:
    d = _object(d, where, "physical")
    values = []
    for k in ("width", "height", "depth"):
        if k not in d:
            raise ValidationError(where, f"physical is missing {k!r}")
        v = _number(d[k], where, f"physical.{k}")
        if v <= 0:
            raise ValidationError(where, f"physical.{k} {v:g} must be greater than 0")
        values.append(v)
    return Dimensions(values[0], values[1], values[2])


def _layout(d: Any, where: str) -> Layout:
    d = _object(d, where, "layout")
    values = []
    for k in ("width", "height"):
        if k not in d:
            raise ValidationError(where, f"layout is missing {k!r}")
        v = _int(d[k], where, f"layout.{k}")
        if v < 1:
            raise ValidationError(where, f"layout.{k} {v} must be at least 1")
        values.append(v)
    return Layout(values[0], values[1])


def _channel_mapping(d: Any, where: str) -> dict[int, str]:
    d = _object(d, where, "channel_mapping")
    out: dict[int, str] = {}
    for key, function in d.items():
        if not (type(key) is str and key.isdigit() and key.isascii()):
            raise ValidationError(where, f"channel_mapping key {key!r} is not a channel offset")
        if len(key) > 9:  # and int() refuses thousands of digits with ValueError
            raise ValidationError(where, f"channel_mapping offset {_describe(key)} is outside 0..511")
        offset = int(key)
        if offset >= DMX_CHANNELS:
            raise ValidationError(where, f"channel_mapping offset {offset} is outside 0..511")
        out[offset] = _str(function, where, f"channel_mapping[{key!r}]")
    return out


def _optional_number(d: dict[str, Any], key: str, where: str, limit: float = MAX_MAGNITUDE) -> float | None:
    v = d.get(key)
    return None if v is None else _number(v, where, key, limit)


def fixture_from_dict(d: Any, index: int, prefix: str = "fixtures") -> Fixture:
    """Build a Fixture from its JSON object; ``index`` places it in error messages."""
    return _fixture_checked(d, index, prefix)


def _fixture_checked(d: Any, index: int, prefix: str) -> Fixture:
    if type(d) is not dict:
        raise ValidationError(f"{prefix}[{index}]", f"fixture must be an object, got {_describe(d)}")
    name = d.get("name")
    if type(name) is not str or not name:
        raise ValidationError(
            f"{prefix}[{index}]", f"name must be a non-empty string, got {_describe(name)}"
        )
    where = f'{prefix}[{index}] "{name}"'
    try:
        manufacturer = d["manufacturer"]
        model = d["model"]
        mode = d["mode"]
        universe = d["universe"]
        address = d["address"]
        position = d["position"]
    except KeyError as exc:
        raise ValidationError(where, f"missing field {exc.args[0]!r}") from None
    _str(manufacturer, where, "manufacturer")
    _str(model, where, "model")
    _str(mode, where, "mode")
    universe = _int(universe, where, "universe")
    if universe < 0:
        raise ValidationError(where, f"universe {universe} must not be negative")
    address = _int(address, where, "address")
    if not 1 <= address <= DMX_CHANNELS:
        raise ValidationError(where, f"address {address} is outside 1..{DMX_CHANNELS}")
    pos = _vec3(position, where, "position")

    get = d.get
    v = get("orientation")
    orientation = None if v is None else _orientation(v, where)
    v = get("fixture_type")
    fixture_type = None if v is None else _str(v, where, "fixture_type")
    v = get("physical")
    physical = None if v is None else _dimensions(v, where)
    v = get("layout")
    layout = None if v is None else _layout(v, where)
    v = get("channel_mapping")
    channel_mapping = None if v is None else _channel_mapping(v, where)
    v = get("color_wheel")
    color_wheel = None if v is None else _list(v, where, "color_wheel")
    v = get("gobo_wheel")
    gobo_wheel = None if v is None else _list(v, where, "gobo_wheel")
    v = get("pixel_segments")
    pixel_segments = None if v is None else _list(v, where, "pixel_segments")
    return Fixture(
        name,
        manufacturer,
        model,
        mode,
        universe,
        address,
        pos,
        orientation,
        fixture_type,
        physical,
        layout,
        _optional_number(d, "beam_angle", where),
        _optional_number(d, "pan_max", where),
        _optional_number(d, "tilt_max", where),
        _optional_number(d, "lumens", where, MAX_LUMENS),
        channel_mapping,
        color_wheel,
        gobo_wheel,
        pixel_segments,
        _extra(d, FIXTURE_KEYS),
    )


def fixtures_from_list(items: Any, prefix: str = "fixtures") -> tuple[Fixture, ...]:
    """Validate and build fixtures, keeping unknown fields and wording errors for people.

    The wire decoder has a faster path for well-formed fixtures lines
    (``shared.protocol.decode``); this one is the authority it falls back to.
    """
    items = _list(items, prefix, "fixtures")
    return tuple([_fixture_checked(d, i, prefix) for i, d in enumerate(items)])


def fixture_to_dict(f: Fixture) -> dict[str, Any]:
    out: dict[str, Any] = dict(f.extra) if f.extra else {}
    out["name"] = f.name
    out["manufacturer"] = f.manufacturer
    out["model"] = f.model
    out["mode"] = f.mode
    out["universe"] = f.universe
    out["address"] = f.address
    p = f.position
    out["position"] = {"x": p.x, "y": p.y, "z": p.z}
    if f.orientation is not None:
        o = f.orientation
        out["orientation"] = {
            **o.extra, "mounting": o.mounting, "yaw": o.yaw, "pitch": o.pitch, "roll": o.roll
        }
    if f.fixture_type is not None:
        out["fixture_type"] = f.fixture_type
    if f.physical is not None:
        out["physical"] = f.physical._asdict()
    if f.layout is not None:
        out["layout"] = f.layout._asdict()
    for key in ("beam_angle", "pan_max", "tilt_max", "lumens"):
        value = getattr(f, key)
        if value is not None:
            out[key] = value
    if f.channel_mapping is not None:
        out["channel_mapping"] = {str(k): v for k, v in f.channel_mapping.items()}
    for key in ("color_wheel", "gobo_wheel", "pixel_segments"):
        value = getattr(f, key)
        if value is not None:
            out[key] = value
    return out


# ---------------------------------------------------------------- groups


def group_from_dict(d: Any, index: int, prefix: str = "groups") -> Group:
    if type(d) is not dict:
        raise ValidationError(f"{prefix}[{index}]", f"group must be an object, got {_describe(d)}")
    name = d.get("name")
    if type(name) is not str or not name:
        raise ValidationError(
            f"{prefix}[{index}]", f"name must be a non-empty string, got {_describe(name)}"
        )
    where = f'{prefix}[{index}] "{name}"'
    color = d.get("color")
    if type(color) is not str or not _COLOR_RE.match(color):
        raise ValidationError(where, f"color {_describe(color)} is not a #RRGGBB colour")
    members = _list(d.get("fixtures", []), where, "fixtures")
    for i, m in enumerate(members):
        if type(m) is not str:
            raise ValidationError(where, f"fixtures[{i}] must be a fixture name, got {_describe(m)}")
    return Group(name, color.upper(), tuple(members), _extra(d, GROUP_KEYS))


def groups_from_list(items: Any, prefix: str = "groups") -> tuple[Group, ...]:
    items = _list(items, prefix, "groups")
    return tuple([group_from_dict(d, i, prefix) for i, d in enumerate(items)])


def group_to_dict(g: Group) -> dict[str, Any]:
    return {**g.extra, "name": g.name, "color": g.color, "fixtures": list(g.fixtures)}


# ---------------------------------------------------------------- whole show


def config_from_dict(d: Any) -> ShowConfig:
    """A show file's top-level object: ``{"stage": ..., "fixtures": [...], "groups": [...]}``."""
    d = _object(d, "", "show")
    if "stage" not in d:
        raise ValidationError("", "missing field 'stage'")
    return ShowConfig(
        stage_from_dict(d["stage"]),
        fixtures_from_list(d.get("fixtures", [])),
        groups_from_list(d.get("groups", [])),
    )


def config_to_dict(config: ShowConfig) -> dict[str, Any]:
    return {
        "stage": stage_to_dict(config.stage),
        "fixtures": [fixture_to_dict(f) for f in config.fixtures],
        "groups": [group_to_dict(g) for g in config.groups],
    }
