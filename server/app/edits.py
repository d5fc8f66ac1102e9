"""Edits to a show as pure functions: ShowConfig in, new ShowConfig out (no Qt).

Every edit the window offers lives here so it is validated exactly as a show
file is: the changed fixture goes through ``shared.show.codec`` (one-line
messages such as ``fixtures[3] "LED Bar 4": address 600 is outside 1..512``)
and the whole show through ``check_config``; an ``EditError`` carries that line.

Fixture identity is the index in ``ShowConfig.fixtures`` (names may repeat).
Groups name their members, so edits that rename, add or remove fixtures go
through index lists (``group_members``) and back to names
(``groups_with_members``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from shared.show import (
    Fixture,
    Group,
    ShowConfig,
    ValidationError,
    Vec3,
    check_config,
    codec,
    fixture_from_dict,
    fixture_to_dict,
)
from shared.show import model as _model
from shared.show.members import member_names
from shared.show.orientation import PRESETS

#: Table columns, in order.
COLUMNS = (
    "name", "type", "manufacturer", "model", "mode", "universe", "address",
    "x", "y", "z", "mounting", "yaw", "pitch", "roll", "groups",
)
NUMERIC = frozenset({"universe", "address", "x", "y", "z", "yaw", "pitch", "roll"})



class EditError(ValueError):
    """An edit the show-file rules refuse; ``str()`` is the one line to show."""


def known_mountings() -> tuple[str, ...]:
    """Mounting names the model accepts (grows when the model learns wall mountings)."""
    return tuple(getattr(_model, "MOUNTINGS", ("hanging", "standing")))


# ---------------------------------------------------------------- groups by index


def group_members(config: ShowConfig) -> list[list[int]]:
    """Each group's members as fixture indices.

    A name that several fixtures share resolves by order of occurrence: the
    k-th mention of N across the groups (in group order) is the k-th fixture
    named N, counting round again once mentions outnumber fixtures.  The
    model's own ``ShowConfig.group_members`` does exactly this where it exists.
    """
    return [list(config.group_members(gi)) for gi in range(len(config.groups))]


def groups_with_members(
    groups: Sequence[Group], fixtures: Sequence[Fixture], members: Sequence[Sequence[int]]
) -> tuple[Group, ...]:
    """The groups with these members (fixture indices), written as names that read back as them.

    Fixtures sharing a name are told apart in groups by order of mention
    (``shared.show.members``); a membership that cannot be written that way is an
    EditError naming the group and the fixtures to rename.
    """
    names = [f.name for f in fixtures]
    written = member_names(names, members)
    if isinstance(written, tuple):
        gi, stuck = written
        which = ", ".join(f"fixtures[{i}]" for i in stuck)
        them = "it a name of its own" if len(stuck) == 1 else "them names of their own"
        raise EditError(
            f'groups[{gi}] "{groups[gi].name}": cannot tell {which} from the other fixtures named '
            f"{names[stuck[0]]!r} (groups tell such fixtures apart by order of mention); give {them} first"
        )
    return tuple(replace(g, fixtures=tuple(m)) for g, m in zip(groups, written, strict=True))


def fixture_groups(config: ShowConfig) -> list[list[int]]:
    """For each fixture, the indices of the groups it belongs to."""
    out: list[list[int]] = [[] for _ in config.fixtures]
    for gi, members in enumerate(group_members(config)):
        for i in members:
            out[i].append(gi)
    return out


# ---------------------------------------------------------------- cells


def cell_value(config: ShowConfig, index: int, column: str, groups_of: Sequence[Sequence[int]] | None = None) -> Any:
    """The value a table cell shows (numbers as numbers, for sorting)."""
    f = config.fixtures[index]
    o = f.orientation
    if column == "name":
        return f.name
    if column == "type":
        return f.fixture_type or ""
    if column in ("manufacturer", "model", "mode", "universe", "address"):
        return getattr(f, column)
    if column in ("x", "y", "z"):
        return getattr(f.position, column)
    if column == "mounting":
        return o.mounting if o is not None else default_mounting(f)
    if column in ("yaw", "pitch", "roll"):
        return effective_angles(f)[("yaw", "pitch", "roll").index(column)]
    if column == "groups":
        gi = groups_of[index] if groups_of is not None else fixture_groups(config)[index]
        return ", ".join(config.groups[g].name for g in gi)
    raise KeyError(column)


def parse_number(text: str) -> Any:
    """A number if ``text`` is one, else the text itself (the codec then words the error)."""
    t = text.strip()
    try:
        return int(t)
    except ValueError:
        pass
    try:
        value = float(t)
    except ValueError:
        return t
    return value if math.isfinite(value) else t


def default_mounting(f: Fixture) -> str:
    return "hanging" if f.position.z > 1.0 else "standing"


def effective_angles(f: Fixture) -> tuple[float, float, float]:
    """Absolute (yaw, pitch, roll) as the renderer reads them.

    A named mounting written with (0, 0, 0) means its preset, and no
    orientation means hanging (above 1 m) or standing: the table and the
    orientation panel show, and edits start from, what the fixture does.
    """
    o = f.orientation
    if o is None:
        return PRESETS[default_mounting(f)]
    angles = (float(o.yaw), float(o.pitch), float(o.roll))
    if angles == (0.0, 0.0, 0.0) and o.mounting in PRESETS:
        return PRESETS[o.mounting]
    return angles


def _orientation_dict(f: Fixture) -> dict[str, Any]:
    """The fixture's orientation with its effective (absolute) angles written out."""
    yaw, pitch, roll = effective_angles(f)
    o = f.orientation
    base = {"mounting": default_mounting(f)} if o is None else {**o.extra, "mounting": o.mounting}
    return {**base, "yaw": yaw, "pitch": pitch, "roll": roll}


