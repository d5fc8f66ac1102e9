"""Where a fixture points: Show Creator's orientation convention, as numbers.

Stage coordinates (the wire's): metres, **+x = stage right** (the performers'
right, the *audience's left*), **-y = downstage** (toward the audience), **+z up**.
Seen from the audience, +x is on the viewer's left.

``yaw``, ``pitch`` and ``roll`` are *absolute* angles in degrees.  At (0, 0, 0) the
beam points at the audience (-y).  They are applied yaw first, then pitch, then
roll, each about the body's own (already turned) axes:

* yaw about z: -90 turns the beam from the audience to stage right (+x), +90 to
  stage left (-x);
* pitch about the body's sideways axis: positive tips the beam down (90 = -z);
* roll about the beam: positive turns the body's right side (seen from behind,
  looking along the beam) down.

A named mounting written with (0, 0, 0) means its preset (files never edited in
Show Creator's orientation dialog carry exactly that); an unknown mounting name
is ``custom``.

The *body frame* of a fixture: its base at the rigging point, the beam leaving
along body +z, body +x its sideways axis (stage +x at rest) and body +y its
"top" (stage +z at rest, so a hanging fixture's top faces the audience).
``base_rotation`` maps body-frame vectors to stage vectors.

Moving heads: the orientation places the base; at pan/tilt centre the beam
leaves along the base's normal (body +z).  Pan turns the head about body z (the
same sense as yaw: for a standing head, positive pan turns like positive yaw),
then tilt about the yoke's axis (body x); positive tilt swings the beam toward
the body's top (+y), which for a hanging head at yaw 0 is the audience.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

#: Absolute (yaw, pitch, roll) of each named mounting: what Show Creator's dialog writes.
PRESETS: dict[str, tuple[float, float, float]] = {
    "hanging": (0.0, 90.0, 0.0),
    "standing": (0.0, -90.0, 0.0),
    "wall_left": (-90.0, 0.0, 0.0),
    "wall_right": (90.0, 0.0, 0.0),
    "wall_back": (0.0, 0.0, 0.0),
    "wall_front": (180.0, 0.0, 0.0),
}
#: Every mounting name the convention knows (``custom``: the angles say it all).
MOUNTINGS = (*PRESETS, "custom")

#: A fixture without an orientation rigged higher than this (metres) hangs, else stands.
HANG_HEIGHT = 1.0


class _Orientation(Protocol):
    @property
    def mounting(self) -> str: ...
    @property
    def yaw(self) -> float: ...
    @property
    def pitch(self) -> float: ...
    @property
    def roll(self) -> float: ...


def mounting_of(orientation: _Orientation | None, height: float | None = None) -> str:
    """The mounting a fixture counts as: a known name, or ``custom``.

    Without an orientation a fixture higher than ``HANG_HEIGHT`` hangs, else stands.
    """
    if orientation is None:
        return "hanging" if height is None or height > HANG_HEIGHT else "standing"
    name = str(orientation.mounting).strip().lower()
    return name if name in PRESETS else "custom"


def _finite(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return 0.0
    return x if math.isfinite(x) else 0.0


def resolved_angles(orientation: _Orientation | None, height: float | None = None) -> tuple[float, float, float]:
    """Absolute (yaw, pitch, roll) in degrees: a named mounting with (0, 0, 0) is its preset.

    No orientation at all is the hanging preset when the fixture is higher than
    ``HANG_HEIGHT`` (or its height is unknown), else standing.
    """
    mounting = mounting_of(orientation, height)
    if orientation is None:
        return PRESETS[mounting]
    angles = (_finite(orientation.yaw), _finite(orientation.pitch), _finite(orientation.roll))
    if angles == (0.0, 0.0, 0.0) and mounting in PRESETS:
        return PRESETS[mounting]
    return angles


def _rot(axis: int, deg: npt.ArrayLike) -> F64:
    """Standard right-hand rotation matrices about a numeric axis, (N, 3, 3)."""
    a = np.radians(np.asarray(deg, np.float64).reshape(-1))
    c, s = np.cos(a), np.sin(a)
    m = np.zeros((len(a), 3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m[:, axis, axis] = 1.0
    m[:, i, i] = c
    m[:, j, j] = c
    m[:, i, j] = -s
    m[:, j, i] = s
    return m


def axis_rotation(axis: int, deg: float) -> F64:
    """The right-hand rotation by ``deg`` degrees about coordinate axis ``axis`` (0 = x, 1 = y, 2 = z), (3, 3).

    Positive turns y toward z about x, z toward x about y and x toward y about z: for
    importers that rebuild another program's Euler angles before converting them with
    :func:`orientation_of_rotation`.
    """
    out: F64 = _rot(axis, deg)[0]
    return out


#: Body frame at rest (0, 0, 0) -> stage: beam (body z) to -y, top (body y) to +z.
_REST = _rot(0, 90.0)[0]


def base_rotations(yaw: npt.ArrayLike, pitch: npt.ArrayLike, roll: npt.ArrayLike) -> F64:
    """Body -> stage rotation of many fixtures, (N, 3, 3): yaw, then pitch, then roll (intrinsic)."""
    yaw_m = _rot(2, -np.asarray(yaw, np.float64))  # -90 takes -y to +x
    pitch_m = _rot(0, pitch)  # +90 takes -y to -z
    roll_m = _rot(1, roll)  # about the resting beam axis (y): +x goes down
    out: F64 = yaw_m @ pitch_m @ roll_m @ _REST
    return out


def base_rotation(yaw: float, pitch: float, roll: float) -> F64:
    """Body -> stage rotation (3, 3); ``base_rotation(...) @ (0, 0, 1)`` is the beam."""
    out: F64 = base_rotations([yaw], [pitch], [roll])[0]
    return out


def head_rotations(pan_deg: npt.ArrayLike, tilt_deg: npt.ArrayLike) -> F64:
    """A moving head's pan (about body z, like yaw) then tilt (about body x, toward body +y), (N, 3, 3)."""
    out: F64 = _rot(2, -np.asarray(pan_deg, np.float64)) @ _rot(0, -np.asarray(tilt_deg, np.float64))
    return out


