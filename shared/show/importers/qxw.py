"""QLC+ workspaces (``.qxw``): fixtures, groups and the 2D/3D monitor positions.

The format, from QLC+'s own sources (``engine/src/doc.cpp`` ``Doc::loadXML``,
``engine/src/fixture.cpp``, ``fixturegroup.cpp``, ``channelsgroup.cpp`` and
``engine/src/monitorproperties.cpp``; namespace ``http://www.qlcplus.org/Workspace``):

* ``Engine/Fixture``: ``Manufacturer``, ``Model``, ``Mode``, ``ID``, ``Name``, ``Universe``,
  ``Address``, ``Channels`` as child elements.  Universe and Address are **0-based** in the
  file; QLC+ shows them from 1 and so does the original Show Creator's importer, so we add
  1 to both.  Names may repeat: everything refers to fixtures by ``ID``.
* ``Engine/FixtureGroup``: ``Name`` and ``Head Fixture="ID"`` elements (one per head);
  ``Engine/ChannelsGroup Name=".."``: text ``fixtureID,channel,fixtureID,channel,…``.  Both
  become our groups (members in order of first mention) with distinct colours.
* ``Monitor`` (inside ``Engine``, some writers put it at the top level):
  ``Grid Width Height Depth Units`` (metres, or feet with ``Units="1"``) and one
  ``FxItem ID XPos YPos [ZPos] [XRot YRot ZRot | Rotation]`` per fixture, in millimetres.
  QLC+ 5 (``qmlui``) writes 3D items: X across from the stage's left edge as the audience
  sees it, Y up from the floor, Z from the back wall towards the audience
  (``MainView3D::updateFixturePosition`` centres the grid: ``x = XPos/1000 - Width/2``,
  ``z = ZPos/1000 - Depth/2``).  QLC+ 4 writes 2D items (no ``ZPos``); they are read as a
  top view, as QLC+ 5's ``MonitorProperties::setPointOfView(TopView)`` converts them
  (2D y becomes depth, height 1 m).  Positions are the item's corner, not its centre;
  without the mesh size we take them as the fixture's position.
* Without a monitor section fixtures are laid out in rows per universe, with a warning.

Our frame: +x is stage right (the audience's left), -y downstage, metres.  So
``x = Width/2 - XPos/1000``, ``y = Depth/2 - ZPos/1000``, ``z = YPos/1000``.

Orientation, as QLC+'s 3D view poses an item (``qmlui/mainview3d.cpp``
``MainView3D::updateFixtureRotation``; ``qmlui/js/Math3DView.js`` ``getLightDirection``;
``qmlui/qml/fixturesfunctions/3DView/Fixture3DItem.qml`` ``setPosition``):

* An item's rotation is ``(XRot, YRot, ZRot)`` in degrees, 0 where absent (QLC+ writes only
  the non-zero ones).  ``MonitorProperties::loadXML`` checks QLC+ 4's ``Rotation`` first: it
  is the Y value and XRot/YRot/ZRot are then ignored.  (QLC+ 5's 2D top view turns the icon
  clockwise by the Y value, ``MainView2D::updateFixtureRotation``; the 3D view agrees.)
* The item's transform gets ``QTransform::fromAxesAndAngles(X, -XRot, Y, -YRot, Z, -ZRot)``,
  which Qt3D composes as ``q3 * q2 * q1`` (qt3d ``Qt3DCore::QTransform::fromAxesAndAngles``):
  ``Rz(-ZRot) · Ry(-YRot) · Rx(-XRot)``, right-hand rotations about QLC+'s fixed X, Y and Z,
  X first.  (The RHI renderer, ``qmlui/mainview3drhi.cpp`` ``rotationFromAxesOrderXYZ``, keeps it.)
* At (0, 0, 0) every fixture item hangs with its beam along the model's -Y (straight down):
  ``getLightDirection`` takes ``(0, -1, 0)`` through the item, pan and tilt transforms, for
  PARs, moving heads and bars alike.  Pan turns about the model's Y, tilt about its X, and
  tilt above DMX centre swings the beam toward +Z, the audience.  That is our ``hanging``
  preset: body x across the stage, its top toward the audience, positive tilt toward it.
* QLC+'s axes are ours as ``X -> -x``, ``Y -> +z``, ``Z -> -y``: a mirror (:data:`QLC_AXES`,
  determinant -1).  The item's turn in our frame is its conjugate ``A R Aᵀ``, a proper
  rotation; after the hanging preset it is the body -> stage rotation, which
  ``orientation_of_rotation`` writes as our angles (a preset by its name).  So XRot 180
  stands, XRot 90 points at the audience (``wall_back``), XRot 90 with YRot 90 at stage
  right (``wall_left``), and ``Rotation`` r hangs turned about the vertical (yaw -r).
* ``CoordSys="Z-up"`` (a newer QLC+, ``MonitorProperties::saveXML``) holds Z-up values;
  ``MonitorProperties::zUpToLegacyRotation`` makes them ``(-XRot, ZRot, YRot)`` in the frame above.
* A rotation value that is not a finite number is 0 (as QLC+'s ``toDouble`` reads text),
  with one warning per item naming it.

Channel functions, beam and pan/tilt data are not in a workspace (they live in the
fixture definitions, ``.qxf``); each fixture keeps ``manufacturer``, ``model`` and ``mode``
exactly as QLC+ names them, plus ``channel_count``, so ``shared.fixtures`` can fill them in.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import numpy as np
import numpy.typing as npt
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from shared.show.checks import Issue
from shared.show.importers._common import (
    Draft,
    ImportedGroup,
    Refused,
    dedupe_members,
    describe,
    distinct_color,
    finish,
    integer,
    number,
    stage_around,
)
from shared.show.model import ShowConfig
from shared.show.orientation import PRESETS, axis_rotation, base_rotation, orientation_of_rotation
from shared.show.showfile import xml_encoding_problem

NAMESPACE = "http://www.qlcplus.org/Workspace"
FEET = 0.3048

#: QLC+'s scene axes in our stage frame, as columns: X (to the audience's right) -> -x,
#: Y (up) -> +z, Z (toward the audience) -> -y.  A mirror: determinant -1.
QLC_AXES = np.array([[-1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
#: What QLC+ shows at rotation (0, 0, 0), body -> stage: hanging, beam down (the model's -Y).
QLC_REST = base_rotation(*PRESETS["hanging"])
ROTATION_KEYS = ("XRot", "YRot", "ZRot")

#: Rows laid out when a workspace has no monitor positions.
ROW_SPACING = 0.6
ROW_LENGTH = 16
ROW_HEIGHT = 3.0


#: Most ``<`` an XML file may hold (start, end and empty tags, comments): about two million
#: elements, far beyond any real workspace, scene or GDTF.  Counted before parsing, since a
#: ZIP member of tiny elements inflates a few KB into gigabytes of element tree.
MAX_XML_TAGS = 4_000_000


def parse_xml(data: bytes, what: str) -> Element:
    """The root element, parsed with defusedxml: entity declarations and external
    references (billion laughs, XXE) are refused with one line, as is malformed XML
    and XML of more than :data:`MAX_XML_TAGS` tags."""
    if data.count(b"<") > MAX_XML_TAGS:
        raise Refused(f"{what} has more than {MAX_XML_TAGS:,} XML tags; refused (an XML bomb?)")
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        raise Refused(
            f"refused: the XML declares entity {exc.name!r} (entity expansion, as in a billion-laughs attack, "
            f"is not allowed in a {what})"
        ) from None
    except ExternalReferenceForbidden as exc:
        source = exc.sysid or exc.pubid
        raise Refused(f"refused: the XML refers to an external resource ({source}) in a {what}") from None
    except DTDForbidden:  # pragma: no cover - DTDs are allowed (QLC+ writes <!DOCTYPE Workspace>)
        raise Refused(f"refused: a DTD in a {what}") from None
    except DefusedXmlException as exc:
        raise Refused(f"refused: unsafe XML in a {what} ({exc})") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise Refused(f"invalid XML at line {line} column {column + 1}: {_reason(exc)}") from None
    except (LookupError, ValueError) as exc:  # an encoding expat cannot use (UnicodeError is a ValueError)
        raise Refused(xml_encoding_problem(data, exc)) from None
    return root


def _reason(exc: ParseError) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if ":" in text else text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node: Element, name: str) -> Iterator[Element]:
    for child in node:
        if isinstance(child.tag, str) and _local(child.tag) == name:
            yield child


def _child_text(node: Element, name: str) -> str | None:
    for child in _children(node, name):
        return (child.text or "").strip()
    return None


def load_qxw(data: bytes, path: str | os.PathLike[str]) -> tuple[ShowConfig, list[Issue]]:
    root = parse_xml(data, "QLC+ workspace")
    if _local(root.tag) != "Workspace":
        raise Refused(f"not a QLC+ workspace: the root element is <{_local(root.tag)}>, not <Workspace>")
    engine = next(_children(root, "Engine"), None)
    if engine is None:
        raise Refused("not a QLC+ workspace: no <Engine> element")
    draft = _draft(root, engine)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else None
    if namespace != NAMESPACE:
        said = f"namespace {namespace!r}" if namespace else "no namespace"
        draft.warn("<Workspace>", f"has {said}, not QLC+'s {NAMESPACE!r}; read as a QLC+ workspace anyway")
    return finish(path, draft)


def _draft(root: Element, engine: Element) -> Draft:
    draft = Draft(stage={})
    ids: dict[int, int] = {}  # QLC+ fixture ID -> our index
    for node in _children(engine, "Fixture"):
        _fixture(node, ids, draft)

    monitor = next(_children(engine, "Monitor"), None) or next(_children(root, "Monitor"), None)
    _positions(monitor, ids, draft)
    _groups(engine, ids, draft)
    return draft


def _fields(node: Element) -> dict[str, str]:
    """A fixture element's child elements as ``{local name: stripped text}`` (first wins)."""
    out: dict[str, str] = {}
    for child in node:
        tag = child.tag
        if isinstance(tag, str):
            out.setdefault(tag[tag.rfind("}") + 1 :], (child.text or "").strip())
    return out


