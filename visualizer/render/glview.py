"""``GLView``: the one adapter over pyqtgraph's ``GLViewMixin`` internals.

Everything the scene needs from pyqtgraph beyond its public camera API lives
here, so a pyqtgraph upgrade is checked in one file.  What it relies on (as of
pyqtgraph 0.14): ``GLViewMixin`` (``GLViewWidget`` minus the widget), ``opts``
(``center``, ``distance``, ``azimuth``, ``elevation``, ``fov``, ``bgcolor``),
``setProjection(region, viewport)``, ``setModelview()``, ``viewMatrix()``,
``drawItemTree()``, ``items`` and ``default_vao`` (only when present), and
items' ``mvpMatrix()``/``modelViewMatrix()`` reading the view's current
projection and model-view.

What it adds:

* **A window, not a widget.**  ``GLView`` is a ``QOpenGLWindow``: the frame is
  drawn into an FBO of ours and ``_present`` draws it, with the light added,
  into the view's own native window, which Qt swaps.  A ``QOpenGLWidget``
  (what pyqtgraph's ``GLViewWidget`` is) has its FBO composed into the
  top-level window's backing store every frame instead: an empty view
  presents several times as many frames per second here (1600x1000, Mesa
  llvmpipe; ``bench_render``'s empty-view row).  Widget layouts take the
  view's ``container`` (``QWidget.createWindowContainer``, which owns the
  view); focus policy, size limits, actions and showing, resizing or closing
  go through it.  ``update`` posts its repaint as ``QWidget.update`` does, a
  click focuses the view (the container never sees it), ``grab_image`` draws
  a frame and reads it back.  The context lives as long as the view (a native
  window made anew keeps it); ``initializeGL`` still counts generations.
* **A mirrored picture.**  Stage coordinates are Show Creator's: +x is stage
  right, the *audience's left*, -y downstage, +z up.  That frame is
  left-handed, so drawn as is by a right-handed camera every rig came out
  mirrored.  The projection flips screen x (``MIRROR_X``), which makes the
  picture a true view of the stage from wherever the camera is: from the
  audience, x = -5 is on the right.  The flip reverses the screen winding of
  every triangle (items cull with ``front_face()``), not lighting (normals are
  lit in eye space, before the projection) and not picking (it projects with
  the same matrix).  Mouse orbit and pan undo the flip so that the stage
  follows the pointer.
* **Orthographic plans** (``set_orthographic``): the visible width at the
  centre is ``2 · distance · tan(fov / 2)`` in both modes, so zoom and framing
  work the same.
* **The camera never goes under the floor**: elevation stays in 0..90.
* **A frame cache** for the static layers (see ``_paint_cached``).
* **A light layer**: items marked ``low_res`` (the beams) are drawn into a
  small framebuffer, depth-tested against the static layers, and added to
  the picture as it is presented, where nothing drawn after the static
  layers covers it (see ``_draw_light`` and ``_present``).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from OpenGL import GL
from OpenGL.raw.GL.VERSION import GL_1_0 as raw_gl
from PyQt6 import QtCore, QtGui, QtOpenGL, QtWidgets
from pyqtgraph.opengl.GLViewWidget import GLViewMixin

from visualizer.render import camera, motion
from visualizer.render.glitems import (
    GLResources,
    build_beam_program,
    build_farthest_depth_program,
    build_posed_program,
    build_present_program,
    build_program,
    program_uniforms,
)

log = logging.getLogger(__name__)


@functools.cache
def opengl_available() -> bool:
    """Whether this display gives an OpenGL context at all (a throwaway one, made current once).

    Asked once per process, after the QGuiApplication exists.
    """
    context = QtGui.QOpenGLContext()
    if not context.create():
        return False
    surface = QtGui.QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    try:
        if not surface.isValid() or not context.makeCurrent(surface):
            return False
        context.doneCurrent()
        return True
    finally:
        surface.destroy()


#: Where QWidget.update posts its UpdateRequest (PyQt6's stubs type ``.value`` as the enum).
_LOW_PRIORITY = cast(int, QtCore.Qt.EventPriority.LowEventPriority.value)
#: Events on which a QOpenGLWindow paints (some platforms send Paint as well as Expose).
_PAINT_EVENTS = (QtCore.QEvent.Type.Expose, QtCore.QEvent.Type.UpdateRequest, QtCore.QEvent.Type.Paint)


class RawFramebuffer:
    """An offscreen framebuffer (RGBA8 colour texture, depth-stencil) held as plain GL names.

    ``depth_texture``: the depth-stencil is a texture (it can be sampled), not a renderbuffer.

    Not a ``QOpenGLFramebufferObject``: that one frees itself in its destructor,
    whenever Python collects it, in whatever context is current then (or none,
    after its view is gone), which crashed later views.  GL names of a destroyed
    context are simply gone with it; ``delete`` is only called with ours current.
    """

    def __init__(self, width: int, height: int, generation: int, depth_texture: bool = False) -> None:
        self.width, self.height, self.generation = width, height, generation
        self.depth_texture = depth_texture
        self.texture = int(GL.glGenTextures(1))
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, width, height, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None)
        for param in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):
            GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_LINEAR)
        for param in (GL.GL_TEXTURE_WRAP_S, GL.GL_TEXTURE_WRAP_T):
            GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_CLAMP_TO_EDGE)
        GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
        self.handle = int(GL.glGenFramebuffers(1))
        if depth_texture:
            self.depth = int(GL.glGenTextures(1))
            GL.glBindTexture(GL.GL_TEXTURE_2D, self.depth)
            # the raw entry point: PyOpenGL's wrapper has no array type for UNSIGNED_INT_24_8
            raw_gl.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_DEPTH24_STENCIL8, width, height, 0, GL.GL_DEPTH_STENCIL,
                                GL.GL_UNSIGNED_INT_24_8, None)
            for param in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):
                GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_NEAREST)
            GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
        else:
            self.depth = int(GL.glGenRenderbuffers(1))
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, self.depth)
            GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_DEPTH24_STENCIL8, width, height)
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, 0)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.handle)
        GL.glFramebufferTexture2D(GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, self.texture, 0)
        if depth_texture:
            GL.glFramebufferTexture2D(GL.GL_FRAMEBUFFER, GL.GL_DEPTH_STENCIL_ATTACHMENT, GL.GL_TEXTURE_2D,
                                      self.depth, 0)
        else:
            GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, GL.GL_DEPTH_STENCIL_ATTACHMENT, GL.GL_RENDERBUFFER,
                                         self.depth)
        status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise RuntimeError(f"offscreen framebuffer incomplete (status {status:#x})")

    def bind(self) -> None:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.handle)

    def delete(self) -> None:
        """Free the GL names (our context must be current)."""
        GL.glDeleteFramebuffers(1, [self.handle])
        if self.depth_texture:
            GL.glDeleteTextures([self.depth])
        else:
            GL.glDeleteRenderbuffers(1, [self.depth])
        GL.glDeleteTextures([self.texture])


class GLView(GLViewMixin, QtOpenGL.QOpenGLWindow):  # type: ignore[misc]
    """pyqtgraph's GL view as a ``QOpenGLWindow``, with a mirrored (stage-correct) picture, plans, a frame cache.

    Put ``container`` (not the view) into widget layouts; ``parent`` becomes the
    container's parent.  The container owns the view: closing and deleting the
    container ends both.
    """

    #: Flip screen x: stage +x (stage right) is drawn on the audience's left.
    MIRROR_X = True
    #: Lowest camera elevation, degrees (0: level with the floor, never below it).
    MIN_ELEVATION = 0.0
    #: An UpdateRequest is on its way (see ``update``; a class default: the mixin's
    #: ``__init__`` already calls ``update``).
    _update_posted = False
    #: ``update`` was called since the last frame painted on an UpdateRequest.
    _requested = False

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        # NoPartialUpdate: we draw the frame into an FBO of ours (RGBA8, packed depth-stencil)
        # and one pass (``_present``) copies it to the window with the light layer added.
        # Drawn straight into the window, the frame cache's colour-depth-stencil blit costs
        # ~17 ms a frame at 1600x1000 on llvmpipe (no plain-copy path into a window's
        # buffers) against 1 ms between FBOs.  PartialUpdateBlit (Qt's own FBO, blitted to
        # the window, ~5 ms) would add that blit to the pass that adds the light (~6 ms):
        # one pass doing both costs about what each costs alone.
        super().__init__(QtOpenGL.QOpenGLWindow.UpdateBehavior.NoPartialUpdate)
        self._container = QtWidgets.QWidget.createWindowContainer(self, parent)
        # What GLViewWidget asks for: a click gives the view the keyboard (arrows, Home, R...).
        self._container.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self._gl_generation = 0
        self._frames = 0
        self._ortho = False
        #: Keep the static layers in an FBO while only the rest changes (see _paint_cached).
        self.frame_cache = True
        self._cache_fbo: RawFramebuffer | None = None
        self._cache_key: tuple[Any, ...] | None = None
        self._pending_key: tuple[Any, ...] | None = None
        self._failed_items: set[int] = set()
        self._gl = GLResources()
        self._posed: tuple[int, int, dict[str, int]] | None = None
        #: Items with ``low_res`` set (the beams) are drawn at this fraction of the
        #: resolution and added over the picture: soft light, a quarter of the fill.
        self.light_scale = 0.5
        #: At most this many pixels in the light layer (None: no cap): in a big window the
        #: layer's scale drops below ``light_scale``, since the fill (llvmpipe's cost) grows
        #: with the layer's area while soft light looks the same upsampled.
        self.light_budget: int | None = None
        self._light_fbo: RawFramebuffer | None = None
        #: The static layers' depth, copied where a shader can read it, when there is no cache.
        self._depth_copy: RawFramebuffer | None = None
        #: What the light layer's depth holds: (cache key, framebuffer, size), or None (refill it).
        self._light_depth_key: tuple[Any, ...] | None = None
        self._light_progs: dict[tuple[int, bool, bool], tuple[int, dict[str, int]]] = {}
        self._quad: tuple[int, int] | None = None  # generation, full-screen quad buffer
        self._farthest: tuple[int, int] | None = None  # generation, program
        #: The frame is drawn here, then presented to the window with the light (see ``_present``).
        self._frame_fbo: RawFramebuffer | None = None
        self._grab_fbo: RawFramebuffer | None = None
        #: The light layer drawn this frame (its texture), added when the frame is presented.
        self._light_texture: int | None = None
        self._present_prog: tuple[int, int] | None = None  # generation, program
        #: How far (metres) the far clipping plane reaches beyond the camera distance.
        self._extent = 100.0
        #: A mouse button is down and the pointer moved: the user is dragging the camera.
        self.dragging = False

    @property
    def container(self) -> QtWidgets.QWidget:
        """The widget that shows the view in a widget layout (it owns the view)."""
        return self._container

    # ------------------------------------------------------------------ for subclasses

    def static_items(self) -> Sequence[Any]:
        """Items drawn into the frame cache: they change rarely (floor, bodies)."""
        return ()

    def front_face(self) -> int:
        """Winding of front faces on screen: the mirror turns counter-clockwise into clockwise."""
        return int(GL.GL_CW if self.MIRROR_X else GL.GL_CCW)

    # ------------------------------------------------------------------ projection

    def is_orthographic(self) -> bool:
        return self._ortho

    def set_orthographic(self, ortho: bool) -> None:
        if ortho != self._ortho:
            self._ortho = ortho
            self.update()

    def half_width_at_centre(self) -> float:
        """Half the visible width (metres) in the plane through the camera centre."""
        return float(self.opts["distance"]) * math.tan(0.5 * math.radians(float(self.opts["fov"])))

    def projectionMatrix(self, region: Any, viewport: Any) -> QtGui.QMatrix4x4:
        # pyqtgraph clips at distance/1000 .. distance*1000, which leaves too little
        # depth precision for lenses a few millimetres in front of their bodies.
        x0, y0, w, h = viewport
        dist = float(self.opts["distance"])
        far = dist * 20.0 + self._extent
        tr = QtGui.QMatrix4x4()
        if self._ortho:
            r = self.half_width_at_centre()
            near = -self._extent  # an orthographic camera sees what is behind its eye point, too
        else:
            near = max(dist * 0.01, 1e-3)
            r = near * math.tan(0.5 * math.radians(float(self.opts["fov"])))
        t = r * h / w
        left = r * ((region[0] - x0) * (2.0 / w) - 1)
        right = r * ((region[0] + region[2] - x0) * (2.0 / w) - 1)
        bottom = t * ((region[1] - y0) * (2.0 / h) - 1)
        top = t * ((region[1] + region[3] - y0) * (2.0 / h) - 1)
        if self._ortho:
            tr.ortho(left, right, bottom, top, near, far)
        else:
            tr.frustum(left, right, bottom, top, near, far)
        if self.MIRROR_X:
            mirror = QtGui.QMatrix4x4()
            mirror.scale(-1.0, 1.0, 1.0)
            tr = mirror * tr
        return tr

    def deviceWidth(self) -> int:
        """The window's width in device pixels, rounded as Qt sizes the native window.

        pyqtgraph truncates ``width() * dpr``: at a fractional ratio (641 x 1.5 = 961.5)
        the frame came out a pixel short of the window (962), whose last column and
        top row were never drawn.
        """
        return (self.size() * self.devicePixelRatio()).width()

    def deviceHeight(self) -> int:
        """The window's height in device pixels (see ``deviceWidth``)."""
        return (self.size() * self.devicePixelRatio()).height()

    def view_projection(self) -> npt.NDArray[np.float64]:
        """projection · view, row-major, for widget-pixel projection of world points."""
        vp = (0, 0, max(self.width(), 1), max(self.height(), 1))
        return camera.qmatrix_to_numpy(self.projectionMatrix(vp, vp) * self.viewMatrix())

    def pixels_per_metre(self, depth: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Screen scale of a length at clip depth ``depth`` (w), pixels per metre."""
        tan_h = math.tan(0.5 * math.radians(float(self.opts["fov"])))
        if self._ortho:
            return np.full(np.shape(depth), (self.width() / 2) / max(self.half_width_at_centre(), 1e-9))
        out: npt.NDArray[np.float64] = (self.width() / 2) / tan_h / np.maximum(depth, 1e-6)
        return out

    # ------------------------------------------------------------------ camera moves

    def orbit(self, azim: float, elev: float) -> None:
        # Turning a plan makes it a perspective view again; never below the floor.
        self._ortho = False
        self.opts["azimuth"] += azim
        self.opts["elevation"] = float(np.clip(self.opts["elevation"] + elev, self.MIN_ELEVATION, 90.0))
        self.update()

    def pan(self, dx: float, dy: float, dz: float, relative: str = "global") -> None:
        super().pan(dx, dy, dz, relative)
        c = self.opts["center"]
        if c.z() < 0.0:  # the eye sits above the centre: keeping the centre on or above the floor keeps it there
            c.setZ(0.0)

    def camera_height(self) -> float:
        """The eye's height above the floor (metres)."""
        c = self.opts["center"]
        return float(c.z()) + float(self.opts["distance"]) * math.sin(math.radians(float(self.opts["elevation"])))

    def mousePressEvent(self, ev: QtGui.QMouseEvent | None) -> None:
        if ev is not None:
            self.mousePos = ev.position()
            self.dragging = False
        # The container never sees the click, so its focus policy is applied here: a click
        # gives the view the keyboard, as a click on a GLViewWidget does.
        container = self._container
        if container.focusPolicy().value & QtCore.Qt.FocusPolicy.ClickFocus.value and not container.hasFocus():
            container.setFocus(QtCore.Qt.FocusReason.MouseFocusReason)  # the container hands it to the view
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent | None) -> None:
        """Orbit (left), pan (Ctrl+left, middle), with the mirror undone so the stage follows the pointer."""
        if ev is None:
            return
        pos = ev.position()
        last = getattr(self, "mousePos", pos)
        diff = pos - last
        self.mousePos = pos
        sx = -1.0 if self.MIRROR_X else 1.0
        buttons, mods = ev.buttons(), ev.modifiers()
        if buttons != QtCore.Qt.MouseButton.NoButton and (diff.x() or diff.y()):
            self.dragging = True
        ctrl = bool(mods & QtCore.Qt.KeyboardModifier.ControlModifier)
        if buttons == QtCore.Qt.MouseButton.LeftButton:
            if ctrl:
                self.pan(sx * diff.x(), diff.y(), 0, relative="view")
            else:
                self.orbit(-sx * diff.x(), diff.y())
        elif buttons == QtCore.Qt.MouseButton.MiddleButton:
            if ctrl:
                self.pan(sx * diff.x(), 0, diff.y(), relative="view-upright")
            else:
                self.pan(sx * diff.x(), diff.y(), 0, relative="view-upright")

    def mouseReleaseEvent(self, ev: QtGui.QMouseEvent | None) -> None:
        self.dragging = False
        super().mouseReleaseEvent(ev)

    # ------------------------------------------------------------------ GL plumbing

    def update(self, *args: Any) -> None:
        """Repaint at the next pass of the event loop, as ``QWidget.update`` does.

        ``QWindow``'s own ``update`` waits for ``requestUpdate``, which on X11 is a
        5 ms timer: 5 ms added to every frame's latency, and to the frame time of
        anything that draws as fast as it can (live DMX).  The timer still runs;
        its request, once the frame asked for is painted, is dropped (``event``).
        """
        self._requested = True
        super().update(*args)
        if not self._update_posted:
            self._update_posted = True
            QtCore.QCoreApplication.postEvent(self, QtCore.QEvent(QtCore.QEvent.Type.UpdateRequest),
                                              _LOW_PRIORITY)

    def event(self, ev: QtCore.QEvent | None) -> bool:
        if ev is not None and ev.type() in _PAINT_EVENTS:
            if ev.type() == QtCore.QEvent.Type.UpdateRequest:
                self._update_posted = False
                if not self._requested:  # the frame asked for is painted: a second request paints it again
                    return True
                self._requested = False
            # Without OpenGL a QOpenGLWindow still paints, and crashes in Qt's own GL calls:
            # the view stays blank instead (the app says why, see visualizer.app.run).
            if not opengl_available():
                return True
        return bool(super().event(ev))

    def initializeGL(self) -> None:
        if not self.isValid():  # QOpenGLWindow calls this even when it got no context
            log.error("scene: no OpenGL context for the 3D view")
            return
        # A (new) context: every item re-creates its buffers, the program is rebuilt.
        self._gl_generation += 1
        # A new context: the old framebuffers' names belonged to the old one.
        self._cache_fbo = None
        self._light_fbo = None
        self._depth_copy = None
        self._frame_fbo = self._grab_fbo = None
        self._light_texture = None
        self._present_prog = None
        self._cache_key = self._pending_key = self._light_depth_key = None
        super().initializeGL()

    def _framebuffer(self, old: RawFramebuffer | None, width: int, height: int,
                     depth_texture: bool = False) -> RawFramebuffer:
        if old is not None and (old.width, old.height, old.generation, old.depth_texture) == (
                width, height, self._gl_generation, depth_texture):
            return old
        if old is not None and old.generation == self._gl_generation:
            old.delete()
        return RawFramebuffer(width, height, self._gl_generation, depth_texture)

    def gl_resources(self) -> GLResources:
        """The programs for the current context (items call this while painting)."""
        if self._gl.generation != self._gl_generation or not self._gl.program:
            program, ring = build_program(), build_program(ring=True)
            self._gl = GLResources(self._gl_generation, program, program_uniforms(program),
                                   ring, program_uniforms(ring))
        return self._gl

    def posed_program(self) -> tuple[int, dict[str, int]]:
        """The program of posed items (``glitems.PosedItem``) for the current context."""
        if self._posed is None or self._posed[0] != self._gl_generation:
            program, uniforms = build_posed_program()
            self._posed = (self._gl_generation, program, uniforms)
        return self._posed[1], self._posed[2]

    def light_program(self, soft: bool, pool: bool) -> tuple[int, dict[str, int]]:
        """The beam program (``glitems.BeamItem``) for the current context, with or without soft edges and pools."""
        key = (self._gl_generation, soft, pool)
        if key not in self._light_progs:
            self._light_progs = {k: v for k, v in self._light_progs.items() if k[0] == self._gl_generation}
            self._light_progs[key] = build_beam_program(soft, pool)
        return self._light_progs[key]

    def light_camera(self) -> motion.Camera:
        """The camera as the beam shader sees it (projection · view of the whole viewport, device pixels)."""
        region = self.getViewport()
        view = camera.qmatrix_to_numpy(self.viewMatrix())
        vp = camera.qmatrix_to_numpy(self.projectionMatrix(region, region)) @ view
        inv = np.linalg.inv(view).astype(np.float64)
        forward = -inv[:3, 2]
        return motion.Camera(vp=vp, eye=inv[:3, 3].copy(), forward=forward / np.linalg.norm(forward),
                             ortho=self._ortho, half_px=(max(region[2], 1) / 2, max(region[3], 1) / 2))

    @property
    def gl_generation(self) -> int:
        return self._gl_generation

    @property
    def frames_rendered(self) -> int:
        """How many times the scene has been drawn (benchmarks and tests wait on it)."""
        return self._frames

    def paintGL(self) -> None:
        if not self.isValid():  # no context (see initializeGL): nothing to draw with
            return
        w, h = self.deviceWidth(), self.deviceHeight()
        if w < 1 or h < 1:  # a window squeezed to nothing (a layout, mid-resize): no framebuffer has no pixels
            return
        self._frames += 1
        frame = self._frame_fbo = self._framebuffer(self._frame_fbo, w, h)
        self._light_texture = None
        frame.bind()
        GL.glViewport(0, 0, w, h)
        if not self.frame_cache:
            region = self.getViewport()
            self.setProjection(region, region)
            self.setModelview()
            self._draw_items(None, clear=True)
        else:
            try:
                self._paint_cached()
            except Exception:  # an exception escaping paintGL aborts a PyQt6 app
                # e.g. a driver that cannot blit depth between these framebuffers
                log.exception("scene: frame cache off; drawing everything every frame from now on")
                self.frame_cache = False
                self._cache_fbo = None
                self._cache_key = self._pending_key = None
                self._light_texture = None
                frame.bind()
                GL.glViewport(0, 0, w, h)
                self._draw_items(None, clear=True)
        self._present(self.defaultFramebufferObject())

    def _present(self, target: int) -> None:
        """Draw the frame into ``target``: the frame's pixels, plus the light layer where nothing covers it."""
        assert self._frame_fbo is not None
        w, h = self._frame_fbo.width, self._frame_fbo.height
        if self._light_texture is None:  # a plain copy: Mesa's blit costs a little less than our pass
            GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, self._frame_fbo.handle)
            GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, target)
            GL.glBlitFramebuffer(0, 0, w, h, 0, 0, w, h, GL.GL_COLOR_BUFFER_BIT, GL.GL_NEAREST)
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target)
            return
        if self._present_prog is None or self._present_prog[0] != self._gl_generation:
            self._present_prog = (self._gl_generation, build_present_program())
        program = self._present_prog[1]
        buf = self._quad_buffer()
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target)
        GL.glViewport(0, 0, w, h)
        GL.glUseProgram(program)
        GL.glActiveTexture(GL.GL_TEXTURE1)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self._light_texture)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self._frame_fbo.texture)
        for param in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):  # texel for pixel
            GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_NEAREST)
        GL.glUniform1i(GL.glGetUniformLocation(program, "u_frame"), 0)
        GL.glUniform1i(GL.glGetUniformLocation(program, "u_light"), 1)
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glDisable(GL.GL_BLEND)
        GL.glDisable(GL.GL_SCISSOR_TEST)
        GL.glDepthMask(GL.GL_FALSE)
        try:
            self._draw_quad(buf)
        finally:
            GL.glActiveTexture(GL.GL_TEXTURE1)
            GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
            GL.glActiveTexture(GL.GL_TEXTURE0)
            GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
            GL.glUseProgram(0)
            GL.glDepthMask(GL.GL_TRUE)
            GL.glEnable(GL.GL_DEPTH_TEST)

    def grab_image(self) -> QtGui.QImage:
        """Draw a frame now and return it, labels included (a null image if hidden, empty or without GL).

        The frame is painted (and presented) synchronously, then presented once
        more into an offscreen framebuffer and read back from there (a window's
        back buffer is undefined once swapped).
        """
        if not self.isVisible() or self.deviceWidth() < 1 or self.deviceHeight() < 1:  # nothing to paint on
            return QtGui.QImage()
        self.update()
        QtCore.QCoreApplication.sendEvent(self, QtCore.QEvent(QtCore.QEvent.Type.UpdateRequest))
        if not self.isValid() or self._frame_fbo is None:
            return QtGui.QImage()
        self.makeCurrent()
        try:
            w, h = self._frame_fbo.width, self._frame_fbo.height
            grab = self._grab_fbo = self._framebuffer(self._grab_fbo, w, h)
            self._present(grab.handle)
            GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, grab.handle)
            GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
            raw = GL.glReadPixels(0, 0, w, h, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE)
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.defaultFramebufferObject())
        finally:
            self.doneCurrent()
        rows = np.frombuffer(raw, np.uint8).reshape(h, w * 4)[::-1].tobytes()  # GL's rows run bottom-up
        image = QtGui.QImage(rows, w, h, 4 * w, QtGui.QImage.Format.Format_RGBX8888).copy()
        image.setDevicePixelRatio(self.devicePixelRatio())
        return image

    def _static_key(self) -> tuple[Any, ...]:
        c = self.opts["center"]
        camera_key = (c.x(), c.y(), c.z(), self.opts["distance"], self.opts["fov"],
                      self.opts.get("elevation"), self.opts.get("azimuth"), str(self.opts.get("rotation")),
                      self._ortho)
        versions = tuple((item.version, item.visible()) for item in self.static_items())
        return (self.deviceWidth(), self.deviceHeight(), self._gl_generation, self.opts["bgcolor"],
                camera_key, versions)

    def _paint_cached(self) -> None:
        """Draw the static layers from a cached frame when only the rest changed.

        Live DMX changes lens and beam colours every frame while the camera and the
        rig stay put, so the static layers are drawn once into an FBO (colour and
        depth) and blitted back each frame; the rest is drawn on top,
        depth-tested against the cached bodies.  While the camera moves (the key
        changes frame after frame) everything is drawn directly: the cache is only
        (re)built when a key is seen twice in a row.  The light layer's depth
        (see ``_draw_light``) is made from the cache once per cache.
        """
        region = self.getViewport()
        self.setProjection(region, region)
        self.setModelview()
        key = self._static_key()
        assert self._frame_fbo is not None
        target = self._frame_fbo.handle
        w, h = self.deviceWidth(), self.deviceHeight()
        static_items = list(self.static_items())
        if key != self._cache_key and key != self._pending_key:
            self._pending_key = key
            self._draw_items(None, clear=True)
            return
        if key != self._cache_key:
            fbo = self._cache_fbo = self._framebuffer(self._cache_fbo, w, h, depth_texture=True)
            fbo.bind()
            GL.glViewport(0, 0, w, h)
            self._draw_items(static_items, clear=True)
            self._cache_key = key
        assert self._cache_fbo is not None
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, self._cache_fbo.handle)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, target)
        # Stencil too (nobody uses it): a packed depth-stencil copied whole is a plain memory copy
        # on Mesa (0.4 ms at 1600x1000 on llvmpipe), depth alone goes through a shader (11 ms).
        GL.glBlitFramebuffer(0, 0, w, h, 0, 0, w, h,
                             GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT | GL.GL_STENCIL_BUFFER_BIT,
                             GL.GL_NEAREST)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target)
        GL.glViewport(0, 0, w, h)
        static = set(map(id, static_items))
        self._draw_items([i for i in self.items if id(i) not in static], clear=False,
                         depth=(self._cache_fbo, self._cache_key))

    def _draw_items(self, items: Sequence[Any] | None, clear: bool,
                    depth: tuple[RawFramebuffer, Any] | None = None) -> None:
        """Like GLViewWidget.paint, for a subset of the (flat) top-level items (None: all).

        Items marked ``low_res`` (the light) are drawn together into a reduced
        framebuffer (``_draw_light``) after the static layers
        (``static_items``), then the items that change (moving heads, lenses,
        overlays).  The light is added as the frame is presented
        (``_present``), weighted by 1 - the frame's alpha: the static layers
        write no alpha (it stays 0), what is drawn after them writes its
        coverage into it.  So the light shows over the static layers where the
        light layer's depth (made from theirs) lets it, and not over what is
        drawn in front of it.  ``depth``: the framebuffer (and its cache key)
        whose depth is the static layers', if not the one being drawn into.
        """
        if clear:  # alpha 0: nothing covers the light yet
            r, g, b = self.opts["bgcolor"][:3]
            GL.glClearColor(r, g, b, 0.0)
            GL.glDepthMask(GL.GL_TRUE)
            GL.glClear(GL.GL_DEPTH_BUFFER_BIT | GL.GL_COLOR_BUFFER_BIT)
        if items is None:
            items = list(self.items)
        ordered = sorted(items, key=lambda i: i.depthValue())
        visible = [i for i in ordered if i.visible()]
        low = [i for i in visible if getattr(i, "low_res", False)] if self.light_active() else []
        static = set(map(id, self.static_items()))
        rest = [i for i in visible if not getattr(i, "low_res", False)]
        GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_FALSE)
        try:
            for item in (i for i in rest if id(i) in static):
                self._paint_top(item)
        finally:
            GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE)
        light = self._draw_light(low, depth) if low else None
        for item in (i for i in rest if id(i) not in static):
            self._paint_top(item)
        if light is not None:
            self._light_texture = light  # added when the frame is presented

    def _paint_top(self, item: Any) -> None:
        if item.childItems():
            self.drawItemTree(item)
            return
        vao = getattr(self, "default_vao", None)
        if vao is not None and vao.isCreated():
            vao.bind()
        self._paint_item(item)

    def _paint_item(self, item: Any) -> None:
        try:
            item.paint()
        except Exception:  # one broken item must not take the frame down
            if id(item) not in self._failed_items:
                self._failed_items.add(id(item))
                log.exception("scene: drawing %r failed", item)

    def light_active(self) -> bool:
        """Whether any light (beam, pool) is on: the light layer costs a full-screen pass."""
        return True

    def light_layer_scale(self) -> float:
        """The light layer's resolution, a fraction of the picture's (see ``light_budget``)."""
        scale = float(self.light_scale)
        if self.light_budget is not None and scale < 1.0:
            area = max(self.deviceWidth() * self.deviceHeight(), 1)
            scale = min(scale, math.sqrt(self.light_budget / area))
        return scale

    def _draw_light(self, items: Sequence[Any], depth: tuple[RawFramebuffer, Any] | None = None) -> int | None:
        """Additive light (beams and their pools) at ``light_layer_scale`` resolution, depth-tested.

        Returns the layer's texture (``_present`` adds it to the picture), or
        None when the light was drawn straight into the picture (full resolution).

        The layer's depth is the static layers' scaled down, each layer pixel
        the farthest depth of its footprint (``_farthest_depth``): made from
        ``depth``'s framebuffer (the frame cache) once per cache key, or, when
        there is no cache, every frame from a same-size copy of the target's
        depth (a packed depth-stencil copy is a memory copy on Mesa).  The light
        writes no depth, so the layer's depth stays valid while the cache does.
        """
        target = int(GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING))
        w, h = self.deviceWidth(), self.deviceHeight()
        scale = self.light_layer_scale()
        if scale >= 1.0:
            for item in items:
                self._paint_item(item)
            return None
        lw, lh = max(1, round(w * scale)), max(1, round(h * scale))
        fbo = self._light_fbo = self._framebuffer(self._light_fbo, lw, lh)
        key = None if depth is None else (depth[1], fbo.handle, lw, lh, fbo.generation)
        if key is None or key != self._light_depth_key:
            if depth is None:  # the static layers are in the target: copy its depth where a shader can read it
                source = self._depth_copy = self._framebuffer(self._depth_copy, w, h, depth_texture=True)
                GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, target)
                GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, source.handle)
                GL.glBlitFramebuffer(0, 0, w, h, 0, 0, w, h, GL.GL_DEPTH_BUFFER_BIT | GL.GL_STENCIL_BUFFER_BIT,
                                     GL.GL_NEAREST)
            else:
                source = depth[0]
            fbo.bind()
            GL.glViewport(0, 0, lw, lh)
            self._farthest_depth(source.depth, w, h, lw, lh)
            self._light_depth_key = key
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, fbo.handle)
        GL.glViewport(0, 0, lw, lh)
        GL.glClearColor(0.0, 0.0, 0.0, 0.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        for item in items:
            self._paint_item(item)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target)
        GL.glViewport(0, 0, w, h)
        return fbo.texture

    def _farthest_depth(self, texture: int, w: int, h: int, lw: int, lh: int) -> None:
        """Fill the bound (light) framebuffer's depth: the farthest depth of each pixel's footprint in ``texture``."""
        if self._farthest is None or self._farthest[0] != self._gl_generation:
            self._farthest = (self._gl_generation, build_farthest_depth_program())
        program = self._farthest[1]
        buf = self._quad_buffer()
        GL.glUseProgram(program)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture)
        GL.glUniform1i(GL.glGetUniformLocation(program, "u_depth"), 0)
        GL.glUniform2f(GL.glGetUniformLocation(program, "u_step"), w / lw, h / lh)
        GL.glUniform2i(GL.glGetUniformLocation(program, "u_size"), w, h)
        GL.glUniform1i(GL.glGetUniformLocation(program, "u_taps"), min(math.ceil(max(w / lw, h / lh)), 3))
        GL.glColorMask(GL.GL_FALSE, GL.GL_FALSE, GL.GL_FALSE, GL.GL_FALSE)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDepthFunc(GL.GL_ALWAYS)
        GL.glDepthMask(GL.GL_TRUE)
        GL.glDisable(GL.GL_BLEND)
        self._draw_quad(buf)
        GL.glDepthFunc(GL.GL_LESS)
        GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE)
        GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
        GL.glUseProgram(0)

    def _quad_buffer(self) -> int:
        """The full-screen quad's vertex buffer in the current context."""
        if self._quad is None or self._quad[0] != self._gl_generation:
            quad = np.array([[-1, -1], [1, -1], [1, 1], [-1, -1], [1, 1], [-1, 1]], np.float32)
            buf = int(GL.glGenBuffers(1))
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buf)
            GL.glBufferData(GL.GL_ARRAY_BUFFER, quad.nbytes, quad, GL.GL_STATIC_DRAW)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            self._quad = (self._gl_generation, buf)
        return self._quad[1]

    def _draw_quad(self, buf: int) -> None:
        vao = getattr(self, "default_vao", None)
        if vao is not None and vao.isCreated():
            vao.bind()
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buf)
        GL.glVertexAttribPointer(0, 2, GL.GL_FLOAT, GL.GL_FALSE, 0, None)
        GL.glEnableVertexAttribArray(0)
        try:
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, 6)
        finally:
            GL.glDisableVertexAttribArray(0)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