def _keep_meaning(d: dict[str, Any]) -> dict[str, Any]:
    """Angles set to (0, 0, 0) under a preset's name would read as that preset: name them custom."""
    angles = tuple(d.get(k) for k in ("yaw", "pitch", "roll"))
    mounting = d.get("mounting")
    if angles == (0, 0, 0) and mounting in PRESETS and PRESETS[str(mounting)] != (0.0, 0.0, 0.0):
        for name in ("custom", "wall_back"):
            if name in known_mountings():
                return {**d, "mounting": name}
    return d


def preset_orientation(f: Fixture, preset: str) -> dict[str, Any]:
    """The fixture's orientation set to a preset's absolute angles.

    The preset's name becomes the mounting when the model knows it; otherwise
    (a model that only knows hanging/standing) the mounting stays and only
    the angles change.
    """
    yaw, pitch, roll = PRESETS[preset]
    d = _orientation_dict(f)
    if preset in known_mountings():
        d["mounting"] = preset
    d.update(yaw=yaw, pitch=pitch, roll=roll)
    return d


def set_cell(config: ShowConfig, index: int, column: str, text: str) -> ShowConfig:
    """``config`` with one cell changed; EditError with the show-file message if refused.

    Only a new name or new group membership can break a rule that spans
    fixtures (duplicate names, members that are not fixtures), so only those
    pay for the whole-show check; every other edit validates one fixture,
    which keeps an edit cheap at 10,000 fixtures.
    """
    f = config.fixtures[index]
    d = fixture_to_dict(f)
    value: Any = parse_number(text) if column in NUMERIC else text
    members: list[list[int]] | None = None
    if column == "name":
        d["name"] = text.strip()
        members = group_members(config)
    elif column == "type":
        if text.strip():
            d["fixture_type"] = text.strip()
        else:
            d.pop("fixture_type", None)
    elif column in ("manufacturer", "model", "mode", "universe", "address"):
        d[column] = value
    elif column in ("x", "y", "z"):
        d["position"] = {**d["position"], column: value}
    elif column == "mounting":
        name = text.strip()
        if name in PRESETS:
            d["orientation"] = preset_orientation(f, name)
        else:
            d["orientation"] = {**_orientation_dict(f), "mounting": name}
    elif column in ("yaw", "pitch", "roll"):
        # Optional fields may be kept-with-a-warning by a lenient decoder; an
        # editor must refuse instead, with the same words.
        _strict_number(value, index, f, f"orientation.{column}")
        d["orientation"] = _keep_meaning({**_orientation_dict(f), column: value})
    elif column == "groups":
        members = _set_membership(config, group_members(config), index, text)
    else:
        raise KeyError(column)
    new = _decode(d, index)
    fixtures = (*config.fixtures[:index], new, *config.fixtures[index + 1 :])
    if members is None:
        return ShowConfig(config.stage, fixtures, config.groups)
    return _checked(ShowConfig(config.stage, fixtures, groups_with_members(config.groups, fixtures, members)))


def _set_membership(config: ShowConfig, members: list[list[int]], index: int, text: str) -> list[list[int]]:
    f = config.fixtures[index]
    wanted = [n.strip() for n in text.split(",") if n.strip()]
    by_name = {g.name: gi for gi, g in enumerate(config.groups)}
    for name in wanted:
        if name not in by_name:
            raise EditError(f'fixtures[{index}] "{f.name}": group {name!r} does not exist')
    chosen = {by_name[n] for n in wanted}
    out = []
    for gi, m in enumerate(members):
        m = [i for i in m if i != index]
        if gi in chosen:
            m.append(index)
            m.sort()
        out.append(m)
    return out


