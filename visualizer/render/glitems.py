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
from PyQt6 import QtGui
from pyqtgraph.opengl import GLGraphicsItem

log = logging.getLogger(__name__)

#: The one lighting rule of lit items (GLSL, both vertex shaders): a head light (faces turned
#: to the viewer show the true colour) plus a little light from above so tops and sides read apart.
_LIGHT_GLSL = """
uniform mat3 u_normal;
vec3 lit(vec3 rgb, vec3 normal) {
    vec3 n = normalize(u_normal * normal);
    vec3 up = normalize(u_normal * vec3(0.0, 0.0, 1.0));
    return rgb * min(0.30 + 0.62 * abs(n.z) + 0.16 * max(dot(n, up), 0.0), 1.0);
}
"""

_VERTEX = """
uniform mat4 u_mvp;
uniform float u_lit;
uniform float u_point_size;
attribute vec3 a_position;
attribute vec3 a_normal;
attribute vec4 a_color;
attribute float a_alpha;
varying vec4 v_color;
""" + _LIGHT_GLSL + """void main() {
    vec4 c = a_color;
    if (u_lit > 0.5) c.rgb = lit(c.rgb, a_normal);
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


def _core_profile() -> bool:
    """Whether the current GL context is a core profile (GLSL 1.50) rather than compatibility."""
    ctx = QtGui.QOpenGLContext.currentContext()
    return ctx is not None and ctx.format().profile() == QtGui.QSurfaceFormat.OpenGLContextProfile.CoreProfile


def _link(vertex: str, fragment: str, attributes: Sequence[str], frag_data: bool = False) -> int:
    """A linked program; ``attributes`` bound to locations 0, 1, ...; RuntimeError naming the GL log.

    ``frag_data``: bind ``frag_color`` to output 0 (needed before GLSL 1.50 core).
    """
    prog = int(GL.glCreateProgram())
    shaders = [_compile(GL.GL_VERTEX_SHADER, vertex), _compile(GL.GL_FRAGMENT_SHADER, fragment)]
    for s in shaders:
        GL.glAttachShader(prog, s)
    for loc, name in enumerate(attributes):
        GL.glBindAttribLocation(prog, loc, name)
    if frag_data:
        GL.glBindFragDataLocation(prog, 0, "frag_color")
    GL.glLinkProgram(prog)
    for s in shaders:
        GL.glDetachShader(prog, s)
        GL.glDeleteShader(s)
    if not GL.glGetProgramiv(prog, GL.GL_LINK_STATUS):
        raise RuntimeError(f"shader link failed: {GL.glGetProgramInfoLog(prog)!r}")
    return prog


def build_program(ring: bool = False) -> int:
    """The program the items use (``ring``: the one for round point markers), for the current context."""
    vert, frag = _sources(_core_profile(), ring)
    return _link(vert, frag, _ATTRIBUTES)


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

    @property
    def drawn_count(self) -> int:
        """How many vertices a frame draws: the indices when indexed, else every vertex."""
        return self._count

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
        if self.primitive in (GL.GL_LINES, GL.GL_LINE_STRIP) and self.line_width * self._pixel_ratio() != 1.0:
            with contextlib.suppress(GL.GLError):  # core forward-compatible profiles only do width 1
                GL.glLineWidth(self.line_width * self._pixel_ratio())
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
        if self.primitive in (GL.GL_LINES, GL.GL_LINE_STRIP) and self.line_width * self._pixel_ratio() != 1.0:
            with contextlib.suppress(GL.GLError):
                GL.glLineWidth(1.0)

    def _pixel_ratio(self) -> float:
        """Device pixels per logical pixel of the view: line widths and point sizes are in logical pixels."""
        view = self.view()
        return float(view.devicePixelRatio()) if view is not None else 1.0

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
        GL.glUniform1f(u["u_point_size"], float(self.point_size) * self._pixel_ratio())

        try:
            self._draw_buffers()
        finally:
            GL.glUseProgram(0)

    def _draw_buffers(self, posed: bool = False) -> None:
        """Bind the vertex attributes (a constant where a buffer is absent) and draw.

        Attribute locations: 0 position, 1 normal, 2 colour (RGBA8), 3 alpha and,
        for ``posed`` items, 4 the (fixture, part) pose key.
        """
        enabled: list[int] = []

        def attrib(loc: int, name: str, size: int, kind: int, normalized: bool) -> bool:
            buf = self._buffers.get(name)
            if buf is None or self._arrays.get(name) is None:
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
            if posed and not attrib(4, "pose", 2, GL.GL_FLOAT, False):
                GL.glVertexAttrib2f(4, 0.0, 0.0)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            index = self._buffers.get("index")
            if index is not None and self._arrays.get("index") is not None:
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, index[0])
                GL.glDrawElements(self.primitive, self._count, GL.GL_UNSIGNED_INT, None)
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)
            else:
                GL.glDrawArrays(self.primitive, 0, self._count)
        finally:
            for loc in enabled:
                GL.glDisableVertexAttribArray(loc)


def program_uniforms(program: int) -> dict[str, int]:
    names = ("u_mvp", "u_normal", "u_lit", "u_point_size")
    return {n: int(GL.glGetUniformLocation(program, n)) for n in names}


# --------------------------------------------------------------------------- posed items
#
# Moving heads move on the GPU: every vertex of a posed item carries (fixture,
# part), and the vertex shader reads the fixture's pose from two float textures,
# a static one (rebuilt with the configuration) and a small per-frame one (pan,
# tilt, beam opening, on/off).  A frame of movement is one texture upload of 16
# bytes per fixture; no geometry is rebuilt.  ``motion.py`` does the same maths
# in numpy for the tests.

#: Parts: how a vertex moves with its fixture (a beam's quad: see ``BeamItem``).
PART_STATIC, PART_YOKE, PART_HEAD, PART_BEAM = 0, 1, 2, 3

#: GLSL shared by the posed and beam vertex shaders: fixture pose lookups and the pan/tilt rotations.
_POSE_GLSL = """
vec4 pose_texel(int f, int k) { return texelFetch(u_pose, ivec2((f - (f / u_cols) * u_cols) * 4 + k, f / u_cols), 0); }
mat3 rot_x(float a) { float c = cos(a); float s = sin(a); return mat3(1.0, 0.0, 0.0, 0.0, c, s, 0.0, -s, c); }
mat3 rot_z(float a) { float c = cos(a); float s = sin(a); return mat3(c, s, 0.0, -s, c, 0.0, 0.0, 0.0, 1.0); }
// fixture f's static texels t[0..3] (position | pivot, rotation columns | lens radius, lens height, length)
// and its motion texel (pan rad, tilt rad, tan of half the opening, on)
void pose_of(int f, out vec4 t[4], out vec4 m) {
    for (int k = 0; k < 4; ++k) t[k] = pose_texel(f, k);
    m = texelFetch(u_motion, ivec2(f - (f / u_cols) * u_cols, f / u_cols), 0);
}
"""

_POSED_VERTEX = """
uniform mat4 u_mvp;
uniform float u_lit;
uniform sampler2D u_pose;
uniform sampler2D u_motion;
uniform int u_cols;
in vec3 a_position;
in vec3 a_normal;
in vec4 a_color;
in float a_alpha;
in vec2 a_pose;
out vec4 v_color;

