"""Per-fixture pose on the GPU, and the same maths in numpy.

The vertex shader of ``glitems.PosedItem`` moves moving heads, beams and floor
pools from two small textures (``glitems.PoseTextures``); this module builds
their contents from a ``Rig`` and a ``Look`` and computes, in numpy, exactly
what the shader computes: the beam's origin and direction, and where its pool
lands.  Tests check the numbers here and the pixels there.

Head maths (``shared.show.orientation``): ``beam = R · Rz(-pan) · Rx(-tilt) · ẑ``
with ``R`` the body -> stage rotation; the head turns about a pivot on the body's
z axis (``pivot`` metres above the base), the yoke about the z axis itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.show.orientation import head_rotations
from visualizer.render.geometry import LENS_LIFT, Rig, lens_radii, shape_of

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

#: Default pan and tilt ranges (degrees) when a fixture does not send ``pan_max``/``tilt_max``.
DEFAULT_PAN_RANGE = 540.0
DEFAULT_TILT_RANGE = 270.0
#: A head takes this long (seconds) for its full travel when movement is realistic.
FULL_TRAVEL_SECONDS = 4.0
#: Where the head turns, as a share of the body's height above its base.
HEAD_PIVOT = 0.6
#: Beam opening limits, degrees.
MIN_BEAM, MAX_BEAM = 1.0, 120.0


#: Every beam reaches at least this far (metres), whatever its height: a floor beam passes
#: the trusses above it and a low side light crosses the stage (the light fades to nothing there).
MIN_THROW = 15.0


def beam_lengths(positions: F32) -> F32:
    """How far each beam is drawn (metres): at least ``MIN_THROW``, and to the floor from its
    height up to ~55 degrees off vertical (beyond, the faded tail is not worth its fill)."""
    reach = np.maximum(1.8 * np.maximum(positions[:, 2], 0.0) + 3.0, MIN_THROW)
    out: F32 = np.clip(reach, MIN_THROW, 30.0).astype(np.float32)
    return out


def angle_to_dmx_degrees(value: npt.ArrayLike, maximum: float, degree_range: float) -> F64:
    """``(value / max - 0.5) × range``: DMX (8- or 16-bit) to a signed angle from centre."""
    out: F64 = (np.asarray(value, np.float64) / maximum - 0.5) * degree_range
    return out


@dataclass(frozen=True)
class Statics:
    """Per-fixture constants of the pose (numpy copies of the static texture)."""

    position: F32  # (N, 3)
    rotation: F32  # (N, 3, 3) body -> stage
    pivot: F32  # (N,) tilt pivot height along body z
    lens_radius: F32  # (N,)
    lens_height: F32  # (N,) lens face above the base, along body z
    length: F32  # (N,) beam length
    heads: npt.NDArray[np.bool_]  # (N,)
    pan_range: F32  # (N,) degrees
    tilt_range: F32  # (N,) degrees

    def texels(self) -> F32:
        """(N, 4, 4) static texels for ``PoseTextures.set_static``."""
        n = len(self.position)
        out = np.zeros((n, 4, 4), np.float32)
        out[:, 0, :3] = self.position
        out[:, 0, 3] = self.pivot
        for k in range(3):
            out[:, 1 + k, :3] = self.rotation[:, :, k]
        out[:, 1, 3] = self.lens_radius
        out[:, 2, 3] = self.lens_height
        out[:, 3, 3] = self.length
        return out


def statics(rig: Rig, shapes: list[str], pan_range: F32, tilt_range: F32) -> Statics:
    n = len(rig)
    kinds = np.asarray(shapes, dtype=object).reshape(n)
    heads = kinds == "head"
    radii = np.empty((n, 2), np.float32)
    for shape in set(shapes):
        radii[kinds == shape] = lens_radii(shape)
    lens_radius = ((rig.sizes[:, 0] * radii[:, 0] + rig.sizes[:, 1] * radii[:, 1]) / 2).astype(np.float32)
    return Statics(
        position=rig.positions.astype(np.float32),
        rotation=rig.rotations.astype(np.float32),
        pivot=np.where(heads, HEAD_PIVOT * rig.sizes[:, 2], 0.0).astype(np.float32),
        lens_radius=lens_radius,
        lens_height=(rig.sizes[:, 2] + LENS_LIFT).astype(np.float32),
        length=beam_lengths(rig.positions),
        heads=heads,
        pan_range=pan_range.astype(np.float32),
        tilt_range=tilt_range.astype(np.float32),
    )


def shapes_of(config_fixtures: list[object]) -> list[str]:
    return [shape_of(getattr(f, "fixture_type", None)) for f in config_fixtures]


def motion_texels(pan_deg: npt.ArrayLike, tilt_deg: npt.ArrayLike, beam_deg: npt.ArrayLike,
                  on: npt.ArrayLike, out: F32 | None = None) -> F32:
    """(N, 4) motion texels: pan and tilt in radians, tan of half the opening, on (1) or off (0)."""
    pan = np.asarray(pan_deg, np.float32)
    n = len(pan)
    m = np.empty((n, 4), np.float32) if out is None or len(out) != n else out
    np.multiply(pan, np.float32(math.pi / 180), out=m[:, 0])
    np.multiply(np.asarray(tilt_deg, np.float32), np.float32(math.pi / 180), out=m[:, 1])
    half = np.clip(np.asarray(beam_deg, np.float32), MIN_BEAM, MAX_BEAM) * np.float32(math.pi / 360)
    np.tan(half, out=m[:, 2])
    m[:, 3] = np.asarray(on, np.float32)
    return m


def beams(s: Statics, pan_deg: npt.ArrayLike, tilt_deg: npt.ArrayLike) -> tuple[F64, F64]:
    """Origin (lens centre) and unit direction of every beam, (N, 3) each: the shader's maths."""
    h = head_rotations(pan_deg, tilt_deg)  # (N, 3, 3)
    r = s.rotation.astype(np.float64)
    pivot = np.zeros((len(s.position), 3))
    pivot[:, 2] = s.pivot
    lens = np.zeros_like(pivot)
    lens[:, 2] = s.lens_height
    local = np.einsum("nij,nj->ni", h, lens - pivot) + pivot
    origin = np.einsum("nij,nj->ni", r, local) + s.position
    direction = np.einsum("nij,nj->ni", r @ h, np.tile([0.0, 0.0, 1.0], (len(pivot), 1)))
    return origin, direction


