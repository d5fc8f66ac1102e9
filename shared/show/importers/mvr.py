"""MVR scenes (``.mvr``, "My Virtual Rig", DIN SPEC 15801) with GDTF fixture types (DIN SPEC 15800).

An MVR file is a ZIP archive holding ``GeneralSceneDescription.xml`` and the ``.gdtf``
files its fixtures name (MVR spec, "File Format Definition").  We parse the XML with
``defusedxml`` (entity expansion and external entities refused) and walk it with
``pymvr``; GDTF descriptions likewise go through ``defusedxml`` before ``pygdtf``.

* Fixtures come from every layer, group object and child list (trusses, supports, scene
  objects, video screens and projectors can carry fixtures in their ``ChildList``).
* ``Matrix`` (MVR spec, "Node Definition: Matrix"): ``{u}{v}{w}{o}``, right-handed, Z up,
  1 unit = 1 mm; ``u, v, w`` are the object's axes and ``o`` its origin in the parent's
  space, so a nested fixture's place is its parents' matrices composed with its own.
* Addresses (MVR spec, "Node Definition: Address"): an integer is an absolute DMX address
  (``(universe - 1) * 512 + address``), ``Universe.Address`` the split form, universes from 1;
  we take the lowest ``break``.  (``pymvr.Address`` decodes both.)
* Groups: the fixtures' classes (``Classing``, names from ``AUXData/Class``) when any
  fixture has one, otherwise the layers.

The frame: MVR plans put the audience at -Y with +X to the audience's right (stage left),
as CAD plan views are drawn.  Ours has +x stage right (the audience's left), -y downstage,
metres.  So ``x = -X / 1000``, ``y = Y / 1000``, ``z = Z / 1000``: a mirror in x, which keeps
the physical layout (a fixture stage left stays stage left).  Rotations are conjugated by
the same mirror.  A GDTF fixture at the identity hangs with its beam along -Z
(DIN SPEC 15800, "Geometry": the beam leaves along -Z), which is our ``hanging`` preset;
every pose becomes absolute yaw, pitch and roll (``shared.show.orientation``), with
the preset's mounting name where it is one, else hanging or standing by where the beam
points.

From the GDTF DMX mode named by ``GDTFMode``: ``channel_mapping`` (0-based offsets; the
second byte of a 16-bit channel is ``<function>_fine``), ``beam_angle`` (the mode's first
``Beam`` geometry), ``pan_max``/``tilt_max`` (the Pan/Tilt channel function's
``PhysicalTo - PhysicalFrom``), ``physical`` (the mode geometry's model, metres) and
``fixture_type`` (``MH`` with pan and tilt, else ``PAR``).
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np
import numpy.typing as npt
import pygdtf
import pygdtf.utils
import pymvr

from shared.show.checks import Issue
from shared.show.importers._common import (
    Draft,
    ImportedGroup,
    Refused,
    describe,
    distinct_color,
    finish,
    stage_around,
)
from shared.show.importers.qxw import parse_xml
from shared.show.model import DMX_CHANNELS, ShowConfig
from shared.show.orientation import PRESETS, base_rotation, orientation_of_rotation
from shared.show.showfile import MAX_SHOW_BYTES

SCENE_FILE = "GeneralSceneDescription.xml"
Mat4 = npt.NDArray[np.float64]
MIRROR = np.diag([-1.0, 1.0, 1.0])  # MVR X (audience's right) -> our x (audience's left)
#: Our body frame -> a GDTF fixture's at the identity pose (hanging, beam along -Z): the
#: hanging preset's rotation, so ``pose @ HANGING`` is our body -> stage rotation.
HANGING = base_rotation(*PRESETS["hanging"])

#: GDTF attribute names (DIN SPEC 15800 Annex "Attribute definitions") -> our channel functions.
FUNCTIONS = {
    "dimmer": "dimmer", "pan": "pan", "tilt": "tilt",
    "coloradd_r": "red", "coloradd_g": "green", "coloradd_b": "blue", "coloradd_w": "white",
    "coloradd_ww": "warm_white", "coloradd_cw": "cool_white", "coloradd_a": "amber",
    "coloradd_uv": "uv", "coloradd_c": "cyan", "coloradd_m": "magenta", "coloradd_y": "yellow",
    "coloradd_ry": "amber", "coloradd_gy": "lime", "coloradd_rgb": "white",
    "colorrgb_red": "red", "colorrgb_green": "green", "colorrgb_blue": "blue",
    "colorsub_c": "cyan", "colorsub_m": "magenta", "colorsub_y": "yellow",
    "colorsub_r": "red", "colorsub_g": "green", "colorsub_b": "blue",
    "color1": "color_wheel", "color2": "color_wheel", "gobo1": "gobo", "gobo2": "gobo",
    "gobo1pos": "gobo_rotation", "gobo1posrotate": "gobo_rotation", "prism1": "prism",
    "zoom": "zoom", "focus1": "focus", "iris": "iris", "frost1": "frost",
    "shutter1": "shutter", "shutter1strobe": "strobe", "cto": "cto", "ctc": "cto",
}


class _Scene(pymvr.GeneralSceneDescription):  # type: ignore[misc]
    """pymvr's scene reader over a root element we parsed ourselves (with defusedxml)."""

    def __init__(self, package: zipfile.ZipFile, root: Element) -> None:
        self._package = package
        self._root = root
        self._read_xml()


