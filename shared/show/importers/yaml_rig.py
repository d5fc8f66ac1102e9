"""Show Creator YAML rigs (the files the original QLC+ Show Creator saves).

The format, as that program writes it (``Configuration.save`` in its
``config/models.py``, ``yaml.dump`` of its dataclasses):

* top level: ``stage_width``, ``stage_height`` (the depth, metres), ``grid_size``,
  ``fixtures`` (list), ``groups`` (mapping name -> group); ``universes``, ``shows``/``songs``,
  ``spots``, ``workspace_path``, ``block_defs`` and the rest are its own business and are
  skipped without being looked at;
* a fixture: ``name``, ``manufacturer``, ``model``, ``current_mode``, ``universe`` (1-based),
  ``address``, ``x``/``y``/``z`` (metres, audience at -y), ``mounting``, ``yaw``/``pitch``/``roll``,
  ``group`` (newer files also ``groups``: a list whose first entry is the primary group),
  ``type``, ``available_modes`` (``[{name, channels}]``), ``z_uses_group_default`` and
  ``orientation_uses_group_default`` (both default true);
* a group: ``color``, ``default_z_height`` (default 3.0), ``default_mounting``,
  ``default_yaw``/``pitch``/``roll`` and ``fixtures`` (full copies of the fixture entries).

Membership follows that program's loader: a group holds the top-level fixtures that name
it (``groups`` list, else ``group``), in file order; the copies under ``groups.*.fixtures``
are only used for fixtures missing from the top-level list.  Where a fixture uses the
group default, its primary group's ``default_z_height`` or orientation applies
(``Fixture.get_effective_z`` / ``get_effective_orientation`` there).
"""

from __future__ import annotations

import os
import re
from typing import Any

import yaml

from shared.show.checks import Issue
from shared.show.importers import SUPPORTED
from shared.show.importers._common import (
    Draft,
    ImportedGroup,
    Refused,
    describe,
    distinct_color,
    finish,
    integer,
    number,
)
from shared.show.model import DEFAULT_GRID_SIZE, MOUNTINGS, ShowConfig
from shared.show.showfile import ShowFileError

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_COLOR_RE = re.compile(r"#[0-9A-Fa-f]{6}\Z")