def pool_centres(origin: F64, direction: F64, length: npt.ArrayLike) -> F64:
    """Where each beam's axis meets the floor (its pool's centre), NaN where it has no pool.

    No pool when the beam points less than ~3 degrees below the horizon or the
    floor is further than the beam's drawn length: the shader's rule.
    """
    dz = direction[:, 2]
    ok = dz < -0.05
    t = np.where(ok, -origin[:, 2] / np.where(ok, dz, -1.0), -1.0)
    ok &= (t >= 0) & (t <= np.asarray(length, np.float64))
    out: F64 = origin + t[:, None] * direction
    out[:, 2] = 0.0
    out[~ok] = np.nan
    return out


# --------------------------------------------------------------------------- light
#
# Beams are drawn as one screen-space quad each (``glitems.BeamItem``) whose
# fragment shader finds, per pixel, where the view ray crosses the beam's cone
# and adds the light along that chord, and the pool where the ray meets the
# floor inside the cone.  The functions below are the same maths in numpy
# (float64): the tests check pixels against them.


@dataclass(frozen=True)
class Camera:
    """What the beam shader knows of the camera.

    ``vp``: projection · view (4, 4), row-major, world -> clip; ``eye``: the eye
    (perspective) in world metres; ``forward``: the unit viewing direction;
    ``half_px``: half the viewport in pixels (x, y), the aspect the quads are
    fitted in.
    """

    vp: F64
    eye: F64
    forward: F64
    ortho: bool
    half_px: tuple[float, float]

    @property
    def inverse(self) -> F64:
        out: F64 = np.linalg.inv(self.vp).astype(np.float64)
        return out