def _fixture(node: Element, ids: dict[int, int], draft: Draft) -> None:
    fields = _fields(node)
    raw_id = fields.get("ID")
    fid = integer(raw_id)
    name = fields.get("Name") or ""
    label = f'Fixture ID {raw_id} "{name}"'
    if fid is None:
        raise Refused(f'Fixture "{name}": ID {describe(raw_id)} is not a whole number')
    if fid in ids:
        raise Refused(f"{label}: ID {fid} is used by two fixtures")
    if not name:
        name = f"Fixture {fid}"
        draft.warn(label, f"has no name; named {name!r}")
    values: dict[str, int] = {}
    for key in ("Universe", "Address"):
        raw = fields.get(key)
        value = integer(raw)
        if value is None or value < 0:
            raise Refused(f"{label}: {key} {describe(raw)} is not a 0-based whole number")
        values[key] = value + 1  # 0-based in the file
    out: dict[str, Any] = {
        "name": name,
        "manufacturer": fields.get("Manufacturer", ""),
        "model": fields.get("Model", ""),
        "mode": fields.get("Mode", ""),
        "universe": values["Universe"],
        "address": values["Address"],
        "position": {"x": 0.0, "y": 0.0, "z": 0.0},
    }
    raw_channels = fields.get("Channels")
    channels = integer(raw_channels)
    if channels is not None and 1 <= channels <= 512:
        out["channel_count"] = channels
    elif raw_channels is not None:
        draft.warn(label, f"Channels {describe(raw_channels)} is not a count from 1 to 512; channel count left out")
    ids[fid] = len(draft.fixtures)
    draft.fixtures.append(out)
    draft.labels.append(label)


