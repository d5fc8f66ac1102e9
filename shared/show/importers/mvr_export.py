"""Writing a show as an MVR scene (``show-creator convert show.json rig.mvr``).

The inverse of :mod:`.mvr`, with ``pymvr``'s writer: one layer, one ``Class`` per group
(a fixture in several groups is classed by its first), each fixture with its name, a
stable UUID (UUID5 of its name and which repeat of the name it is: unique, and the same on every
export), ``GDTFSpec`` ``Manufacturer@Model.gdtf``
and ``GDTFMode`` (no GDTF file is packed: we do not have one), the MVR FixtureID (ours
when imported, else its position in the show), its address as an absolute DMX address
(MVR spec, "Node Definition: Address") and its place as a ``Matrix`` in millimetres,
mirrored back to MVR's frame (``X = -x``).  The pose is the fixture's full rotation
(mounting preset or absolute yaw, pitch and roll), so :mod:`.mvr` reads it back exactly.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pymvr

from shared.show.checks import Issue
from shared.show.importers.mvr import HANGING, MIRROR
from shared.show.model import Fixture, ShowConfig
from shared.show.orientation import base_rotation, resolved_angles

NAMESPACE = uuid.UUID("6c1b8f38-5e0e-4f4c-9a55-0d3a8f7b2c11")  # ours: names -> stable MVR UUIDs


def pose(fixture: Fixture) -> npt.NDArray[np.float64]:
    """The fixture's MVR rotation in our frame: identity = hanging with the beam down (GDTF).

    Our body -> stage rotation (``shared.show.orientation``: mounting presets, absolute
    yaw, pitch and roll) times the hanging preset's inverse, so :mod:`.mvr` reads back
    the same rotation, roll included.
    """
    height = fixture.position.z
    rotation = base_rotation(*resolved_angles(fixture.orientation, height))
    out: npt.NDArray[np.float64] = rotation @ HANGING.T
    return out


def _matrix(fixture: Fixture) -> pymvr.Matrix:
    r = MIRROR @ pose(fixture) @ MIRROR
    o = MIRROR @ np.array(tuple(fixture.position)) * 1000.0
    rows = [[*(float(round(v, 9)) + 0.0 for v in r[:, k]), 0] for k in range(3)]
    rows.append([*(float(round(v, 6)) + 0.0 for v in o), 0])
    return pymvr.Matrix(rows)


def _stable_uuid(kind: str, name: str, seen: dict[str, int]) -> str:
    """UUID5 of ``kind:name`` for the first object of a name, ``kind#k:name`` for its k-th repeat:
    unique in the file (the MVR spec identifies every object by UUID; names may repeat) and the
    same on every export of the same show."""
    k = seen.get(name, 0)
    seen[name] = k + 1
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}" if k == 0 else f"{kind}#{k}:{name}"))


#: What XML 1.0 cannot hold, even as a character reference (its ``Char`` production); a JSON
#: show can (``"\\u0001"``), and ElementTree would write it into a file no reader parses.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class _Texts:
    """Text bound for the XML, made writable: the first bad one and how many, for one warning."""

    first: tuple[str, str, str, str] | None = None  # where, field, value, the character
    count: int = 0

    def __call__(self, value: str, where: str, name: str) -> str:
        bad = _NOT_XML.search(value)
        if bad is None:
            return value
        self.count += 1
        if self.first is None:
            self.first = (where, name, value, bad.group())
        return _NOT_XML.sub("\ufffd", value)

    def warning(self) -> Issue | None:
        if self.first is None:
            return None
        where, name, value, char = self.first
        more = f" (and {self.count - 1} more text{'s' if self.count > 2 else ''})" if self.count > 1 else ""
        shown = char.encode("unicode_escape").decode("ascii")
        return Issue("warning", where, f"{name} {value!r} holds a character XML cannot hold ({shown}); "
                     f"written with U+FFFD in its place{more}")


def save_mvr(config: ShowConfig, path: str | os.PathLike[str]) -> list[Issue]:
    """Write ``config`` as an MVR file, atomically (temp file + rename); returns what could not be
    written as it is, one warning per kind: text XML cannot hold (written with U+FFFD), patches
    on universe 0 (MVR universes count from 1: written unpatched)."""
    text = _Texts()
    unpatched: list[int] = []
    class_names: dict[str, int] = {}
    class_uuids = [_stable_uuid("class", g.name, class_names) for g in config.groups]
    fixture_names: dict[str, int] = {}
    fixtures = []
    for i, f in enumerate(config.fixtures):
        where = f'fixtures[{i}] "{f.name}"'
        addresses = []
        if f.universe >= 1:
            addresses.append(pymvr.Address(dmx_break=0, universe=f.universe, address=f.address))
        else:
            unpatched.append(i)
        fixture_id = f.extra.get("fixture_id")
        group = config.fixture_group_index[i]  # its first group, by place (names may repeat)
        fixtures.append(
            pymvr.Fixture(
                name=text(f.name, where, "name"),
                uuid=_stable_uuid("fixture", f.name, fixture_names),
                gdtf_spec=text(f"{f.manufacturer}@{f.model}.gdtf", where, "GDTFSpec"),
                gdtf_mode=text(f.mode, where, "mode"),
                fixture_id=text(str(fixture_id), where, "fixture_id") if fixture_id not in (None, "") else str(i + 1),
                matrix=_matrix(f),
                classing=None if group is None else class_uuids[group],
                addresses=pymvr.Addresses(addresses=addresses),
            )
        )
    classes = [
        pymvr.Class(uuid=class_uuid, name=text(g.name, f'groups[{k}] "{g.name}"', "name"))
        for k, (g, class_uuid) in enumerate(zip(config.groups, class_uuids, strict=True))
    ]
    layer = pymvr.Layer(name="Show Creator", child_list=pymvr.ChildList(fixtures=fixtures))
    scene = pymvr.Scene(layers=pymvr.Layers(layers=[layer]), aux_data=pymvr.AUXData(classes=classes))
    writer = pymvr.GeneralSceneDescriptionWriter()
    writer.serialize_scene(scene)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        writer.write_mvr(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    issues = [w for w in (text.warning(), _not_written(config)) if w is not None]
    if unpatched:
        first = config.fixtures[unpatched[0]]
        rest = len(unpatched) - 1
        more = f" (and {rest} more fixture{'s' if rest > 1 else ''} on universe 0)" if rest else ""
        issues.append(Issue(
            "warning", f'fixtures[{unpatched[0]}] "{first.name}"',
            f"universe 0 (address {first.address}) cannot be written in MVR, whose universes count from 1; "
            f"written without an address (unpatched){more}",
        ))
    return issues


#: Fixture fields an MVR keeps only in GDTF files (the type's geometry, modes and channels).
_GDTF_FIELDS = ("fixture_type", "physical", "layout", "beam_angle", "pan_max", "tilt_max", "lumens",
                "channel_mapping", "color_wheel", "gobo_wheel", "pixel_segments")
#: Extra fixture keys the MVR does hold (``FixtureID``, ``GDTFSpec``).
_WRITTEN_EXTRA = frozenset({"fixture_id", "gdtf_spec"})


def _not_written(config: ShowConfig) -> Issue | None:
    """One warning listing what the MVR leaves out, with how many fixtures had each: no GDTF
    file is packed, so a round trip through MVR brings the fixtures back generic."""
    counts: dict[str, int] = {}
    for f in config.fixtures:
        for key in _GDTF_FIELDS:
            if getattr(f, key) is not None:
                counts[key] = counts.get(key, 0) + 1
        for key in f.extra:
            if key not in _WRITTEN_EXTRA:
                counts[key] = counts.get(key, 0) + 1
    if not counts and not config.groups:
        return None
    order = {key: k for k, key in enumerate(_GDTF_FIELDS)}
    counts = dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))
    parts = []
    if counts:
        fields = ", ".join(f"{key} ({n}{' fixtures' if k == 0 else ''})" for k, (key, n) in enumerate(counts.items()))
        parts.append(f"{fields}, as an MVR keeps them in GDTF files and none is packed")
    if config.groups:
        n = len(config.groups)
        parts.append(f"group colours ({n} group{'s' if n > 1 else ''}), as MVR classes have none")
    return Issue("warning", "fixtures" if counts else "groups", f"not written: {'; '.join(parts)}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