@dataclass(frozen=True)
class LitBeams:
    """The beams the shader draws, in numpy: one row per beam (N of them).

    ``index``: the fixture; ``origin``, ``direction``: lens centre and unit axis
    (N, 3); ``lens_radius``, ``tan_half`` (tan of half the opening), ``length``
    (metres); ``start``, ``end``: the stretch drawn (``beam_spans``), metres
    along the axis from the lens.
    """

    index: npt.NDArray[np.intp]
    origin: F64
    direction: F64
    lens_radius: F64
    tan_half: F64
    length: F64
    start: F64
    end: F64


def lit_beams(s: Statics, index: npt.ArrayLike, pan_deg: npt.ArrayLike, tilt_deg: npt.ArrayLike,
              tan_half: npt.ArrayLike) -> LitBeams:
    """The beams of fixtures ``index`` (lit ones with a beam) as drawn: those under the floor left out."""
    idx = np.asarray(index, np.intp).reshape(-1)
    sub = Statics(*(getattr(s, f)[idx] for f in Statics.__dataclass_fields__))
    origin, direction = beams(sub, pan_deg, tilt_deg)
    k = np.asarray(tan_half, np.float64).reshape(-1)
    radius = sub.lens_radius.astype(np.float64)
    length = sub.length.astype(np.float64)
    start, end = beam_spans(origin, direction, radius, k, length)
    keep = end > start
    return LitBeams(idx[keep], origin[keep], direction[keep], radius[keep], k[keep], length[keep], start[keep],
                    end[keep])


def beam_spans(origin: F64, direction: F64, lens_radius: npt.ArrayLike, tan_half: npt.ArrayLike,
               length: npt.ArrayLike) -> tuple[F64, F64]:
    """(start, end), metres along each beam from its lens: the stretch with any of its cone above the floor.

    The highest point of the cone's cross-section ``s`` metres from the lens is
    ``o_z + s d_z + (r0 + s k) sqrt(1 - d_z²)``, linear in ``s``: the stretch is
    where it is >= 0, within [0, length].  ``end < start``: the whole beam is under
    the floor.  (N,) each.
    """
    r0 = np.asarray(lens_radius, np.float64)
    k = np.asarray(tan_half, np.float64)
    length = np.asarray(length, np.float64)
    hz = np.sqrt(np.maximum(1.0 - direction[:, 2] ** 2, 0.0))
    top = origin[:, 2] + r0 * hz
    rise = direction[:, 2] + k * hz
    safe = np.where(rise == 0, 1.0, rise)
    start = np.where(rise > 0, np.maximum(0.0, -top / safe), 0.0)
    end = np.where(rise < 0, np.minimum(length, -top / safe), length)
    end = np.where((rise == 0) & (top < 0), -1.0, end)
    return start, end