def _grid(monitor: Element, draft: Draft) -> tuple[float, float, float, bool]:
    """Grid width, height, depth in metres, and whether the file said so."""
    grid = next(_children(monitor, "Grid"), None)
    if grid is None:
        return 5.0, 3.0, 5.0, False
    units = grid.get("Units")
    if units not in (None, "0", "1"):
        draft.warn("Monitor Grid", f"Units {describe(units)} is neither 0 (metres) nor 1 (feet); read as metres")
    scale = FEET if units == "1" else 1.0

    def size(key: str, default: float | None) -> float | None:
        raw = grid.get(key)
        value = number(raw)
        if raw is None or value == 0:
            return default  # absent (QLC+ 4 has no Depth) or 0: QLC+'s default
        if value is None or value < 0:
            fallback = 5.0 if default is None else default
            draft.warn("Monitor Grid", f"{key} {describe(raw)} is not a positive size; using {fallback:g}")
            return fallback
        return value

    width = size("Width", 5.0) or 5.0
    height = size("Height", 3.0) or 3.0
    depth = size("Depth", None)
    if depth is None:
        depth = height  # QLC+ 4: a 2D grid is Width x Height (MonitorProperties::loadXML)
    return width * scale, height * scale, depth * scale, True


def _positions(monitor: Element | None, ids: dict[int, int], draft: Draft) -> None:
    placed: set[int] = set()
    if monitor is not None:
        z_up = monitor.get("CoordSys") == "Z-up"
        width, height_attr, depth_attr, _ = _grid(monitor, draft)
        # a Z-up file writes its grid as (width, depth, height) under the names Width, Height, Depth
        # (MonitorProperties::saveXML writes gridSize() x, y, z; zUpToLegacyGridSize)
        depth = height_attr if z_up else depth_attr
        items = [  # whole fixtures only, not their heads or linked copies
            i for i in _children(monitor, "FxItem") if i.get("Head") in (None, "0") and i.get("Linked") in (None, "0")
        ]
        three_d = z_up or any(i.get("ZPos") is not None for i in items)
        if items and not three_d:
            draft.warn(
                "Monitor", "2D positions (QLC+ 4) read as a top view, as QLC+ 5 converts them; fixtures 1 m high"
            )
        for item in items:
            fid = integer(item.get("ID"))
            if fid is None or fid not in ids:
                draft.warn(f"Monitor FxItem ID {describe(item.get('ID'))}", "refers to no fixture; skipped")
                continue
            index = ids[fid]
            xp, yp, zp = (number(item.get(k)) for k in ("XPos", "YPos", "ZPos"))
            if xp is None or yp is None:
                draft.warn(draft.label(index), "monitor item has no usable XPos/YPos; laid out in a row")
                continue
            if z_up:  # centred, X to the audience's right, Y upstage, Z up (CoordSys="Z-up")
                pos = (-xp / 1000.0, yp / 1000.0, (zp or 0.0) / 1000.0)
            elif three_d:
                pos = (width / 2 - xp / 1000.0, depth / 2 - (zp or 0.0) / 1000.0, yp / 1000.0)
            else:
                pos = (width / 2 - xp / 1000.0, depth / 2 - yp / 1000.0, 1.0)
            fixture = draft.fixtures[index]
            fixture["position"] = {"x": round(pos[0], 6), "y": round(pos[1], 6), "z": round(pos[2], 6)}
            fixture["orientation"] = _orientation(item, z_up, draft.label(index), draft)
            placed.add(index)
        draft.stage = {"width": round(width, 6), "height": round(depth, 6)}
    missing = [i for i in range(len(draft.fixtures)) if i not in placed]
    if missing:
        _rows(missing, draft)
        what = "no 2D/3D monitor section" if monitor is None else f"{len(missing)} fixtures without a monitor item"
        draft.warn(
            "Monitor",
            f"{what}: laid out in rows per universe ({ROW_SPACING:g} m apart, {ROW_HEIGHT:g} m high, "
            "upstage to downstage by universe)",
        )
    if not draft.stage or any(
        abs(f["position"]["x"]) > draft.stage["width"] / 2 or abs(f["position"]["y"]) > draft.stage["height"] / 2
        for f in draft.fixtures
    ):
        around = stage_around((f["position"]["x"], f["position"]["y"]) for f in draft.fixtures)
        if draft.stage:
            around = {k: max(v, draft.stage.get(k, 0.0)) for k, v in around.items()}
        draft.stage = around