""" + _POSE_GLSL + _LIGHT_GLSL + """void main() {
    int part = int(a_pose.y + 0.5);
    vec3 p = a_position;
    vec3 n = a_normal;
    vec4 c = a_color;
    if (part > 0) {
        int f = int(a_pose.x + 0.5);
        vec4 t[4];
        vec4 m;
        pose_of(f, t, m);
        vec4 t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3];
        mat3 R = mat3(t1.xyz, t2.xyz, t3.xyz);  // body -> stage
        mat3 pan = rot_z(-m.x);
        // the yoke pans; the head pans, then tilts about the body's own axes, around its pivot
        mat3 H = part == 1 ? pan : pan * rot_x(-m.y);
        vec3 pivot = part == 1 ? vec3(0.0) : vec3(0.0, 0.0, t0.w);
        p = t0.xyz + R * (H * (transpose(R) * (a_position - t0.xyz) - pivot) + pivot);
        n = R * (H * (transpose(R) * a_normal));
    }
    if (u_lit > 0.5) c.rgb = lit(c.rgb, n);
    c.a *= a_alpha;
    v_color = c;
    gl_Position = u_mvp * vec4(p, 1.0);
}
"""

_POSED_FRAGMENT = """
in vec4 v_color;
out vec4 frag_color;
void main() {
    frag_color = v_color;
}
"""

_POSED_ATTRIBUTES = (*_ATTRIBUTES, "a_pose")
_POSED_UNIFORMS = ("u_mvp", "u_normal", "u_lit", "u_pose", "u_motion", "u_cols")


def build_posed_program() -> tuple[int, dict[str, int]]:
    """The program of posed items for the current context (GLSL 1.50 core, 1.30 otherwise)."""
    core = _core_profile()
    header = "#version 150\n" if core else "#version 130\n"
    prog = _link(header + _POSED_VERTEX, header + _POSED_FRAGMENT, _POSED_ATTRIBUTES, frag_data=not core)
    return prog, {n: int(GL.glGetUniformLocation(prog, n)) for n in _POSED_UNIFORMS}


class PoseTextures:
    """Per-fixture pose data for the GPU: a static texture and a per-frame motion texture.

    Static, 4 RGBA32F texels per fixture: (position, tilt pivot height), then the
    body -> stage rotation's columns with (lens radius, lens height, beam length)
    in their w.  Motion, 1 texel per fixture: (pan rad, tilt rad, tan(beam/2), on).
    ``COLS`` fixtures per texture row, so 10,000 fixtures fit any GL's texture size.
    """

    COLS = 256

    def __init__(self) -> None:
        self.static = np.zeros((1, 4 * self.COLS, 4), np.float32)
        self.motion = np.zeros((1, self.COLS, 4), np.float32)
        self._dirty = {"static", "motion"}
        self._ids: dict[str, int] = {}
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._generation = -1
        #: Bumped whenever the motion changes (the frame cache key of the moving bodies).
        self.version = 0

    @classmethod
    def rows(cls, n: int) -> int:
        return max(1, -(-n // cls.COLS))

    def set_static(self, texels: npt.NDArray[np.float32]) -> None:
        """(N, 4, 4) per-fixture texels."""
        n = len(texels)
        out = np.zeros((self.rows(n) * self.COLS, 4, 4), np.float32)
        out[:n] = texels
        self.static = out.reshape(self.rows(n), self.COLS * 4, 4)
        self._dirty.add("static")
        self.version += 1

    def set_motion(self, motion: npt.NDArray[np.float32]) -> None:
        """(N, 4) per-fixture (pan rad, tilt rad, tan half angle, on)."""
        n = len(motion)
        rows = self.rows(n)
        if self.motion.shape[0] != rows:
            self.motion = np.zeros((rows, self.COLS, 4), np.float32)
        flat = self.motion.reshape(-1, 4)
        flat[:n] = motion
        self._dirty.add("motion")
        self.version += 1

    def bind(self, generation: int) -> None:
        """Upload what changed and bind static to unit 0, motion to unit 1."""
        if generation != self._generation:
            self._ids = {}
            self._shapes = {}
            self._generation = generation
            self._dirty = {"static", "motion"}
        for unit, name in ((0, "static"), (1, "motion")):
            arr = getattr(self, name)
            GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
            tex = self._ids.get(name)
            if tex is None:
                tex = int(GL.glGenTextures(1))
                self._ids[name] = tex
                GL.glBindTexture(GL.GL_TEXTURE_2D, tex)
                for param in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):
                    GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_NEAREST)
            GL.glBindTexture(GL.GL_TEXTURE_2D, tex)
            if name in self._dirty:
                h, w = arr.shape[:2]
                if self._shapes.get(name) != arr.shape:
                    GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA32F, w, h, 0, GL.GL_RGBA, GL.GL_FLOAT, arr)
                    self._shapes[name] = arr.shape
                else:
                    GL.glTexSubImage2D(GL.GL_TEXTURE_2D, 0, 0, 0, w, h, GL.GL_RGBA, GL.GL_FLOAT, arr)
        self._dirty.clear()
        GL.glActiveTexture(GL.GL_TEXTURE0)


class PosedItem(BatchItem):
    """A ``BatchItem`` whose vertices move with their fixture's pose (see ``PoseTextures``): bodies, lenses, aims."""

    def __init__(self, primitive: int, textures: PoseTextures, **kwargs: Any) -> None:
        super().__init__(primitive, **kwargs)
        self.textures = textures
        self._arrays["pose"] = None

    def set_pose(self, pose: npt.NDArray[np.float32]) -> None:
        """(V, 2) per-vertex (fixture index, part)."""
        self._arrays["pose"] = np.ascontiguousarray(pose, dtype=np.float32)
        self._dirty.add("pose")
        self.version += 1
        self.update()

    def _draw(self, res: GLResources) -> None:
        view = self.view()
        program, u = view.posed_program()
        GL.glUseProgram(program)
        self.textures.bind(res.generation)
        GL.glUniformMatrix4fv(u["u_mvp"], 1, GL.GL_FALSE, np.array(self.mvpMatrix().data(), dtype=np.float32))
        nm = np.array(self.modelViewMatrix().normalMatrix().data(), dtype=np.float32)
        GL.glUniformMatrix3fv(u["u_normal"], 1, GL.GL_FALSE, nm)
        GL.glUniform1f(u["u_lit"], 1.0 if self.lit else 0.0)
        GL.glUniform1i(u["u_pose"], 0)
        GL.glUniform1i(u["u_motion"], 1)
        GL.glUniform1i(u["u_cols"], PoseTextures.COLS)
        try:
            self._draw_buffers(posed=True)
        finally:
            GL.glUseProgram(0)