class _RigLoader(_Base):  # type: ignore[misc]
    """``yaml.safe_load`` rules, except that a tag it does not know (``!!python/tuple`` in a
    section we skip, say) reads as the plain value underneath instead of failing the rig.
    No object is ever constructed from a tag.

    Tag resolution of plain scalars is memoised per document: a rig repeats the same
    keys and values (``name``, ``x``, ``0.0``, ``hanging``) tens of thousands of times."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._resolved: dict[tuple[str, bool, bool], Any] = {}
        self.duplicates: list[tuple[int, str]] = []  # (line, key) of keys repeated in one mapping

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        # PyYAML keeps the last of two equal keys without a word; a hand-edited rig with
        # ``address`` twice is worth a warning (line numbers from 1).
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key_node.value in seen:
                        self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or type(value) is not str or implicit is None:
            return super().resolve(kind, value, implicit)
        key = (value, bool(implicit[0]), bool(implicit[1]))
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag


def _plain(loader: Any, suffix: str, node: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_RigLoader.add_multi_constructor("", _plain)


#: Top-level keys a rig is made of; the rest (``shows``/``songs`` with their timelines,
#: ``block_defs``, ``universes``…) is parsed for syntax but never turned into objects.
WANTED = ("stage_width", "stage_height", "grid_size", "fixtures", "groups")


_ODD_TOP_LINE = re.compile(r"^[\"'?{\[]", re.MULTILINE)  # a quoted or complex top-level key
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?=[ \t\r\n]|$)", re.MULTILINE)


def _compose(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """The rig's sections of the document: parsed alone when the file is in the block style
    the original program writes (a saved rig is mostly songs), else the whole document.

    Each top-level key of a block-style mapping starts a line at column 0; the text of a
    wanted key runs to the next such line.  Any doubt (a key twice, flow style, a section
    that does not parse alone, an alias into another section) falls back to parsing the
    whole document, so the result and the error messages are those of the full parse.
    """
    stripped = text.lstrip()
    if stripped.startswith(("{", "[", "%", "---", "!", "&", "*")) or _ODD_TOP_LINE.search(text):
        return _compose_all(text)
    starts = [(m.group(1), m.start()) for m in _TOP_KEY.finditer(text)]
    keys = [k for k, _ in starts]
    if not starts or (text[: starts[0][1]].strip(" \t\r\n") and not _only_comments(text[: starts[0][1]])):
        return _compose_all(text)
    if any(keys.count(k) > 1 for k in WANTED):
        return _compose_all(text)
    pieces: list[str] = []
    for n, (key, start) in enumerate(starts):
        if key in WANTED:
            end = starts[n + 1][1] if n + 1 < len(starts) else len(text)
            pieces.append(text[start:end])
    if len(pieces) == len(starts):
        return _compose_all(text)  # nothing to skip
    try:
        doc, duplicates = _compose_all("".join(piece if piece.endswith("\n") else piece + "\n" for piece in pieces))
    except yaml.YAMLError:
        return _compose_all(text)
    if duplicates or not isinstance(doc, dict) or set(doc) != {k for k in keys if k in WANTED}:
        return _compose_all(text)  # (duplicate keys: with the file's own line numbers)
    return doc, duplicates


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _compose_all(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """The YAML document with only the rig's sections constructed.

    Same rules as ``yaml.safe_load`` (the C parser when PyYAML has libyaml), but the
    node tree is turned into Python values only for :data:`WANTED`, and the fixture
    copies under ``groups.*.fixtures`` only as far as their names (the loader of the
    original program rebuilds membership from the top-level list too).  Show files
    carry far more song data than rig data, so this is most of the loading time.
    """
    loader = _RigLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, loader.duplicates
        if not isinstance(root, yaml.MappingNode):
            if "*" in text:
                _refuse_alias_bombs([root])
            return loader.construct_document(root), loader.duplicates
        values: dict[str, Any] = {}
        for key_node, value_node in root.value:
            key = loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) else None
            if key in WANTED:
                values[key] = value_node
        if "*" in text:  # no alias without a '*': skip the walk for the usual rig
            _refuse_alias_bombs(values.values())
        doc: dict[str, Any] = {}
        for key in ("stage_width", "stage_height", "grid_size", "fixtures"):
            if key in values:
                doc[key] = loader.construct_object(values[key], deep=True)
        if "groups" in values:
            fixtures = doc.get("fixtures")
            listed = {_name_of(e) for e in fixtures} if isinstance(fixtures, list) else set()
            doc["groups"] = _groups(loader, values["groups"], listed)
        return doc, loader.duplicates
    finally:
        loader.dispose()


#: Nodes the rig's sections may stand for once aliases are followed: a rig of 10 000
#: fixtures with group copies is well under a million.  Aliases are kept by reference
#: when constructed, but anything that walks, prints or copies the values follows them,
#: so ``a1: &a1 [*a0, *a0, ...]`` nested ten deep ("billion laughs") would hang the reader.
MAX_EXPANDED_NODES = 2_000_000


def _refuse_alias_bombs(nodes: Any) -> None:
    """Refuse (one line) when the given nodes, with aliases expanded, exceed the budget."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a cycle (an alias inside its own anchor) counts once
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key) + size(value)
                if total > MAX_EXPANDED_NODES:
                    break
        sizes[id(node)] = total
        return total

    total = 0
    for node in nodes:
        total += size(node)
        if total > MAX_EXPANDED_NODES:
            raise Refused(
                f"invalid YAML: aliases (*name) expand the rig past {MAX_EXPANDED_NODES:,} values "
                "(an alias bomb?); refused"
            )


def _groups(loader: Any, node: Any, listed: set[Any]) -> Any:
    """Groups with their settings; a fixture copy is built only when the top-level list lacks it."""
    if not isinstance(node, yaml.MappingNode):
        return loader.construct_object(node, deep=True)
    out: dict[Any, Any] = {}
    for key_node, group_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            line = key_node.start_mark.line + 1
            raise Refused(f"groups: a group name must be text, got a {key_node.id} at line {line}")
        name = loader.construct_object(key_node, deep=True)
        if not isinstance(group_node, yaml.MappingNode):
            out[name] = loader.construct_object(group_node, deep=True)
            continue
        group: dict[Any, Any] = {}
        for k_node, v_node in group_node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                continue  # no setting of a group has a list or a mapping for its name
            k = loader.construct_object(k_node, deep=True)
            if k == "fixtures" and isinstance(v_node, yaml.SequenceNode):
                group[k] = [
                    copy if copy is not None else loader.construct_object(entry, deep=True)
                    for entry in v_node.value
                    for copy in (_known_copy(loader, entry, listed),)
                ]
            else:
                group[k] = loader.construct_object(v_node, deep=True)
        out[name] = group
    return out


#: What :func:`_name_of` gives for a name that is a list or a mapping (``_fixture`` refuses it).
_UNHASHABLE = object()


def _name_of(entry: Any) -> Any:
    """A fixture entry's ``name`` as a set member: a list or mapping there (``name: []``) is
    :data:`_UNHASHABLE`, left for :func:`_fixture` to refuse in one line."""
    name = entry.get("name") if isinstance(entry, dict) else None
    try:
        hash(name)
    except TypeError:
        return _UNHASHABLE
    return name


