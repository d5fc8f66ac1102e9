"""3D scene speed: frames per second while every fixture changes colour every frame.

Each frame calls ``StageScene.set_fixture_colors`` with a new (N, 3) array (what
live DMX will do), asks the widget to repaint, lets Qt paint and present it
(``update`` + ``processEvents``, checked by the scene's frame counter) and waits
for GL to finish (``glFinish``).  With a still camera the scene redraws only
lenses, beams and overlays over a cached frame of floor, grid and bodies; the
"camera orbiting" row turns the camera every frame, so everything is drawn.
Window 1280x720, camera framed on the rig, on whatever GL the display has
(Mesa llvmpipe, software, under Xvfb in CI), so the figures are CPU-bound and
move with machine load; compare ratios, which are measured in the same run.

Baselines, same run, same rigs:

* 1,000 fixtures: the naive scene, one pyqtgraph ``GLMeshItem`` per fixture
  (8-sided cylinder), each recoloured with ``setColor`` every frame;
* 5,000 fixtures: our batched bodies in *one* ``GLMeshItem``, recoloured the
  obvious way, ``setMeshData(vertexColors=...)`` (re-parses and re-uploads every
  buffer and recomputes normals each frame);
* building 10,000 fixtures: the same geometry built with a Python loop, one
  fixture at a time, instead of one vectorised batch per body template;
* a configuration that moves one of 10,000 fixtures (applied in place: only
  that fixture's vertex rows are rebuilt and uploaded): the same scene given a
  configuration that renames one fixture instead, which rebuilds everything.

The colour and configuration rows run with beams off (what they measure is
the batching); the "live" rows (issue 9) drive whole Looks — colours, pan and
tilt of every head, beams at each quality — at 1600x1000, against the same
scene with beams off and an empty ``GLViewWidget`` (the presentation floor of
pyqtgraph's widget, which Qt composes into the window every frame).  The scene
itself is a ``QOpenGLWindow`` (``GLView``) that swaps its own buffers: its
floor, an empty ``GLView``, has a row of its own beside the widget's.
One live row also turns the camera every frame (nothing cached: the static
layers and the light layer's depth are redone each frame), against beams off
turning the same way.

Run: ``python -m bench.bench_render`` (needs a display: ``xvfb-run -a``);
``--live`` runs only the live rows.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.common import Row, format_table, row
from bench.fixtures import make_config
from shared.show.model import ShowConfig
from shared.show.orientation import resolved_angles

WIDTH, HEIGHT = 1280, 720
TARGET_FPS = 30.0


_APP: object = None  # keeps the QApplication we created alive


def _app() -> object:
    from PyQt6 import QtCore, QtWidgets

    global _APP
    app = QtWidgets.QApplication.instance()
    if app is None:
        # pyqtgraph's own GL items cache shader programs per process; sharing
        # contexts keeps them valid in the baseline's second widget.
        QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QtWidgets.QApplication(sys.argv[:1])
        _APP = app
    return app


def _reset_pyqtgraph_programs() -> None:
    """Forget pyqtgraph's cached GL programs (compiled in some other context, if any)."""
    from pyqtgraph.opengl import shaders

    for program in shaders.ShaderProgram.names.values():
        program.prog = None


def _show(view: object, width: int = WIDTH, height: int = HEIGHT) -> None:
    """Show ``view`` at ``width`` x ``height``: a widget, or a GL window (``GLView``) through its container."""
    from PyQt6 import QtGui, QtWidgets

    widget = getattr(view, "container", view)
    assert isinstance(widget, QtWidgets.QWidget)
    widget.resize(width, height)
    widget.show()
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        QtWidgets.QApplication.processEvents()
        handle = view if isinstance(view, QtGui.QWindow) else widget.windowHandle()
        if handle is not None and handle.isExposed() and (handle.width(), handle.height()) == (width, height):
            return
        time.sleep(0.01)
    raise RuntimeError("benchmark window was never exposed; is there a display?")


def _close(view: object) -> None:
    """Close and delete ``view`` (a GL window goes with its container) now."""
    from PyQt6 import QtWidgets

    widget = getattr(view, "container", view)
    assert isinstance(widget, QtWidgets.QWidget)
    widget.close()
    widget.deleteLater()
    QtWidgets.QApplication.processEvents()