_QUAD_VERTEX = """
in vec2 a_position;
out vec2 v_uv;
void main() {
    v_uv = a_position * 0.5 + 0.5;
    gl_Position = vec4(a_position, 0.0, 1.0);
}
"""

#: A texture drawn as it is (the overlay's labels and legend).
_TEXTURE_FRAGMENT = """
uniform sampler2D u_image;
in vec2 v_uv;
out vec4 frag_color;
void main() {
    frag_color = texture(u_image, v_uv);
}
"""

_PRESENT_FRAGMENT = """
uniform sampler2D u_frame;
uniform sampler2D u_light;
in vec2 v_uv;
out vec4 frag_color;
void main() {
    vec4 c = texture(u_frame, v_uv);  // nearest, at texel centres: texel for pixel (llvmpipe: cheaper than texelFetch)
    c.rgb += texture(u_light, v_uv).rgb * (1.0 - c.a);
    frag_color = vec4(c.rgb, 1.0);
}
"""


_FARTHEST_DEPTH_FRAGMENT = """
uniform sampler2D u_depth;
uniform vec2 u_step;  // full-resolution pixels per pixel of the target
uniform ivec2 u_size;  // the full-resolution depth's size
uniform int u_taps;  // samples per axis, spread evenly over the footprint of one target pixel
void main() {
    vec2 lo = (gl_FragCoord.xy - 0.5) * u_step;
    vec2 stride = u_step / float(u_taps);
    float d = 0.0;
    for (int j = 0; j < u_taps; j++) {
        for (int i = 0; i < u_taps; i++) {
            ivec2 p = ivec2(floor(lo + (vec2(i, j) + 0.5) * stride));
            d = max(d, texelFetch(u_depth, clamp(p, ivec2(0), u_size - 1), 0).r);
        }
    }
    gl_FragDepth = d;
}
"""