class _FixtureType(pygdtf.FixtureType):  # type: ignore[misc]
    """pygdtf's reader over a description we parsed ourselves (with defusedxml)."""

    def __init__(self, package: zipfile.ZipFile, gdtf: Element) -> None:
        super().__init__()  # an empty fixture type, then the parts pygdtf reads from
        self._package = package
        self._gdtf = gdtf
        self._root = gdtf.find("FixtureType")
        if self._root is not None:
            self._read_xml()


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_SHOW_BYTES:
        raise Refused(f"{name} in the archive is larger than {MAX_SHOW_BYTES // 2**20} MiB")
    with archive.open(info) as fh:
        data = fh.read(MAX_SHOW_BYTES + 1)
    if len(data) > MAX_SHOW_BYTES:
        raise Refused(f"{name} in the archive is larger than {MAX_SHOW_BYTES // 2**20} MiB")
    return data


def load_mvr(data: bytes, path: str | os.PathLike[str]) -> tuple[ShowConfig, list[Issue]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Refused(f"not an MVR file: a broken ZIP archive ({exc})") from None
    with archive:
        names = set(archive.namelist())
        if SCENE_FILE not in names:
            raise Refused(f"not an MVR file: the archive has no {SCENE_FILE}")
        root = parse_xml(_read_member(archive, SCENE_FILE), "MVR scene")
        if root.tag != "GeneralSceneDescription":
            raise Refused(f"not an MVR file: {SCENE_FILE} starts with <{root.tag}>, not <GeneralSceneDescription>")
        early = _precheck(root)
        try:
            scene = _Scene(archive, root)
        except (ValueError, IndexError, TypeError, AttributeError) as exc:
            raise Refused(f"malformed {SCENE_FILE}: {exc}") from None
        reader = _Reader(archive, names)
        reader._draft.issues.extend(early)
        with np.errstate(all="ignore"):  # absurd matrices: inf/0 are handled, never printed as RuntimeWarnings
            draft = reader.read(scene)
        return finish(path, draft)


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, names: set[str]) -> None:
        self.archive = archive
        self.names = names
        self.types: dict[str, Any] = {}  # GDTF file name -> parsed FixtureType or None
        self.derived: dict[tuple[str, str], tuple[dict[str, Any], str | None]] = {}  # (spec, mode) -> data, warning
        self._draft = Draft(stage={})

    # ------------------------------------------------------------ scene walk

    def read(self, scene: Any) -> Draft:
        draft = self._draft
        body = getattr(scene, "scene", None)
        classes: dict[str, str] = {}
        aux = getattr(body, "aux_data", None)
        for c in getattr(aux, "classes", None) or []:
            classes[str(c.uuid)] = str(c.name or c.uuid)
        by_class: dict[str, list[int]] = {}
        by_layer: dict[str, list[int]] = {}
        container = getattr(body, "layers", None)
        layers = list(getattr(container, "layers", None) or [])
        for n, layer in enumerate(layers):
            layer_name = str(layer.name or f"Layer {n + 1}")
            for fixture, world in self._walk(getattr(layer, "child_list", None), _matrix(layer.matrix)):
                index = len(draft.fixtures)
                draft.fixtures.append(self._fixture(fixture, world, index))
                draft.labels.append(f'Fixture "{fixture.name or ""}" ({fixture.uuid})')
                by_layer.setdefault(layer_name, []).append(index)
                if fixture.classing:
                    name = classes.get(str(fixture.classing))
                    if name is None:
                        draft.warn(draft.label(index), f"class {fixture.classing} is not defined; not grouped by it")
                    else:
                        by_class.setdefault(name, []).append(index)
        chosen = by_class or by_layer
        for k, (name, members) in enumerate(chosen.items()):
            draft.groups.append(ImportedGroup(name, distinct_color(k), members))
        draft.stage = stage_around((f["position"]["x"], f["position"]["y"]) for f in draft.fixtures)
        return draft

    def _walk(self, child_list: Any, parent: Mat4) -> Iterator[tuple[Any, Mat4]]:
        if child_list is None:
            return
        for fixture in child_list.fixtures:
            world = parent @ _matrix(fixture.matrix)
            yield fixture, world
            yield from self._walk(getattr(fixture, "child_list", None), world)
        for attr in ("group_objects", "trusses", "supports", "scene_objects", "video_screens", "projectors"):
            for node in getattr(child_list, attr, None) or []:
                yield from self._walk(getattr(node, "child_list", None), parent @ _matrix(node.matrix))

    # ------------------------------------------------------------ one fixture

    def _fixture(self, fixture: Any, world: Mat4, index: int) -> dict[str, Any]:
        label = f'Fixture "{fixture.name or ""}" ({fixture.uuid})'
        spec = _unmangle(fixture.gdtf_spec or "")
        # ``Manufacturer@Model[@Revision].gdtf``; an empty part keeps its place (``@Par 64.gdtf``)
        parts = os.path.splitext(spec)[0].split("@") if spec else []
        ftype = self._fixture_type(spec, label) if spec else None
        manufacturer = str(getattr(ftype, "manufacturer", None) or (parts[0] if parts else ""))
        model = str(getattr(ftype, "name", None) or (parts[1] if len(parts) > 1 else ""))
        name = fixture.name or f"{model or 'Fixture'} {fixture.fixture_id or index + 1}"
        out: dict[str, Any] = {
            "name": str(name),
            "manufacturer": manufacturer,
            "model": model,
            "mode": str(fixture.gdtf_mode or ""),
        }
        out.update(self._patch(fixture, label))
        origin = world[:3, 3] / 1000.0
        x, y, z = (float(v) for v in MIRROR @ origin)
        out["position"] = {"x": round(x, 6), "y": round(y, 6), "z": round(z, 6)}
        rotation, problem = _rotation_part(world[:3, :3])
        if problem is not None:
            own = _rotation_part(_matrix(fixture.matrix)[:3, :3])[1]
            whose = "Matrix" if own else "Matrix with its parents'"
            self._draft.warn(label, f"{whose} {problem}")
        out["orientation"] = _orientation(MIRROR @ rotation @ MIRROR)
        if fixture.fixture_id not in (None, ""):
            out["fixture_id"] = str(fixture.fixture_id)
        if spec:
            out["gdtf_spec"] = spec
        if ftype is not None:
            mode = str(fixture.gdtf_mode or "")
            if (spec, mode) not in self.derived:
                self.derived[spec, mode] = self._from_gdtf(ftype, mode)
            derived, problem = self.derived[spec, mode]
            if problem is not None:
                self._draft.warn(label, problem)
            out.update(derived)
        return out

    def _patch(self, fixture: Any, label: str) -> dict[str, int]:
        addresses = sorted(getattr(fixture.addresses, "addresses", None) or [], key=lambda a: a.dmx_break)
        if not addresses:
            self._draft.warn(label, "has no DMX address; left unpatched (universe 0, address 1)")
            return {"universe": 0, "address": 1}
        a = addresses[0]
        return {"universe": int(a.universe), "address": int(a.address)}

    def _fixture_type(self, spec: str, label: str) -> Any:
        if spec in self.types:
            return self.types[spec]
        found = None
        member = _member_name(spec, self.names)
        if member is None:
            self._draft.warn(label, f"GDTF file {spec!r} is not in the archive; no channel data")
        else:
            try:
                with zipfile.ZipFile(io.BytesIO(_read_member(self.archive, member))) as inner:
                    description = parse_xml(_read_member(inner, "description.xml"), "GDTF description")
                    _gdtf_precheck(description)
                    found = _FixtureType(inner, description)
            except Refused as exc:
                self._draft.warn(label, f"GDTF file {spec!r}: {exc}; no channel data")
            except (zipfile.BadZipFile, KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
                self._draft.warn(label, f"GDTF file {spec!r} is unreadable ({describe(str(exc))}); no channel data")
        self.types[spec] = found
        return found

    def _from_gdtf(self, ftype: Any, mode_name: str) -> tuple[dict[str, Any], str | None]:
        """What one GDTF mode tells about every fixture using it, and a warning if it cannot."""
        modes = list(getattr(ftype, "dmx_modes", None) or [])
        mode = next((m for m in modes if m.name == mode_name), None)
        if mode is None:
            known = ", ".join(repr(m.name) for m in modes) or "none"
            return {}, f"GDTF mode {mode_name!r} is not in the fixture type ({known}); no channel data"
        out: dict[str, Any] = {}
        mapping: dict[str, str] = {}
        ranges: dict[str, float] = {}
        channels = list(mode.dmx_channels)
        first_break = min((c.dmx_break for c in channels if isinstance(c.dmx_break, int)), default=1)
        for channel in channels:
            if channel.dmx_break != first_break or not channel.offset or not channel.logical_channels:
                continue
            attribute = str(channel.logical_channels[0].attribute)
            if attribute == "NoFeature":
                continue
            function = FUNCTIONS.get(attribute.lower(), attribute.lower())
            for k, offset in enumerate(channel.offset[:2]):
                if 1 <= offset <= DMX_CHANNELS:
                    mapping.setdefault(str(offset - 1), function if k == 0 else f"{function}_fine")
            if function in ("pan", "tilt") and function not in ranges:
                for cf in channel.logical_channels[0].channel_functions:
                    low, high = _value(cf.physical_from), _value(cf.physical_to)
                    if low is not None and high is not None and high != low:
                        ranges[function] = abs(high - low)
                        break
        if mapping:
            out["channel_mapping"] = mapping
        if "pan" in ranges:
            out["pan_max"] = ranges["pan"]
        if "tilt" in ranges:
            out["tilt_max"] = ranges["tilt"]
        functions = set(mapping.values())
        out["fixture_type"] = "MH" if {"pan", "tilt"} <= functions else "PAR"
        try:
            beams = pygdtf.utils.get_beam_geometries_for_mode(ftype, mode_name) or []
        except (AttributeError, TypeError, ValueError):
            beams = []
        for beam in beams:
            angle = _value(getattr(beam, "beam_angle", None))
            if angle is not None and 0 < angle < 360:
                out["beam_angle"] = angle
                break
        physical = _physical(ftype, mode)
        if physical is not None:
            out["physical"] = physical
        return out, None


def _element_label(element: Element) -> str:
    name, uuid = element.get("name"), element.get("uuid")
    return f'{element.tag} "{name or ""}"' + (f" ({uuid})" if uuid else "")


def _precheck(root: Element) -> list[Issue]:
    """What pymvr would silently bend or fail on without naming the element, checked first.

    ``Matrix`` text must be 12 numbers (pymvr otherwise stops with a bare ``float()``
    error); a non-finite one is a warning (the node then sits at its parent's origin).
    ``Address`` must be an absolute address from 1 or ``Universe.Address`` with both
    from 1 (pymvr turns ``0``, ``-5`` or ``0.0`` into universe 1 address 1 without a word);
    ``0`` is taken as "not patched" and dropped, so the fixture is left unpatched with a warning.
    """
    issues: list[Issue] = []
    for element in root.iter():
        matrix = element.find("Matrix")
        if matrix is not None and (matrix.text or "").strip() not in ("", "0"):
            text = (matrix.text or "").strip()
            parts = text.replace("}{", ",").replace("{", "").replace("}", "").split(",")
            try:
                values = [float(p) for p in parts]
            except ValueError:
                values = []
            if len(values) < 12:
                raise Refused(
                    f"{_element_label(element)}: Matrix {describe(text)} is not 12 numbers {{u}}{{v}}{{w}}{{o}}"
                )
            if not all(math.isfinite(v) for v in values[:12]):
                problem = f"Matrix {describe(text)} is not all finite numbers; placed at its parent's origin"
                issues.append(Issue("warning", _element_label(element), problem))
        addresses = element.find("Addresses")
        if addresses is None:
            continue
        for address in addresses.findall("Address"):
            text = (address.text or "").strip()
            brk = (address.get("break") or "0").strip()
            if text in ("0", "0.0"):  # how some programs write "not patched": the fixture is left unpatched
                addresses.remove(address)
                continue
            head, dot, tail = text.partition(".")
            split_ok = not dot or (tail.isdigit() and int(tail) >= 1)
            ok = brk.isdigit() and head.isdigit() and int(head) >= 1 and split_ok
            if not ok:
                raise Refused(
                    f"{_element_label(element)}: Address {describe(text)} (break {describe(brk)}) is not a DMX address "
                    "(an absolute channel from 1, or Universe.Address)"
                )
    return issues


#: Highest DMX break a GDTF channel may name (a fixture with that many DMX inputs is far-fetched).
MAX_GDTF_BREAK = DMX_CHANNELS


def _gdtf_precheck(description: Element) -> None:
    """Refuse, naming the element, the break and offset numbers pygdtf would build a list that
    long for (``[[]] * DMXBreak``, ``[None] * Offset``): a break of 10,000,000 took 18 s and 0.7 GB,
    an offset of 10,000,000 minutes and 6 GB, and 1e20 raised OverflowError.  DMX offsets run
    from 1 to 512 (a geometry's ``Break DMXOffset`` likewise, the address part of ``u.a``)."""

    def dmx(text: str, top: int) -> bool:
        text = text.strip()
        return text.isdigit() and len(text) < 12 and 1 <= int(text) <= top

    for element in description.iter():
        if not isinstance(element.tag, str):
            continue
        geometry = element.get("Geometry")
        label = f'<{element.tag} Geometry="{geometry}">' if geometry else f"<{element.tag}>"
        brk = element.get("DMXBreak")
        if brk is not None and brk.strip() != "Overwrite" and not dmx(brk, MAX_GDTF_BREAK):
            raise Refused(f"{label}: DMXBreak {describe(brk)} is not a DMX break from 1 to {MAX_GDTF_BREAK}")
        offset = element.get("Offset") if element.tag == "DMXChannel" else None
        if offset not in (None, "", "None") and not all(dmx(part, DMX_CHANNELS) for part in str(offset).split(",")):
            raise Refused(f"{label}: Offset {describe(offset)} is not DMX offsets from 1 to {DMX_CHANNELS}")
        address = element.get("DMXOffset")
        if address is not None and not dmx(address.rpartition(".")[2], DMX_CHANNELS):
            raise Refused(f"{label}: DMXOffset {describe(address)} is not a DMX address from 1 to {DMX_CHANNELS}")


def _unmangle(spec: str) -> str:
    """pymvr re-decodes ``GDTFSpec`` as CP437 (for ZIPs written without the UTF-8 flag);
    undo that so ``Manufacturer@Model`` reads as written."""
    try:
        return spec.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return spec


def _member_name(spec: str, names: set[str]) -> str | None:
    """The archive member for a GDTF file name, whichever way the ZIP encoded its names."""
    candidates = [spec, spec.encode("utf-8").decode("cp437")]  # the second: a ZIP without the UTF-8 flag
    for name in candidates:
        if name in names:
            return name
    folded = {n.casefold(): n for n in names}  # the MVR spec forbids names differing only by case
    return next((folded[c.casefold()] for c in candidates if c.casefold() in folded), None)


def _value(value: Any) -> float | None:
    raw = getattr(value, "value", value)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        return float(raw)
    return None


def _physical(ftype: Any, mode: Any) -> dict[str, float] | None:
    try:
        geometry = ftype.geometries.get_geometry_by_name(mode.geometry)
    except (AttributeError, TypeError):
        geometry = None
    model_name = getattr(geometry, "model", None)
    models = list(getattr(ftype, "models", None) or [])
    model = next((m for m in models if m.name == model_name), models[0] if models else None)
    if model is None:
        return None
    length, width, height = (_value(getattr(model, k, None)) for k in ("length", "width", "height"))
    if not (length and width and height) or min(length, width, height) <= 0:
        return None
    # GDTF Model: Length along X, Width along Y, Height along Z (the beam axis).
    return {"width": length, "height": height, "depth": width}


def _matrix(m: Any) -> Mat4:
    """pymvr's rows ``u, v, w, o`` as a 4x4 that maps child coordinates to the parent's."""
    rows = getattr(m, "matrix", None)
    out = np.eye(4)
    if not rows or len(rows) < 4:
        return out
    try:
        u, v, w, o = ([float(c) for c in row[:3]] for row in rows[:4])
    except (TypeError, ValueError):
        return out
    out[:3, 0], out[:3, 1], out[:3, 2], out[:3, 3] = u, v, w, o
    if not np.all(np.isfinite(out)):
        return np.eye(4)
    return out


#: Columns this far from orthonormal (after scaling each to length 1) are no rotation: about
#: 0.006 degrees, far beyond the rounding of files that write six decimals.
SKEW_TOLERANCE = 1e-4


def _rotation_part(linear: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], str | None]:
    """The rotation in a node's 3x3 ``u, v, w`` columns, and what kept them from being one.

    Scale (uniform or per axis, of any magnitude) is not a problem: each axis is normalised.
    A mirror image (a CAD "mirror" of the symbol) or a skew is no rotation: the beam axis
    ``w`` is kept exactly (GDTF's beam leaves along -w), ``v`` squared to it, ``u = v x w``.
    Axes that are zero or parallel hold no rotation: GDTF's rest pose (identity, hanging).
    """
    no_rotation = "has no rotation in it (its u, v, w axes are zero or parallel); hung beam down, GDTF's rest pose"
    # Plain floats: per fixture, numpy's call overhead on 3-vectors cost ten times the arithmetic.
    flat = [float(c) for c in np.asarray(linear, np.float64).reshape(9)]
    if not all(math.isfinite(c) for c in flat):
        return np.eye(3), no_rotation
    peak = max(abs(c) for c in flat)
    if peak == 0.0:
        return np.eye(3), no_rotation
    # columns u, v, w, scaled by the peak: 1e300 or 1e-300 scales neither overflow nor underflow
    cols = [[flat[3 * i + j] / peak for i in range(3)] for j in range(3)]
    norms = [math.hypot(*col) for col in cols]
    if norms[2] < 1e-9 or norms[1] < 1e-9:
        return np.eye(3), no_rotation
    cols = [[c / (n if n != 0.0 else 1.0) for c in col] for col, n in zip(cols, norms, strict=True)]
    w = cols[2]
    along = _dot(cols[1], w)
    v = [a - along * b for a, b in zip(cols[1], w, strict=True)]
    length = math.hypot(*v)
    if length < 1e-9:
        return np.eye(3), no_rotation
    v = [c / length for c in v]
    u = _cross(v, w)
    rotation = np.array([[u[i], v[i], w[i]] for i in range(3)])
    skew = max(abs(_dot(cols[j], cols[k]) - (1.0 if j == k else 0.0)) for j in range(3) for k in range(3))
    if skew <= SKEW_TOLERANCE:
        if _dot(cols[0], _cross(cols[1], cols[2])) > 0:  # the determinant
            return rotation, None
        return rotation, "is a mirror image, not a rotation; read as the rotation with the same beam axis (w)"
    return rotation, "is skewed, not a rotation; read as the rotation with the same beam axis (w)"


def _dot(a: list[float], b: list[float]) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: list[float], b: list[float]) -> list[float]:
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]


def _orientation(r: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Our orientation of a pose (in our frame) whose identity is "hanging, beam down" (GDTF)."""
    return orientation_of_rotation(r @ HANGING)