def _strict_number(value: Any, index: int, f: Fixture, name: str) -> None:
    try:
        codec._number(value, f'fixtures[{index}] "{f.name}"', name)
    except ValidationError as exc:
        raise EditError(str(exc)) from None


def _decode(d: dict[str, Any], index: int) -> Fixture:
    try:
        return fixture_from_dict(d, index)
    except ValidationError as exc:
        raise EditError(str(exc)) from None


def _checked(config: ShowConfig) -> ShowConfig:
    errors = [i for i in check_config(config) if i.severity == "error"]
    if errors:
        raise EditError(str(errors[0]))
    return config


# ---------------------------------------------------------------- fixtures


def replace_fixtures(config: ShowConfig, changed: Mapping[int, Fixture]) -> ShowConfig:
    """New fixtures at some indices, names unchanged (moves, orientation): groups stay as they are."""
    fixtures = list(config.fixtures)
    for i, f in changed.items():
        fixtures[i] = f
    return ShowConfig(config.stage, tuple(fixtures), config.groups)


def move_fixtures(config: ShowConfig, moves: Mapping[int, tuple[float, float]]) -> ShowConfig:
    """Fixtures placed at new (x, y), keeping their height."""
    limit = _model.MAX_MAGNITUDE
    changed = {}
    for i, (x, y) in moves.items():
        f = config.fixtures[i]
        x = min(max(x, -limit), limit)
        y = min(max(y, -limit), limit)
        changed[i] = f.replace(position=Vec3(float(x), float(y), f.position.z))
    return replace_fixtures(config, changed)


def orient_fixtures(
    config: ShowConfig,
    indices: Iterable[int],
    preset: str | None = None,
    angles: Mapping[str, float] | None = None,
) -> ShowConfig:
    """Apply a mounting preset and/or absolute angles (yaw, pitch, roll) to fixtures."""
    changed = {}
    for i in indices:
        f = config.fixtures[i]
        d = preset_orientation(f, preset) if preset is not None else _orientation_dict(f)
        if angles:
            for key, value in angles.items():
                _strict_number(value, i, f, f"orientation.{key}")
            d = _keep_meaning({**d, **angles})
        new = _decode({**fixture_to_dict(f), "orientation": d}, i)
        changed[i] = new
    return replace_fixtures(config, changed)


def remove_fixtures(config: ShowConfig, indices: Iterable[int]) -> ShowConfig:
    gone = set(indices)
    members = group_members(config)
    remap: dict[int, int] = {}
    kept: list[Fixture] = []
    for i, f in enumerate(config.fixtures):
        if i not in gone:
            remap[i] = len(kept)
            kept.append(f)
    new_members = [[remap[i] for i in m if i in remap] for m in members]
    fixtures = tuple(kept)
    return ShowConfig(config.stage, fixtures, groups_with_members(config.groups, fixtures, new_members))


def unique_names(existing: Iterable[str], prefix: str, count: int) -> list[str]:
    """``count`` names ``prefix 1``, ``prefix 2``... skipping those already used."""
    used = set(existing)
    out: list[str] = []
    n = 1
    while len(out) < count:
        name = f"{prefix} {n}"
        if name not in used:
            out.append(name)
            used.add(name)
        n += 1
    return out


def add_fixtures(config: ShowConfig, new: Sequence[Fixture], group: str | None = None) -> ShowConfig:
    """Append fixtures (optionally to a group), checked like a show file."""
    members = group_members(config)
    start = len(config.fixtures)
    for k, f in enumerate(new):
        _decode(fixture_to_dict(f), start + k)
    fixtures = (*config.fixtures, *new)
    groups = list(config.groups)
    if group:
        names = [g.name for g in groups]
        if group not in names:
            groups.append(Group(group, "#FFFFFF"))
            members.append([])
        members[names.index(group) if group in names else len(groups) - 1].extend(range(start, len(fixtures)))
    return _checked(ShowConfig(config.stage, fixtures, groups_with_members(groups, fixtures, members)))