def _basis(direction: F64, view: F64) -> tuple[F64, F64]:
    """Unit vectors across each beam: e1 also across the view (any, seen down the axis), e2 = d × e1."""
    e1 = np.cross(direction, view)
    small = np.einsum("ij,ij->i", e1, e1) < 1e-12 * np.einsum("ij,ij->i", view, view)
    other = np.where((np.abs(direction[:, 0]) < 0.9)[:, None], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    e1 = np.where(small[:, None], np.cross(direction, other), e1)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    return e1, np.cross(direction, e1)


def beam_corners(b: LitBeams, cam: Camera) -> F64:
    """Clip coordinates (N, 8, 4) of the squares around each end of each beam's stretch (``beam_quads``).

    Each end of the stretch (``beam_spans``) is bounded by a square (side: twice
    the cone's radius there) across the beam, one side across the view: the 8
    corners' hull contains the cone between the ends, so their screen box
    contains every pixel the beam can light when they are all in front of the eye.
    """
    origin, direction, start, end = b.origin, b.direction, b.start, b.end
    r0, k = b.lens_radius, b.tan_half
    n = len(origin)
    mid = origin + direction * (0.5 * (start + end))[:, None]
    view = np.tile(cam.forward, (n, 1)) if cam.ortho else mid - cam.eye
    e1, e2 = _basis(direction, view)
    ends = np.stack([origin + direction * start[:, None], origin + direction * end[:, None]], axis=1)
    radius = np.stack([r0 + k * start, r0 + k * end], axis=1)  # (N, 2)
    signs = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]], np.float64)
    across = signs[None, :, 0, None] * e1[:, None, :] + signs[None, :, 1, None] * e2[:, None, :]  # (N, 4, 3)
    pts = (ends[:, :, None, :] + radius[:, :, None, None] * across[:, None, :, :]).reshape(n, 8, 3)
    out: F64 = pts @ cam.vp[:, :3].T + cam.vp[:, 3]
    return out


def beam_quads(b: LitBeams, cam: Camera) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    """The screen quad of every beam, as the beam vertex shader builds it.

    The 8 corners of ``beam_corners`` are projected and bounded by a trapezoid
    along the beam's screen direction (each side line through the extreme
    corner, for a slope set by the ends), which contains the cone's silhouette.
    A beam with a corner behind the eye covers the whole screen.  Returns
    corners (N, 4, 2) in NDC (in the order the quad's vertices (-1, -1), (1, -1),
    (1, 1), (-1, 1) pick them), the nearest corner's NDC depth (N,), and whether
    it was fitted (False: the whole screen).
    """
    clip = beam_corners(b, cam)
    front: npt.NDArray[np.bool_] = np.asarray((clip[:, :, 3] > 1e-4).all(axis=1))
    w = np.maximum(clip[:, :, 3], 1e-4)
    half = np.asarray(cam.half_px, np.float64)
    p = clip[:, :, :2] / w[:, :, None] * half
    zmin = (clip[:, :, 2] / w).min(axis=1)
    pa, pb = p[:, :4].mean(axis=1), p[:, 4:].mean(axis=1)
    ax = pb - pa
    span = np.linalg.norm(ax, axis=1)
    u = np.where((span > 1e-3)[:, None], ax / np.maximum(span, 1e-3)[:, None], [1.0, 0.0])
    nn = np.stack([-u[:, 1], u[:, 0]], axis=1)
    a = np.einsum("nij,nj->ni", p, u)
    c = np.einsum("nij,nj->ni", p, nn)
    amin, amax = a.min(axis=1), a.max(axis=1)
    flat = span <= 1.0
    wide = np.maximum(span, 1.0)
    slope_top = np.where(flat, 0.0, np.clip((c[:, 4:].max(axis=1) - c[:, :4].max(axis=1)) / wide, -2, 2))
    slope_bot = np.where(flat, 0.0, np.clip((c[:, 4:].min(axis=1) - c[:, :4].min(axis=1)) / wide, -2, 2))
    off_top = (c - slope_top[:, None] * a).max(axis=1)
    off_bot = (c - slope_bot[:, None] * a).min(axis=1)
    along = np.stack([amin, amax, amax, amin], axis=1)
    across = np.stack([slope_bot * amin + off_bot, slope_bot * amax + off_bot,
                       slope_top * amax + off_top, slope_top * amin + off_top], axis=1)
    corners = (u[:, None, :] * along[:, :, None] + nn[:, None, :] * across[:, :, None]) / half
    full = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    corners = np.where(front[:, None, None], corners, full)
    zmin = np.where(front, np.clip(zmin, -1.0, 1.0), -1.0)
    return corners.astype(np.float64), zmin.astype(np.float64), front


