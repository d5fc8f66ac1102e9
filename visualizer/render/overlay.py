"""Screen-space overlays (text, legend) kept in a texture and drawn as a few quads.

Painting text with ``QPainter`` on a GL surface every frame costs a couple of
milliseconds of software GL even for a handful of labels, although the text only
changes when the camera or the labels do.  An ``OverlayTexture`` holds a
premultiplied RGBA ``QImage`` painted (by the caller) only when its content
changes; each frame it draws the painted rectangles as textured quads, pixel for
pixel, blended over the picture (``GL_ONE, GL_ONE_MINUS_SRC_ALPHA``).  Only the
rows and columns the rectangles cover are uploaded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from OpenGL import GL
from PyQt6 import QtCore, QtGui

from visualizer.render.glitems import _TEXTURE_FRAGMENT, _core_profile, _link

_VERTEX = """
in vec2 a_position;  // device pixels, y down from the top
in vec2 a_uv;
uniform vec2 u_size;  // device pixels
out vec2 v_uv;
void main() {
    v_uv = a_uv;
    gl_Position = vec4(a_position.x / u_size.x * 2.0 - 1.0, 1.0 - a_position.y / u_size.y * 2.0, 0.0, 1.0);
}
"""


class OverlayTexture:
    """A screen-sized premultiplied RGBA image drawn over the GL picture where it was painted.

    Use: ``image(w, h, dpr)`` gives a cleared image to paint on (logical pixel
    coordinates) whenever the content changes, then ``set_rects`` names what
    was painted; ``draw(generation)`` (GL current, every frame) uploads the
    painted part once and draws it.
    """

    def __init__(self) -> None:
        self._image = QtGui.QImage()
        self._rects: list[tuple[int, int, int, int]] = []  # device pixels x0, y0, x1, y1
        self._dirty = False
        #: generation, program, texture, buffer, uniforms
        self._gl: tuple[int, int, int, int, dict[str, int]] | None = None
        self._tex_size: tuple[int, int] = (0, 0)

    def image(self, width: int, height: int, dpr: float) -> QtGui.QImage:
        """A transparent image for a ``width`` x ``height`` (logical pixels) view at ``dpr``."""
        # rounded as Qt sizes the window in device pixels (GLView.deviceWidth): pixel for pixel
        size = (QtCore.QSize(width, height) * dpr).expandedTo(QtCore.QSize(1, 1))
        if self._image.size() != size:
            self._image = QtGui.QImage(size, QtGui.QImage.Format.Format_RGBA8888_Premultiplied)
        self._image.setDevicePixelRatio(dpr)
        self._image.fill(0)
        self._rects = []
        self._dirty = True
        return self._image

    def set_rects(self, rects: Sequence[QtCore.QRectF]) -> None:
        """The painted areas (logical pixels); only these are drawn."""
        dpr = self._image.devicePixelRatio()
        w, h = self._image.width(), self._image.height()
        out = []
        for r in rects:
            x0, y0 = max(0, math.floor(r.left() * dpr)), max(0, math.floor(r.top() * dpr))
            x1, y1 = min(w, math.ceil(r.right() * dpr)), min(h, math.ceil(r.bottom() * dpr))
            if x1 > x0 and y1 > y0:
                out.append((x0, y0, x1, y1))
        self._rects = out
        self._dirty = True

    def _pixels(self) -> npt.NDArray[np.uint8]:
        img = self._image
        ptr = img.constBits()
        assert ptr is not None
        ptr.setsize(img.sizeInBytes())
        # no copy; sip.voidptr has the buffer protocol, which its stubs do not declare
        rows: npt.NDArray[np.uint8] = np.frombuffer(ptr, np.uint8)  # type: ignore[call-overload]
        h, w = img.height(), img.width()
        return rows.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4)

    def _resources(self, generation: int) -> tuple[int, int, int, dict[str, int]]:
        if self._gl is None or self._gl[0] != generation:
            core = _core_profile()
            header = "#version 150\n" if core else "#version 130\n"
            program = _link(header + _VERTEX, header + _TEXTURE_FRAGMENT, ("a_position", "a_uv"), frag_data=not core)
            texture = int(GL.glGenTextures(1))
            GL.glBindTexture(GL.GL_TEXTURE_2D, texture)
            for param in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):
                GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_NEAREST)
            for param in (GL.GL_TEXTURE_WRAP_S, GL.GL_TEXTURE_WRAP_T):
                GL.glTexParameteri(GL.GL_TEXTURE_2D, param, GL.GL_CLAMP_TO_EDGE)
            GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
            buffer = int(GL.glGenBuffers(1))
            uniforms = {n: int(GL.glGetUniformLocation(program, n)) for n in ("u_size", "u_image")}
            self._gl = (generation, program, texture, buffer, uniforms)
            self._tex_size = (0, 0)
            self._dirty = True
        return self._gl[1:]

    def draw(self, generation: int) -> None:
        """Draw the painted rectangles over the current framebuffer (GL context current)."""
        if not self._rects or self._image.isNull():
            return
        program, texture, buffer, u = self._resources(generation)
        w, h = self._image.width(), self._image.height()
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture)
        if self._dirty:
            if self._tex_size != (w, h):
                GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, w, h, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None)
                self._tex_size = (w, h)
            box = np.array(self._rects)
            x0, y0 = int(box[:, 0].min()), int(box[:, 1].min())
            x1, y1 = int(box[:, 2].max()), int(box[:, 3].max())
            part = np.ascontiguousarray(self._pixels()[y0:y1, x0:x1])
            GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
            GL.glTexSubImage2D(GL.GL_TEXTURE_2D, 0, x0, y0, x1 - x0, y1 - y0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, part)
            GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 4)
            self._dirty = False
        r = np.array(self._rects, np.float32)
        # two triangles per rectangle: (x, y, u, v), texture row 0 = the image's top row
        corners = ((0, 1), (2, 1), (2, 3), (0, 1), (2, 3), (0, 3))
        quads = np.empty((len(r), 6, 4), np.float32)
        for k, (cx, cy) in enumerate(corners):
            quads[:, k, 0] = r[:, cx]
            quads[:, k, 1] = r[:, cy]
        quads[:, :, 2] = quads[:, :, 0] / w
        quads[:, :, 3] = quads[:, :, 1] / h
        data = np.ascontiguousarray(quads.reshape(-1, 4))
        GL.glUseProgram(program)
        GL.glUniform2f(u["u_size"], float(w), float(h))
        GL.glUniform1i(u["u_image"], 0)
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glDepthMask(GL.GL_FALSE)
        GL.glDisable(GL.GL_CULL_FACE)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buffer)
        GL.glBufferData(GL.GL_ARRAY_BUFFER, data.nbytes, data, GL.GL_STREAM_DRAW)
        GL.glVertexAttribPointer(0, 2, GL.GL_FLOAT, GL.GL_FALSE, 16, None)
        GL.glVertexAttribPointer(1, 2, GL.GL_FLOAT, GL.GL_FALSE, 16, GL.GLvoidp(8))
        GL.glEnableVertexAttribArray(0)
        GL.glEnableVertexAttribArray(1)
        try:
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(data))
        finally:
            GL.glDisableVertexAttribArray(0)
            GL.glDisableVertexAttribArray(1)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
            GL.glUseProgram(0)
            GL.glDisable(GL.GL_BLEND)
            GL.glDepthMask(GL.GL_TRUE)
            GL.glEnable(GL.GL_DEPTH_TEST)
