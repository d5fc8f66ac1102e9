"""Batched rig geometry: every fixture of a show as a few flat numpy arrays.

Pure numpy, no GL, so it can be built, tested and benchmarked without a display.
Each body kind is a low-poly *template* in a unit space (x, y in [-0.5, 0.5], z in
[0, 1], base at z = 0, beam leaving along +z).  A fixture instance scales its
template by its physical size (width along x, depth along y, height along z),
poses it with its orientation and moves it to its position, all fixtures of one
template at once (batched matrix products), and the templates are concatenated
into one vertex/index array per layer.  Each vertex remembers which fixture owns
it (``owner``), so a per-fixture colour becomes a per-vertex colour with a single
fancy index, which is all a colour update costs.

Pose (see ``shared.show.orientation`` and the package docstring)::

    world = base_rotation(yaw, pitch, roll) · (template · size) + position

with the resolved absolute angles (a named mounting with 0, 0, 0 is its preset).
The template's +z (the beam) is the body's +z, so a hanging body (pitch 90) sits
below its rigging point with its beam pointing down.  Positions stay in stage
coordinates (+x stage right); the scene mirrors the picture, not the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from shared.show import orientation
from shared.show.model import Fixture, ShowConfig

F32 = npt.NDArray[np.float32]
U32 = npt.NDArray[np.uint32]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]

#: Bodies of fixtures without a group, and the look of unknown colours.
UNGROUPED_RGB = (140, 144, 150)

#: Sides of the cylinders (and of the ``lite`` ones big rigs get).
CYLINDER_SIDES = 8
LITE_CYLINDER_SIDES = 5
#: Rigs with more fixtures than this get ``lite`` bodies: on software GL the
#: frame time of a big rig is triangle setup (measured: cost tracks front-facing
#: triangles, hardly pixels), and at that scale a fixture is a few pixels wide
#: anyway.  A lite moving head is a base and a head block (24 triangles, not
#: 64): no yoke arms, and its head still pans and tilts.
DETAIL_LIMIT = 1500
#: Rigs with more moving heads than this give their heads the ``lite`` body (and
#: lens).  Moving heads' bodies are redrawn every frame they move, so their
#: triangles are paid per frame: 300 full heads cost about 5 ms a frame at
#: 1600x1000 on llvmpipe, 300 lite ones about 3.5 ms (glFinish-timed, ``bench_render``'s live scene).
HEAD_DETAIL_LIMIT = 200
#: Rigs with more fixtures than this draw each beam as a ray (one line) instead
#: of a cone: cones are blended fill, redrawn every frame live colours change,
#: and in a dense rig they mostly overlap each other.
CONE_LIMIT = 800
#: Segments of a beam cone.
CONE_SIDES = 8
#: Length of the beam cone (or ray) drawn in front of the lens, metres.
BEAM_LENGTH = 0.9
#: Alpha of the beam at the lens; it fades to 0 at its end.
BEAM_ALPHA = 0.5
RAY_ALPHA = 0.9
DEFAULT_BEAM_ANGLE = 25.0
#: Lens surfaces float this far (metres) above the body face they sit on.
LENS_LIFT = 0.004
MIN_SIZE = 0.02
#: Fixtures further than this (metres) from the stage centre are almost certainly
#: millimetres or centimetres typed as metres: framing leaves them out.
PLAUSIBLE_RADIUS = 200.0

BAR_KINDS = frozenset({"BAR", "PIXELBAR", "SUNSTRIP", "LEDBAR", "STRIP"})
CYLINDER_KINDS = frozenset({"PAR", "WASH"})
HEAD_KINDS = frozenset({"MH", "MOVINGHEAD", "MOVING_HEAD", "HEAD", "SPOT"})

# (width, depth, height) in metres when a fixture does not send ``physical``.
_DEFAULT_SIZE: dict[str, tuple[float, float, float]] = {
    "cylinder": (0.25, 0.25, 0.3),
    "bar": (1.0, 0.1, 0.1),
    "head": (0.35, 0.3, 0.5),
    "box": (0.25, 0.25, 0.25),
}


#: Body shapes and levels of detail.
Shape = Literal["cylinder", "bar", "head", "box"]
Detail = Literal["full", "lite"]


class Part(NamedTuple):
    """One layer's worth of some fixtures of one template (what ``_concat`` joins)."""

    positions: F32  # (V, 3)
    indices: U32  # (K,)
    owner: I32  # (V,)
    normals: F32 | None  # (V, 3)
    alpha: F32 | None  # (V,)


def shape_of(fixture_type: str | None) -> Shape:
    """The body shape drawn for a fixture type (case-insensitive)."""
    kind = (fixture_type or "").strip().upper().replace(" ", "").replace("-", "")
    if kind in CYLINDER_KINDS:
        return "cylinder"
    if kind in BAR_KINDS:
        return "bar"
    if kind in HEAD_KINDS:
        return "head"
    return "box"


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Mesh:
    """A triangle mesh in template (unit) space."""

    positions: F32  # (V, 3)
    normals: F32  # (V, 3)
    faces: U32  # (F, 3)

    @staticmethod
    def merge(parts: Sequence[Mesh]) -> Mesh:
        offsets = np.cumsum([0] + [len(p.positions) for p in parts[:-1]])
        return Mesh(
            np.concatenate([p.positions for p in parts]).astype(np.float32),
            np.concatenate([p.normals for p in parts]).astype(np.float32),
            np.concatenate([p.faces + o for p, o in zip(parts, offsets, strict=True)]).astype(np.uint32),
        )