def camera_rays(cam: Camera, ndc: npt.ArrayLike) -> tuple[F64, F64]:
    """The view ray through each NDC point (R, 2): origin and direction (R, 3), direction · forward = 1.

    Perspective: from the eye; orthographic: from the near plane.  The ray
    parameter is then the depth along the view (metres).
    """
    xy = np.asarray(ndc, np.float64).reshape(-1, 2)
    inv = cam.inverse
    far = np.concatenate([xy, np.ones((len(xy), 2))], axis=1) @ inv.T
    near = np.concatenate([xy, -np.ones((len(xy), 1)), np.ones((len(xy), 1))], axis=1) @ inv.T
    if cam.ortho:
        o = near[:, :3] / near[:, 3:]
        v = far[:, :3] / far[:, 3:] - o
    else:
        o = np.tile(cam.eye, (len(xy), 1))
        v = far[:, :3] - far[:, 3:] * cam.eye
    v = v / (v @ cam.forward)[:, None]
    return o, v


@dataclass(frozen=True)
class Chords:
    """Where view rays cross beams, (R, N) each: the chord [t0, t1] (empty when t1 <= t0).

    ``t`` is the ray's parameter (``origin + t · dir``); ``axial`` and ``across2``
    say where the chord's middle is (metres along the beam from its lens, squared
    distance from its axis), ``radius`` the cone's radius there; ``floor_t``: where
    the ray meets the floor (z = 0), meaningful where ``dir.z < 0``.
    """

    t0: F64
    t1: F64
    axial: F64
    across2: F64
    radius: F64
    floor_t: F64


