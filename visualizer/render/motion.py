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


def beam_lengths(positions: F32) -> F32:
    """How far each beam is drawn (metres): far enough to reach the floor from its height."""
    # to the floor up to ~55 degrees off vertical; beyond, the faded tail is not worth its fill
    out: F32 = np.clip(1.8 * np.maximum(positions[:, 2], 0.0) + 3.0, 5.0, 30.0).astype(np.float32)
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