def qlc_pose(x_rot: float, y_rot: float, z_rot: float) -> npt.NDArray[np.float64]:
    """Body -> stage rotation of a fixture QLC+'s 3D view turns by ``(XRot, YRot, ZRot)`` (Y-up values).

    ``MainView3D::updateFixtureRotation``: ``Rz(-ZRot) · Ry(-YRot) · Rx(-XRot)`` in QLC+'s frame,
    carried into ours through the mirror :data:`QLC_AXES`, after QLC+'s rest pose (hanging).
    """
    turn = axis_rotation(2, -z_rot) @ axis_rotation(1, -y_rot) @ axis_rotation(0, -x_rot)
    out: npt.NDArray[np.float64] = QLC_AXES @ turn @ QLC_AXES.T @ QLC_REST
    return out


def _orientation(item: Element, z_up: bool, where: str, draft: Draft) -> dict[str, Any]:
    """The item's orientation as QLC+ shows it (module docstring): ``Rotation`` first, else
    XRot/YRot/ZRot; a value that is not a finite number is 0, warned once per item."""
    legacy = item.get("Rotation") is not None
    keys = ("Rotation",) if legacy else ROTATION_KEYS
    values: list[float] = []
    odd: list[str] = []
    for key in keys:
        raw = item.get(key)
        value = number(raw)
        if raw is not None and value is None:
            odd.append(f"{key} {describe(raw)}")
        values.append(value or 0.0)
    if odd:
        verb = "is not a number" if len(odd) == 1 else "are not numbers"
        draft.warn(where, f"monitor item {', '.join(odd)} {verb}; 0 used")
    if legacy:
        ignored = [k for k in ROTATION_KEYS if item.get(k) is not None]
        if ignored:
            draft.warn(where, f"monitor item has both Rotation and {'/'.join(ignored)}; Rotation used, as QLC+ does")
        x_rot, y_rot, z_rot = 0.0, values[0], 0.0
    else:
        x_rot, y_rot, z_rot = values
    if z_up:  # MonitorProperties::zUpToLegacyRotation
        x_rot, y_rot, z_rot = -x_rot, z_rot, y_rot
    return dict(_qlc_orientation(x_rot + 0.0, y_rot + 0.0, z_rot + 0.0))