def build_farthest_depth_program() -> int:
    """Writes, per pixel of a smaller target, the farthest depth of its footprint in ``u_depth``.

    The light layer's depth: thin occluders (a truss, a fixture's edge) never
    block a whole light pixel, so light never leaves a dark fringe around them
    (a nearest-sampled copy blocks a light pixel or not by luck).  At most 3 × 3
    samples spread over the footprint.
    """
    core = _core_profile()
    header = "#version 150\n" if core else "#version 130\n"
    return _link(header + _QUAD_VERTEX, header + _FARTHEST_DEPTH_FRAGMENT, ("a_position",))


def build_present_program() -> int:
    """The frame's last pass (``GLView._present``): the picture (``u_frame``, sampled nearest: texel for
    pixel), plus the light layer (``u_light``, bilinearly upsampled) weighted by 1 - the picture's alpha."""
    core = _core_profile()
    header = "#version 150\n" if core else "#version 130\n"
    return _link(header + _QUAD_VERTEX, header + _PRESENT_FRAGMENT, ("a_position",), frag_data=not core)


# --------------------------------------------------------------------------- beams
#
# One quad per beam, fitted on screen around the cone; the fragment shader
# casts each pixel's view ray through the cone.  ``motion.beam_quads`` and
# ``motion.beam_light`` are the same maths in numpy (the tests' reference).