def box_mesh(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> Mesh:
    """An axis-aligned box with its own vertices per face (flat shading)."""
    return tapered_box_mesh((x0, x1, y0, y1), (x0, x1, y0, y1), z0, z1)


def tapered_box_mesh(bottom: tuple[float, float, float, float], top: tuple[float, float, float, float],
                     z0: float, z1: float) -> Mesh:
    """A closed six-faced block whose bottom (x0, x1, y0, y1 at z0) and top (at z1) rectangles differ."""
    c = np.array(
        [[x, y, z] for z, (x0, x1, y0, y1) in ((z0, bottom), (z1, top)) for y in (y0, y1) for x in (x0, x1)],
        dtype=np.float32,
    )  # corner k: bit0 = x, bit1 = y, bit2 = z
    quads = [  # counter-clockwise seen from outside, with the face normal
        ((0, 2, 3, 1), (0, 0, -1)),
        ((4, 5, 7, 6), (0, 0, 1)),
        ((0, 1, 5, 4), (0, -1, 0)),
        ((2, 6, 7, 3), (0, 1, 0)),
        ((0, 4, 6, 2), (-1, 0, 0)),
        ((1, 3, 7, 5), (1, 0, 0)),
    ]
    pos = np.concatenate([c[list(q)] for q, _ in quads])
    normals = []
    for q, _ in quads:  # of the (planar) face as it is, tapered or not
        a, b, d = c[q[0]], c[q[1]], c[q[3]]
        n = np.cross(b - a, d - a)
        normals.append(n / np.linalg.norm(n))
    nrm = np.repeat(np.array(normals, dtype=np.float32), 4, axis=0)
    faces = np.array([[4 * i, 4 * i + 1, 4 * i + 2, 4 * i, 4 * i + 2, 4 * i + 3] for i in range(6)])
    return Mesh(pos, nrm, faces.reshape(-1, 3).astype(np.uint32))


def _ring(sides: int, rx: float, ry: float, z: float) -> F32:
    a = (np.arange(sides) + 0.5) * (2 * math.pi / sides)
    return np.stack([rx * np.cos(a), ry * np.sin(a), np.full(sides, z)], axis=1).astype(np.float32)


def _fan(first: int, count: int, flip: bool = False) -> npt.NDArray[np.int64]:
    """Triangles of a convex polygon whose vertices are first..first+count-1."""
    k = np.arange(1, count - 1)
    tri = np.stack([np.full_like(k, first), first + k, first + k + 1], axis=1)
    return tri[:, ::-1] if flip else tri


def cylinder_mesh(sides: int, rx: float, ry: float, z0: float, z1: float, caps: bool = True) -> Mesh:
    """A prism around z with smooth side normals (it reads as round) and flat caps."""
    bottom, top = _ring(sides, rx, ry, z0), _ring(sides, rx, ry, z1)
    side_n = np.stack([bottom[:, 0] / rx, bottom[:, 1] / ry, np.zeros(sides)], axis=1)
    side_n /= np.linalg.norm(side_n, axis=1, keepdims=True)
    i = np.arange(sides)
    j = (i + 1) % sides
    side_f = np.concatenate([np.stack([i, j, sides + j], 1), np.stack([i, sides + j, sides + i], 1)])
    pos = [bottom, top]
    nrm = [side_n, side_n]
    faces = [side_f]
    if caps:
        pos += [bottom, top]
        nrm += [np.tile([0.0, 0.0, -1.0], (sides, 1)), np.tile([0.0, 0.0, 1.0], (sides, 1))]
        faces += [_fan(2 * sides, sides, flip=True), _fan(3 * sides, sides)]
    return Mesh(
        np.concatenate(pos).astype(np.float32),
        np.concatenate(nrm).astype(np.float32),
        np.concatenate(faces).astype(np.uint32),
    )


def disc_mesh(sides: int, rx: float, ry: float, z: float) -> Mesh:
    ring = _ring(sides, rx, ry, z)
    return Mesh(ring, np.tile(np.array([0, 0, 1], np.float32), (sides, 1)), _fan(0, sides).astype(np.uint32))


def cells_mesh(cols: int, rows: int, z: float, inset: float = 0.04) -> Mesh:
    """The emitting cells of a bar on its top face, with a gap between segments."""
    cols, rows = max(1, cols), max(1, rows)
    gap_x, gap_y = 0.12 / cols, 0.2 / rows
    quads = []
    for r in range(rows):
        for c in range(cols):
            x0 = -0.5 + inset + (1 - 2 * inset) * c / cols
            x1 = -0.5 + inset + (1 - 2 * inset) * (c + 1) / cols
            y0 = -0.5 + 2 * inset + (1 - 4 * inset) * r / rows
            y1 = -0.5 + 2 * inset + (1 - 4 * inset) * (r + 1) / rows
            quads.append([[x0 + gap_x / 2, y0 + gap_y / 2, z], [x1 - gap_x / 2, y0 + gap_y / 2, z],
                          [x1 - gap_x / 2, y1 - gap_y / 2, z], [x0 + gap_x / 2, y1 - gap_y / 2, z]])
    pos = np.array(quads, dtype=np.float32).reshape(-1, 3)
    n = len(quads)
    base = 4 * np.arange(n)[:, None]
    faces = np.concatenate([base + np.array([0, 1, 2]), base + np.array([0, 2, 3])], axis=1).reshape(-1, 3)
    return Mesh(pos, np.tile(np.array([0, 0, 1], np.float32), (4 * n, 1)), faces.astype(np.uint32))


def body_template(shape: Shape, detail: Detail = "full") -> Mesh:
    """The body of a fixture kind; ``lite`` (big rigs) keeps the silhouette with fewer triangles."""
    sides = CYLINDER_SIDES if detail == "full" else LITE_CYLINDER_SIDES
    if shape == "cylinder":
        return cylinder_mesh(sides, 0.5, 0.5, 0.0, 1.0)
    if shape == "head":
        parts = [box_mesh(-0.5, 0.5, -0.5, 0.5, 0.0, 0.24)]  # base
        if detail == "full":
            parts += [box_mesh(-0.47, -0.37, -0.14, 0.14, 0.24, 0.72),  # yoke arms
                      box_mesh(0.37, 0.47, -0.14, 0.14, 0.24, 0.72)]
            parts.append(cylinder_mesh(sides, 0.34, 0.4, 0.32, 1.0))  # head
            return Mesh.merge(parts)
        parts.append(box_mesh(-0.3, 0.3, -0.36, 0.36, 0.32, 1.0))  # head (the base is its first 24 vertices)
        return Mesh.merge(parts)
    return box_mesh(-0.5, 0.5, -0.5, 0.5, 0.0, 1.0)


def lens_template(shape: Shape, layout: tuple[int, int] | None, detail: Detail = "full") -> Mesh:
    sides = CYLINDER_SIDES if detail == "full" else LITE_CYLINDER_SIDES
    if shape == "cylinder":
        return disc_mesh(sides, 0.4, 0.4, 1.0)
    if shape == "head":
        if detail == "full":
            return disc_mesh(sides, 0.26, 0.31, 1.0)
        return disc_mesh(4, 0.34, 0.41, 1.0)  # a rectangle (corners at 45°) on the head block's top
    if shape == "bar":
        cols, rows = (layout or (1, 1)) if detail == "full" else (1, 1)
        return cells_mesh(cols, rows, 1.0)
    return cells_mesh(1, 1, 1.0, inset=0.12)


def lens_radii(shape: str) -> tuple[float, float]:
    """Half extents of the lens in template space (where the beam cone starts)."""
    return {"cylinder": (0.4, 0.4), "head": (0.26, 0.31), "bar": (0.46, 0.42)}.get(shape, (0.38, 0.38))


# --------------------------------------------------------------------------- pose


def rotations(yaw: F32, pitch: F32, roll: F32) -> F32:
    """Body -> stage rotation of every fixture, (N, 3, 3), from absolute angles (``shared.show.orientation``)."""
    out: F32 = orientation.base_rotations(yaw, pitch, roll).astype(np.float32)
    return out


def instance_points(template: F32, scale: F32, shift: F32, rot: F32, pos: F32) -> F32:
    """``rot · (template · scale + shift) + pos`` for every instance, (N, V, 3)."""
    local = template[None, :, :] * scale[:, None, :] + shift[:, None, :]
    out: F32 = (local @ rot.transpose(0, 2, 1) + pos[:, None, :]).astype(np.float32)
    return out


def instance_normals(template: F32, scale: F32, rot: F32) -> F32:
    """Normals under non-uniform scale (inverse-transpose) then rotation, (N, V, 3)."""
    local = template[None, :, :] / scale[:, None, :]
    local /= np.linalg.norm(local, axis=2, keepdims=True)
    out: F32 = (local @ rot.transpose(0, 2, 1)).astype(np.float32)
    return out


# --------------------------------------------------------------------------- the rig


@dataclass(frozen=True)
class Layer:
    """One batched layer: triangles (or lines) of all fixtures, with their owners."""

    positions: F32  # (V, 3)
    indices: U32  # (K,)
    owner: I32  # (V,) fixture index of every vertex
    normals: F32 | None = None  # (V, 3)
    alpha: F32 | None = None  # (V,) static per-vertex alpha

    @staticmethod
    def empty(with_normals: bool = False, with_alpha: bool = False) -> Layer:
        return Layer(
            np.zeros((0, 3), np.float32), np.zeros(0, np.uint32), np.zeros(0, np.int32),
            np.zeros((0, 3), np.float32) if with_normals else None,
            np.zeros(0, np.float32) if with_alpha else None,
        )


@dataclass(frozen=True)
class Rig:
    """All the arrays the scene draws for one configuration."""

    names: tuple[str, ...]
    index: dict[str, int]
    base_rgb: U8  # (N, 3) group colour of each body
    centers: F32  # (N, 3) body centre (what picking and labels use)
    tops: F32  # (N, 3) a point just above the body, in world z, for labels
    radii: F32  # (N,) half of the body diagonal, metres
    rotations: F32  # (N, 3, 3)
    sizes: F32  # (N, 3) width, depth, height
    positions: F32  # (N, 3) rigging points
    hanging: npt.NDArray[np.bool_]  # (N,)
    bodies: Layer
    lenses: Layer
    beams: Layer
    bounds: tuple[F32, F32]  # min, max corner of all bodies (empty rig: zeros)
    detail: Detail = "full"
    #: The detail of moving heads' bodies and lenses (``lite`` above ``HEAD_DETAIL_LIMIT`` heads).
    head_detail: Detail = "full"
    #: Beams are line pairs (GL_LINES) rather than cone triangles.
    beam_rays: bool = False
    #: Group (index in ``config.groups``) whose colour each body has, -1 for none.
    group: I32 = dataclass_field(default_factory=lambda: np.zeros(0, np.int32))

    @property
    def plausible(self) -> npt.NDArray[np.bool_]:
        """Fixtures within ``PLAUSIBLE_RADIUS`` of the stage centre (the rest: likely a unit mistake)."""
        out: npt.NDArray[np.bool_] = np.linalg.norm(self.positions.astype(np.float64), axis=1) <= PLAUSIBLE_RADIUS
        return out

    def first_index(self, name: str) -> int | None:
        """The first fixture called ``name`` (names may repeat; the index is the identity)."""
        return self.index.get(name)

    def __len__(self) -> int:
        return len(self.names)

    def outline_box(self, i: int, grow: float = 1.12, pad: float = 0.03) -> F32:
        """The 24 line-end points of fixture i's oriented bounding box, slightly grown."""
        corners = np.array(
            [[x, y, z] for z in (0.0, 1.0) for y in (-0.5, 0.5) for x in (-0.5, 0.5)], dtype=np.float32
        )
        size = self.sizes[i] * grow + 2 * pad
        local = corners * size + np.array([0, 0, -(size[2] - self.sizes[i][2]) / 2], np.float32)
        world = local @ self.rotations[i].T + self.positions[i]
        edges = [(0, 1), (2, 3), (4, 5), (6, 7), (0, 2), (1, 3), (4, 6), (5, 7),
                 (0, 4), (1, 5), (2, 6), (3, 7)]
        out: F32 = world[np.array(edges).reshape(-1)].astype(np.float32)
        return out


def _hex_rgb(color: str) -> tuple[int, int, int]:
    try:
        c = color.strip().lstrip("#")
        if len(c) == 3:
            c = "".join(ch * 2 for ch in c)
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except (ValueError, AttributeError, IndexError):
        return UNGROUPED_RGB


def _size_of(f: Fixture, shape: str) -> tuple[float, float, float]:
    if f.physical is None:
        return _DEFAULT_SIZE[shape]
    w, h, d = f.physical
    vals = []
    for v, default in zip((w, d, h), _DEFAULT_SIZE[shape], strict=True):
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = default
        vals.append(x if math.isfinite(x) and x > 0 else default)
    return vals[0], vals[1], vals[2]


def _layout_of(f: Fixture) -> tuple[int, int] | None:
    if f.layout is None:
        return None
    cols, rows = int(f.layout.width), int(f.layout.height)
    return (min(max(cols, 1), 64), min(max(rows, 1), 16))


def _concat(parts: Iterable[Part],
            with_normals: bool, with_alpha: bool) -> Layer:
    pos, idx, own, nrm, alp = [], [], [], [], []
    offset = 0
    for p, i, o, n, a in parts:
        pos.append(p)
        idx.append(i + np.uint32(offset))
        own.append(o)
        if n is not None:
            nrm.append(n)
        if a is not None:
            alp.append(a)
        offset += len(p)
    if not pos:
        return Layer.empty(with_normals, with_alpha)
    return Layer(
        np.ascontiguousarray(np.concatenate(pos), dtype=np.float32),
        np.ascontiguousarray(np.concatenate(idx), dtype=np.uint32),
        np.concatenate(own).astype(np.int32),
        np.ascontiguousarray(np.concatenate(nrm), dtype=np.float32) if with_normals else None,
        np.ascontiguousarray(np.concatenate(alp), dtype=np.float32) if with_alpha else None,
    )


def _batch(template: Mesh, members: npt.NDArray[np.intp], scale: F32, shift: F32, rot: F32, pos: F32,
           normals: bool) -> Part:
    """One template instanced for its members: (positions, indices, owner, normals, None)."""
    nv = len(template.positions)
    p = instance_points(template.positions, scale, shift, rot, pos).reshape(-1, 3)
    n = instance_normals(template.normals, scale, rot).reshape(-1, 3) if normals else None
    faces = (template.faces.reshape(1, -1) + (np.arange(len(members), dtype=np.uint32) * nv)[:, None])
    owner = np.repeat(members.astype(np.int32), nv)
    return Part(p, faces.reshape(-1).astype(np.uint32), owner, n, None)


def _cone_batch(shape: Shape, members: npt.NDArray[np.intp], size: F32, beam: F32, rot: F32,
                pos: F32) -> Part:
    """Open frusta from the lens along the beam, fading out (drawn additively)."""
    k = CONE_SIDES
    n = len(members)
    lx, ly = lens_radii(shape)
    a = (np.arange(k) + 0.5) * (2 * math.pi / k)
    ring = np.stack([np.cos(a), np.sin(a), np.zeros(k)], axis=1).astype(np.float32)
    spread = (BEAM_LENGTH * np.tan(np.radians(np.clip(beam, 1.0, 120.0) / 2))).astype(np.float32)
    near_r = size[:, :2] * np.array([lx, ly], np.float32)
    far_r = near_r + spread[:, None]
    z_near = size[:, 2] + LENS_LIFT
    near = ring[None] * np.concatenate([near_r, np.zeros((n, 1), np.float32)], 1)[:, None, :]
    far = ring[None] * np.concatenate([far_r, np.zeros((n, 1), np.float32)], 1)[:, None, :]
    near[:, :, 2] = z_near[:, None]
    far[:, :, 2] = (z_near + BEAM_LENGTH)[:, None]
    local = np.concatenate([near, far], axis=1)  # (n, 2k, 3)
    p = (local @ rot.transpose(0, 2, 1) + pos[:, None, :]).astype(np.float32).reshape(-1, 3)
    i = np.arange(k)
    j = (i + 1) % k
    tri = np.concatenate([np.stack([i, j, k + j], 1), np.stack([i, k + j, k + i], 1)]).reshape(1, -1)
    faces = tri + (np.arange(n) * 2 * k)[:, None]
    alpha = np.tile(np.concatenate([np.full(k, BEAM_ALPHA), np.zeros(k)]).astype(np.float32), n)
    return Part(p, faces.reshape(-1).astype(np.uint32), np.repeat(members.astype(np.int32), 2 * k), None, alpha)


def _ray_batch(members: npt.NDArray[np.intp], size: F32, rot: F32,
               pos: F32) -> Part:
    """One line per fixture from the lens along the beam, fading out (GL_LINES)."""
    n = len(members)
    local = np.zeros((n, 2, 3), np.float32)
    local[:, 0, 2] = size[:, 2] + LENS_LIFT
    local[:, 1, 2] = size[:, 2] + LENS_LIFT + BEAM_LENGTH
    p = (local @ rot.transpose(0, 2, 1) + pos[:, None, :]).astype(np.float32).reshape(-1, 3)
    alpha = np.tile(np.array([RAY_ALPHA, 0.0], np.float32), n)
    return Part(p, np.arange(2 * n, dtype=np.uint32), np.repeat(members.astype(np.int32), 2), None, alpha)


@dataclass(frozen=True)
class _Poses:
    """Per-fixture inputs of the geometry, read from the configuration, for some fixtures."""

    pos: F32  # (M, 3)
    size: F32  # (M, 3)
    rot: F32  # (M, 3, 3)
    hanging: npt.NDArray[np.bool_]  # (M,)
    beam: F32  # (M,)
    keys: list[tuple[Shape, tuple[int, int] | None]]  # body template of each


def _read_poses(fixtures: Sequence[Fixture]) -> _Poses:
    n = len(fixtures)
    pos = np.zeros((n, 3), np.float32)
    size = np.zeros((n, 3), np.float32)
    ang = np.zeros((n, 3), np.float32)
    hanging = np.zeros(n, bool)
    beam = np.full(n, DEFAULT_BEAM_ANGLE, np.float32)
    keys = []
    for i, f in enumerate(fixtures):
        shape = shape_of(f.fixture_type)
        pos[i] = tuple(f.position)
        size[i] = _size_of(f, shape)
        height = float(f.position[2])
        ang[i] = orientation.resolved_angles(f.orientation, height)
        # on a pipe: rigged up high, hanging (not standing on something, not on a wall or a tower)
        hanging[i] = height > orientation.HANG_HEIGHT and orientation.mounting_of(f.orientation, height) in (
            "hanging", "custom")
        if f.beam_angle is not None and math.isfinite(f.beam_angle) and f.beam_angle > 0:
            beam[i] = f.beam_angle
        keys.append((shape, _layout_of(f) if shape == "bar" else None))
    pos = np.nan_to_num(pos)
    ang = np.nan_to_num(ang)
    size = np.maximum(size, MIN_SIZE)
    rot = rotations(ang[:, 0], ang[:, 1], ang[:, 2])
    return _Poses(pos, size, rot, hanging, beam, keys)


def _group_rgb(config: ShowConfig) -> tuple[U8, I32]:
    """Body colour and group index (-1: none) of every fixture."""
    n = len(config.fixtures)
    rgb = np.empty((n, 3), np.uint8)
    rgb[:] = UNGROUPED_RGB
    group = np.array([-1 if g is None else g for g in config.fixture_group_index], np.int32).reshape(n)
    colours = [_hex_rgb(g.color) for g in config.groups]
    has = group >= 0
    if colours and has.any():
        rgb[has] = np.array(colours, np.uint8)[group[has]]
    return rgb, group


def _instance(shape: Shape, layout: tuple[int, int] | None, detail: Detail, beam_rays: bool,
              m: npt.NDArray[np.intp], p: _Poses, sel: npt.NDArray[np.intp]) -> tuple[
                  Part, ...]:
    """Body, lens and beam parts of fixtures ``m`` of one template, whose poses are ``p`` rows ``sel``."""
    k = len(m)
    zero = np.zeros((k, 3), np.float32)
    lift = np.tile(np.array([0, 0, LENS_LIFT], np.float32), (k, 1))
    size, rot, pos = p.size[sel], p.rot[sel], p.pos[sel]
    body = _batch(body_template(shape, detail), m, size, zero, rot, pos, normals=True)
    lens = _batch(lens_template(shape, layout, detail), m, size, lift, rot, pos, normals=False)
    beam = _ray_batch(m, size, rot, pos) if beam_rays else _cone_batch(shape, m, size, p.beam[sel], rot, pos)
    return body, lens, beam


def _anchors(p: _Poses) -> tuple[F32, F32, F32]:
    """Body centres, label points and radii."""
    half = np.zeros((len(p.pos), 3), np.float32)
    half[:, 2] = p.size[:, 2] / 2
    centers = (np.einsum("nij,nj->ni", p.rot, half) + p.pos).astype(np.float32)
    radii = (np.linalg.norm(p.size, axis=1) / 2).astype(np.float32)
    tops = centers.copy()
    tops[:, 2] += radii + 0.05
    return centers, tops, radii


def _bounds(positions: F32) -> tuple[F32, F32]:
    if len(positions):  # column by column: 20x quicker than an axis-0 reduction over (V, 3)
        cols = [positions[:, k] for k in range(3)]
        return (np.array([c.min() for c in cols], np.float32), np.array([c.max() for c in cols], np.float32))
    return np.zeros(3, np.float32), np.zeros(3, np.float32)


def _plausible_bounds(bodies: Layer, positions: F32) -> tuple[F32, F32]:
    """Bounds of the bodies of fixtures within ``PLAUSIBLE_RADIUS`` of the centre (all when none is)."""
    near = np.linalg.norm(positions.astype(np.float64), axis=1) <= PLAUSIBLE_RADIUS
    if near.all() or not near.any():
        return _bounds(bodies.positions)
    return _bounds(bodies.positions[near[bodies.owner]])


def build_rig(config: ShowConfig, detail: Detail | None = None, beam_rays: bool | None = None) -> Rig:
    """Every fixture of ``config`` as batched arrays (vectorised per body template).

    ``detail`` is ``full`` or ``lite``; by default ``full`` up to ``DETAIL_LIMIT``
    fixtures.  Moving heads are ``lite`` too above ``HEAD_DETAIL_LIMIT`` of them.
    Beams are cones up to ``CONE_LIMIT`` fixtures, else rays.
    """
    fixtures = config.fixtures
    n = len(fixtures)
    if detail is None:
        detail = "full" if n <= DETAIL_LIMIT else "lite"
    if beam_rays is None:
        beam_rays = n > CONE_LIMIT
    names = tuple(f.name for f in fixtures)
    p = _read_poses(fixtures)
    keys: dict[tuple[Shape, tuple[int, int] | None], list[int]] = {}
    for i, key in enumerate(p.keys):
        keys.setdefault(key, []).append(i)
    heads = sum(len(idx) for (shape, _), idx in keys.items() if shape == "head")
    head_detail: Detail = "lite" if detail == "lite" or heads > HEAD_DETAIL_LIMIT else "full"
    bodies, lenses, beams = [], [], []
    for (shape, layout), idx in keys.items():
        m = np.asarray(idx, dtype=np.intp)
        body, lens, beam = _instance(shape, layout, head_detail if shape == "head" else detail, beam_rays, m, p, m)
        bodies.append(body)
        lenses.append(lens)
        beams.append(beam)
    body_layer = _concat(bodies, with_normals=True, with_alpha=False)
    centers, tops, radii = _anchors(p)
    rgb, group = _group_rgb(config)
    return Rig(
        names=names,
        index={name: n - 1 - i for i, name in enumerate(reversed(names))},  # first of each name
        base_rgb=rgb,
        centers=centers,
        tops=tops,
        radii=radii,
        rotations=p.rot,
        sizes=p.size,
        positions=p.pos,
        hanging=p.hanging,
        bodies=body_layer,
        lenses=_concat(lenses, with_normals=False, with_alpha=False),
        beams=_concat(beams, with_normals=False, with_alpha=True),
        bounds=_plausible_bounds(body_layer, p.pos),
        detail=detail,
        head_detail=head_detail,
        beam_rays=beam_rays,
        group=group,
    )


@dataclass(frozen=True)
class RigUpdate:
    """What ``update_rig`` changed: vertex rows per layer (sorted) and whether body colours did."""

    moved: npt.NDArray[np.intp]  # fixtures whose geometry was rebuilt
    bodies: npt.NDArray[np.intp]
    lenses: npt.NDArray[np.intp]
    beams: npt.NDArray[np.intp]
    recoloured: bool


#: ``update_rig`` gives up (a full build is as quick) above this share of moved fixtures.
UPDATE_SHARE = 0.25


def _spans(owner: I32, n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """First vertex and vertex count of every fixture in a layer (each fixture's vertices are contiguous)."""
    first = np.zeros(n, np.intp)
    count = np.zeros(n, np.intp)
    if len(owner):
        starts = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))
        first[owner[starts]] = starts
        count[owner[starts]] = np.diff(np.append(starts, len(owner)))
    return first, count