@functools.lru_cache(maxsize=1024)
def _qlc_orientation(x_rot: float, y_rot: float, z_rot: float) -> dict[str, Any]:
    """``orientation_of_rotation(qlc_pose(...))``, once per distinct rotation (a rig repeats a few)."""
    return orientation_of_rotation(qlc_pose(x_rot, y_rot, z_rot))


def _rows(indices: list[int], draft: Draft) -> None:
    by_universe: dict[int, list[int]] = {}
    for i in indices:
        by_universe.setdefault(draft.fixtures[i]["universe"], []).append(i)
    rows: list[list[int]] = []
    for universe in sorted(by_universe):
        members = sorted(by_universe[universe], key=lambda i: draft.fixtures[i]["address"])
        for start in range(0, len(members), ROW_LENGTH):
            rows.append(members[start : start + ROW_LENGTH])
    for row, members in enumerate(rows):
        y = (len(rows) - 1) / 2 - row  # first universe upstage
        for k, i in enumerate(members):
            x = ((len(members) - 1) / 2 - k) * ROW_SPACING  # address order from stage right
            draft.fixtures[i]["position"] = {"x": round(x, 6), "y": round(y, 6), "z": ROW_HEIGHT}


def _groups(engine: Element, ids: dict[int, int], draft: Draft) -> None:
    names: set[str] = set()

    def add(kind: str, name: str, members: list[int]) -> None:
        final = name or f"{kind} {len(draft.groups) + 1}"
        k = 2
        while final in names:
            final = f"{name} ({k})"
            k += 1
        if final != name:
            draft.warn(f'{kind} "{name}"', f"name repeats another group's; named {final!r}")
        names.add(final)
        draft.groups.append(ImportedGroup(final, distinct_color(len(draft.groups)), dedupe_members(members)))

    for node in _children(engine, "FixtureGroup"):
        name = _child_text(node, "Name") or ""
        members: list[int] = []
        for head in _children(node, "Head"):
            fid = integer(head.get("Fixture"))
            if fid is None or fid not in ids:
                bad = describe(head.get("Fixture"))
                draft.warn(f'FixtureGroup "{name}"', f"Head Fixture={bad} is no fixture; skipped")
                continue
            members.append(ids[fid])
        add("FixtureGroup", name, members)

    for node in _children(engine, "ChannelsGroup"):
        name = node.get("Name") or ""
        fields = [f.strip() for f in (node.text or "").split(",") if f.strip()]
        members = []
        for raw in fields[::2]:
            fid = integer(raw)
            if fid is None or fid not in ids:
                draft.warn(f'ChannelsGroup "{name}"', f"fixture {describe(raw)} is no fixture; skipped")
                continue
            members.append(ids[fid])
        add("ChannelsGroup", name, members)
