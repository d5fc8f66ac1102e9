"""The few GL items the scene is made of: batched triangles, lines, points, text.

Why not pyqtgraph's ``GLMeshItem``/``GLLinePlotItem``/``GLScatterPlotItem``:

* they cache their shader programs per class (or per process), so a second
  ``GLViewWidget`` with its own GL context draws nothing and logs GL errors
  (``glUseProgram: invalid value``) unless the application shares contexts;
* a colour change through ``setMeshData`` re-parses and re-uploads every buffer
  (positions, normals, faces), and colours are float32.

These items keep their programs and buffers per GL context (re-created when the
view re-initialises GL, e.g. after re-parenting), upload only what changed, keep
colours as RGBA8, and set every piece of GL state they rely on (other items such
as ``GLTextItem`` leave blending and depth testing as they like).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from OpenGL import GL
from PyQt6 import QtCore, QtGui
from pyqtgraph.opengl import GLGraphicsItem

log = logging.getLogger(__name__)

_VERTEX = """
uniform mat4 u_mvp;
uniform mat3 u_normal;
uniform float u_lit;
uniform float u_point_size;
attribute vec3 a_position;
attribute vec3 a_normal;
attribute vec4 a_color;
attribute float a_alpha;
varying vec4 v_color;
void main() {
    vec4 c = a_color;
    if (u_lit > 0.5) {
        // Head light (faces turned to the viewer show the true colour) plus a
        // little light from above so tops and sides read apart.
        vec3 n = normalize(u_normal * a_normal);
        vec3 up = normalize(u_normal * vec3(0.0, 0.0, 1.0));
        float l = 0.30 + 0.62 * abs(n.z) + 0.16 * max(dot(n, up), 0.0);
        c.rgb *= min(l, 1.0);
    }
    c.a *= a_alpha;
    v_color = c;
    gl_PointSize = u_point_size;
    gl_Position = u_mvp * vec4(a_position, 1.0);
}
"""

_FRAGMENT = """
varying vec4 v_color;
void main() {
    gl_FragColor = v_color;
}
"""

# Only the selection marker needs ``discard``: it is a separate program because a
# shader that may discard costs every fragment its early depth test, which on
# software GL is a good part of drawing a big rig.
_RING_FRAGMENT = """
varying vec4 v_color;
void main() {
    float r = length(gl_PointCoord * 2.0 - 1.0);
    if (r > 1.0 || r < 0.74) discard;
    gl_FragColor = v_color;
}
"""

_ATTRIBUTES = ("a_position", "a_normal", "a_color", "a_alpha")


def _sources(core: bool, ring: bool = False) -> tuple[str, str]:
    fragment = _RING_FRAGMENT if ring else _FRAGMENT
    if not core:
        return "#version 120\n" + _VERTEX, "#version 120\n" + fragment
    vert = "#version 150\n" + _VERTEX.replace("attribute ", "in ").replace("varying ", "out ")
    frag = (
        "#version 150\nout vec4 frag_color;\n"
        + fragment.replace("varying ", "in ").replace("gl_FragColor", "frag_color")
    )
    return vert, frag


def _compile(kind: int, source: str) -> int:
    shader = int(GL.glCreateShader(kind))
    GL.glShaderSource(shader, source)
    GL.glCompileShader(shader)
    if not GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS):
        msg = GL.glGetShaderInfoLog(shader)
        raise RuntimeError(f"shader compile failed: {msg!r}")
    return shader


def build_program(ring: bool = False) -> int:
    """The program the items use (``ring``: the one for round point markers), for the current context."""
    ctx = QtGui.QOpenGLContext.currentContext()
    core = ctx is not None and ctx.format().profile() == QtGui.QSurfaceFormat.OpenGLContextProfile.CoreProfile
    vert, frag = _sources(core, ring)
    prog = int(GL.glCreateProgram())
    shaders = [_compile(GL.GL_VERTEX_SHADER, vert), _compile(GL.GL_FRAGMENT_SHADER, frag)]
    for s in shaders:
        GL.glAttachShader(prog, s)
    for loc, name in enumerate(_ATTRIBUTES):
        GL.glBindAttribLocation(prog, loc, name)
    GL.glLinkProgram(prog)
    for s in shaders:
        GL.glDetachShader(prog, s)
        GL.glDeleteShader(s)
    if not GL.glGetProgramiv(prog, GL.GL_LINK_STATUS):
        raise RuntimeError(f"shader link failed: {GL.glGetProgramInfoLog(prog)!r}")
    return prog


@dataclass
class GLResources:
    """Per-context GL objects of one view: the programs, and whose context it is."""

    generation: int = -1
    program: int = 0
    uniforms: dict[str, int] | None = None
    ring_program: int = 0
    ring_uniforms: dict[str, int] | None = None


class BatchItem(GLGraphicsItem.GLGraphicsItem):  # type: ignore[misc]
    """Many fixtures' worth of one primitive kind in a single draw call.

    Geometry (positions, normals, static alpha, indices) is uploaded when it is
    set; colours (RGBA8 per vertex) can be replaced on their own, which re-uploads
    just the colour buffer (``glBufferSubData`` when the size is unchanged).
    """

    def __init__(
        self,
        primitive: int = GL.GL_TRIANGLES,
        *,
        lit: bool = False,
        depth_test: bool = True,
        depth_write: bool = True,
        blend: str | None = None,
        polygon_offset: tuple[float, float] | None = None,
        cull: bool = False,
        line_width: float = 1.0,
        point_size: float = 1.0,
        ring: bool = False,
        depth_value: float = 0,
    ) -> None:
        super().__init__()
        self.primitive = primitive
        self.lit = lit
        self.depth_test = depth_test
        self.depth_write = depth_write
        self.blend = blend
        self.polygon_offset = polygon_offset
        self.cull = cull
        self.line_width = line_width
        self.point_size = point_size
        self.ring = ring
        self.setDepthValue(depth_value)
        self._arrays: dict[str, npt.NDArray[Any] | None] = {
            "position": None, "normal": None, "color": None, "alpha": None, "index": None,
        }
        self._dirty: set[str] = set()
        self._spans: dict[str, tuple[int, int]] = {}  # name -> dirty rows [lo, hi) of a same-sized array
        self._buffers: dict[str, tuple[int, int]] = {}  # name -> (gl id, bytes allocated)
        self._generation = -1
        self._count = 0
        #: Bumped whenever what this item draws changes (the scene's frame cache key).
        self.version = 0

    # ---------------------------------------------------------------- data

    def set_geometry(
        self,
        positions: npt.NDArray[np.float32],
        indices: npt.NDArray[np.uint32] | None = None,
        normals: npt.NDArray[np.float32] | None = None,
        alpha: npt.NDArray[np.float32] | None = None,
        colors: npt.NDArray[np.uint8] | None = None,
    ) -> None:
        self._arrays["position"] = np.ascontiguousarray(positions, dtype=np.float32)
        self._arrays["index"] = None if indices is None else np.ascontiguousarray(indices, dtype=np.uint32)
        self._arrays["normal"] = None if normals is None else np.ascontiguousarray(normals, dtype=np.float32)
        self._arrays["alpha"] = None if alpha is None else np.ascontiguousarray(alpha, dtype=np.float32)
        self._dirty |= {"position", "index", "normal", "alpha"}
        self._spans.clear()
        self.version += 1
        self._count = len(positions) if indices is None else len(indices)
        if colors is not None:
            self.set_colors(colors)
        else:
            self.update()

    def update_vertices(self, rows: npt.NDArray[np.intp], positions: npt.NDArray[np.float32],
                        normals: npt.NDArray[np.float32] | None = None) -> None:
        """New positions (and normals) of the same vertices, changed only in ``rows`` (sorted).

        Uploads just the span of changed rows (``glBufferSubData``), not the whole layer.
        """
        if len(rows) == 0:
            return
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        for name, arr in (("position", positions), ("normal", normals)):
            if arr is None:
                continue
            old = self._arrays[name]
            self._arrays[name] = np.ascontiguousarray(arr, dtype=np.float32)
            if old is None or old.shape != arr.shape:
                self._dirty.add(name)
            else:
                a, b = self._spans.get(name, (lo, hi))
                self._spans[name] = (min(a, lo), max(b, hi))
        self.version += 1
        self.update()

    def set_colors(self, colors: npt.NDArray[np.uint8]) -> None:
        """Per-vertex RGBA8 colours, one row per vertex given to ``set_geometry``."""
        self._arrays["color"] = np.ascontiguousarray(colors, dtype=np.uint8)
        self._dirty.add("color")
        self.version += 1
        self.update()

    def setVisible(self, visible: bool) -> None:
        self.version += 1
        super().setVisible(visible)

    @property
    def vertex_count(self) -> int:
        pos = self._arrays["position"]
        return 0 if pos is None else len(pos)

    # ---------------------------------------------------------------- GL

    def _resources(self) -> GLResources:
        view = self.view()
        res: GLResources = view.gl_resources()
        return res

    def _upload(self, name: str, target: int) -> None:
        arr = self._arrays[name]
        if arr is None or arr.nbytes == 0:
            return
        buf, allocated = self._buffers.get(name, (0, 0))
        if not buf:
            buf = int(GL.glGenBuffers(1))
        GL.glBindBuffer(target, buf)
        if allocated == arr.nbytes:
            GL.glBufferSubData(target, 0, arr.nbytes, arr)
        else:
            GL.glBufferData(target, arr.nbytes, arr, GL.GL_DYNAMIC_DRAW)
            allocated = arr.nbytes
        GL.glBindBuffer(target, 0)
        self._buffers[name] = (buf, allocated)

    def _upload_rows(self, name: str, lo: int, hi: int) -> None:
        arr = self._arrays[name]
        buf, allocated = self._buffers.get(name, (0, 0))
        if arr is None or not buf or allocated != arr.nbytes:
            self._upload(name, GL.GL_ARRAY_BUFFER)
            return
        row = arr.nbytes // max(len(arr), 1)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buf)
        GL.glBufferSubData(GL.GL_ARRAY_BUFFER, lo * row, (hi - lo) * row, arr[lo:hi])
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def paint(self) -> None:
        if self._count == 0 or self._arrays["position"] is None:
            return
        res = self._resources()
        if res.generation != self._generation:
            # A new context: our old buffer names mean nothing there.
            self._buffers = {}
            self._generation = res.generation
            self._dirty = {k for k, v in self._arrays.items() if v is not None}
        for name in sorted(self._dirty):
            self._upload(name, GL.GL_ELEMENT_ARRAY_BUFFER if name == "index" else GL.GL_ARRAY_BUFFER)
        for name, (lo, hi) in self._spans.items():
            if name not in self._dirty:
                self._upload_rows(name, lo, hi)
        self._dirty.clear()
        self._spans.clear()
        self._apply_state()
        try:
            self._draw(res)
        finally:
            self._restore_state()

    def _apply_state(self) -> None:
        (GL.glEnable if self.depth_test else GL.glDisable)(GL.GL_DEPTH_TEST)
        GL.glDepthMask(GL.GL_TRUE if self.depth_write else GL.GL_FALSE)
        if self.cull:  # closed meshes wound counter-clockwise seen from outside (in stage coordinates)
            GL.glEnable(GL.GL_CULL_FACE)
            GL.glCullFace(GL.GL_BACK)
            view = self.view()
            GL.glFrontFace(view.front_face() if hasattr(view, "front_face") else GL.GL_CCW)
        else:
            GL.glDisable(GL.GL_CULL_FACE)
        if self.blend is None:
            GL.glDisable(GL.GL_BLEND)
        else:
            GL.glEnable(GL.GL_BLEND)
            if self.blend == "additive":
                GL.glBlendFunc(GL.GL_SRC_ALPHA, GL.GL_ONE)
            else:
                GL.glBlendFuncSeparate(GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE,
                                       GL.GL_ONE_MINUS_SRC_ALPHA)
        if self.polygon_offset is not None:
            GL.glEnable(GL.GL_POLYGON_OFFSET_FILL)
            GL.glPolygonOffset(*self.polygon_offset)
        if self.primitive in (GL.GL_LINES, GL.GL_LINE_STRIP) and self.line_width != 1.0:
            with contextlib.suppress(GL.GLError):  # core forward-compatible profiles only do width 1
                GL.glLineWidth(self.line_width)
        if self.primitive == GL.GL_POINTS:
            GL.glEnable(GL.GL_PROGRAM_POINT_SIZE)
            with contextlib.suppress(GL.GLError):
                GL.glEnable(GL.GL_POINT_SPRITE)  # gl_PointCoord in compatibility profiles

    def _restore_state(self) -> None:
        GL.glDepthMask(GL.GL_TRUE)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDisable(GL.GL_BLEND)
        GL.glDisable(GL.GL_CULL_FACE)
        if self.polygon_offset is not None:
            GL.glDisable(GL.GL_POLYGON_OFFSET_FILL)
        if self.primitive in (GL.GL_LINES, GL.GL_LINE_STRIP) and self.line_width != 1.0:
            with contextlib.suppress(GL.GLError):
                GL.glLineWidth(1.0)

    def _draw(self, res: GLResources) -> None:
        program, u = (res.ring_program, res.ring_uniforms) if self.ring else (res.program, res.uniforms)
        u = u or {}
        GL.glUseProgram(program)
        mvp = np.array(self.mvpMatrix().data(), dtype=np.float32)
        GL.glUniformMatrix4fv(u["u_mvp"], 1, GL.GL_FALSE, mvp)
        if self.lit:
            nm = np.array(self.modelViewMatrix().normalMatrix().data(), dtype=np.float32)
            GL.glUniformMatrix3fv(u["u_normal"], 1, GL.GL_FALSE, nm)
        GL.glUniform1f(u["u_lit"], 1.0 if self.lit else 0.0)
        GL.glUniform1f(u["u_point_size"], float(self.point_size))

        enabled: list[int] = []

        def attrib(loc: int, name: str, size: int, kind: int, normalized: bool) -> bool:
            buf = self._buffers.get(name)
            if buf is None or self._arrays[name] is None:
                return False
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buf[0])
            GL.glVertexAttribPointer(loc, size, kind, GL.GL_TRUE if normalized else GL.GL_FALSE, 0, None)
            GL.glEnableVertexAttribArray(loc)
            enabled.append(loc)
            return True

        try:
            attrib(0, "position", 3, GL.GL_FLOAT, False)
            if not attrib(1, "normal", 3, GL.GL_FLOAT, False):
                GL.glVertexAttrib3f(1, 0.0, 0.0, 1.0)
            if not attrib(2, "color", 4, GL.GL_UNSIGNED_BYTE, True):
                GL.glVertexAttrib4f(2, 1.0, 1.0, 1.0, 1.0)
            if not attrib(3, "alpha", 1, GL.GL_FLOAT, False):
                GL.glVertexAttrib1f(3, 1.0)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            index = self._buffers.get("index")
            if index is not None and self._arrays["index"] is not None:
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, index[0])
                GL.glDrawElements(self.primitive, self._count, GL.GL_UNSIGNED_INT, None)
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)
            else:
                GL.glDrawArrays(self.primitive, 0, self._count)
        finally:
            for loc in enabled:
                GL.glDisableVertexAttribArray(loc)
            GL.glUseProgram(0)


def program_uniforms(program: int) -> dict[str, int]:
    names = ("u_mvp", "u_normal", "u_lit", "u_point_size")
    return {n: int(GL.glGetUniformLocation(program, n)) for n in names}


@dataclass(frozen=True)
class Label:
    """Text anchored at a world point, drawn centred above it.

    ``always`` labels (the axes, the selected fixture) are drawn even where they
    overlap others; the rest are decluttered.
    """

    position: tuple[float, float, float]
    text: str
    color: QtGui.QColor
    bold: bool = False
    always: bool = False


class LabelsItem(GLGraphicsItem.GLGraphicsItem):  # type: ignore[misc]
    """All text of the scene in one QPainter pass (one ``GLTextItem`` per label would
    open a painter per label every frame).

    Labels behind the camera or off screen are skipped, and so is any label that
    would overlap one already placed (nearest to the camera first), so a dense rig
    stays readable: a coarse occupancy grid keeps that linear in the label count.
    """

    CELL = 6  # occupancy grid cell, pixels

    def __init__(self, depth_value: int = 100) -> None:
        super().__init__()
        self.setDepthValue(depth_value)
        self._labels: list[Label] = []
        self._points = np.zeros((0, 3), np.float32)
        self._widths = np.zeros(0)
        self.font = QtGui.QFont()
        self.font.setPointSizeF(8.5)
        self.bold_font = QtGui.QFont(self.font)
        self.bold_font.setBold(True)
        self._metrics = {False: QtGui.QFontMetricsF(self.font), True: QtGui.QFontMetricsF(self.bold_font)}
        #: Texts drawn by the last paint (tests and debugging).
        self.drawn: list[str] = []

    def set_labels(self, labels: Sequence[Label]) -> None:
        self._labels = list(labels)
        self._points = np.array([lb.position for lb in self._labels], np.float32).reshape(-1, 3)
        self._widths = np.array([self._metrics[lb.bold].horizontalAdvance(lb.text) for lb in self._labels])
        self.update()

    @property
    def labels(self) -> list[Label]:
        return list(self._labels)

    def paint(self) -> None:
        self.drawn = []
        if not self._labels:
            return
        view = self.view()
        w, h = view.width(), view.height()
        mvp = np.array(self.mvpMatrix().data(), dtype=np.float64).reshape(4, 4).T
        pts = np.concatenate([self._points, np.ones((len(self._points), 1), np.float32)], axis=1)
        clip = pts @ mvp.T
        ok = clip[:, 3] > 1e-6
        ndc = clip[:, :3] / np.where(ok, clip[:, 3], 1.0)[:, None]
        sx = (ndc[:, 0] + 1) * 0.5 * w - self._widths / 2
        sy = (1 - ndc[:, 1]) * 0.5 * h - 4
        ok &= (sx > -self._widths) & (sx < w) & (sy > 0) & (sy < h + 20) & (np.abs(ndc[:, 2]) <= 1)
        always = np.array([lb.always for lb in self._labels])
        order = np.lexsort((clip[:, 3], ~always))  # forced labels first, then nearest first
        order = order[ok[order]]
        line = self._metrics[False].height()
        cell = self.CELL
        taken: set[tuple[int, int]] = set()
        painter = QtGui.QPainter(view)
        try:
            painter.setRenderHints(QtGui.QPainter.RenderHint.TextAntialiasing)
            shadow = QtGui.QColor(0, 0, 0, 200)
            for i in order:
                lb = self._labels[int(i)]
                x, y = float(sx[i]), float(sy[i])
                cells = {(cx, cy)
                         for cx in range(int(x - 2) // cell, int(x + self._widths[i] + 2) // cell + 1)
                         for cy in range(int(y - line) // cell, int(y + 2) // cell + 1)}
                if not lb.always and not taken.isdisjoint(cells):
                    continue
                taken |= cells
                painter.setFont(self.bold_font if lb.bold else self.font)
                painter.setPen(shadow)
                painter.drawText(QtCore.QPointF(x + 1, y + 1), lb.text)
                painter.setPen(lb.color)
                painter.drawText(QtCore.QPointF(x, y), lb.text)
                self.drawn.append(lb.text)
        finally:
            painter.end()
