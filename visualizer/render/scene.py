"""``StageScene``: the 3D view of a show's stage and rig (see the package docstring)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
from OpenGL import GL
from PyQt6 import QtCore, QtGui, QtWidgets

from shared.show.issues import one_line
from shared.show.model import ShowConfig
from visualizer.render import camera, motion, palette
from visualizer.render.geometry import (
    DEFAULT_BEAM_ANGLE,
    Rig,
    build_rig,
    grid_lines,
    house_floor,
    rigging_lines,
    shape_of,
    update_rig,
)
from visualizer.render.glitems import (
    PART_BEAM,
    PART_HEAD,
    PART_STATIC,
    PART_YOKE,
    BatchItem,
    BeamItem,
    PosedItem,
    PoseTextures,
)
from visualizer.render.glview import GLView
from visualizer.render.labels import Label, LabelsItem

log = logging.getLogger(__name__)

ColorLike = Sequence[float] | npt.NDArray[Any] | QtGui.QColor


def _rgba8(c: ColorLike) -> npt.NDArray[np.uint8]:
    if isinstance(c, QtGui.QColor):
        return np.array([c.red(), c.green(), c.blue(), c.alpha()], np.uint8)
    a = np.asarray(c, dtype=np.float64).reshape(-1)
    if a.size not in (3, 4):
        raise ValueError(f"colour {c!r} is not RGB or RGBA")
    if a.size == 3:
        a = np.append(a, 1.0)
    return (np.clip(np.nan_to_num(a), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def _rgba8_rows(arr: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    if arr.dtype == np.uint8:
        u8 = arr.copy()  # the caller may reuse its array for the next frame
    else:
        u8 = (np.clip(np.nan_to_num(arr.astype(np.float32, copy=False)), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    if u8.shape[1] == 3:
        u8 = np.concatenate([u8, np.full((len(u8), 1), 255, np.uint8)], axis=1)
    return u8


def _gather(rgba: npt.NDArray[np.uint8], owner: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
    """Per-vertex colours from per-fixture ones: one 32-bit gather instead of a row gather."""
    words = np.ascontiguousarray(rgba, dtype=np.uint8).view(np.uint32).reshape(-1)
    out: npt.NDArray[np.uint8] = np.take(words, owner).view(np.uint8).reshape(-1, 4)
    return out


class StageScene(GLView):
    """The stage floor, its grid and every fixture of a show, in a handful of GL items.

    Update it from the GUI thread only.  ``set_config`` (re)builds the batched
    geometry in place; ``set_fixture_colors`` only re-uploads lens and beam colours
    (call it every frame).  The camera is framed on the first configuration, by the
    presets, ``fit_to_stage`` and the Home/R keys; later configurations re-frame
    it (keeping its direction) when the stage size changes or the rig stops
    fitting the view, never in the middle of a drag; otherwise it stays where
    the user put it.

    Fixtures are identified by their index in ``config.fixtures`` (names may repeat).
    """

    #: Emitted when the user clicks (press and release without dragging): the index
    #: of the fixture under the pointer, or None for empty space.  The click also
    #: selects that fixture (or clears the selection).
    fixture_clicked = QtCore.pyqtSignal(object)
    #: Emitted when the user changes a multi-selection (Ctrl/Shift-click): the selected indices (tuple).
    fixtures_selected = QtCore.pyqtSignal(object)

    #: Name labels are drawn for every fixture only up to this many fixtures;
    #: bigger rigs label the selected fixture alone.
    LABEL_LIMIT = 200
    #: A click this close (pixels) to a fixture's centre picks it, also when its
    #: body looks smaller than that on screen.
    PICK_RADIUS = 14.0
    #: Pointer travel (pixels, Manhattan) between press and release still counted as a click.
    CLICK_SLOP = 4
    #: What fixture labels can show.
    LABEL_MODES = ("name", "patch", "number")
    #: Outline boxes drawn for a multi-selection (the most recently picked).
    OUTLINE_LIMIT = 500
    #: Groups listed in the legend.
    LEGEND_LIMIT = 16
    #: How far the stage deck's edge reaches below its top (metres), so it reads as a deck.
    DECK_LIP = 0.3
    #: The house floor (z = 0, around the deck) reaches this many times the stage's larger side
    #: beyond each edge (at least ``HOUSE_MIN_REACH`` m, at most ``HOUSE_MAX_REACH`` m), then fades
    #: out over as much again: pools of side and front light past the deck land on it.
    HOUSE_REACH = 1.0
    HOUSE_MIN_REACH = 10.0
    HOUSE_MAX_REACH = 100.0
    #: Beams: ``auto`` quality is ``full`` up to this many fixtures, else ``simple``.
    FULL_BEAMS_LIMIT = 500
    #: ... ``simple`` up to this many, and no beams above it (bench_render: software GL keeps
    #: about 30 fps with beams off at 5,000 fixtures, a few fps with any beams).
    SIMPLE_BEAMS_LIMIT = 1500
    #: The look of beams (``motion.beam_light``, tuned on the festival rig's screenshots): the
    #: brightness of a beam seen side-on, ``BEAM_GAIN × x / (1 + BEAM_KNEE × x)`` with x = 2
    #: through its axis (it fades to nothing at its end, and seen down its length it is at most
    #: 1 / knee times brighter); beyond ``BEAM_SPREAD`` metres of radius the same light spread
    #: wider is dimmer (a blinder aimed at the audience does not fill the picture); a floor
    #: pool's centre.
    BEAM_GAIN = 0.35
    BEAM_KNEE = 0.3
    BEAM_SPREAD = 1.0
    POOL_GAIN = 0.45
    #: Most pixels of the light layer (beams, pools) at each quality, whatever the window's size.
    #: The beams' cost is fill; their light is soft and analytic, so it upsamples well: the festival
    #: rig at 1600x1000 looks the same at 184k, 92k and 64k pixels (1:1 crops), and at 48k thin
    #: beams are only a little softer than at 64k (3x crops, no stair-steps), for a quarter less fill.
    FULL_LIGHT_PIXELS = 48_000
    SIMPLE_LIGHT_PIXELS = 32_000
    #: The view's smallest size (its container's minimum), logical pixels.
    MIN_SIZE = (160, 120)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackgroundColor(palette.BACKGROUND)
        self.container.setMinimumSize(*self.MIN_SIZE)
        self._config: ShowConfig | None = None
        self._rig: Rig | None = None
        self._selected: int | None = None
        self._selection: tuple[int, ...] = ()
        self._hover: int | None = None
        self._hits = np.zeros(0, np.int64)
        self._legend_visible = True
        self._labels_visible = False
        self._label_mode = "name"
        self._beams_visible = True
        self._beams_stale = False
        #: The axes gizmo's labels, each with its axis (0 x, 1 y, 2 z).
        self._gizmo_labels: list[tuple[int, Label]] = []
        #: The stage captions, each with what it names ("downstage", "upstage", "right", "left").
        self._captions: list[tuple[str, Label]] = []
        self._lens_rgba = np.zeros((0, 4), np.uint8)
        self._beam_rgba = np.zeros((0, 4), np.uint8)
        self._press: QtCore.QPointF | None = None
        self._auto_framed = True
        self._dragged = False
        self._reframe_pending = False
        self._gizmo = np.zeros((0, 3))
        self._beam_quality = "auto"
        self._statics: motion.Statics | None = None
        self._shapes: list[str] = []
        self._pan = np.zeros(0, np.float32)  # degrees, as drawn
        self._tilt = np.zeros(0, np.float32)
        self._pan_target = np.zeros(0, np.float32)
        self._tilt_target = np.zeros(0, np.float32)
        self._beam_deg = np.zeros(0, np.float32)
        self._motion = np.zeros((0, 4), np.float32)
        self._lens_cell_slot = np.zeros(0, np.int64)
        self._cell_key: tuple[int, bytes] | None = None
        self._lens_index = np.zeros(0, np.int64)
        self._cell_rgba = np.zeros((0, 4), np.uint8)
        self._realistic = False
        self._beam_owner = np.zeros(0, np.int32)
        self._light_on = np.zeros(0, bool)
        self._moved_at = 0  # frame count when heads last moved
        self._move_clock = QtCore.QElapsedTimer()
        self._move_timer = QtCore.QTimer(self)
        self._move_timer.setInterval(16)
        self._move_timer.timeout.connect(self._step_movement)

        #: The house floor around the deck, pushed back in depth so that lines at z = 0 on it
        #: (the axes gizmo) are not lost to it.
        self.house = BatchItem(GL.GL_TRIANGLES, polygon_offset=(1.0, 1.0), depth_value=-31)
        self.floor = BatchItem(GL.GL_TRIANGLES, depth_value=-30)
        self.grid_minor = BatchItem(GL.GL_LINES, depth_test=False, depth_value=-29)
        self.grid_major = BatchItem(GL.GL_LINES, depth_test=False, depth_value=-28)
        self.outline = BatchItem(GL.GL_LINES, depth_test=False, line_width=2.0, depth_value=-27)
        self.axes = BatchItem(GL.GL_LINES, line_width=3.0, depth_value=-26)
        self.rigging = BatchItem(GL.GL_LINES, line_width=3.0, depth_value=-25)
        #: Dimension lines with metre ticks (stage width, depth, rig height), on the plans.
        self.dimensions = BatchItem(GL.GL_LINES, depth_test=False, line_width=1.0, depth_value=-24)
        self._pose = PoseTextures()
        # Bodies of fixtures that never move stay in the frame cache; moving heads'
        # bodies (and every aim stub, a few lines) are drawn each frame.
        self.bodies = PosedItem(GL.GL_TRIANGLES, self._pose, lit=True, cull=True, depth_value=0)
        self.head_bodies = PosedItem(GL.GL_TRIANGLES, self._pose, lit=True, cull=True,
                                     depth_value=0.1)
        self.aims = PosedItem(GL.GL_LINES, self._pose, blend="alpha", line_width=2.0, depth_value=0.5)
        self.head_aims = PosedItem(GL.GL_LINES, self._pose, blend="alpha", line_width=2.0, depth_value=0.5)
        self.lenses = PosedItem(GL.GL_TRIANGLES, self._pose, polygon_offset=(-1.0, -2.0), cull=True,
                                depth_value=1)
        #: Beams and their floor pools: one quad per beam, lit per pixel (``glitems.BeamItem``).
        self.beams = BeamItem(self._pose, depth_value=10)
        self.highlight = BatchItem(GL.GL_LINES, depth_test=False, blend="alpha", line_width=2.0,
                                   depth_value=20)
        self.marker = BatchItem(GL.GL_POINTS, depth_test=False, blend="alpha", point_size=34.0, ring=True,
                                depth_value=21)
        #: Search hits: an amber ring on each.
        self.hits = BatchItem(GL.GL_POINTS, depth_test=False, blend="alpha", point_size=26.0, ring=True,
                              depth_value=22)
        self.labels = LabelsItem(depth_value=100)
        self._static_items: list[BatchItem] = [self.house, self.floor, self.grid_minor, self.grid_major, self.outline,
                                                self.axes, self.rigging, self.dimensions, self.bodies, self.aims]
        self._dimension_labels: list[Label] = []
        self._rulers: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = []
        self._ruler_rows: list[tuple[int, int]] = []  # each ruler's rows of dimension-line points
        self._ruler_points = np.zeros((0, 3), np.float32)
        self._rulers_shown: tuple[bool, ...] | None = None
        for item in (*self._static_items, self.head_bodies, self.head_aims, self.lenses, self.beams,
                     self.highlight, self.marker, self.hits, self.labels):
            self.addItem(item)
        self.set_camera_preset("perspective")

    def static_items(self) -> Sequence[Any]:
        # Moving heads' bodies and aims join the cached frame once they have been still for a few frames.
        if self.frames_rendered - self._moved_at > 2:
            return [*self._static_items, self.head_bodies, self.head_aims]
        return self._static_items

    def _scene_extent(self) -> float:
        """How deep the far clipping plane must reach beyond the camera distance."""
        pts = self._frame_points()
        if len(pts) == 0:
            return 100.0
        return float(np.linalg.norm(pts.max(axis=0) - pts.min(axis=0))) * 2 + 10.0

    # ------------------------------------------------------------------ configuration

    def config(self) -> ShowConfig | None:
        return self._config

    @property
    def rig(self) -> Rig | None:
        """The batched geometry of the current configuration (read-only use)."""
        return self._rig

    def index_of(self, name: str) -> int | None:
        """The first fixture called ``name``, or None."""
        return None if self._rig is None else self._rig.first_index(name)

    def set_config(self, config: ShowConfig) -> None:
        """Show ``config``: the first one frames the camera, later ones update in place.

        A few moved fixtures or new group colours rewrite only what changed
        (see ``_update_config``); other changes rebuild the batched geometry.
        A new stage size, a rig that no longer fits a view it used to fit, or a legend of
        another size in a view still framed automatically re-frames from the current
        direction (after the drag, if one is going on).
        """
        self._check_thread()
        if self._config is not None and config == self._config:
            return
        old = self._config
        fitted = old is not None and (self._auto_framed or self._fits_view())
        legend = self.labels.legend_rect()
        t0 = time.perf_counter()
        if not self._update_config(config):
            self._rebuild(config)
        if old is None:
            self.fit_to_stage()
        else:
            resized = (config.stage.width, config.stage.height) != (old.stage.width, old.stage.height)
            # a legend of another size (groups came or went) frames the view the camera has not left anew
            legend_changed = self._auto_framed and self.labels.legend_rect() != legend
            if resized or legend_changed or (fitted and not self._fits_view()):
                self._reframe()
        log.debug("scene: %d fixtures in %.1f ms", len(config.fixtures), (time.perf_counter() - t0) * 1000)

    def _rebuild(self, config: ShowConfig) -> None:
        old_rig = self._rig
        old_config = self._config
        rig = build_rig(config)
        self._config = config
        self._rig = rig
        self._carry_colors(old_rig, rig, old_config)

        same = old_rig is not None and old_rig.names == rig.names
        if not same:
            self._selection = tuple(i for i in self._selection if i < len(rig) and old_rig is not None
                                    and i < len(old_rig) and old_rig.names[i] == rig.names[i])
            if self._selected not in self._selection:
                self._selected = None
            self._hits = np.zeros(0, np.int64)
            self._hover = None
        self._update_legend(config)
        self._build_stage(config)
        self._extent = self._scene_extent()
        pipes = rigging_lines(rig.positions, rig.hanging)
        self.rigging.set_geometry(pipes, colors=np.tile(palette.RIGGING, (len(pipes), 1)))
        self._shapes = [shape_of(f.fixture_type) for f in config.fixtures]
        heads = self._heads()
        tri = rig.bodies.indices.reshape(-1, 3)
        moving = heads[rig.bodies.owner[tri[:, 0]]] if len(tri) else np.zeros(0, bool)
        colors = self._body_colors()
        self.bodies.set_geometry(rig.bodies.positions, tri[~moving].reshape(-1), normals=rig.bodies.normals,
                                 colors=colors)
        self.head_bodies.set_geometry(rig.bodies.positions, tri[moving].reshape(-1), normals=rig.bodies.normals,
                                      colors=colors)
        self._carry_motion(old_rig, rig)
        self._build_statics(config)
        pose = self._vertex_pose(rig.bodies.owner, body=True)
        self.bodies.set_pose(pose)
        self.head_bodies.set_pose(pose)
        self._build_aims()
        self.lenses.set_geometry(rig.lenses.positions, rig.lenses.indices)
        self.lenses.set_pose(self._vertex_pose(rig.lenses.owner, body=False))
        self._lens_cell_slot = self._cell_slots()
        self._cell_key = None
        self._build_beams()
        self._upload_emission()
        self._update_selection()

    def _update_config(self, config: ShowConfig) -> bool:
        """Apply ``config`` by rewriting only the fixtures that changed, if ``update_rig`` can.

        Same fixtures in the same order with the same body templates: emitted
        colours, selection and buffers stay; the moved fixtures' vertex rows are
        re-uploaded, and body colours if group colours changed.
        """
        old, rig = self._config, self._rig
        if old is None or rig is None:
            return False
        result = update_rig(rig, old, config)
        if result is None:
            return False
        new, change = result
        self._config = config
        self._rig = new
        if config.stage != old.stage:
            self._build_stage(config)
        if len(change.moved):
            self._extent = self._scene_extent()
            if not (np.array_equal(new.positions, rig.positions) and np.array_equal(new.hanging, rig.hanging)):
                pipes = rigging_lines(new.positions, new.hanging)
                self.rigging.set_geometry(pipes, colors=np.tile(palette.RIGGING, (len(pipes), 1)))
            self.bodies.update_vertices(change.bodies, new.bodies.positions, new.bodies.normals)
            self.head_bodies.update_vertices(change.bodies, new.bodies.positions, new.bodies.normals)
            self.lenses.update_vertices(change.lenses, new.lenses.positions)
            self._build_statics(config, change.moved)
            self._build_aims()
            self._update_hits()
        elif config.stage != old.stage:
            self._extent = self._scene_extent()
        if change.recoloured:
            self._set_body_colors()
        if config.groups != old.groups:
            self._update_legend(config)
        self._update_selection()
        return True

    def _carry_colors(self, old: Rig | None, new: Rig, old_config: ShowConfig | None) -> None:
        """Keep the emitted colour of fixtures that survive a configuration change (same name, k-th of it)."""
        n = len(new)
        lens = np.empty((n, 4), np.uint8)
        lens[:] = palette.LENS_IDLE
        beam = np.zeros((n, 4), np.uint8)
        if old is not None and len(old) and n:
            before: dict[tuple[str, int], int] = {}
            seen: dict[str, int] = {}
            for j, name in enumerate(old.names):
                k = seen.get(name, 0)
                seen[name] = k + 1
                before[(name, k)] = j
            seen.clear()
            new_idx: list[int] = []
            old_idx: list[int] = []
            for i, name in enumerate(new.names):
                k = seen.get(name, 0)
                seen[name] = k + 1
                was = before.get((name, k))
                if was is not None:
                    new_idx.append(i)
                    old_idx.append(was)
            if new_idx:
                lens[new_idx] = self._lens_rgba[old_idx]
                beam[new_idx] = self._beam_rgba[old_idx]
        self._lens_rgba, self._beam_rgba = lens, beam

    def _build_aims(self) -> None:
        """A short stub from each lens along its beam, so the aim reads without any light."""
        rig = self._rig
        assert rig is not None
        n = len(rig)
        if n == 0:
            self.aims.set_geometry(np.zeros((0, 3), np.float32))
            self.head_aims.set_geometry(np.zeros((0, 3), np.float32))
            return
        beam = rig.rotations[:, :, 2]
        start = rig.positions + beam * (rig.sizes[:, 2:3] + 0.01)
        length = np.clip(rig.radii * 1.6, 0.25, 0.9)[:, None]
        ends = np.stack([start, start + beam * length], axis=1).reshape(-1, 3).astype(np.float32)
        colors = np.tile(np.array([palette.AIM, palette.AIM_END], np.uint8), (n, 1))
        pose = self._vertex_pose(np.repeat(np.arange(n, dtype=np.int32), 2), body=False)
        # one vertex buffer each; the heads' stubs move every frame, the others stay in the frame cache
        lines = np.arange(2 * n, dtype=np.uint32).reshape(n, 2)
        heads = self._heads()
        for item, rows in ((self.aims, lines[~heads]), (self.head_aims, lines[heads])):
            item.set_geometry(ends, rows.reshape(-1), colors=colors)
            item.set_pose(pose)

    # ------------------------------------------------------------------ pose and beams

    def _heads(self) -> npt.NDArray[np.bool_]:
        return np.array([s == "head" for s in self._shapes], bool).reshape(len(self._shapes))

    def _vertex_pose(self, owner: npt.NDArray[np.int32], body: bool) -> npt.NDArray[np.float32]:
        """(fixture, part) of every vertex: a head's yoke pans, its head (and lens, aim) pans and tilts."""
        rig = self._rig
        assert rig is not None
        pose = np.zeros((len(owner), 2), np.float32)
        pose[:, 0] = owner
        heads = self._heads()
        if not len(owner) or not heads.any():
            return pose
        on_head = heads[owner]
        if not body:
            pose[on_head, 1] = PART_HEAD
            return pose
        first = np.zeros(len(rig), np.int64)
        starts = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))
        first[owner[starts]] = starts
        local = np.arange(len(owner)) - first[owner]
        if rig.head_detail == "full":
            part = np.where(local < 24, PART_STATIC, np.where(local < 72, PART_YOKE, PART_HEAD))  # base, yoke, head
        else:  # a lite head has no yoke arms: base, head
            part = np.where(local < 24, PART_STATIC, PART_HEAD)
        pose[on_head, 1] = part[on_head]
        return pose

    def _build_statics(self, config: ShowConfig, rows: npt.NDArray[np.intp] | None = None) -> None:
        """The static pose texture; ``rows``: only these fixtures changed (their pan/tilt ranges too)."""
        rig = self._rig
        assert rig is not None

        def ranges(fixtures: Sequence[Any], attr: str, default: float) -> npt.NDArray[np.float32]:
            vals = [getattr(f, attr) for f in fixtures]
            out = np.array([v if v is not None and math.isfinite(v) and v > 0 else default for v in vals],
                           np.float32)
            return out.reshape(len(vals))

        n = len(rig)
        if rows is None or self._statics is None or len(self._statics.position) != n:
            pan = ranges(config.fixtures, "pan_max", motion.DEFAULT_PAN_RANGE)
            tilt = ranges(config.fixtures, "tilt_max", motion.DEFAULT_TILT_RANGE)
        else:
            pan, tilt = self._statics.pan_range.copy(), self._statics.tilt_range.copy()
            changed = [config.fixtures[int(i)] for i in rows]
            pan[rows] = ranges(changed, "pan_max", motion.DEFAULT_PAN_RANGE)
            tilt[rows] = ranges(changed, "tilt_max", motion.DEFAULT_TILT_RANGE)
        self._statics = motion.statics(rig, self._shapes, pan, tilt)
        self._pose.set_static(self._statics.texels())
        self.bodies.version += 1

    def _carry_motion(self, old: Rig | None, new: Rig) -> None:
        n = len(new)
        cfg = self._config
        beam = np.full(n, DEFAULT_BEAM_ANGLE, np.float32)
        if cfg is not None:
            for i, f in enumerate(cfg.fixtures):
                if f.beam_angle is not None and math.isfinite(f.beam_angle) and f.beam_angle > 0:
                    beam[i] = f.beam_angle
        keep = old is not None and len(old) == n and old.names == new.names
        if not keep:
            self._pan = np.zeros(n, np.float32)
            self._tilt = np.zeros(n, np.float32)
            self._pan_target = np.zeros(n, np.float32)
            self._tilt_target = np.zeros(n, np.float32)
        self._beam_deg = beam
        self._motion = np.zeros((n, 4), np.float32)

    def light_active(self) -> bool:
        return bool(self._light_on.any()) if len(self._light_on) else False

    def lit_beams(self) -> motion.LitBeams | None:
        """Every beam the shader draws now (lit, not a bar, some of it above the floor), as it draws it."""
        s = self._statics
        on = self._light_on
        if s is None or len(on) != len(s.position) or len(self._motion) != len(on):
            return None
        bars = np.array([shape == "bar" for shape in self._shapes], bool).reshape(len(on))
        idx = np.flatnonzero(on & ~bars)
        return motion.lit_beams(s, idx, self._pan[idx], self._tilt[idx], self._motion[idx, 2])

    def beam_quality(self) -> str:
        """``off``, ``simple`` (plain cones) or ``full`` (soft cones and floor pools)."""
        return self._effective_quality()

    def _effective_quality(self) -> str:
        if self._beam_quality != "auto":
            return self._beam_quality
        n = 0 if self._rig is None else len(self._rig)
        if n <= self.FULL_BEAMS_LIMIT:
            return "full"
        return "simple" if n <= self.SIMPLE_BEAMS_LIMIT else "off"

    def set_beam_quality(self, quality: str) -> None:
        """Beams ``off``, ``simple`` or ``full``; ``auto`` picks by rig size (see ``SIMPLE_BEAMS_LIMIT``)."""
        if quality not in ("off", "simple", "full", "auto"):
            raise ValueError(f"beam quality {quality!r} is not off, simple, full or auto")
        self._beam_quality = quality
        if self._rig is not None:
            self._build_beams()
            self._beams_stale = True
            self._upload_emission()
        self._show_beams()

    def _show_beams(self) -> None:
        q = self._effective_quality()
        self.beams.setVisible(self._beams_visible and q != "off")
        self.beams.soft = q == "full"
        self.beams.gain = self.BEAM_GAIN
        self.beams.knee = self.BEAM_KNEE
        self.beams.spread = self.BEAM_SPREAD
        self.beams.pool = self.POOL_GAIN if q == "full" else 0.0
        self.light_scale = 0.5 if q == "full" else 0.25
        # 1600x1000: full at 0.2, simple at 0.14 of the resolution; small windows keep the scale above
        self.light_budget = self.FULL_LIGHT_PIXELS if q == "full" else self.SIMPLE_LIGHT_PIXELS

    def _build_beams(self) -> None:
        """A quad for every fixture with a beam (bars have none): corners the shader fits around the cone."""
        rig = self._rig
        assert rig is not None
        has = np.flatnonzero(np.array([s != "bar" for s in self._shapes], bool).reshape(len(rig)))
        m = len(has)
        corners = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], np.float32)
        owner = np.repeat(has.astype(np.int32), 4)
        pose = np.zeros((len(owner), 2), np.float32)
        pose[:, 0] = owner
        pose[:, 1] = PART_BEAM
        self._beam_owner = owner
        quad = (np.array([0, 1, 2, 0, 2, 3])[None, :] + 4 * np.arange(m)[:, None]).reshape(-1).astype(np.uint32)
        self.beams.set_geometry(np.tile(corners, (m, 1)), quad)
        self.beams.set_pose(pose)
        self._show_beams()

    def _build_stage(self, config: ShowConfig) -> None:
        w = max(float(config.stage.width), 0.1) if math.isfinite(config.stage.width) else 10.0
        d = max(float(config.stage.height), 0.1) if math.isfinite(config.stage.height) else 8.0
        hx, hy = w / 2, d / 2
        # The deck: its top at z = 0 and a lip down its downstage edge and sides.
        lip = -self.DECK_LIP
        floor = np.array([[-hx, -hy, 0], [hx, -hy, 0], [hx, hy, 0], [-hx, hy, 0],
                          [-hx, -hy, lip], [hx, -hy, lip], [hx, hy, lip], [-hx, hy, lip]], np.float32)
        quads = [(0, 1, 2, 3), (4, 5, 1, 0), (5, 6, 2, 1), (7, 4, 0, 3)]
        tri = np.array([[q[0], q[1], q[2], q[0], q[2], q[3]] for q in quads], np.uint32).reshape(-1)
        colors = np.tile(palette.FLOOR, (8, 1))
        colors[4:] = palette.DECK_LIP
        self.floor.set_geometry(floor, tri, colors=colors)
        reach = self.house_reach(w, d)
        house, house_tri, solid = house_floor(w, d, reach, reach)
        house_colors = np.tile(np.array([*palette.BACKGROUND_RGB, 255], np.uint8), (len(house), 1))
        house_colors[solid] = palette.HOUSE_FLOOR
        self.house.set_geometry(house, house_tri, colors=house_colors)
        minor, major = grid_lines(w, d, float(config.stage.grid_size))
        self.grid_minor.set_geometry(minor, colors=np.tile(palette.GRID_MINOR, (len(minor), 1)))
        self.grid_major.set_geometry(major, colors=np.tile(palette.GRID_MAJOR, (len(major), 1)))
        edge = np.array([[-hx, -hy, 0], [hx, -hy, 0],  # front (audience) edge first
                         [hx, -hy, 0], [hx, hy, 0], [hx, hy, 0], [-hx, hy, 0], [-hx, hy, 0], [-hx, -hy, 0]],
                        np.float32)
        edge_colors = np.tile(palette.EDGE, (8, 1))
        edge_colors[:2] = palette.FRONT_EDGE
        self.outline.set_geometry(edge, colors=edge_colors)
        # The gizmo sits off the downstage stage-left corner (-x, -y): +x (stage right)
        # runs along the audience edge, +y upstage, z up.
        length = float(np.clip(0.12 * min(w, d), 0.5, 3.0))
        o = np.array([-hx - 0.1 * length - 0.2, -hy - 0.1 * length - 0.2, 0.0], np.float32)
        ex, ey, ez = np.eye(3, dtype=np.float32) * length
        axes = np.array([o, o + ex, o, o + ey, o, o + ez], np.float32)
        axis_colors = np.repeat(np.array([palette.AXIS_X, palette.AXIS_Y, palette.AXIS_Z], np.uint8), 2, axis=0)
        self.axes.set_geometry(axes, colors=axis_colors)

        def tip(k: int, axis: npt.NDArray[np.float32]) -> tuple[float, float, float]:
            x, y, z = (float(v) for v in axes[k] + 0.08 * axis)
            return x, y, z

        side = QtGui.QColor(*palette.FRONT_TEXT[:3])
        margin = 0.35 + 0.1 * length
        self._gizmo_labels = [
            (0, Label(tip(1, ex), "+x stage right", QtGui.QColor(*palette.AXIS_X[:3]), True, always=True,
                      priority=3)),
            (1, Label(tip(3, ey), "+y upstage", QtGui.QColor(*palette.AXIS_Y[:3]), True, always=True, priority=3)),
            (2, Label(tip(5, ez), "z up", QtGui.QColor(*palette.AXIS_Z[:3]), True, always=True, priority=3)),
        ]
        self._captions = [
            ("downstage", Label((0.0, -hy - margin, 0.0), f"DOWNSTAGE · audience · stage {_metres(w)} × {_metres(d)}",
                                QtGui.QColor(*palette.FRONT_TEXT[:3]), always=True, priority=1)),
            ("upstage", Label((0.0, hy + margin, 0.0), "UPSTAGE", side)),
            # on the deck by the downstage corners (the gizmo is outside the stage-left one)
            ("right", Label((hx - min(1.0, hx / 3), -hy + min(0.4, hy / 3), 0.0), "STAGE RIGHT", side)),
            ("left", Label((-hx + min(1.0, hx / 3), -hy + min(0.4, hy / 3), 0.0), "STAGE LEFT", side)),
        ]
        self._gizmo = axes[[0, 1, 3, 5]].astype(np.float64)
        self._build_dimensions(w, d)

    @classmethod
    def house_reach(cls, width: float, depth: float) -> float:
        """How far (metres) the house floor's solid part reaches beyond the deck's edges."""
        return float(np.clip(cls.HOUSE_REACH * max(width, depth), cls.HOUSE_MIN_REACH, cls.HOUSE_MAX_REACH))

    def _build_dimensions(self, w: float, d: float) -> None:
        """Dimension lines for the plans: stage width (downstage), depth (stage left side), rig height.

        World-space lines with a tick every metre (every 5 or 10 on big stages), so
        they keep the plan's scale; labelled with their lengths.
        """
        hx, hy = w / 2, d / 2
        off = 0.25 + 0.04 * max(w, d)
        top = 0.0
        if self._rig is not None and len(self._rig):
            top = float(max(self._rig.bounds[1][2], 0.0))
        height = max(math.ceil(top), 1)
        step = 1.0 if max(w, d, height) <= 40 else 5.0 if max(w, d, height) <= 200 else 10.0
        tick = 0.12 + 0.01 * max(w, d)
        lines: list[list[float]] = []
        labels: list[Label] = []
        ends: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = []
        colour = QtGui.QColor(*palette.DIMENSION[:3])

        rows: list[tuple[int, int]] = []

        def ruler(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], across: npt.NDArray[np.float64],
                  text: str) -> None:
            first = len(lines)
            length = float(np.linalg.norm(b - a))
            axis = (b - a) / max(length, 1e-9)
            lines.extend([list(a), list(b)])
            k = 0.0
            while k <= length + 1e-6:
                p = a + axis * k
                big = abs(k / step / 5 - round(k / step / 5)) < 1e-6
                lines.extend([list(p - across * tick * (1.5 if big else 1.0)), list(p + across * tick * 0.4)])
                k += step
            lines.extend([list(b - across * tick * 1.5), list(b + across * tick * 0.4)])
            mid = (a + b) / 2 - across * tick * 3
            labels.append(Label((float(mid[0]), float(mid[1]), float(mid[2])), text, colour, always=True,
                                priority=2))
            ends.append((a, b))
            rows.append((first, len(lines)))

        # Each ruler is set off the stage in two directions, so that it stands clear
        # of the stage in both plans it can be read in (below the floor in elevations).
        e = np.eye(3)
        ruler(np.array([hx, -hy - off, -off]), np.array([-hx, -hy - off, -off]), (e[1] + e[2]) / math.sqrt(2),
              f"width {_metres(w)}")
        ruler(np.array([-hx - off, -hy, -off]), np.array([-hx - off, hy, -off]), (e[2] - e[0]) / math.sqrt(2),
              f"depth {_metres(d)}")
        ruler(np.array([hx + off, -hy - off, 0.0]), np.array([hx + off, -hy - off, float(height)]),
              (e[0] + e[1]) / math.sqrt(2), f"height {_metres(float(height))}")
        self._rulers = ends
        self._ruler_rows = rows
        self._ruler_points = np.array(lines, np.float32).reshape(-1, 3)
        self._rulers_shown = None
        self._dimension_labels = labels
        self._show_dimensions()

    def _rulers_seen(self) -> list[bool]:
        """Which rulers the plan shows: not those seen end-on (their ticks would be a stray stroke)."""
        if not self._rulers:
            return []
        ends = np.array([p for pair in self._rulers for p in pair])
        xy, _ = camera.project(ends, self.view_projection(), self.width(), self.height())
        return [bool(px > 30) for px in np.hypot(*(xy[0::2] - xy[1::2]).T)]

    def _show_dimensions(self) -> None:
        ortho = self.is_orthographic()
        self.dimensions.setVisible(ortho)
        if ortho and self._rulers:
            seen = tuple(self._rulers_seen())
            if seen != self._rulers_shown:
                self._rulers_shown = seen
                index = [np.arange(a, b, dtype=np.uint32)
                         for (a, b), shown in zip(self._ruler_rows, seen, strict=True) if shown]
                pts = self._ruler_points
                self.dimensions.set_geometry(pts, np.concatenate(index) if index else np.zeros(0, np.uint32),
                                             colors=np.tile(palette.DIMENSION, (len(pts), 1)))
        self._update_labels()

    # ------------------------------------------------------------------ colours

    def set_fixture_colors(
        self, colors: npt.ArrayLike | Mapping[str | int, ColorLike]
    ) -> None:
        """Emitted colour per fixture: lenses and beams show it, bodies keep their group colour.

        ``colors`` is an (N, 3) or (N, 4) array in configuration order, floats in
        0..1 (or uint8 0..255), or a mapping of fixture index (or name: every
        fixture of that name) to RGB(A) floats or QColor for a partial update
        (unknown keys are ignored).  Alpha scales the beam's opacity.  Cheap
        enough to call every frame: two fancy-index gathers and two colour-buffer
        uploads.
        """
        self._check_thread()
        rig = self._rig
        if rig is None:
            return
        if isinstance(colors, Mapping):
            for key, c in colors.items():
                if isinstance(key, str):
                    rows = [i for i, name in enumerate(rig.names) if name == key]
                else:
                    rows = [int(key)] if 0 <= int(key) < len(rig) else []
                for i in rows:
                    self._lens_rgba[i] = self._beam_rgba[i] = _rgba8(c)
                    self._lens_rgba[i, 3] = 255
        else:
            arr = np.asarray(colors)
            if arr.ndim != 2 or arr.shape[0] != len(rig) or arr.shape[1] not in (3, 4):
                raise ValueError(f"colors must be ({len(rig)}, 3|4) for this rig, got {arr.shape}")
            u8 = _rgba8_rows(arr)
            self._beam_rgba = u8
            self._lens_rgba = u8.copy()
            # a lens is opaque glass: its alpha is what covers the light behind it (GLView._present)
            self._lens_rgba[:, 3] = 255
        self._upload_emission()

    def set_look(self, look: Any) -> None:
        """Live state of every fixture (a ``visualizer.light.look.Look``): colours, pan/tilt, beams, cells.

        ``look.color`` is the emitted colour already × intensity (dark: no beam);
        ``live`` fixtures light their lenses, others keep idle glass and no beam;
        ``pan_deg``/``tilt_deg`` turn moving heads (signed, 0 = centre) on the GPU;
        ``beam_deg`` opens each cone; ``cell_color``/``cell_owner`` light pixel-bar
        cells one by one.  Per frame this costs a few vectorised gathers and three
        small uploads; no geometry is rebuilt.
        """
        self._check_thread()
        rig = self._rig
        if rig is None:
            return
        n = len(rig)
        color = np.asarray(look.color, np.float32)
        if color.shape != (n, 3):
            # a look for the previous configuration, still on its way: skip it
            log.debug("scene: look for %d fixtures ignored, the rig has %d", len(color), n)
            return
        live = np.asarray(look.live, bool).reshape(n)
        rgba = _rgba8_rows(color)
        rgba[~live] = (0, 0, 0, 0)
        lens = rgba.copy()
        lens[~live] = palette.LENS_IDLE
        self._lens_rgba, self._beam_rgba = lens, rgba
        self._pan_target = np.asarray(look.pan_deg, np.float32).reshape(n).copy()
        self._tilt_target = np.asarray(look.tilt_deg, np.float32).reshape(n).copy()
        beam = np.asarray(look.beam_deg, np.float32).reshape(n)
        self._beam_deg = np.where(np.isfinite(beam) & (beam > 0), beam, self._beam_deg).astype(np.float32)
        cells = np.asarray(look.cell_color, np.float32).reshape(-1, 3)
        owner = np.asarray(look.cell_owner, np.int32).reshape(-1)
        self._set_cells(cells, owner, live)
        if self._realistic:
            if not self._move_timer.isActive():
                self._move_clock.start()
                self._move_timer.start()
        else:
            self._pan, self._tilt = self._pan_target, self._tilt_target
        self._upload_emission()

    def _set_cells(self, cells: npt.NDArray[np.float32], owner: npt.NDArray[np.int32],
                   live: npt.NDArray[np.bool_]) -> None:
        rig = self._rig
        assert rig is not None
        n = len(rig)
        key = (n, owner.tobytes())
        if key != self._cell_key:
            counts = np.bincount(owner[(owner >= 0) & (owner < n)], minlength=n)
            start = np.cumsum(counts) - counts
            vowner = rig.lenses.owner
            slot = self._lens_cell_slot
            ok = (slot >= 0) & (slot < counts[vowner])
            self._lens_index = np.where(ok, n + start[vowner] + slot, vowner).astype(np.int64)
            self._cell_key = key
        u8 = _rgba8_rows(cells) if len(cells) else np.zeros((0, 4), np.uint8)
        if len(u8) and len(owner) == len(u8):
            dark = ~live[np.clip(owner, 0, max(n - 1, 0))]
            u8[dark] = palette.LENS_IDLE
        self._cell_rgba = u8

    def _cell_slots(self) -> npt.NDArray[np.int64]:
        """Which cell of its fixture each lens vertex belongs to (bars: 4 vertices a cell), -1 elsewhere."""
        rig = self._rig
        assert rig is not None
        owner = rig.lenses.owner
        if not len(owner):
            return np.zeros(0, np.int64)
        first = np.zeros(len(rig), np.int64)
        starts = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))
        first[owner[starts]] = starts
        local = (np.arange(len(owner)) - first[owner]) // 4
        bars = np.array([s == "bar" for s in self._shapes], bool).reshape(len(rig))
        out: npt.NDArray[np.int64] = np.where(bars[owner], local, -1)
        return out

    def set_realistic_movement(self, on: bool) -> None:
        """Heads take about ``motion.FULL_TRAVEL_SECONDS`` for their full travel (on in the window;
        off for screenshots and tests, which then see the target position at once)."""
        self._realistic = bool(on)
        if not on:
            self._move_timer.stop()
            self._pan, self._tilt = self._pan_target, self._tilt_target
            if self._rig is not None:
                self._upload_emission()

    def _step_movement(self) -> None:
        s = self._statics
        if s is None or len(self._pan) != len(self._pan_target):
            self._move_timer.stop()
            return
        dt = min(self._move_clock.restart() / 1000.0, 0.1)
        step_pan = s.pan_range / motion.FULL_TRAVEL_SECONDS * dt
        step_tilt = s.tilt_range / motion.FULL_TRAVEL_SECONDS * dt
        self._pan = (self._pan + np.clip(self._pan_target - self._pan, -step_pan, step_pan)).astype(np.float32)
        self._tilt = (self._tilt + np.clip(self._tilt_target - self._tilt, -step_tilt, step_tilt)).astype(
            np.float32)
        if np.array_equal(self._pan, self._pan_target) and np.array_equal(self._tilt, self._tilt_target):
            self._move_timer.stop()
        self._upload_emission()

    def _upload_emission(self) -> None:
        """Lens, beam and pool colours and the motion texture from the current state."""
        rig = self._rig
        if rig is None:
            return
        n = len(rig)
        if len(self._cell_rgba) and len(self._lens_index) == len(rig.lenses.owner):
            words = np.concatenate([self._lens_rgba, self._cell_rgba]).view(np.uint32).reshape(-1)
            self.lenses.set_colors(np.take(words, self._lens_index).view(np.uint8).reshape(-1, 4))
        else:
            self.lenses.set_colors(_gather(self._lens_rgba, rig.lenses.owner))
        on = (self._beam_rgba[:, :3].max(axis=1) > 0) & (self._beam_rgba[:, 3] > 0)
        moved = not (np.array_equal(self._motion[:, 0:2], np.radians(np.stack([self._pan, self._tilt], 1)))
                     if len(self._motion) == n and len(self._pan) == n else False)
        if len(self._pan) != n:
            self._pan = self._pan_target = np.zeros(n, np.float32)
            self._tilt = self._tilt_target = np.zeros(n, np.float32)
        if len(self._beam_deg) != n:
            self._beam_deg = np.full(n, DEFAULT_BEAM_ANGLE, np.float32)
        old = self._motion[:, :2].copy() if len(self._motion) == n else None
        self._motion = motion.motion_texels(self._pan, self._tilt, self._beam_deg, on)
        self._light_on = on
        self._pose.set_motion(self._motion)
        if moved or old is None or not np.array_equal(old, self._motion[:, :2]):
            self.head_bodies.version += 1
            self._moved_at = self.frames_rendered
        if self._beams_visible and self._effective_quality() != "off":
            self.beams.set_colors(_gather(self._beam_rgba, self._beam_owner))
            self._beams_stale = False
        else:
            self._beams_stale = True
        self.update()

    def set_beams_visible(self, visible: bool) -> None:
        """Show or hide beams and floor pools (at the current quality)."""
        self._beams_visible = bool(visible)
        if visible and self._beams_stale and self._rig is not None:
            self._upload_emission()
        self._show_beams()

    def _set_body_colors(self) -> None:
        colors = self._body_colors()
        self.bodies.set_colors(colors)
        self.head_bodies.set_colors(colors)

    def _body_colors(self) -> npt.NDArray[np.uint8]:
        rig = self._rig
        assert rig is not None
        rgb = rig.base_rgb.astype(np.float32)
        sel = np.asarray(self._selection, np.int64)
        if len(sel):
            rgb[sel] = rgb[sel] + (255.0 - rgb[sel]) * palette.SELECTED_LIFT
        rgba = np.concatenate([rgb, np.full((len(rgb), 1), 255.0, np.float32)], axis=1).astype(np.uint8)
        return _gather(rgba, rig.bodies.owner)

    # ------------------------------------------------------------------ selection and labels

    def selected_fixture(self) -> int | None:
        """The selected fixture's index (the last one picked of a multi-selection), or None."""
        return self._selected

    def selected_fixtures(self) -> tuple[int, ...]:
        """Every selected fixture's index, in the order they were picked."""
        return self._selection

    def select_fixture(self, index: int | None) -> None:
        """Select just fixture ``index`` (brighter body, outline box, ring, drop line), or nothing."""
        self.select_fixtures(() if index is None else (index,))

    def select_fixtures(self, indices: Sequence[int]) -> None:
        """Select these fixtures (a group, a Ctrl-click set); the last one is the primary selection."""
        self._check_thread()
        n = 0 if self._rig is None else len(self._rig)
        chosen = tuple(dict.fromkeys(int(i) for i in indices if 0 <= int(i) < n))
        if chosen == self._selection:
            return
        self._selection = chosen
        self._selected = chosen[-1] if chosen else None
        if self._rig is not None:
            self._set_body_colors()
        self._update_selection()

    def set_highlighted(self, indices: Sequence[int] | npt.NDArray[np.int64]) -> None:
        """Mark search hits in the 3D view (an amber ring on each); empty clears."""
        n = 0 if self._rig is None else len(self._rig)
        idx = np.asarray(indices, np.int64).reshape(-1)
        self._hits = idx[(idx >= 0) & (idx < n)]
        self._update_hits()

    def highlighted(self) -> tuple[int, ...]:
        return tuple(int(i) for i in self._hits)

    def _update_hits(self) -> None:
        rig = self._rig
        if rig is None or not len(self._hits):
            self.hits.set_geometry(np.zeros((0, 3), np.float32))
            return
        pts = rig.centers[self._hits].astype(np.float32)
        self.hits.set_geometry(pts, colors=np.tile(palette.SEARCH_HIT, (len(pts), 1)))

    def _update_selection(self) -> None:
        rig = self._rig
        if rig is None or not self._selection:
            self.highlight.set_geometry(np.zeros((0, 3), np.float32))
            self.marker.set_geometry(np.zeros((0, 3), np.float32))
        else:
            boxes = [rig.outline_box(i) for i in self._selection[-self.OUTLINE_LIMIT:]]
            c = rig.centers[self._selection[-1]]
            drop = np.array([c, [c[0], c[1], 0.0]], np.float32)
            lines = np.concatenate([*boxes, drop])
            colors = np.tile(palette.HIGHLIGHT, (len(lines), 1))
            colors[-2:] = palette.HIGHLIGHT_DROP
            self.highlight.set_geometry(lines, colors=colors)
            self.marker.set_geometry(c.reshape(1, 3), colors=np.array([palette.HIGHLIGHT], np.uint8))
        self._update_hits()
        self._update_labels()

    def legend_visible(self) -> bool:
        return self._legend_visible

    def set_legend_visible(self, visible: bool) -> None:
        """The group-colour legend in the top-left corner of the 3D view."""
        self._legend_visible = bool(visible)
        if self._config is not None:
            self._update_legend(self._config)
            if self._auto_framed:
                self._reframe()  # the stage may use the legend's corner now, or must leave it

    def _update_legend(self, config: ShowConfig) -> None:
        rig = self._rig
        entries: list[tuple[str, QtGui.QColor]] = []
        if self._legend_visible and rig is not None:
            used = set(int(g) for g in np.unique(rig.group)) if len(rig.group) else set()
            for g, group in enumerate(config.groups):
                if g in used:
                    r, gg, b = (int(v) for v in rig.base_rgb[int(np.flatnonzero(rig.group == g)[0])])
                    entries.append((one_line(group.name), QtGui.QColor(r, gg, b)))
            if -1 in used:
                entries.append(("no group", QtGui.QColor(*palette.UNGROUPED[:3])))
        self.labels.legend = entries[: self.LEGEND_LIMIT]
        if len(entries) > self.LEGEND_LIMIT:
            self.labels.legend.append((f"… {len(entries) - self.LEGEND_LIMIT} more groups",
                                       QtGui.QColor(*palette.BACKGROUND_RGB)))
        self.labels.update()

    def labels_visible(self) -> bool:
        return self._labels_visible

    def set_labels_visible(self, visible: bool) -> None:
        """Fixture labels: all fixtures up to ``LABEL_LIMIT``, else only the selected one."""
        self._labels_visible = bool(visible)
        self._update_labels()

    def label_mode(self) -> str:
        return self._label_mode

    def set_label_mode(self, mode: str) -> None:
        """What labels say: ``name``, ``patch`` (universe.address) or ``number`` (1-based position)."""
        if mode not in self.LABEL_MODES:
            raise ValueError(f"label mode {mode!r} is not one of {', '.join(self.LABEL_MODES)}")
        self._label_mode = mode
        self._update_labels()

    def label_text(self, i: int) -> str:
        config = self._config
        if config is None:
            return ""
        f = config.fixtures[i]
        if self._label_mode == "patch":
            return f"{f.universe}.{f.address}"
        if self._label_mode == "number":
            return f"#{i + 1}"
        return one_line(f.name)  # a name is any JSON string: never two lines, never reordered

    #: Where stage captions may go (``Label.spots``): where they belong, else a line lower or higher.
    CAPTION_SPOTS = ((0.0, 0.0), (0.0, 1.25), (0.0, -1.25), (0.0, 2.5), (0.0, -2.5), (0.0, 3.75), (0.0, -3.75))
    #: ... in an elevation (front, side), under the floor line, clear of the gizmo's labels above it.
    ELEVATION_CAPTION_SPOTS = ((0.0, 1.5), (0.0, 2.75), (0.0, 4.0), (0.0, 5.25))

    def _stage_labels(self) -> list[Label]:
        """The gizmo's labels and the stage captions this view can use.

        In the plans an axis seen end-on loses its label, and so do captions that would land
        on their opposite (UPSTAGE on DOWNSTAGE from the front, STAGE LEFT on STAGE RIGHT from
        the side); in an elevation the captions go under the floor line, so they keep clear of
        the gizmo's labels (which ``LabelsItem`` places first, and the captions where those are not).
        """
        if not self.is_orthographic():
            return ([lb for _, lb in self._gizmo_labels]
                    + [replace(lb, spots=self.CAPTION_SPOTS) for _, lb in self._captions])
        r = camera.rotation(float(self.opts["azimuth"]), float(self.opts["elevation"]))
        on_screen = np.hypot(r[0], r[1])  # each world axis' unit length on the picture's plane
        seen = on_screen > 0.3
        labels = [lb for k, lb in self._gizmo_labels if seen[k]]
        spots = self.ELEVATION_CAPTION_SPOTS if on_screen[2] > 0.95 else self.CAPTION_SPOTS
        for kind, lb in self._captions:
            if (kind == "upstage" and not seen[1]) or (kind in ("left", "right") and not seen[0]):
                continue
            labels.append(replace(lb, spots=spots))
        return labels

    def _update_labels(self) -> None:
        labels = self._stage_labels()
        if self.is_orthographic() and self._rulers:
            labels += [lb for lb, seen in zip(self._dimension_labels, self._rulers_seen(), strict=True) if seen]
        rig = self._rig
        if self._labels_visible and rig is not None:
            forced = {i for i in (self._selected, self._hover) if i is not None and i < len(rig)}
            chosen: list[int] = list(range(len(rig))) if len(rig) <= self.LABEL_LIMIT else sorted(forced)
            text = QtGui.QColor(*palette.LABEL)
            bright = QtGui.QColor(*palette.HIGHLIGHT[:3])
            for i in chosen:
                sel = i == self._selected
                x, y, z = (float(v) for v in rig.tops[i])
                labels.append(Label((x, y, z), self.label_text(i), bright if sel else text, sel,
                                    always=i in forced, fixture=True))
        self.labels.set_labels(labels)

    # ------------------------------------------------------------------ camera

    def set_camera_preset(self, name: str) -> None:
        """Look from the front (audience), the top (plan), the side (stage right) or in perspective; frame the stage.

        Front, top and side are orthographic plans.
        """
        preset = camera.PRESETS.get(name.lower())
        if preset is None:
            raise ValueError(f"camera preset {name!r} is not one of {', '.join(camera.PRESETS)}")
        self.opts["azimuth"] = preset.azimuth
        self.opts["elevation"] = preset.elevation
        self.opts["fov"] = preset.fov
        self.set_orthographic(preset.orthographic)
        self._show_dimensions()
        self.fit_to_stage()

    def _frame_points(self) -> npt.NDArray[np.float64]:
        """The stage corners and the plausible rig's bounds (mm-as-m outliers left out).

        Not the house floor: it reaches far beyond what is worth framing.
        """
        pts: list[npt.NDArray[np.float64]] = []
        if self._config is not None:
            w, d = self._config.stage.width, self._config.stage.height
            if math.isfinite(w) and math.isfinite(d) and max(w, d) <= camera.PLAUSIBLE_STAGE:
                hx, hy = w / 2, d / 2
                pts.append(np.array([[-hx, -hy, 0], [hx, -hy, 0], [hx, hy, 0], [-hx, hy, 0]], np.float64))
                pts.append(self._gizmo)
                if self.is_orthographic() and self._rulers:
                    pts.append(np.array([p for pair in self._rulers for p in pair]))
                    # and where the plan's captions and ruler lengths are written, so none is cut off
                    pts.append(np.array([lb.position for lb in self._dimension_labels]
                                        + [lb.position for _, lb in self._captions], np.float64))
        if self._rig is not None and len(self._rig):
            lo, hi = self._rig.bounds
            pts.append(np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                                 for z in (lo[2], hi[2])], np.float64))
        if not pts:
            return np.zeros((0, 3))
        out: npt.NDArray[np.float64] = np.nan_to_num(np.concatenate(pts))
        return out

    def _fits_view(self, margin: float = 0.0) -> bool:
        """Whether the stage and the plausible rig are all inside the picture now."""
        pts = self._frame_points()
        if len(pts) == 0:
            return True
        xy, front = camera.project(pts, self.view_projection(), self.width(), self.height())
        w, h = self.width(), self.height()
        return bool(front.all() and (xy[:, 0] >= -margin).all() and (xy[:, 0] <= w + margin).all()
                    and (xy[:, 1] >= -margin).all() and (xy[:, 1] <= h + margin).all())

    def _reframe(self) -> None:
        """Re-frame from the current direction now, or when the drag going on ends."""
        if self.dragging or self._press is not None:
            self._reframe_pending = True
        else:
            self.fit_to_stage()

    def fit_to_stage(self) -> None:
        """Frame the stage floor and every plausible fixture for the current viewing direction."""
        self._reframe_pending = False
        pts = self._frame_points()
        if len(pts) == 0:
            self.setCameraPosition(pos=QtGui.QVector3D(0, 0, 0), distance=15.0)
            return
        w, h = max(self.width(), 1), max(self.height(), 1)
        fits = [camera.fit_in_rect(pts, float(self.opts["azimuth"]), float(self.opts["elevation"]),
                                   float(self.opts["fov"]), w / h, self.is_orthographic(), rect,
                                   mirror_x=self.MIRROR_X)
                for rect in self.frame_rects()]
        center, dist = min(fits, key=lambda fit: fit[1])  # the biggest picture
        self.setCameraPosition(pos=QtGui.QVector3D(*map(float, center)), distance=dist)
        self._auto_framed = True

    #: Logical pixels kept free between the legend and the framed stage.
    LEGEND_GAP = 8.0

    def frame_rects(self) -> list[tuple[float, float, float, float]]:
        """Where ``fit_to_stage`` may put the stage: (left, top, right, bottom), fractions of the view.

        The whole view; with a legend (top left) the view below it or the view right of it,
        whichever shows the stage bigger, so the legend covers no ruler, caption or fixture.
        A legend wider or taller than half the view leaves it the whole view.
        """
        panel = self.labels.legend_rect()
        if panel is None:
            return [(0.0, 0.0, 1.0, 1.0)]
        w, h = max(self.width(), 1), max(self.height(), 1)
        below = (0.0, (panel.bottom() + self.LEGEND_GAP) / h, 1.0, 1.0)
        beside = ((panel.right() + self.LEGEND_GAP) / w, 0.0, 1.0, 1.0)
        rects = [r for r in (below, beside) if max(r[0], r[1]) < 0.5]
        return rects or [(0.0, 0.0, 1.0, 1.0)]

    # The user owns the camera once they orbit, pan or zoom; until then a resize
    # (the window appearing at its real size after the first config) re-frames.

    def orbit(self, azim: float, elev: float) -> None:
        self._auto_framed = False
        was = self.is_orthographic()
        super().orbit(azim, elev)
        if was:
            self._show_dimensions()

    def pan(self, dx: float, dy: float, dz: float, relative: str = "global") -> None:
        self._auto_framed = False
        super().pan(dx, dy, dz, relative)

    def wheelEvent(self, ev: QtGui.QWheelEvent | None) -> None:
        self._auto_framed = False
        super().wheelEvent(ev)

    def resizeEvent(self, ev: QtGui.QResizeEvent | None) -> None:
        super().resizeEvent(ev)
        if self._auto_framed and self._config is not None:
            self.fit_to_stage()

    def keyPressEvent(self, ev: QtGui.QKeyEvent | None) -> None:
        if ev is None:
            return
        key = ev.key()
        keys = QtCore.Qt.Key
        presets: dict[int, str] = {
            keys.Key_1 + i: name for i, name in enumerate(camera.PRESETS)
        }
        if key in (keys.Key_Home, keys.Key_R):
            self.set_camera_preset("perspective")
        elif key == keys.Key_F:
            self.fit_to_stage()
        elif key in presets:
            self.set_camera_preset(presets[key])
        else:
            super().keyPressEvent(ev)
            return
        ev.accept()

    # ------------------------------------------------------------------ picking

    def _resolve(self, key: int | str) -> int | None:
        rig = self._rig
        if rig is None:
            return None
        if isinstance(key, str):
            return rig.first_index(key)
        return int(key) if 0 <= int(key) < len(rig) else None

    def fixture_screen_position(self, key: int | str) -> QtCore.QPointF | None:
        """Widget coordinates of a fixture's body centre (by index, or the first of a name).

        None if unknown or behind the camera.
        """
        i = self._resolve(key)
        if i is None or self._rig is None:
            return None
        xy, front = camera.project(self._rig.centers[i], self.view_projection(), self.width(), self.height())
        if not front[0]:
            return None
        return QtCore.QPointF(float(xy[0, 0]), float(xy[0, 1]))

    def fixture_at(self, pos: QtCore.QPointF) -> int | None:
        """The index of the fixture nearest to ``pos`` on screen, within its body or ``PICK_RADIUS``."""
        rig = self._rig
        if rig is None or not len(rig):
            return None
        mvp = self.view_projection()
        xy, front = camera.project(rig.centers, mvp, self.width(), self.height())
        depth = (np.concatenate([rig.centers, np.ones((len(rig), 1), np.float32)], axis=1) @ mvp.T)[:, 3]
        reach = np.maximum(self.PICK_RADIUS, rig.radii * self.pixels_per_metre(depth))
        dist = np.hypot(xy[:, 0] - pos.x(), xy[:, 1] - pos.y())
        score = np.where(front & (dist <= reach), dist / reach, np.inf)
        if not np.isfinite(score).any():
            return None
        best = np.flatnonzero(score <= score.min() + 1e-9)
        # nearest to the camera first (orthographic: w is 1 for all, so by clip z)
        clip_z = (np.concatenate([rig.centers[best], np.ones((len(best), 1), np.float32)], axis=1) @ mvp.T)[:, 2]
        return int(best[np.argmin(clip_z)])

    def mousePressEvent(self, ev: QtGui.QMouseEvent | None) -> None:
        if ev is not None and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            self._press = ev.position()
            self._dragged = False
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent | None) -> None:
        # A window gets every move over it (no mouse tracking to turn on): hovering names a
        # fixture whose label was thinned.
        if ev is not None and ev.buttons() == QtCore.Qt.MouseButton.NoButton and self._labels_visible:
            hover = self.fixture_at(ev.position())
            if hover != self._hover:
                self._hover = hover
                self._update_labels()
        if ev is not None and self._press is not None:
            d = ev.position() - self._press
            if abs(d.x()) + abs(d.y()) > self.CLICK_SLOP:
                self._dragged = True
                self.dragging = True
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QtGui.QMouseEvent | None) -> None:
        if ev is not None and ev.button() == QtCore.Qt.MouseButton.LeftButton and self._press is not None:
            d = ev.position() - self._press
            clicked = not self._dragged and abs(d.x()) + abs(d.y()) <= self.CLICK_SLOP
            self._press = None
            if clicked:
                index = self.fixture_at(ev.position())
                mods = ev.modifiers()
                keys = QtCore.Qt.KeyboardModifier
                if mods & (keys.ControlModifier | keys.ShiftModifier | keys.MetaModifier):
                    if index is not None:  # Ctrl/Shift-click adds a fixture, or takes it out again
                        now = list(self._selection)
                        if index in now and not mods & keys.ShiftModifier:
                            now.remove(index)
                        else:
                            now = [i for i in now if i != index] + [index]
                        self.select_fixtures(now)
                        self.fixtures_selected.emit(self._selection)
                else:
                    self.select_fixture(index)
                    self.fixture_clicked.emit(index)
        super().mouseReleaseEvent(ev)
        if self._reframe_pending:
            self.fit_to_stage()

    # ------------------------------------------------------------------ threads

    def _check_thread(self) -> None:
        if QtCore.QThread.currentThread() is not self.thread():
            raise RuntimeError("StageScene must be updated from the GUI thread")


def _metres(v: float) -> str:
    return f"{v:g} m" if abs(v - round(v, 1)) < 1e-9 else f"{v:.2f} m"