def grid_fixtures(
    template: Fixture,
    existing_names: Iterable[str],
    *,
    count: int,
    columns: int,
    centre: tuple[float, float],
    spacing: tuple[float, float],
    prefix: str,
    universe: int,
    start_address: int,
    footprint: int,
) -> list[Fixture]:
    """``count`` copies of ``template`` in rows of ``columns``, centred on ``centre``.

    "8 PARs on the front truss, 1 m apart" is count 8, columns 8, spacing 1 m.
    Fixture 1 is at the audience's left (+x, the plan's left), rows run upstage
    (+y). Addresses follow each other by ``footprint`` channels and wrap into
    the next universe past 512.
    """
    if count < 1 or columns < 1:
        raise EditError("count and columns must be at least 1")
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    names = unique_names(existing_names, prefix, count)
    dx, dy = spacing
    cx, cy = centre
    out = []
    uni, addr = universe, start_address
    for k in range(count):
        r, c = divmod(k, columns)
        x = cx + (columns - 1) / 2 * dx - c * dx
        y = cy - (rows - 1) / 2 * dy + r * dy
        if addr + max(footprint, 1) - 1 > _model.DMX_CHANNELS:
            uni, addr = uni + 1, 1
        out.append(
            template.replace(
                name=names[k], universe=uni, address=addr, position=Vec3(float(x), float(y), template.position.z)
            )
        )
        addr += max(footprint, 1)
    return out


# ---------------------------------------------------------------- groups


def add_group(config: ShowConfig, name: str, color: str, members: Iterable[int] = ()) -> ShowConfig:
    current = group_members(config)
    groups = (*config.groups, Group(name, color.upper()))
    current.append(sorted(set(members)))
    fixtures = config.fixtures
    return _checked_group(ShowConfig(config.stage, fixtures, groups_with_members(groups, fixtures, current)))


def remove_group(config: ShowConfig, group_index: int) -> ShowConfig:
    groups = config.groups[:group_index] + config.groups[group_index + 1 :]
    return ShowConfig(config.stage, config.fixtures, groups)


def set_group(config: ShowConfig, group_index: int, *, name: str | None = None, color: str | None = None) -> ShowConfig:
    g = config.groups[group_index]
    if color is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
        raise EditError(f'groups[{group_index}] "{g.name}": color {color!r} is not a #RRGGBB colour')
    new = replace(g, name=g.name if name is None else name.strip(), color=g.color if color is None else color.upper())
    groups = (*config.groups[:group_index], new, *config.groups[group_index + 1 :])
    return _checked_group(ShowConfig(config.stage, config.fixtures, groups))


def set_group_members(
    config: ShowConfig, group_index: int, add: Iterable[int] = (), remove: Iterable[int] = ()
) -> ShowConfig:
    members = group_members(config)
    m = set(members[group_index])
    m |= set(add)
    m -= set(remove)
    members[group_index] = sorted(m)
    return ShowConfig(config.stage, config.fixtures, groups_with_members(config.groups, config.fixtures, members))


def _checked_group(config: ShowConfig) -> ShowConfig:
    from shared.show import group_from_dict, group_to_dict

    for i, g in enumerate(config.groups):
        try:
            group_from_dict(group_to_dict(g), i)
        except ValidationError as exc:
            raise EditError(str(exc)) from None
    return _checked(config)


def set_stage(config: ShowConfig, width: float, depth: float, grid: float) -> ShowConfig:
    """A new stage size and grid, checked as a show file's stage is."""
    stage = codec.stage_to_dict(config.stage)
    stage.update(width=width, height=depth, grid_size=grid)
    try:
        new = codec.stage_from_dict(stage)
    except ValidationError as exc:
        raise EditError(str(exc)) from None
    return replace(config, stage=new)


def first_free_address(config: ShowConfig, universe: int, footprint: int) -> int:
    """The address just after the last fixture patched in ``universe``.

    A fixture whose channel count is unknown is taken to use ``footprint``
    channels, like the ones being added.
    """
    end = 0
    for f in config.fixtures:
        if f.universe == universe:
            end = max(end, f.address + (f.channel_count or footprint) - 1)
    start = end + 1
    return start if start + footprint - 1 <= _model.DMX_CHANNELS else 1


__all__ = [
    "COLUMNS",
    "NUMERIC",
    "PRESETS",
    "EditError",
    "add_fixtures",
    "add_group",
    "cell_value",
    "default_mounting",
    "effective_angles",
    "first_free_address",
    "fixture_groups",
    "grid_fixtures",
    "group_members",
    "groups_with_members",
    "known_mountings",
    "move_fixtures",
    "orient_fixtures",
    "preset_orientation",
    "remove_fixtures",
    "remove_group",
    "replace_fixtures",
    "set_cell",
    "set_group",
    "set_group_members",
    "set_stage",
    "unique_names",
]