def _known_copy(loader: Any, entry: Any, listed: set[Any]) -> dict[str, Any] | None:
    """``{"name": n}`` for a copy of a fixture the top-level list has, else None."""
    if isinstance(entry, yaml.MappingNode):
        for k_node, v_node in entry.value:
            if isinstance(k_node, yaml.ScalarNode) and k_node.value == "name" and isinstance(v_node, yaml.ScalarNode):
                name = loader.construct_object(v_node, deep=True)
                return {"name": name} if name in listed else None
    return None


def looks_like_rig(text: str) -> bool:
    """True for YAML text whose top level has the keys a Show Creator rig starts lines with."""
    return re.search(r"^(fixtures|stage_width|groups|universes):", text, re.MULTILINE) is not None


def load_yaml_rig(data: bytes, path: str | os.PathLike[str]) -> tuple[ShowConfig, list[Issue]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ShowFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        doc, duplicates = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise ShowFileError(path, f"invalid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ShowFileError(path, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ShowFileError(path, "invalid YAML: values nested too deeply") from None
    if not isinstance(doc, dict):
        raise ShowFileError(
            path,
            f"not a Show Creator rig: the top level is {type(doc).__name__}, not a mapping of settings ({SUPPORTED})",
        )
    if "fixtures" not in doc and "stage_width" not in doc and "groups" not in doc:
        raise ShowFileError(
            path, f"not a Show Creator rig: no 'fixtures', 'groups' or 'stage_width' at the top level ({SUPPORTED})"
        )
    draft = _draft(doc)
    for line, key in duplicates:
        draft.warn(f"line {line}", f"key {describe(key)} appears twice in one mapping; the last value is used")
    return finish(path, draft)


def _stage(doc: dict[str, Any], draft: Draft) -> None:
    # Defaults as the original program's Configuration: 10 x 6 m, grid 0.5 m.
    for key, default in (("stage_width", 10.0), ("stage_height", 6.0), ("grid_size", DEFAULT_GRID_SIZE)):
        raw = doc.get(key)
        value = number(raw)
        if raw is None:
            value = default
        elif value is None or value <= 0:
            draft.warn(key, f"{describe(raw)} is not a positive number of metres; using {default:g}")
            value = default
        draft.stage[{"stage_width": "width", "stage_height": "height", "grid_size": "grid_size"}[key]] = value


def _draft(doc: dict[str, Any]) -> Draft:
    draft = Draft(stage={})
    _stage(doc, draft)

    raw_groups = doc.get("groups") or {}
    if not isinstance(raw_groups, dict):
        draft.warn("groups", f"is {type(raw_groups).__name__}, not a mapping of group names; groups skipped")
        raw_groups = {}
    groups: dict[str, dict[str, Any]] = {}
    for name, g in raw_groups.items():
        if not isinstance(g, dict):
            draft.warn(f"groups[{name!r}]", f"is {describe(g)}, not a group; skipped")
            continue
        groups[str(name)] = g

    entries = doc.get("fixtures") or []
    if not isinstance(entries, list):
        raise Refused(f"fixtures must be a list, got {describe(entries)}")
    entries = list(entries)
    # Fixtures only listed inside a group (hand-edited or very old files) still count.
    listed = {_name_of(e) for e in entries}
    for gname, g in groups.items():
        copies = g.get("fixtures") or []
        for e in copies if isinstance(copies, list) else []:
            if isinstance(e, dict) and (_name_of(e) not in listed or _name_of(e) is _UNHASHABLE):
                e = dict(e)
                if not e.get("group") and not e.get("groups"):
                    e["group"] = gname
                entries.append(e)
                listed.add(_name_of(e))

    group_index: dict[str, ImportedGroup] = {}
    for gname, g in groups.items():
        color = g.get("color", "#808080")
        if not (isinstance(color, str) and _COLOR_RE.match(color)):
            new = distinct_color(len(group_index))
            draft.warn(f"groups[{gname!r}]", f"color {describe(color)} is not #rrggbb; using {new}")
            color = new
        group_index[gname] = ImportedGroup(gname, color.upper())

    primaries: list[tuple[str, list[str]]] = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise Refused(f"fixtures[{i}]: fixture must be a mapping, got {describe(e)}")
        draft.fixtures.append(_fixture(e, i, groups, group_index, draft))
        member_of = [g for g in _memberships(e) if g in group_index]
        if len(member_of) > 1:
            primaries.append((member_of[0], member_of[1:]))
    draft.groups = _primary_first(list(group_index.values()), primaries)
    return draft


def _primary_first(groups: list[ImportedGroup], primaries: list[tuple[str, list[str]]]) -> list[ImportedGroup]:
    """Groups in file order, except that a fixture's primary group (the first of its
    ``groups``) comes before its other groups where that is possible: the original program
    colours a fixture by its primary group, ours by the first group listing it."""
    if not primaries:
        return groups
    order = {g.name: k for k, g in enumerate(groups)}
    after: dict[str, set[str]] = {g.name: set() for g in groups}
    before_count = dict.fromkeys(order, 0)
    for primary, others in primaries:
        for other in others:
            if other != primary and other not in after[primary]:
                after[primary].add(other)
                before_count[other] += 1
    ready = sorted((n for n, c in before_count.items() if c == 0), key=order.__getitem__)
    out: list[str] = []
    while ready:
        name = ready.pop(0)
        out.append(name)
        for other in after[name]:
            before_count[other] -= 1
            if before_count[other] == 0:
                ready.append(other)
        ready.sort(key=order.__getitem__)
    out += sorted((n for n in order if n not in out), key=order.__getitem__)  # cycles: file order
    by_name = {g.name: g for g in groups}
    return [by_name[n] for n in out]


def _memberships(e: dict[str, Any]) -> list[str]:
    many = e.get("groups")
    if isinstance(many, list) and many:
        return [str(g) for g in many if g]
    one = e.get("group")
    return [str(one)] if one else []


def _fixture(
    e: dict[str, Any],
    i: int,
    groups: dict[str, dict[str, Any]],
    group_index: dict[str, ImportedGroup],
    draft: Draft,
) -> dict[str, Any]:
    name = e.get("name")
    if isinstance(name, int | float) and not isinstance(name, bool):
        name = str(name)  # `name: 101` in a hand-edited rig
    if not isinstance(name, str) or not name:
        raise Refused(f"fixtures[{i}]: name must be a non-empty string, got {describe(name)}")
    where = f'fixtures[{i}] "{name}"'
    out: dict[str, Any] = {"name": name}
    for key, ours in (("manufacturer", "manufacturer"), ("model", "model"), ("current_mode", "mode")):
        value = e.get(key)
        if value is None:
            draft.warn(where, f"{key} is missing; left empty")
            value = ""
        out[ours] = str(value)
    for key in ("universe", "address"):
        value = integer(e.get(key))
        if value is None:
            raise Refused(f"{where}: {key} must be a whole number, got {describe(e.get(key))}")
        out[key] = value

    member_of = _memberships(e)
    for gname in member_of:
        if gname in group_index:
            group_index[gname].members.append(i)
        else:
            draft.warn(where, f"group {gname!r} is not in the rig's groups; the fixture stays ungrouped there")
    primary = groups.get(member_of[0]) if member_of and member_of[0] in group_index else None

    coords = []
    for axis in ("x", "y", "z"):
        raw = e.get(axis, 0.0)
        value = number(raw)
        if value is None:
            draft.warn(where, f"{axis} {describe(raw)} is not a number; using 0")
            value = 0.0
        coords.append(value)
    if primary is not None and e.get("z_uses_group_default", True) is not False:
        z = number(primary.get("default_z_height", 3.0))
        if z is None:
            draft.warn(where, f"group {member_of[0]!r} default_z_height is not a number; kept z {coords[2]:g}")
        else:
            coords[2] = z
    out["position"] = {"x": coords[0], "y": coords[1], "z": coords[2]}

    if primary is not None and e.get("orientation_uses_group_default", True) is not False:
        source, prefix = primary, "default_"
    else:
        source, prefix = e, ""
    mounting = source.get(f"{prefix}mounting", "hanging")
    if mounting not in MOUNTINGS:
        draft.warn(where, f"mounting {describe(mounting)} is not one of {', '.join(MOUNTINGS)}; drawn as hanging")
        mounting = "hanging"
    angles = []
    for k in ("yaw", "pitch", "roll"):
        raw = source.get(f"{prefix}{k}", 0.0)
        value = number(raw)
        if value is None:
            draft.warn(where, f"{prefix}{k} {describe(raw)} is not a number; using 0")
            value = 0.0
        angles.append(value)
    out["orientation"] = {"mounting": mounting, "yaw": angles[0], "pitch": angles[1], "roll": angles[2]}

    kind = e.get("type")
    if isinstance(kind, str) and kind:
        out["fixture_type"] = kind
    channels = _mode_channels(e, out["mode"], where, draft)
    if channels is not None:
        out["channel_count"] = channels
    return out


def _mode_channels(e: dict[str, Any], mode: str, where: str, draft: Draft) -> int | None:
    modes = e.get("available_modes")
    if not isinstance(modes, list):
        return None
    for m in modes:
        if isinstance(m, dict) and str(m.get("name")) == mode:
            count = integer(m.get("channels"))
            if count is None or not 1 <= count <= 512:
                draft.warn(where, f"mode {mode!r} has channels {describe(m.get('channels'))}; channel count left out")
                return None
            return count
    if modes:
        draft.warn(where, f"current_mode {mode!r} is not among available_modes; channel count left out")
    return None