def _rows(first: npt.NDArray[np.intp], count: npt.NDArray[np.intp], m: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    k = int(count[m[0]]) if len(m) else 0
    out: npt.NDArray[np.intp] = (first[m][:, None] + np.arange(k)[None, :]).reshape(-1)
    return out


def update_rig(rig: Rig, old: ShowConfig, new: ShowConfig) -> tuple[Rig, RigUpdate] | None:
    """``rig`` (built from ``old``) for ``new``, rebuilding only the fixtures that changed.

    Possible when ``new`` has the same fixtures, by name and order, each with the
    same body template, and at most ``UPDATE_SHARE`` of them changed (position,
    orientation, size, beam angle, ...); group colours may change freely.  Every
    fixture owns a fixed block of vertices in each layer, so the changed ones are
    rewritten in place in copies of the arrays; indices, owners and alphas are
    shared with ``rig``.  None when a full ``build_rig`` is needed.
    """
    n = len(rig)
    if len(new.fixtures) != n or len(old.fixtures) != n:
        return None
    changed = [i for i, (a, b) in enumerate(zip(old.fixtures, new.fixtures, strict=True)) if a != b]
    if len(changed) > UPDATE_SHARE * n:
        return None
    moved = np.asarray(changed, np.intp)
    subset = [new.fixtures[i] for i in changed]
    if any(f.name != rig.names[i] for i, f in zip(changed, subset, strict=True)):
        return None
    p = _read_poses(subset)
    before = _read_poses([old.fixtures[i] for i in changed])
    if p.keys != before.keys:
        return None
    rgb, group = (rig.base_rgb, rig.group) if old.groups == new.groups else _group_rgb(new)  # names stay
    recoloured = rgb is not rig.base_rgb and not np.array_equal(rgb, rig.base_rgb)
    layers = {"bodies": rig.bodies, "lenses": rig.lenses, "beams": rig.beams}
    arrays: dict[str, F32] = {}
    rows: dict[str, list[npt.NDArray[np.intp]]] = {name: [] for name in layers}
    groups: dict[tuple[Shape, tuple[int, int] | None], list[int]] = {}
    for j, key in enumerate(p.keys):
        groups.setdefault(key, []).append(j)
    if changed:
        for name, base in layers.items():
            arrays[name] = base.positions.copy()
        assert rig.bodies.normals is not None  # bodies are built with normals
        arrays["normals"] = rig.bodies.normals.copy()
        spans = {name: _spans(base.owner, n) for name, base in layers.items()}
        for (shape, layout), sel_list in groups.items():
            sel = np.asarray(sel_list, np.intp)
            m = moved[sel]
            detail = rig.head_detail if shape == "head" else rig.detail  # the same heads: the same detail
            parts = _instance(shape, layout, detail, rig.beam_rays, m, p, sel)
            for name, part in zip(layers, parts, strict=True):
                r = _rows(*spans[name], m)
                if len(r) != len(part.positions):  # not the vertex block this fixture had
                    return None
                arrays[name][r] = part.positions
                if name == "bodies" and part.normals is not None:
                    arrays["normals"][r] = part.normals
                rows[name].append(r)
    positions, sizes, rot = rig.positions.copy(), rig.sizes.copy(), rig.rotations.copy()
    hanging = rig.hanging.copy()
    centers, tops, radii = rig.centers.copy(), rig.tops.copy(), rig.radii.copy()
    if changed:
        positions[moved], sizes[moved], rot[moved], hanging[moved] = p.pos, p.size, p.rot, p.hanging
        centers[moved], tops[moved], radii[moved] = _anchors(p)

    def rebuilt(name: str, base: Layer) -> Layer:
        if name not in arrays:
            return base
        return replace(base, positions=arrays[name],
                       normals=arrays["normals"] if name == "bodies" else base.normals)

    bodies = rebuilt("bodies", rig.bodies)
    out = replace(
        rig, base_rgb=rgb, centers=centers, tops=tops, radii=radii, rotations=rot, sizes=sizes,
        positions=positions, hanging=hanging, bodies=bodies, lenses=rebuilt("lenses", rig.lenses),
        beams=rebuilt("beams", rig.beams), group=group,
        bounds=_plausible_bounds(bodies, positions) if changed else rig.bounds,
    )

    def joined(name: str) -> npt.NDArray[np.intp]:
        return np.sort(np.concatenate(rows[name])) if rows[name] else np.zeros(0, np.intp)

    return out, RigUpdate(moved, joined("bodies"), joined("lenses"), joined("beams"), recoloured)


# --------------------------------------------------------------------------- stage


def rigging_lines(positions: F32, hanging: npt.NDArray[np.bool_], tol: float = 0.05,
                  overhang: float = 0.3) -> F32:
    """Pipes through hanging fixtures that share a rigging height and a row.

    Show files carry fixtures, not trusses, but fixtures hung at the same height
    on the same line are on a pipe or truss; drawing it stops the rig from
    floating.  Rows along x (same y and z) first, then what is left in columns
    along y (same x and z), each with at least two fixtures.  Line end points, (2K, 3).
    """
    idx = np.flatnonzero(hanging)
    out: list[F32] = []
    for along, across in ((0, 1), (1, 0)):
        if len(idx) < 2:
            break
        p = positions[idx].astype(np.float64)
        row_key = np.round(p[:, across] / tol).astype(np.int64)
        height_key = np.round(p[:, 2] / tol).astype(np.int64)
        row_key -= row_key.min()
        height_key -= height_key.min()
        # one integer per (row, height): a 1-D unique is several times quicker than axis=0
        _, inv, counts = np.unique(row_key * (int(height_key.max()) + 1) + height_key, return_inverse=True,
                                   return_counts=True)
        inv = inv.reshape(-1)
        lo = np.full(len(counts), np.inf)
        hi = np.full(len(counts), -np.inf)
        np.minimum.at(lo, inv, p[:, along])
        np.maximum.at(hi, inv, p[:, along])
        mean = np.zeros((len(counts), 3))
        np.add.at(mean, inv, p)
        mean /= counts[:, None]
        rows = np.flatnonzero(counts >= 2)
        if len(rows):
            a = mean[rows].copy()
            b = mean[rows].copy()
            a[:, along] = lo[rows] - overhang
            b[:, along] = hi[rows] + overhang
            out.append(np.stack([a, b], axis=1).reshape(-1, 3).astype(np.float32))
        idx = idx[counts[inv] < 2]  # only fixtures not on a row may form a column
    if not out:
        return np.zeros((0, 3), np.float32)
    return np.concatenate(out)


def grid_lines(width: float, depth: float, spacing: float, max_lines: int = 400) -> tuple[F32, F32]:
    """Minor and major grid line end points over the floor, centred on the origin.

    Majors fall every metre when the spacing divides a metre, else every fifth
    line; spacing doubles until each direction has at most ``max_lines`` lines so
    a silly grid size cannot stall the scene.
    """
    if not (math.isfinite(spacing) and spacing > 0):
        spacing = 0.5
    while max(width, depth) / spacing > max_lines:
        spacing *= 2
    per_metre = 1.0 / spacing
    major_every = round(per_metre) if abs(per_metre - round(per_metre)) < 1e-6 and per_metre >= 2 else 5
    minor: list[list[float]] = []
    major: list[list[float]] = []

    def coords(extent: float) -> npt.NDArray[np.float64]:
        k = math.floor(extent / 2 / spacing + 1e-9)
        out: npt.NDArray[np.float64] = np.arange(-k, k + 1, dtype=np.float64) * spacing
        return out

    hx, hy = width / 2, depth / 2
    for x in coords(width):
        step = round(x / spacing)
        (major if step % major_every == 0 else minor).extend([[x, -hy, 0.0], [x, hy, 0.0]])
    for y in coords(depth):
        step = round(y / spacing)
        (major if step % major_every == 0 else minor).extend([[-hx, y, 0.0], [hx, y, 0.0]])
    return (np.array(minor, np.float32).reshape(-1, 3), np.array(major, np.float32).reshape(-1, 3))


def house_floor(width: float, depth: float, reach: float, fade: float) -> tuple[F32, U32, npt.NDArray[np.bool_]]:
    """The house floor: a flat frame at z = 0 around a ``width`` x ``depth`` deck centred on the origin.

    It covers everything within ``reach`` metres of the deck's edges (x and y
    separately, so a rectangle) but not the deck itself (no coplanar faces to
    z-fight with; its inner edges are the deck's, so the two meet without a
    crack), then a rim ``fade`` metres wide whose outer vertices are meant to
    take the background colour.  Returns positions (N, 3) in metres, triangle
    indices (M,) and which vertices are inside the solid part (N,); N = 36,
    M = 6 x 24 (a 6 x 6 vertex grid, every cell but the deck's).
    """
    hx, hy = max(width, 0.0) / 2, max(depth, 0.0) / 2
    reach, fade = max(reach, 0.0), max(fade, 0.0)
    xs = np.array([-hx - reach - fade, -hx - reach, -hx, hx, hx + reach, hx + reach + fade], np.float64)
    ys = np.array([-hy - reach - fade, -hy - reach, -hy, hy, hy + reach, hy + reach + fade], np.float64)
    gx, gy = np.meshgrid(xs, ys, indexing="xy")  # vertex (i, j) = (xs[i], ys[j]) at row j * 6 + i
    positions = np.column_stack([gx.ravel(), gy.ravel(), np.zeros(36)]).astype(np.float32)
    solid = ((np.arange(36) % 6 >= 1) & (np.arange(36) % 6 <= 4)
             & (np.arange(36) // 6 >= 1) & (np.arange(36) // 6 <= 4))
    cells = []
    for j in range(5):
        for i in range(5):
            if (i, j) == (2, 2):  # the deck
                continue
            a, b, c, d = j * 6 + i, j * 6 + i + 1, (j + 1) * 6 + i + 1, (j + 1) * 6 + i
            cells.append([a, b, c, a, c, d])  # counter-clockwise seen from above (+z)
    return positions, np.array(cells, np.uint32).reshape(-1), solid
