"""DMX levels → what every fixture emits, for a whole rig at once, in numpy.

:class:`RigEvaluator` resolves each fixture's personality once per configuration
and flattens the rig into index arrays: for each channel function a column of
absolute channel numbers (``address - 1 + offset``), range tables for the
colour wheel, shutter and strobe, and a cell table for pixel fixtures.  A frame
is then a handful of gathers and vector arithmetic, with no Python loop over
fixtures (issue 8, "Colour and intensity"):

- emitted colour = RGB + white + amber × (1, 0.75, 0) + UV × (0.5, 0, 1), clamped;
  CMY channels filter a white lamp (1 − value); a fixture with no colour
  channels is a white lamp;
- a colour wheel sets the colour from its DMX ranges when the RGB mix is black
  (a lamp fixture's wheel filters its light);
- the master dimmer multiplies everything (1 when there is none); 16-bit fine
  channels are honoured;
- a closed shutter is dark; a strobe range flashes at the rate it gives, from ``t``;
- pixel cells each get their own colour;
- pan/tilt angle = (value − 0.5) × range (issue 9); zoom maps DMX linearly onto
  the lens's degree range, else the beam angle, else a default per fixture type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from shared.fixtures.personality import CELL_FUNCTIONS, CONTINUOUS, RANGED, Personality, ShutterRange, WheelSlot
from shared.fixtures.resolve import PersonalitySource, Source, resolve_all
from shared.show.checks import Issue
from shared.show.model import DMX_CHANNELS, Fixture, ShowConfig
from visualizer.light.look import Look

#: Beam opening in degrees when neither the wire nor a definition gives one.
DEFAULT_BEAM_BY_TYPE = {
    "PAR": 25.0,
    "WASH": 40.0,
    "MH": 15.0,
    "SPOT": 15.0,
    "BEAM": 4.0,
    "BAR": 30.0,
    "PIXELBAR": 30.0,
    "SUNSTRIP": 60.0,
    "BLINDER": 60.0,
    "STROBE": 90.0,
    "FLOOD": 90.0,
}
DEFAULT_BEAM = 25.0
STROBE_DUTY = 0.5

F32 = np.float32


def default_beam(fixture: Fixture) -> float:
    return DEFAULT_BEAM_BY_TYPE.get(fixture.kind, DEFAULT_BEAM)


def _range_tables(
    tables: Sequence[tuple[ShutterRange, ...]],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(T, 256) open factor and strobe rate (Hz) per raw value; values no range covers are open."""
    n = len(tables)
    open_ = np.ones((n, 256), dtype=F32)
    rate = np.zeros((n, 256), dtype=F32)
    for t, table in enumerate(tables):
        for r in table:
            lo, hi = max(0, r.min), min(255, r.max)
            if lo > hi:
                continue
            if r.kind == "closed":
                open_[t, lo : hi + 1] = 0.0
            elif r.kind == "strobe":
                steps = np.linspace(r.hz_from, r.hz_to, hi - lo + 1, dtype=F32) if hi > lo else F32(r.hz_from)
                rate[t, lo : hi + 1] = np.maximum(steps, F32(0.05))
    return open_, rate