_BEAM_VERTEX = """
uniform mat4 u_mvp;
uniform mat4 u_inv_mvp;
uniform vec3 u_eye;
uniform vec3 u_forward;
uniform float u_ortho;
uniform vec2 u_half_px;
uniform sampler2D u_pose;
uniform sampler2D u_motion;
uniform int u_cols;
in vec3 a_position;  // the quad's corner: (-1 | 1 along the beam, -1 | 1 across it, 0)
in vec4 a_color;
in vec2 a_pose;
noperspective out vec3 v_origin;  // the pixel's ray (at the beam's depth) in the beam's frame
noperspective out vec3 v_dir;
noperspective out vec2 v_floor;   // world z of the ray's origin, and per unit of t
flat out vec4 v_cone;   // axial stretch drawn (from the middle), radius at the middle, tan(half angle)
flat out vec4 v_fade;   // fade = x + y * axial; z: the ray's first t (the eye, or the near plane)
flat out vec3 v_rgb;

""" + _POSE_GLSL + """void main() {
    int f = int(a_pose.x + 0.5);
    vec4 t[4];
    vec4 m;
    pose_of(f, t, m);
    vec4 t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3];
    mat3 R = mat3(t1.xyz, t2.xyz, t3.xyz);
    mat3 H = rot_z(-m.x) * rot_x(-m.y);
    vec3 pivot = vec3(0.0, 0.0, t0.w);
    vec3 lens = t0.xyz + R * (H * (vec3(0.0, 0.0, t2.w) - pivot) + pivot);
    vec3 d = R * (H * vec3(0.0, 0.0, 1.0));
    float r0 = t1.w;
    float len = t3.w;
    float k = m.z;
    // the stretch with any of the cone above the floor (motion.beam_spans)
    float hz = sqrt(max(1.0 - d.z * d.z, 0.0));
    float top = lens.z + r0 * hz;
    float rise = d.z + k * hz;
    float sa = 0.0;
    float sb = len;
    if (rise > 0.0) sa = max(0.0, -top / rise);
    else if (rise < 0.0) sb = min(len, -top / rise);
    else if (top < 0.0) sb = -1.0;
    bool hidden = m.w < 0.5 || sb <= sa || max(a_color.r, max(a_color.g, a_color.b)) * a_color.a <= 0.0;
    float sm = 0.5 * (sa + sb);
    vec3 mid = lens + d * sm;
    // (motion.beam_quads) a square around each end, across the view; 8 corners on screen
    vec3 view = u_ortho > 0.5 ? u_forward : mid - u_eye;
    vec3 e1 = cross(d, view);
    if (dot(e1, e1) < 1e-12 * dot(view, view)) {  // seen down its axis: any direction across
        e1 = cross(d, abs(d.x) < 0.9 ? vec3(1.0, 0.0, 0.0) : vec3(0.0, 1.0, 0.0));
    }
    e1 = normalize(e1);
    vec3 e2 = cross(d, e1);
    float ra = r0 + k * sa;
    float rb = r0 + k * sb;
    vec4 ca = u_mvp * vec4(lens + d * sa, 1.0);
    vec4 cb = u_mvp * vec4(lens + d * sb, 1.0);
    vec4 c1 = u_mvp * vec4(e1, 0.0);
    vec4 c2 = u_mvp * vec4(e2, 0.0);
    vec2 p[8];
    bool front = true;
    float zmin = 1.0;
    for (int i = 0; i < 8; i++) {
        float s1 = (i - (i / 2) * 2) == 0 ? 1.0 : -1.0;
        float s2 = ((i / 2) - (i / 4) * 2) == 0 ? 1.0 : -1.0;
        vec4 c = i < 4 ? ca + ra * (s1 * c1 + s2 * c2) : cb + rb * (s1 * c1 + s2 * c2);
        front = front && c.w > 1e-4;
        float w = max(c.w, 1e-4);
        p[i] = c.xy / w * u_half_px;
        zmin = min(zmin, c.z / w);
    }
    vec2 corner = a_position.xy;
    float z = -1.0;
    if (front) {
        vec2 pa = 0.25 * (p[0] + p[1] + p[2] + p[3]);
        vec2 pb = 0.25 * (p[4] + p[5] + p[6] + p[7]);
        vec2 ax = pb - pa;
        float span = length(ax);
        vec2 u = span > 1e-3 ? ax / span : vec2(1.0, 0.0);
        vec2 n = vec2(-u.y, u.x);
        float amin = 1e30;
        float amax = -1e30;
        float top_a = -1e30;
        float top_b = -1e30;
        float bot_a = 1e30;
        float bot_b = 1e30;
        for (int i = 0; i < 8; i++) {
            float a = dot(p[i], u);
            float c = dot(p[i], n);
            amin = min(amin, a);
            amax = max(amax, a);
            if (i < 4) { top_a = max(top_a, c); bot_a = min(bot_a, c); }
            else { top_b = max(top_b, c); bot_b = min(bot_b, c); }
        }
        float slope_top = span > 1.0 ? clamp((top_b - top_a) / span, -2.0, 2.0) : 0.0;
        float slope_bot = span > 1.0 ? clamp((bot_b - bot_a) / span, -2.0, 2.0) : 0.0;
        float off_top = -1e30;
        float off_bot = 1e30;
        for (int i = 0; i < 8; i++) {
            float a = dot(p[i], u);
            float c = dot(p[i], n);
            off_top = max(off_top, c - slope_top * a);
            off_bot = min(off_bot, c - slope_bot * a);
        }
        float along = a_position.x < 0.0 ? amin : amax;
        float across = a_position.y > 0.0 ? slope_top * along + off_top : slope_bot * along + off_bot;
        corner = (u * along + n * across) / u_half_px;
        z = clamp(zmin, -1.0, 1.0);
    }
    // this corner's view ray (motion.camera_rays), from the beam's depth on
    vec4 xf = u_inv_mvp * vec4(corner, 1.0, 1.0);
    vec3 o = u_eye;
    vec3 v = xf.xyz - xf.w * u_eye;
    if (u_ortho > 0.5) {
        vec4 xn = u_inv_mvp * vec4(corner, -1.0, 1.0);
        o = xn.xyz / xn.w;
        v = xf.xyz / xf.w - o;
    }
    v /= dot(v, u_forward);
    float tm = dot(mid - o, u_forward);
    vec3 rel = o + tm * v - mid;
    v_origin = vec3(dot(e1, rel), dot(e2, rel), dot(d, rel));
    v_dir = vec3(dot(e1, v), dot(e2, v), dot(d, v));
    v_floor = vec2(rel.z + mid.z, v.z);
    v_cone = vec4(sa - sm, sb - sm, r0 + k * sm, k);
    v_fade = vec4(1.0 - sm / len, -1.0 / len, -tm, 0.0);
    v_rgb = a_color.rgb * a_color.a;
    // hidden: every vertex on one point, no area
    gl_Position = hidden ? vec4(0.0, 0.0, 0.0, 1.0) : vec4(corner, z, 1.0);
}
"""