def angles_of(fixtures: Sequence[Any]) -> F64:
    """Resolved (yaw, pitch, roll) of every fixture, (N, 3)."""
    out = np.zeros((len(fixtures), 3))
    for i, f in enumerate(fixtures):
        pos = getattr(f, "position", None)
        height = _finite(pos[2]) if pos is not None else None
        out[i] = resolved_angles(getattr(f, "orientation", None), height)
    return out


def aim_vectors(fixtures: Sequence[Any], pan_deg: npt.ArrayLike | None = None,
                tilt_deg: npt.ArrayLike | None = None) -> F64:
    """Unit beam directions in stage coordinates, (N, 3); optionally after pan/tilt."""
    ang = angles_of(fixtures)
    rot = base_rotations(ang[:, 0], ang[:, 1], ang[:, 2])
    if pan_deg is not None or tilt_deg is not None:
        n = len(fixtures)
        pan = np.zeros(n) if pan_deg is None else np.broadcast_to(np.asarray(pan_deg, np.float64), (n,))
        tilt = np.zeros(n) if tilt_deg is None else np.broadcast_to(np.asarray(tilt_deg, np.float64), (n,))
        rot = rot @ head_rotations(pan, tilt)
    out: F64 = rot[:, :, 2].copy()
    return out


#: cos(pitch) below which the beam counts as straight down or up (within 0.0001 degrees): roll is 0
#: and yaw carries it, so a preset read from a file rounded to six decimals is still its preset.
#: The rotation is then off by at most this much (about 0.0001 degrees).
LOCK = 1.5e-6


def angles_of_rotation(rotation: npt.ArrayLike) -> tuple[float, float, float]:
    """Absolute (yaw, pitch, roll) in degrees of a body -> stage rotation: ``base_rotation``'s inverse.

    ``base_rotation(*angles_of_rotation(r))`` is ``r`` for any proper rotation ``r`` (3, 3).
    Yaw and roll are in (-180, 180], pitch in [-90, 90].  With the beam straight up or
    down (pitch ±90) yaw and roll turn about the same axis: roll is 0 and yaw carries it.
    """
    q = np.asarray(rotation, np.float64).reshape(3, 3) @ _REST.T  # Rz(-yaw) · Rx(pitch) · Ry(roll)
    cos_pitch = math.hypot(q[2, 0], q[2, 2])  # row 2 is (-cos p sin r, sin p, cos p cos r)
    pitch = math.degrees(math.atan2(q[2, 1], cos_pitch))
    # Near straight down or up, yaw and roll turn about nearly the same axis and the entries
    # that tell them apart are of size cos(pitch): roll from them may be off (by the file's
    # rounding over cos(pitch)), so yaw is taken from what is left once that roll is undone,
    # Rz(-yaw) · Rx(pitch) = q · Ry(roll)ᵀ, whose first column (cos yaw, -sin yaw, 0) is exact:
    # the angles give back the rotation.  At the lock (:data:`LOCK`) roll is 0 and yaw carries it.
    roll = 0.0 if cos_pitch < LOCK else math.degrees(math.atan2(-q[2, 0], q[2, 2]))
    m = q @ _rot(1, roll)[0].T
    yaw = -math.degrees(math.atan2(m[1, 0], m[0, 0]))

    def tidy(deg: float) -> float:
        deg = round(deg, 6)  # what files hold; float noise must not hide a preset
        deg = (deg + 180.0) % 360.0 - 180.0
        return (180.0 if deg == -180.0 else deg) + 0.0

    return tidy(yaw), tidy(pitch), tidy(roll)


def orientation_of_rotation(rotation: npt.ArrayLike) -> dict[str, Any]:
    """An orientation (``mounting``, ``yaw``, ``pitch``, ``roll``) for a body -> stage rotation.

    For importers that know a fixture's full pose.  A preset's pose is written as
    Show Creator writes an untouched preset: its name with (0, 0, 0).  Any other pose
    gets absolute angles (:func:`angles_of_rotation`) and the mounting ``hanging`` or
    ``standing`` by whether the beam points below or above the horizon, else
    ``custom``; never a named mounting with (0, 0, 0) that is not its preset.
    """
    yaw, pitch, roll = angles_of_rotation(rotation)
    preset = next((name for name, angles in PRESETS.items() if angles == (yaw, pitch, roll)), None)
    if preset is not None:
        return {"mounting": preset, "yaw": 0.0, "pitch": 0.0, "roll": 0.0}
    beam_z = float((np.asarray(rotation, np.float64).reshape(3, 3) @ np.array([0.0, 0.0, 1.0]))[2])
    mounting = "hanging" if beam_z < -1e-9 else "standing" if beam_z > 1e-9 else "custom"
    return {"mounting": mounting, "yaw": yaw, "pitch": pitch, "roll": roll}