def _finish(widget: object) -> None:
    from OpenGL import GL

    widget.makeCurrent()  # type: ignore[attr-defined]
    GL.glFinish()
    widget.doneCurrent()  # type: ignore[attr-defined]


def _repaint(view: Any, what: str) -> None:
    """Ask ``view`` (a ``GLView``) for a frame, let Qt paint and present it, and wait for GL to finish it."""
    from PyQt6 import QtWidgets

    before = view.frames_rendered
    view.update()
    QtWidgets.QApplication.processEvents()
    _finish(view)
    if view.frames_rendered == before:
        raise RuntimeError(f"{what} did not repaint; is the window exposed?")


def _fps(step: Callable[[int], None], duration: float, min_frames: int = 5, windows: int = 5) -> float:
    """Frames per second of ``step(frame)`` (which must paint and finish a frame).

    The median of ``windows`` back-to-back windows filling ``duration``: a shared
    machine's bursts of load spoil a window, not the figure.
    """
    step(0)  # warm-up: first upload, shader compile
    step(1)  # (the scene builds its frame cache on the second still frame)
    frame = 2
    rates = []
    for _ in range(windows):
        frames = 0
        start = time.perf_counter()
        while True:
            step(frame)
            frame += 1
            frames += 1
            elapsed = time.perf_counter() - start
            if elapsed >= duration / windows and frames >= max(1, min_frames // windows):
                break
        rates.append(frames / elapsed)
    return float(statistics.median(rates))


def _palettes(n: int) -> npt.NDArray[np.float32]:
    return np.random.default_rng(7).random((8, n, 3), dtype=np.float32)


def _scene_fps(config: ShowConfig, duration: float, orbit: bool = False) -> tuple[float, float]:
    """(frames per second, seconds to build and draw the first frame) for StageScene.

    ``orbit`` also turns the camera a degree every frame, so nothing drawn can be
    reused from the previous frame (the frame cache only helps a still camera).
    """
    from PyQt6 import QtWidgets

    from visualizer.render import StageScene

    app = QtWidgets.QApplication.instance()
    assert app is not None
    scene = StageScene()
    _show(scene)
    scene.set_beam_quality("off")  # these rows measure colour updates; the live rows measure beams
    t0 = time.perf_counter()
    scene.set_config(config)
    scene.update()
    app.processEvents()
    _finish(scene)
    build = time.perf_counter() - t0
    _read_renderer(scene)
    colors = _palettes(len(config.fixtures))

    def step(i: int) -> None:
        before = scene.frames_rendered
        scene.set_fixture_colors(colors[i % len(colors)])
        if orbit:
            scene.orbit(1.0, 0.0)
        scene.update()
        app.processEvents()
        _finish(scene)
        if scene.frames_rendered == before:
            raise RuntimeError("the scene did not repaint; is the window exposed?")

    fps = _fps(step, duration)
    _close(scene)
    return fps, build


class _CountingView:
    """A plain GLViewWidget that counts its paints (baselines)."""

    @staticmethod
    def create() -> object:
        import pyqtgraph.opengl as gl

        class View(gl.GLViewWidget):  # type: ignore[misc]
            frames = 0

            def paintGL(self) -> None:
                View.frames += 1
                super().paintGL()

        view = View()
        view.setBackgroundColor("#14161a")
        return view


def _frame_view(view: object, app: object) -> None:
    before = view.frames  # type: ignore[attr-defined]
    view.update()  # type: ignore[attr-defined]
    app.processEvents()  # type: ignore[attr-defined]
    _finish(view)
    if view.frames == before:  # type: ignore[attr-defined]
        raise RuntimeError("the baseline view did not repaint")


def _frame_rig(view: object, config: ShowConfig) -> None:
    from visualizer.render import camera
    from visualizer.render.geometry import build_rig

    rig = build_rig(config)
    lo, hi = rig.bounds
    az, el = camera.PRESETS["perspective"].azimuth, camera.PRESETS["perspective"].elevation
    hx, hy = config.stage.width / 2, config.stage.height / 2
    pts = np.array([[x, y, z] for x in (lo[0], hi[0], -hx, hx) for y in (lo[1], hi[1], -hy, hy)
                    for z in (lo[2], hi[2])])
    center, dist = camera.fit(pts, az, el, 60.0, WIDTH / HEIGHT)
    from PyQt6 import QtGui

    view.setCameraPosition(pos=QtGui.QVector3D(*map(float, center)), distance=dist,  # type: ignore[attr-defined]
                           azimuth=az, elevation=el)


def _naive_items_fps(config: ShowConfig, duration: float) -> float:
    """One GLMeshItem per fixture, each recoloured with setColor every frame."""
    import pyqtgraph.opengl as gl
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    _reset_pyqtgraph_programs()
    view = _CountingView.create()
    _show(view)
    _frame_rig(view, config)
    mesh = gl.MeshData.cylinder(rows=1, cols=8, radius=[0.15, 0.15], length=0.3)
    items = []
    for f in config.fixtures:
        item = gl.GLMeshItem(meshdata=mesh, color=(0.5, 0.5, 0.5, 1.0), smooth=False, computeNormals=False)
        item.translate(f.position.x, f.position.y, f.position.z - 0.3)
        view.addItem(item)  # type: ignore[attr-defined]
        items.append(item)
    colors = _palettes(len(items))

    def step(i: int) -> None:
        c = colors[i % len(colors)]
        for k, item in enumerate(items):
            item.setColor((float(c[k, 0]), float(c[k, 1]), float(c[k, 2]), 1.0))
        _frame_view(view, app)

    fps = _fps(step, duration)
    _close(view)
    return fps


def _setmeshdata_fps(config: ShowConfig, duration: float) -> float:
    """Our batched bodies in one GLMeshItem, recoloured with setMeshData every frame."""
    import pyqtgraph.opengl as gl
    from PyQt6 import QtWidgets

    from visualizer.render.geometry import build_rig

    app = QtWidgets.QApplication.instance()
    _reset_pyqtgraph_programs()
    rig = build_rig(config)
    view = _CountingView.create()
    _show(view)
    _frame_rig(view, config)
    faces = rig.bodies.indices.reshape(-1, 3)
    item = gl.GLMeshItem(vertexes=rig.bodies.positions, faces=faces, shader="shaded", smooth=True)
    view.addItem(item)  # type: ignore[attr-defined]
    colors = _palettes(len(rig))
    owner = rig.bodies.owner

    def step(i: int) -> None:
        c = colors[i % len(colors)]
        vc = np.concatenate([c, np.ones((len(c), 1), np.float32)], axis=1)[owner]
        item.setMeshData(vertexes=rig.bodies.positions, faces=faces, vertexColors=vc)
        _frame_view(view, app)

    fps = _fps(step, duration, min_frames=3)
    _close(view)
    return fps


def _naive_build(config: ShowConfig) -> None:
    """The geometry of ``build_rig``, but instanced one fixture at a time in a Python loop."""
    from visualizer.render import geometry as g

    detail: g.Detail = "full" if len(config.fixtures) <= g.DETAIL_LIMIT else "lite"
    bodies, lenses, beams = [], [], []
    for i, f in enumerate(config.fixtures):
        shape = g.shape_of(f.fixture_type)
        size = np.array([g._size_of(f, shape)], np.float32)
        pos = np.array([tuple(f.position)], np.float32)
        ang = np.array([resolved_angles(f.orientation, float(f.position[2]))], np.float32)
        rot = g.rotations(ang[:, 0], ang[:, 1], ang[:, 2])
        m = np.array([i], np.intp)
        layout = g._layout_of(f) if shape == "bar" else None
        zero = np.zeros((1, 3), np.float32)
        lift = np.array([[0, 0, g.LENS_LIFT]], np.float32)
        bodies.append(g._batch(g.body_template(shape, detail), m, size, zero, rot, pos, normals=True))
        lenses.append(g._batch(g.lens_template(shape, layout, detail), m, size, lift, rot, pos, normals=False))
        beams.append(g._ray_batch(m, size, rot, pos))
    g._concat(bodies, with_normals=True, with_alpha=False)
    g._concat(lenses, with_normals=False, with_alpha=False)
    g._concat(beams, with_normals=False, with_alpha=True)


def _build_seconds(config: ShowConfig, repeat: int) -> tuple[float, float]:
    """(vectorised ``build_rig`` best of ``repeat``, the per-fixture loop once)."""
    from visualizer.render.geometry import build_rig

    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        build_rig(config)
        best = min(best, time.perf_counter() - t)
    t = time.perf_counter()
    _naive_build(config)  # seconds at 10,000: once is enough to compare
    return best, time.perf_counter() - t


def _set_config_seconds(config: ShowConfig, repeat: int) -> tuple[float, float]:
    """(one fixture moved, one fixture renamed) seconds for ``set_config`` plus the frame showing it.

    Median of ``repeat`` round trips to the changed configuration and back (both
    directions count).  Moving is applied in place; renaming forces a full rebuild.
    """
    import dataclasses

    import msgspec
    from PyQt6 import QtWidgets

    from shared.show.model import Vec3
    from visualizer.render import StageScene

    app = QtWidgets.QApplication.instance()
    assert app is not None
    scene = StageScene()
    _show(scene)
    scene.set_beam_quality("off")
    k = len(config.fixtures) // 2
    f = config.fixtures[k]

    def variant(**changes: object) -> ShowConfig:
        fixtures = list(config.fixtures)
        fixtures[k] = msgspec.structs.replace(f, **changes)
        return dataclasses.replace(config, fixtures=tuple(fixtures))

    moved = variant(position=Vec3(f.position.x + 0.5, f.position.y, f.position.z))
    renamed = variant(name=f.name + " (spare)")

    def show(cfg: ShowConfig) -> float:
        before = scene.frames_rendered
        t = time.perf_counter()
        scene.set_config(cfg)
        scene.update()
        app.processEvents()
        _finish(scene)
        if scene.frames_rendered == before:
            raise RuntimeError("the scene did not repaint; is the window exposed?")
        return time.perf_counter() - t

    show(config)
    result = []
    for other in (moved, renamed):
        times = [show(cfg) for _ in range(repeat) for cfg in (other, config)]
        result.append(float(statistics.median(times)))
    _close(scene)
    return result[0], result[1]


#: GL_RENDERER of the last scene measured (what the figures ran on).
renderer = "unknown"


def _read_renderer(widget: object) -> None:
    from OpenGL import GL

    global renderer
    widget.makeCurrent()  # type: ignore[attr-defined]
    try:
        name = GL.glGetString(GL.GL_RENDERER)
        renderer = name.decode() if isinstance(name, bytes) else str(name)
    finally:
        widget.doneCurrent()  # type: ignore[attr-defined]


LIVE_WIDTH, LIVE_HEIGHT = 1600, 1000


def festival_config(n: int, heads: int) -> ShowConfig:
    """``n`` fixtures on trusses 6 m up, ``heads`` of them moving heads, the rest pars, washes and bars.

    Everything hangs with the preset orientation (beams down), so every beam
    reaches the floor and draws its pool: the expensive case.
    """
    from shared.show.model import Dimensions, Fixture, Group, Layout, Orientation, Stage, Vec3

    per_row = max(10, int(np.ceil(np.sqrt(n * 2))))
    rows_n = int(np.ceil(n / per_row))
    width, depth = per_row * 0.5 + 2, max(8.0, rows_n * 1.0 + 2)
    kinds = ["MH"] * heads + [("PAR", "WASH", "BAR")[i % 3] for i in range(n - heads)]
    order = np.random.default_rng(5).permutation(n)
    fixtures = []
    for i in range(n):
        kind = kinds[order[i]]
        c, r = i % per_row, i // per_row
        fixtures.append(Fixture(
            name=f"{kind} {i + 1}", manufacturer="Bench", model=kind, mode="m", universe=1 + i // 32,
            address=1 + (i % 32) * 16, position=Vec3((c - (per_row - 1) / 2) * 0.5, (r - (rows_n - 1) / 2) * 1.0, 6.0),
            orientation=Orientation("hanging", 0.0, 0.0, 0.0), fixture_type=kind,
            physical=Dimensions(1.0, 0.09, 0.11) if kind == "BAR" else Dimensions(0.3, 0.4, 0.3),
            layout=Layout(8, 1) if kind == "BAR" else None, beam_angle=18.0))
    groups = tuple(Group(f"G{g}", ("#FF5722", "#2196F3", "#4CAF50", "#9C27B0")[g],
                         tuple(f.name for f in fixtures[g::4])) for g in range(4))
    return ShowConfig(Stage(width, depth, 0.5), tuple(fixtures), groups)


def _looks(config: ShowConfig, count: int = 8) -> list[object]:
    """Looks as the evaluator produces them: every fixture recoloured, every head at a new pan/tilt."""
    from visualizer.light.look import Look

    n = len(config.fixtures)
    rng = np.random.default_rng(11)
    out: list[object] = []
    for k in range(count):
        color = rng.random((n, 3), dtype=np.float32)
        out.append(Look(color=color, intensity=color.max(axis=1), live=np.ones(n, bool),
                        pan_deg=(rng.random(n, dtype=np.float32) - 0.5) * 120,
                        tilt_deg=(rng.random(n, dtype=np.float32) - 0.5) * 60 + 10 * k,
                        beam_deg=np.full(n, 18.0, np.float32),
                        cell_color=np.zeros((0, 3), np.float32), cell_owner=np.zeros(0, np.int32)))
    return out


def _empty_view_fps(duration: float) -> float:
    """The floor of pyqtgraph's widget: an empty GLViewWidget repainted and presented at 1600x1000."""
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    view = _CountingView.create()
    _show(view, LIVE_WIDTH, LIVE_HEIGHT)
    fps = _fps(lambda i: _frame_view(view, app), duration)
    _close(view)
    return fps


def _empty_window_fps(duration: float) -> float:
    """The floor of our surface: an empty ``GLView`` (a QOpenGLWindow in its container) at 1600x1000.

    No items and no frame cache: each frame clears and presents, as the empty GLViewWidget does.
    """
    from visualizer.render.glview import GLView

    view = GLView()
    view.frame_cache = False
    view.setBackgroundColor("#14161a")
    _show(view, LIVE_WIDTH, LIVE_HEIGHT)

    fps = _fps(lambda i: _repaint(view, "the empty view"), duration)
    _close(view)
    return fps


def _live_fps(config: ShowConfig, quality: str, duration: float, heads_only: bool = False,
              orbit: bool = False) -> float:
    """Frames per second with a new Look (colours, pan, tilt) every frame, at 1600x1000 (``orbit``: and a
    degree of camera turn)."""
    from visualizer.render import StageScene

    scene = StageScene()
    _show(scene, LIVE_WIDTH, LIVE_HEIGHT)
    scene.set_config(config)
    scene.set_beam_quality(quality)
    scene.set_camera_preset("perspective")
    looks = _looks(config)
    if heads_only:  # only the moving heads emit: the others' shutters are closed
        heads = np.array([f.fixture_type == "MH" for f in config.fixtures])
        for look in looks:
            look.color[~heads] = 0.0  # type: ignore[attr-defined]

    def step(i: int) -> None:
        scene.set_look(looks[i % len(looks)])
        if orbit:
            scene.orbit(1.0, 0.0)
        _repaint(scene, "the scene")

    fps = _fps(step, duration)
    _close(scene)
    return fps


def _pan_tilt_cpu(heads: int, repeat: int) -> tuple[float, float]:
    """(ours, baseline) seconds of CPU for one pan/tilt update of ``heads`` moving heads.

    Ours: the motion texels (pan, tilt, opening, on) for the per-frame texture.
    Baseline: re-posing the heads' vertices on the CPU (one vectorised batch of
    the head template: what a geometry rebuild per frame would cost at best).
    """
    from shared.show.orientation import base_rotations, head_rotations
    from visualizer.render import geometry as g
    from visualizer.render import motion

    rng = np.random.default_rng(3)
    pan = rng.random(heads, dtype=np.float32) * 540 - 270
    tilt = rng.random(heads, dtype=np.float32) * 270 - 135
    beam = np.full(heads, 18.0, np.float32)
    on = np.ones(heads, bool)
    out = np.zeros((heads, 4), np.float32)
    from visualizer.render.glitems import PoseTextures

    tex = PoseTextures()

    def ours() -> None:
        tex.set_motion(motion.motion_texels(pan, tilt, beam, on, out))

    template = g.body_template("head")
    size = np.tile(np.array([0.3, 0.4, 0.3], np.float32), (heads, 1))
    pos = np.zeros((heads, 3), np.float32)
    base = base_rotations(np.zeros(heads), np.full(heads, 90.0), np.zeros(heads))

    def baseline() -> None:
        rot = (base @ head_rotations(pan, tilt)).astype(np.float32)
        g.instance_points(template.positions, size, np.zeros((heads, 3), np.float32), rot, pos)

    def cpu(fn: Callable[[], None]) -> float:
        fn()
        samples = []
        for _ in range(repeat):
            t0 = time.process_time()
            for _ in range(20):
                fn()
            samples.append((time.process_time() - t0) / 20)
        return float(statistics.median(samples))

    return cpu(ours), cpu(baseline)


def run(quick: bool = False) -> list[Row]:
    _app()
    duration = 0.7 if quick else 2.0
    rows: list[Row] = []
    live = "--live" in sys.argv[1:]
    fest_1k = festival_config(1_000, 300)
    full = _live_fps(fest_1k, "full", duration)
    simple = _live_fps(fest_1k, "simple", duration)
    off = _live_fps(fest_1k, "off", duration)
    heads_full = _live_fps(fest_1k, "full", duration, heads_only=True)
    floor = _empty_view_fps(duration)
    window_floor = _empty_window_fps(duration)
    rows.append(row("live fps 1600x1000, 1k fixtures (300 heads) moving+recoloured, beams full [vs off]",
                    full, "fps", off, f">= {TARGET_FPS:.0f} fps"))
    rows.append(row("live fps, same, beams simple [vs off]", simple, "fps", off, f">= {TARGET_FPS:.0f} fps"))
    rows.append(row("live fps, same, only the 300 heads emit, beams full [vs off]", heads_full, "fps", off,
                    f">= {TARGET_FPS:.0f} fps"))
    rows.append(row("live fps, same, beams off [vs empty GLViewWidget]", off, "fps", floor, "info"))
    rows.append(row("empty view fps 1600x1000: our GLView window [vs empty GLViewWidget]", window_floor, "fps",
                    floor, "info"))
    orbit_full = _live_fps(fest_1k, "full", duration, orbit=True)
    orbit_off = _live_fps(fest_1k, "off", duration, orbit=True)
    rows.append(row("live fps, same, beams full, camera orbiting [vs off, orbiting]", orbit_full, "fps", orbit_off,
                    "interactive (>= 15 fps)"))
    simple_5k = _live_fps(festival_config(5_000, 1_500), "simple", duration)
    rows.append(row("live fps 1600x1000, 5k fixtures (1,500 heads), beams simple", simple_5k, "fps", None,
                    "interactive (>= 15 fps)"))
    ours_pt, cpu_pt = _pan_tilt_cpu(1_000, repeat=5 if quick else 15)
    rows.append(row("pan/tilt update, 1k heads, CPU ms [vs re-posing vertices]", ours_pt * 1000, "ms",
                    cpu_pt * 1000, "< 1 ms"))
    if live:
        return rows
    configs = {n: make_config(n) for n in (1_000, 5_000, 10_000)}

    fps_1k, _ = _scene_fps(configs[1_000], duration)
    naive_1k = _naive_items_fps(configs[1_000], duration)
    rows.append(row("scene fps, 1k fixtures recoloured [vs 1 item/fixture]",
                    fps_1k, "fps", naive_1k, f">= {TARGET_FPS:.0f} fps"))

    fps_5k, _ = _scene_fps(configs[5_000], duration)
    meshdata_5k = _setmeshdata_fps(configs[5_000], duration)
    rows.append(row("scene fps, 5k fixtures recoloured [vs setMeshData]",
                    fps_5k, "fps", meshdata_5k, f">= {TARGET_FPS:.0f} fps"))

    orbit_5k, _ = _scene_fps(configs[5_000], duration, orbit=True)
    rows.append(row("scene fps, 5k fixtures recoloured + camera orbiting", orbit_5k, "fps",
                    None, "interactive (>= 15 fps)"))

    fps_10k, first_10k = _scene_fps(configs[10_000], duration)
    rows.append(row("scene fps, 10k fixtures recoloured", fps_10k, "fps", None,
                    "interactive (>= 10 fps)"))

    ours, naive = _build_seconds(configs[10_000], repeat=2 if quick else 3)
    rows.append(row("scene geometry, 10k fixtures [vs per-fixture loop]", ours * 1000, "ms",
                    naive * 1000, "< 1000 ms"))
    rows.append(row("scene set_config + first frame, 10k fixtures", first_10k * 1000, "ms", None, "< 10000 ms"))
    one_moved, rebuilt = _set_config_seconds(configs[10_000], repeat=3 if quick else 5)
    rows.append(row("set_config, 10k fixtures, one moved (+ frame) [vs full rebuild]", one_moved * 1000, "ms",
                    rebuilt * 1000, "< 100 ms"))
    return rows


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    rows = run(quick=quick)
    print(f"GL renderer: {renderer}, window {WIDTH}x{HEIGHT}")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