_BEAM_FRAGMENT = """
uniform float u_gain;
uniform float u_knee;
uniform float u_spread;
uniform float u_pool;
noperspective in vec3 v_origin;
noperspective in vec3 v_dir;
noperspective in vec2 v_floor;
flat in vec4 v_cone;
flat in vec4 v_fade;
flat in vec3 v_rgb;
out vec4 frag_color;
void main() {
    // (motion.beam_light) the ray o + t v, the cone x² + y² <= (rm + k z)², z along the axis
    vec3 o = v_origin;
    vec3 v = v_dir;
    float rm = v_cone.z;
    float k = v_cone.w;
    float ro = rm + k * o.z;
    float A = v.x * v.x + v.y * v.y - k * k * v.z * v.z;
    float B = o.x * v.x + o.y * v.y - k * v.z * ro;
    float C = o.x * o.x + o.y * o.y - ro * ro;
    float disc = B * B - A * C;
    float sq = sqrt(max(disc, 0.0));
    float q = B < 0.0 ? sq - B : -B - sq;
    q = abs(q) > 1e-30 ? q : 1e-30;
    float r1 = q / (abs(A) > 1e-30 ? A : 1e-30);
    float r2 = C / q;
    float lo = min(r1, r2);
    float hi = max(r1, r2);
    float t0 = lo;
    float t1 = hi;
    if (A < 0.0) {  // the ray runs within the cone's angle: one end of it is inside
        t0 = v.z > 0.0 ? hi : -1e30;
        t1 = v.z > 0.0 ? 1e30 : lo;
    }
    if (disc < 0.0) t1 = -1e30;
    // between the ends of the stretch drawn
    float iz = 1.0 / (abs(v.z) > 1e-12 ? v.z : 1e-12);
    float s0 = (v_cone.x - o.z) * iz;
    float s1 = (v_cone.y - o.z) * iz;
    t0 = max(t0, min(s0, s1));
    t1 = min(t1, max(s0, s1));
    // above the floor, in front of the eye
    float fz = v_floor.x;
    float dz = v_floor.y;
    float tf = -fz / (dz != 0.0 ? dz : 1.0);
    if (dz < 0.0) t1 = min(t1, tf);
    else if (dz > 0.0) t0 = max(t0, tf);
    else if (fz < 0.0) t1 = -1e30;
    t0 = max(t0, v_fade.z);
    float light = 0.0;
    if (t1 > t0) {
        float tm = 0.5 * (t0 + t1);
        vec3 pm = o + tm * v;
        float ir = 1.0 / max(rm + k * pm.z, 1e-6);  // 1 / the radius there (one division, not three)
        float fade = clamp(v_fade.x + v_fade.y * pm.z, 0.0, 1.0);
#if SOFT
        float shape = sqrt(max(1.0 - dot(pm.xy, pm.xy) * ir * ir, 0.0));
#else
        float shape = 1.0;
#endif
        float x = (t1 - t0) * length(v) * ir * shape * min(1.0, u_spread * ir);
        light = u_gain * fade * x / (1.0 + u_knee * x);
    }
#if POOL
    if (dz < 0.0 && tf >= v_fade.z) {  // the pool, where the ray meets the floor
        vec3 pf = o + tf * v;
        float rad = rm + k * pf.z;
        float u2 = dot(pf.xy, pf.xy) / max(rad * rad, 1e-12);
        if (u2 < 1.0 && pf.z >= v_cone.x && pf.z <= v_cone.y && rad > 0.0) {
            float fade = clamp(v_fade.x + v_fade.y * pf.z, 0.0, 1.0);
            light += u_pool * (1.0 - u2) * (1.0 - u2) * min(1.25 * fade, 1.0);
        }
    }
#endif
    frag_color = vec4(v_rgb * light, 0.0);
}
"""