def beam_chords(ray_origin: F64, ray_dir: F64, b: LitBeams) -> Chords:
    """The chord of each ray (R, 3 each) through each beam's cone, as the beam fragment shader finds it.

    The cone (radius ``r0 + k s`` at ``s`` metres along the axis from the lens)
    between the ends of the stretch drawn (``start``, ``end``), above the floor
    (z >= 0), from the ray's origin on (t >= 0).
    """
    origin, direction = b.origin, b.direction
    r0, k = b.lens_radius[None, :], b.tan_half[None, :]
    o = ray_origin[:, None, :] - origin[None, :, :]
    v = np.broadcast_to(ray_dir[:, None, :], o.shape)
    oz = np.einsum("rnj,nj->rn", o, direction)
    vz = np.einsum("rnj,nj->rn", v, direction)
    oxy2 = np.einsum("rnj,rnj->rn", o, o) - oz**2
    vxy2 = np.einsum("rnj,rnj->rn", v, v) - vz**2
    ovxy = np.einsum("rnj,rnj->rn", o, v) - oz * vz
    ro = r0 + k * oz
    # inside the (double) cone: qa t² + 2 qb t + qc <= 0
    qa = vxy2 - k * k * vz * vz
    qb = ovxy - k * vz * ro
    qc = oxy2 - ro * ro
    disc = qb * qb - qa * qc
    sq = np.sqrt(np.maximum(disc, 0.0))
    start, end = b.start[None, :], b.end[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        safe = np.where(qa == 0, 1e-30, qa)
        lo = np.minimum((-qb - sq) / safe, (-qb + sq) / safe)
        hi = np.maximum((-qb - sq) / safe, (-qb + sq) / safe)
        # qa < 0: the ray runs within the cone's angle, one end of it stays inside (the nappe ahead of the lens)
        t0 = np.where(qa >= 0, lo, np.where(vz > 0, hi, -np.inf))
        t1 = np.where(qa >= 0, hi, np.where(vz > 0, np.inf, lo))
        t1 = np.where(disc < 0, -np.inf, t1)
        s0 = (start - oz) / vz
        s1 = (end - oz) / vz
        inside = (oz >= start) & (oz <= end)
        t0 = np.maximum(t0, np.where(vz == 0, np.where(inside, -np.inf, np.inf), np.minimum(s0, s1)))
        t1 = np.minimum(t1, np.where(vz == 0, np.where(inside, np.inf, -np.inf), np.maximum(s0, s1)))
        fz = ray_origin[:, 2][:, None]
        dz = ray_dir[:, 2][:, None]
        tf = np.broadcast_to(-fz / np.where(dz == 0, 1.0, dz), t0.shape)
        t1 = np.where(dz < 0, np.minimum(t1, tf), np.where((dz == 0) & (fz < 0), -np.inf, t1))
        t0 = np.maximum(np.where(dz > 0, np.maximum(t0, tf), t0), 0.0)
        tm = np.where(t1 > t0, 0.5 * (t0 + t1), 0.0)
        axial = oz + tm * vz
        across2 = np.maximum(oxy2 + 2 * tm * ovxy + tm * tm * vxy2, 0.0)
    return Chords(t0, t1, axial, across2, r0 + k * axial, tf.copy())


def beam_light(ray_origin: F64, ray_dir: F64, b: LitBeams, *, gain: float, knee: float, spread: float,
               pool: float, soft: bool) -> F64:
    """How much light (× the beam's colour) each beam adds along each view ray: (R, N).

    The beam fragment shader's maths.  The chord (``beam_chords``) adds
    ``gain × fade × x / (1 + knee × x)`` with ``x = chord length / r × shape ×
    min(1, spread / r)``, all but the length taken at the chord's middle, where
    the cone's radius is ``r``: ``fade = 1 - s / length`` (s metres from the
    lens: nothing left at the beam's end), ``shape = sqrt(1 - (distance from the
    axis / r)²)`` when ``soft`` (else 1).  Seen side-on through its axis a beam
    has ``x = 2`` while it is narrower than ``spread`` (across it the light falls
    as ``1 - u²``, like a soft cone's); wider, the same light spread over more
    haze is dimmer (per volume as ``1 / r²``); seen down its length it is
    brighter, up to ``1 / knee``.  Where the ray meets the floor inside the cone
    (between the stretch's ends) the pool adds ``pool × (1 - u²)² × min(1.25 ×
    fade, 1)``, ``u`` the distance from the axis over the radius there: full up
    to a fifth of the way, nothing at the beam's end.
    """
    c = beam_chords(ray_origin, ray_dir, b)
    length = b.length[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        rad = np.maximum(c.radius, 1e-6)
        fade = np.clip(1.0 - c.axial / length, 0.0, 1.0)
        shape = np.sqrt(np.maximum(1.0 - c.across2 / rad**2, 0.0)) if soft else 1.0
        thin = np.minimum(1.0, spread / rad)
        x = np.where(c.t1 > c.t0, (c.t1 - c.t0) * np.linalg.norm(ray_dir, axis=1)[:, None] / rad * shape * thin, 0.0)
        light = gain * fade * x / (1.0 + knee * x)
        if pool > 0:
            # where the ray meets the floor, inside the cone
            o = ray_origin[:, None, :] - b.origin[None, :, :] + c.floor_t[:, :, None] * ray_dir[:, None, :]
            zf = np.einsum("rnj,nj->rn", o, b.direction)
            radf = b.lens_radius[None, :] + b.tan_half[None, :] * zf
            u2 = (np.einsum("rnj,rnj->rn", o, o) - zf**2) / np.maximum(radf**2, 1e-12)
            dz = ray_dir[:, 2][:, None]
            hit = (dz < 0) & (c.floor_t >= 0) & (u2 < 1) & (zf >= b.start[None, :]) & (zf <= b.end[None, :]) & (
                radf > 0)
            fadef = np.clip(1.0 - zf / length, 0.0, 1.0)
            light = light + np.where(hit, pool * (1 - u2) ** 2 * np.minimum(1.25 * fadef, 1.0), 0.0)
    out: F64 = np.nan_to_num(light)
    return out