class RigEvaluator:
    """Evaluates a configuration's fixtures from DMX, frame after frame.

    ``personalities`` and ``sources`` (one per fixture) say how each fixture
    was understood; the DMX monitor and the Problems view show them.
    """

    def __init__(self, config: ShowConfig, library: PersonalitySource | None = None) -> None:
        fixtures = config.fixtures
        n = len(fixtures)
        self.config = config
        resolved = resolve_all(fixtures, library)
        self.personalities: tuple[Personality | None, ...] = resolved.personalities
        self.sources: tuple[Source, ...] = resolved.sources
        unique = resolved.unique
        pid = np.array(resolved.ids, dtype=np.intp)
        patched_u = np.array([p is not None for p in unique], dtype=bool)
        self.patched = patched_u[pid] if n else np.zeros(0, dtype=bool)

        uni = np.array([f.universe for f in fixtures], dtype=np.int64)
        self._uni_values, self._uni_pos = np.unique(uni, return_inverse=True) if n else (uni, uni)
        self._uni_values_list = [int(u) for u in self._uni_values]
        base = np.array([f.address - 1 for f in fixtures], dtype=np.int64)

        used: set[str] = set()
        fine_used: set[str] = set()
        for p in unique:
            if p is None:
                continue
            for fn in (*CONTINUOUS, *RANGED):
                if p.has(fn):
                    used.add(fn)
                    if fn in CONTINUOUS and p.has(f"{fn}_fine"):
                        fine_used.add(fn)
        self._fns = [fn for fn in (*CONTINUOUS, *RANGED) if fn in used]
        self._col = {fn: j for j, fn in enumerate(self._fns)}
        self._fine_fns = [fn for fn in self._fns if fn in fine_used]
        self._fine_col = {fn: j for j, fn in enumerate(self._fine_fns)}

        # Per distinct personality first, then spread over its fixtures with numpy.
        u = len(unique)
        off_u = np.full((u, len(self._fns)), -1, dtype=np.int64)
        fine_u = np.full((u, len(self._fine_fns)), -1, dtype=np.int64)
        wheel_tables: dict[tuple[WheelSlot, ...], int] = {(): 0}
        range_tables: dict[tuple[ShutterRange, ...], int] = {(): 0}
        wheel_u = np.zeros(u, dtype=np.int64)
        shutter_u = np.zeros(u, dtype=np.int64)
        strobe_u = np.zeros(u, dtype=np.int64)
        pan_u = np.zeros(u, dtype=F32)
        tilt_u = np.zeros(u, dtype=F32)
        zoom_lo_u = np.zeros(u, dtype=F32)
        zoom_span_u = np.zeros(u, dtype=F32)
        zoom_range_u = np.zeros(u, dtype=bool)
        beam_u = np.full(u, np.nan, dtype=F32)
        cells_u: list[npt.NDArray[np.int64]] = []
        coloured_u: list[npt.NDArray[np.bool_]] = []
        for k, p in enumerate(unique):
            if p is None:
                cells_u.append(np.zeros((0, len(CELL_FUNCTIONS)), dtype=np.int64))
                coloured_u.append(np.zeros(0, dtype=bool))
                continue
            for fn, j in self._col.items():
                off = p.offset(fn)
                off_u[k, j] = -1 if off is None else off
            for fn, j in self._fine_col.items():
                off = p.offset(f"{fn}_fine")
                fine_u[k, j] = -1 if off is None else off
            if p.color_wheel:
                wheel_u[k] = wheel_tables.setdefault(tuple(p.color_wheel), len(wheel_tables))
            shutter_u[k] = range_tables.setdefault(p.shutter, len(range_tables))
            strobe_u[k] = range_tables.setdefault(p.strobe, len(range_tables))
            pan_u[k], tilt_u[k] = p.pan_range, p.tilt_range
            if p.beam_deg is not None:
                beam_u[k] = p.beam_deg
            if p.zoom_deg is not None:
                zoom_range_u[k] = True
                zoom_lo_u[k] = p.zoom_deg[0]
                zoom_span_u[k] = p.zoom_deg[1] - p.zoom_deg[0]
            cells_u.append(
                np.array([[c.channels.get(fn, -1) for fn in CELL_FUNCTIONS] for c in p.cells], dtype=np.int64).reshape(
                    -1, len(CELL_FUNCTIONS)
                )
            )
            coloured_u.append(
                np.array([any(fn in c.channels for fn in CELL_FUNCTIONS[:-1]) for c in p.cells], dtype=bool)
            )

        def spread(offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
            # A channel past 512 does not exist.
            rel = offsets[pid] if n else offsets[:0]
            absolute = rel + base[:, None]
            return np.where((rel >= 0) & (absolute < DMX_CHANNELS), absolute, -1)

        chan = spread(off_u)
        fine = spread(fine_u)

        def present(fn: str) -> npt.NDArray[np.bool_]:
            j = self._col.get(fn)
            return chan[:, j] >= 0 if j is not None else np.zeros(n, dtype=bool)

        wheel_id = np.where(present("color_wheel"), wheel_u[pid], 0) if n else np.zeros(0, dtype=np.int64)
        shutter_id = np.where(present("shutter"), shutter_u[pid], 0) if n else np.zeros(0, dtype=np.int64)
        strobe_id = np.where(present("strobe"), strobe_u[pid], 0) if n else np.zeros(0, dtype=np.int64)
        pan_range = pan_u[pid]
        tilt_range = tilt_u[pid]
        zoom_lo = zoom_lo_u[pid]
        zoom_span = zoom_span_u[pid]
        has_zoom_range = zoom_range_u[pid]
        beam = beam_u[pid]
        unknown = np.isnan(beam)
        if unknown.any():
            beam[unknown] = [default_beam(fixtures[i]) for i in np.flatnonzero(unknown)]

        counts_u = np.array([c.shape[0] for c in cells_u], dtype=np.intp)
        starts_u = np.concatenate([[0], np.cumsum(counts_u)[:-1]]).astype(np.intp) if u else counts_u
        all_cells = np.concatenate(cells_u) if cells_u else np.zeros((0, len(CELL_FUNCTIONS)), dtype=np.int64)
        all_coloured = np.concatenate(coloured_u) if coloured_u else np.zeros(0, dtype=bool)
        per_fixture = counts_u[pid] if n else np.zeros(0, dtype=np.intp)
        total = int(per_fixture.sum())
        cell_owner = np.repeat(np.arange(n, dtype=np.int32), per_fixture)
        first_of_owner = np.repeat(np.cumsum(per_fixture) - per_fixture, per_fixture)
        rows = np.repeat(starts_u[pid] if n else per_fixture, per_fixture) + (np.arange(total) - first_of_owner)
        rel = all_cells[rows]
        absolute = rel + base[cell_owner][:, None]
        cell_chan = np.where((rel >= 0) & (absolute < DMX_CHANNELS), absolute, -1)
        cell_coloured = all_coloured[rows]

        self._chan = chan
        self._fine = fine
        has = chan >= 0
        self._has = has
        self._has_fine = fine >= 0
        # (hi * 256 + lo) / denom: 65535 for a 16-bit pair, 65280 (= 255 * 256) for 8 bits.
        denom = np.full((n, len(self._fns)), 65280.0, dtype=F32)
        for fn, j in self._fine_col.items():
            denom[:, self._col[fn]] = np.where(self._has_fine[:, j], F32(65535.0), F32(65280.0))
        self._inv_denom = (F32(1.0) / denom).astype(F32)

        def has_fn(fn: str) -> npt.NDArray[np.bool_]:
            j = self._col.get(fn)
            return has[:, j] if j is not None else np.zeros(n, dtype=bool)

        self._has_dimmer = has_fn("dimmer")
        additive = np.zeros(n, dtype=bool)
        for fn in ("red", "green", "blue", "white", "amber", "uv"):
            additive |= has_fn(fn)
        self._additive = additive
        self._has_cmy = has_fn("cyan") | has_fn("magenta") | has_fn("yellow")
        self._has_wheel = wheel_id > 0
        self._wheel_id = wheel_id
        self._has_pan = has_fn("pan")
        self._has_tilt = has_fn("tilt")
        self._zoom_live = has_fn("zoom") & has_zoom_range
        self._pan_range = pan_range
        self._tilt_range = tilt_range
        self._zoom_lo = zoom_lo
        self._zoom_span = zoom_span
        self._beam = beam
        self._shutter_id = shutter_id
        self._strobe_id = strobe_id
        self._shutter_which = np.flatnonzero(shutter_id > 0)
        self._strobe_which = np.flatnonzero(strobe_id > 0)

        wheel_lut = np.ones((len(wheel_tables), 256, 3), dtype=F32)
        for key, w in wheel_tables.items():
            for slot in key:
                wheel_lut[w, slot.min : slot.max + 1] = slot.color
        self._wheel_lut = wheel_lut
        tables = sorted(range_tables, key=range_tables.__getitem__)
        self._open_lut, self._rate_lut = _range_tables(tables)

        self._cell_owner = cell_owner
        self._cell_owner.flags.writeable = False  # handed out in every Look
        self._cell_chan = cell_chan
        self._cell_has = self._cell_chan >= 0
        self._cell_white_lamp = ~cell_coloured
        self._any_white_lamp_cell = bool(self._cell_white_lamp.any())
        used_cell = [k for k in range(len(CELL_FUNCTIONS)) if self._cell_has[:, k].any()]
        self._cell_col = {CELL_FUNCTIONS[k]: j for j, k in enumerate(used_cell)}
        self._cell_chan_used = self._cell_chan[:, used_cell]
        self._cell_has_used = self._cell_has[:, used_cell]
        self._cell_has_dimmer = self._cell_has[:, CELL_FUNCTIONS.index("dimmer")]
        self._index_cache: (
            tuple[int, npt.NDArray[np.int64], tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]]
            | None
        ) = None
        self._has_cells = np.zeros(n, dtype=bool)
        self._has_cells[self._cell_owner] = True
        counts = np.bincount(self._cell_owner, minlength=n)
        self._cell_fixtures = np.flatnonzero(counts)
        self._cell_starts = (np.cumsum(counts)[self._cell_fixtures] - counts[self._cell_fixtures]).astype(np.intp)
        self._cell_run_inv = (1.0 / counts[self._cell_fixtures]).astype(F32)
        self.n = n

    def unpatched_issues(self) -> list[Issue]:
        """One warning per fixture no personality was found for (drawn unlit, in its static look)."""
        out = []
        for i, (f, source) in enumerate(zip(self.config.fixtures, self.sources, strict=True)):
            if source == "unpatched":
                out.append(
                    Issue(
                        "warning",
                        f'fixtures[{i}] "{f.name}"',
                        f"no personality for {f.manufacturer} / {f.model} / {f.mode} (no channel_mapping, "
                        "no .qxf in the fixture folders, no generic match); DMX does not light it",
                    )
                )
        return out

    @property
    def cell_count(self) -> int:
        return int(self._cell_owner.size)

    def _rows(self, rows: Mapping[int, int], fresh: npt.NDArray[np.bool_], u: int) -> npt.NDArray[np.int64]:
        """Each fixture's row in ``levels`` when it is live, else ``u`` (a zero row)."""
        rowmap = np.array([rows.get(v, -1) for v in self._uni_values_list], dtype=np.int64)
        if rowmap.size:
            valid = (rowmap >= 0) & (rowmap < u)
            safe = np.where(valid, rowmap, 0)
            ok = valid & (fresh[safe] if fresh.size else False)
            rowmap = np.where(ok, rowmap, u)
        frow = rowmap[self._uni_pos] if self.n else np.zeros(0, dtype=np.int64)
        return np.where(self.patched, frow, u)

    def evaluate(
        self,
        levels: npt.NDArray[np.uint8],
        rows: Mapping[int, int],
        fresh: npt.ArrayLike,
        t: float,
    ) -> Look:
        """The look of every fixture for DMX ``levels`` (U, 512) at time ``t`` seconds.

        ``rows`` maps a fixture universe number to its row in ``levels``;
        ``fresh`` (U,) says which rows have recent data.  Fixtures on a stale or
        missing universe, or unpatched, are not ``live``: their colour and
        intensity are 0 and the caller draws their static look.
        """
        lv = np.asarray(levels, dtype=np.uint8)
        if lv.ndim != 2 or (lv.size and lv.shape[1] != DMX_CHANNELS):
            raise ValueError(f"levels must be (U, {DMX_CHANNELS}), got {lv.shape}")
        u = lv.shape[0]
        fr = np.asarray(fresh, dtype=bool).reshape(-1)
        if fr.size < u:
            fr = np.concatenate([fr, np.zeros(u - fr.size, dtype=bool)])
        flat = np.zeros((u + 1) * DMX_CHANNELS, dtype=np.uint8)
        flat[: u * DMX_CHANNELS] = lv.reshape(-1)
        frow = self._rows(rows, fr, u)
        live = frow < u
        idx, fine_idx, cell_idx = self._indices(frow, u)

        raw = flat.take(idx)
        v = raw.astype(F32)
        v *= F32(256.0)
        if self._fine_fns:
            lo = flat.take(fine_idx).astype(F32)
            for fn, j in self._fine_col.items():
                v[:, self._col[fn]] += lo[:, j]
        v *= self._inv_denom

        n = self.n
        ones = np.ones(n, dtype=F32)
        zeros = np.zeros(n, dtype=F32)

        def col(fn: str, default: npt.NDArray[np.float32] = zeros) -> npt.NDArray[np.float32]:
            j = self._col.get(fn)
            return v[:, j] if j is not None else default

        def raw_col(fn: str) -> npt.NDArray[np.uint8]:
            j = self._col.get(fn)
            return raw[:, j] if j is not None else np.zeros(n, dtype=np.uint8)

        white, amber, uv = col("white"), col("amber"), col("uv")
        mix = np.empty((n, 3), dtype=F32)
        mix[:, 0] = col("red") + white + amber + F32(0.5) * uv
        mix[:, 1] = col("green") + white + F32(0.75) * amber
        mix[:, 2] = col("blue") + white + uv
        lamp = np.ones((n, 3), dtype=F32)
        if self._has_cmy.any():
            lamp[:, 0] -= col("cyan")
            lamp[:, 1] -= col("magenta")
            lamp[:, 2] -= col("yellow")
        mix = np.where(self._additive[:, None], mix, lamp)
        if self._has_wheel.any():
            wheel = self._wheel_lut[self._wheel_id, raw_col("color_wheel")]
            black = mix.max(axis=1) <= 0.0
            mix = np.where(
                (self._has_wheel & self._additive & black)[:, None],
                wheel,
                np.where((self._has_wheel & ~self._additive)[:, None], mix * wheel, mix),
            )
        np.clip(mix, 0.0, 1.0, out=mix)

        dimmer = np.where(self._has_dimmer, col("dimmer", ones), ones)
        intensity = dimmer * self._gate(self._shutter_id, self._shutter_which, raw_col("shutter"), t)
        intensity *= self._gate(self._strobe_id, self._strobe_which, raw_col("strobe"), t)
        intensity = np.where(live, intensity, F32(0.0)).astype(F32)

        color = (mix * intensity[:, None]).astype(F32)

        cell_color = self._cells(flat, cell_idx, intensity)
        if cell_color.size:
            # Cells are stored fixture by fixture, so each owner's cells are one contiguous run.
            sums = np.add.reduceat(cell_color, self._cell_starts, axis=0)
            color[self._cell_fixtures] = sums * self._cell_run_inv[:, None]

        pan = np.where(self._has_pan, (col("pan") - F32(0.5)) * self._pan_range, F32(0.0))
        tilt = np.where(self._has_tilt, (col("tilt") - F32(0.5)) * self._tilt_range, F32(0.0))
        beam = np.where(self._zoom_live & live, self._zoom_lo + col("zoom") * self._zoom_span, self._beam)
        return Look(
            color=color,
            intensity=intensity,
            live=live,
            pan_deg=np.where(live, pan, F32(0.0)).astype(F32),
            tilt_deg=np.where(live, tilt, F32(0.0)).astype(F32),
            beam_deg=beam.astype(F32),
            cell_color=cell_color,
            cell_owner=self._cell_owner,
        )

    def _gate(
        self, table_id: npt.NDArray[np.int64], which: npt.NDArray[np.intp], raw: npt.NDArray[np.uint8], t: float
    ) -> npt.NDArray[np.float32]:
        """Shutter/strobe factor: 0 closed, 1 open, a square wave at the range's rate.

        Only the fixtures in ``which`` (those with the channel) are looked up.
        """
        out = np.ones(raw.shape, dtype=F32)
        if not which.size:
            return out
        pos = table_id[which] * 256 + raw[which]
        open_ = self._open_lut.take(pos)
        rate = self._rate_lut.take(pos)
        phase = np.mod(F32(t) * rate, F32(1.0))
        out[which] = np.where(rate > 0, phase < F32(STROBE_DUTY), open_)
        return out

    def _cells(
        self,
        flat: npt.NDArray[np.uint8],
        cell_idx: npt.NDArray[np.intp],
        intensity: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        count = self._cell_owner.size
        if not count:
            return np.zeros((0, 3), dtype=F32)
        c = flat.take(cell_idx).astype(F32)
        c *= F32(1.0 / 255.0)
        zeros = np.zeros(count, dtype=F32)

        def col(fn: str) -> npt.NDArray[np.float32]:
            j = self._cell_col.get(fn)
            return c[:, j] if j is not None else zeros

        w, a, uv = col("white"), col("amber"), col("uv")
        mix = np.empty((count, 3), dtype=F32)
        mix[:, 0] = col("red") + w + a + F32(0.5) * uv
        mix[:, 1] = col("green") + w + F32(0.75) * a
        mix[:, 2] = col("blue") + w + uv
        if self._any_white_lamp_cell:
            mix[self._cell_white_lamp] = 1.0
        np.clip(mix, 0.0, 1.0, out=mix)
        gain = intensity[self._cell_owner]
        if "dimmer" in self._cell_col:
            gain = gain * np.where(self._cell_has_dimmer, col("dimmer"), F32(1.0))
        mix *= gain[:, None]
        return mix

    def _indices(
        self, frow: npt.NDArray[np.int64], u: int
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Flat positions in the padded levels of every gathered channel; kept while rows stay the same."""
        cached = self._index_cache
        if cached is not None and cached[0] == u and np.array_equal(cached[1], frow):
            return cached[2]
        zero = u * DMX_CHANNELS
        rowbase = frow * DMX_CHANNELS
        idx = np.where(self._has, rowbase[:, None] + self._chan, zero).astype(np.intp)
        fine_idx = np.where(self._has_fine, rowbase[:, None] + self._fine, zero).astype(np.intp)
        cell_base = rowbase[self._cell_owner]
        cell_idx = np.where(self._cell_has_used, cell_base[:, None] + self._cell_chan_used, zero).astype(np.intp)
        out = (idx, fine_idx, cell_idx)
        self._index_cache = (u, frow.copy(), out)
        return out