_BEAM_UNIFORMS = ("u_mvp", "u_inv_mvp", "u_eye", "u_forward", "u_ortho", "u_half_px", "u_pose", "u_motion",
                  "u_cols", "u_gain", "u_knee", "u_spread", "u_pool")


def build_beam_program(soft: bool = True, pool: bool = True) -> tuple[int, dict[str, int]]:
    """The program of ``BeamItem`` for the current context (GLSL 1.50 core, 1.30 otherwise).

    ``soft`` (the profile across the beam) and ``pool`` are compiled in or out:
    llvmpipe runs both sides of a branch, even on a uniform.
    """
    core = _core_profile()
    header = ("#version 150\n" if core else "#version 130\n") + f"#define SOFT {int(soft)}\n#define POOL {int(pool)}\n"
    prog = _link(header + _BEAM_VERTEX, header + _BEAM_FRAGMENT, _POSED_ATTRIBUTES, frag_data=not core)
    return prog, {n: int(GL.glGetUniformLocation(prog, n)) for n in _BEAM_UNIFORMS}


class BeamItem(PosedItem):
    """Every beam (and its floor pool) as one quad, lit per pixel: see ``motion.beam_light``.

    Geometry: 4 vertices per beam, position = the quad corner (±1, ±1, 0),
    pose = (fixture, ``PART_BEAM``), colour = the beam's RGBA8 (alpha scales
    it); 6 indices per beam.  ``gain`` and ``pool`` are the brightness of a beam
    seen side-on at its lens and of a pool's centre (0: no pools); ``soft``
    fades each beam from its axis to its edge.  Additive, depth-tested (against
    the nearest point of its quad), writes no depth.
    """

    def __init__(self, textures: PoseTextures, **kwargs: Any) -> None:
        super().__init__(GL.GL_TRIANGLES, textures, depth_write=False, blend="additive", **kwargs)
        #: Drawn into the view's reduced light layer (see ``GLView._draw_light``).
        self.low_res = True
        self.soft = True
        self.gain = 0.25
        self.knee = 0.3
        self.spread = 1.0
        self.pool = 0.45

    def _apply_state(self) -> None:
        super()._apply_state()
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE)

    def _draw(self, res: GLResources) -> None:
        view = self.view()
        pools = self.pool > 0.0
        program, u = view.light_program(self.soft, pools)
        cam = view.light_camera()
        GL.glUseProgram(program)
        self.textures.bind(res.generation)
        GL.glUniformMatrix4fv(u["u_mvp"], 1, GL.GL_TRUE, cam.vp.astype(np.float32))
        GL.glUniformMatrix4fv(u["u_inv_mvp"], 1, GL.GL_TRUE, cam.inverse.astype(np.float32))
        GL.glUniform3f(u["u_eye"], *map(float, cam.eye))
        GL.glUniform3f(u["u_forward"], *map(float, cam.forward))
        GL.glUniform1f(u["u_ortho"], 1.0 if cam.ortho else 0.0)
        GL.glUniform2f(u["u_half_px"], *map(float, cam.half_px))
        GL.glUniform1i(u["u_pose"], 0)
        GL.glUniform1i(u["u_motion"], 1)
        GL.glUniform1i(u["u_cols"], PoseTextures.COLS)
        GL.glUniform1f(u["u_gain"], float(self.gain))
        GL.glUniform1f(u["u_knee"], float(self.knee))
        GL.glUniform1f(u["u_spread"], float(self.spread))
        if pools:
            GL.glUniform1f(u["u_pool"], float(self.pool))
        try:
            self._draw_buffers(posed=True)
        finally:
            GL.glUseProgram(0)
