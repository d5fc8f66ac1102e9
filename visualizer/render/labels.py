"""Text in the 3D view: fixture and stage labels, the thinned-labels note, the group legend.

All of it is painted with one raster ``QPainter`` into an ``overlay.OverlayTexture``
only when something it shows changes (labels, camera, size, legend); every other
frame draws the cached pixels as a few textured quads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PyQt6 import QtCore, QtGui
from pyqtgraph.opengl import GLGraphicsItem

from visualizer.render.overlay import OverlayTexture


@dataclass(frozen=True)
class Label:
    """Text anchored at a world point, drawn centred above it.

    ``always`` labels (the axes, the selected fixture) are drawn even where they
    overlap others; the rest are decluttered.  Labels are placed by ``priority``
    (highest first), then ``always`` ones, then nearest first; each goes to the
    first of its ``spots`` that no label placed before it (nor the legend) covers and, but for the
    first, that is inside the picture (an ``always`` label with none free goes to
    its first).
    """

    position: tuple[float, float, float]
    text: str
    color: QtGui.QColor
    bold: bool = False
    always: bool = False
    #: A fixture's label (counted when thinned), not the stage's.
    fixture: bool = False
    #: Placement order: higher first (the axes gizmo before the stage captions before fixtures).
    priority: int = 0
    #: Where the text may go, in order: offsets (dx, dy) from the default place (centred just
    #: above ``position``), in line heights, y down.
    spots: tuple[tuple[float, float], ...] = ((0.0, 0.0),)


class LabelsItem(GLGraphicsItem.GLGraphicsItem):  # type: ignore[misc]
    """All text of the scene, painted in one raster pass when it changes and kept in a texture
    (one ``GLTextItem`` per label would open a painter per label every frame).

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
        self._boxes: list[QtCore.QRectF] = []
        self.font = QtGui.QFont()
        self.font.setPointSizeF(8.5)
        self.bold_font = QtGui.QFont(self.font)
        self.bold_font.setBold(True)
        self._metrics = {False: QtGui.QFontMetricsF(self.font), True: QtGui.QFontMetricsF(self.bold_font)}
        #: Texts drawn by the last paint (tests and debugging).
        self.drawn: list[str] = []
        #: Where each of ``drawn`` went: what its text and shadow can touch (logical pixels).
        self.drawn_rects: list[QtCore.QRectF] = []
        #: Fixture labels left out by the last paint because they overlapped others.
        self.hidden = 0
        #: Legend entries (text, colour swatch) drawn in the top-left corner.
        self.legend: list[tuple[str, QtGui.QColor]] = []
        #: What to say when labels were thinned (``{hidden}`` and ``{total}`` are filled in).
        self.thinned_note = "{hidden} of {total} labels hidden where they overlap: point at a fixture to name it"
        self._overlay = OverlayTexture()
        self._version = 0
        self._key: tuple[Any, ...] | None = None

    def set_labels(self, labels: Sequence[Label]) -> None:
        self._labels = list(labels)
        self._points = np.array([lb.position for lb in self._labels], np.float32).reshape(-1, 3)
        self._widths = np.array([self._metrics[lb.bold].horizontalAdvance(lb.text) for lb in self._labels])
        # what each text and its shadow can touch, drawn at baseline (0, 0)
        self._boxes = [self._metrics[lb.bold].boundingRect(lb.text).adjusted(-2.0, -2.0, 3.0, 3.0)
                       for lb in self._labels]
        self._version += 1
        self.update()

    @property
    def labels(self) -> list[Label]:
        return list(self._labels)

    def paint(self) -> None:
        view = self.view()
        w, h, dpr = view.width(), view.height(), float(view.devicePixelRatioF())
        mvp = np.array(self.mvpMatrix().data(), dtype=np.float64).reshape(4, 4).T
        key = (w, h, dpr, self._version, mvp.tobytes() if self._labels else b"",
               tuple((text, colour.rgba()) for text, colour in self.legend), self.thinned_note,
               self.font.toString())
        if key != self._key:
            self._key = key
            image = self._overlay.image(w, h, dpr)
            painter = QtGui.QPainter(image)
            try:
                self._overlay.set_rects(self._paint_text(painter, w, h, mvp))
            finally:
                painter.end()
        self._overlay.draw(view.gl_generation)

    def _paint_text(self, painter: QtGui.QPainter, w: int, h: int, mvp: Any) -> list[QtCore.QRectF]:
        """Paint labels, note and legend (logical pixels); the rectangles painted."""
        self.drawn = []
        self.drawn_rects = []
        self.hidden = 0
        rects: list[QtCore.QRectF] = []
        painter.setRenderHints(QtGui.QPainter.RenderHint.TextAntialiasing | QtGui.QPainter.RenderHint.Antialiasing)
        if self._labels:
            pts = np.concatenate([self._points, np.ones((len(self._points), 1), np.float32)], axis=1)
            clip = pts @ mvp.T
            ok = clip[:, 3] > 1e-6
            ndc = clip[:, :3] / np.where(ok, clip[:, 3], 1.0)[:, None]
            sx = (ndc[:, 0] + 1) * 0.5 * w - self._widths / 2
            sy = (1 - ndc[:, 1]) * 0.5 * h - 4
            ok &= (sx > -self._widths) & (sx < w) & (sy > 0) & (sy < h + 20) & (np.abs(ndc[:, 2]) <= 1)
            always = np.array([lb.always for lb in self._labels])
            priority = np.array([lb.priority for lb in self._labels])
            # by priority, forced labels first, then nearest first: by NDC depth, which orders the
            # plans too (orthographic: clip w is 1 for every point)
            order = np.lexsort((ndc[:, 2], ~always, -priority))
            order = order[ok[order]]
            line = self._metrics[False].height()
            cell = self.CELL
            taken: set[tuple[int, int]] = set()
            legend = self.legend_rect()
            if legend is not None:  # painted last, over anything there: labels go elsewhere
                taken = {(cx, cy) for cx in range(math.floor(legend.left() / cell), math.ceil(legend.right() / cell))
                         for cy in range(math.floor(legend.top() / cell), math.ceil(legend.bottom() / cell))}
            shadow = QtGui.QColor(0, 0, 0, 200)
            screen = QtCore.QRectF(0.0, 0.0, float(w), float(h))
            for i in order:
                lb = self._labels[int(i)]
                spot: tuple[float, float, QtCore.QRectF, set[tuple[int, int]]] | None = None
                for k, (dx, dy) in enumerate(lb.spots or ((0.0, 0.0),)):
                    x, y = float(sx[i]) + dx * line, float(sy[i]) + dy * line
                    rect = self._boxes[int(i)].translated(x, y)
                    # the cells the rectangle covers ([left, right) x [top, bottom): touching is not overlapping)
                    cells = {(cx, cy)
                             for cx in range(math.floor(rect.left() / cell), math.ceil(rect.right() / cell))
                             for cy in range(math.floor(rect.top() / cell), math.ceil(rect.bottom() / cell))}
                    if k > 0 and not screen.contains(rect):
                        continue  # another place is no better when it is off the picture
                    if taken.isdisjoint(cells):
                        spot = (x, y, rect, cells)
                        break
                    if k == 0 and lb.always:
                        spot = (x, y, rect, cells)  # drawn there if no other spot is free
                if spot is None:
                    if lb.fixture:
                        self.hidden += 1
                    continue
                x, y, rect, cells = spot
                taken |= cells
                painter.setFont(self.bold_font if lb.bold else self.font)
                painter.setPen(shadow)
                painter.drawText(QtCore.QPointF(x + 1, y + 1), lb.text)
                painter.setPen(lb.color)
                painter.drawText(QtCore.QPointF(x, y), lb.text)
                rects.append(rect)
                self.drawn.append(lb.text)
                self.drawn_rects.append(rect)
            if self.hidden:
                total = sum(lb.fixture for lb in self._labels)
                note = self.thinned_note.format(hidden=self.hidden, total=total)
                painter.setFont(self.font)
                painter.setPen(shadow)
                painter.drawText(QtCore.QPointF(11, h - 9), note)
                painter.setPen(QtGui.QColor(200, 204, 212))
                painter.drawText(QtCore.QPointF(10, h - 10), note)
                rects.append(self._text_rect(10, h - 10, note, False))
        legend = self._paint_legend(painter)
        if legend is not None:
            rects.append(legend)
        return rects

    def _text_rect(self, x: float, y: float, text: str, bold: bool) -> QtCore.QRectF:
        """What ``drawText`` at baseline (x, y), with its shadow, can have touched (logical pixels)."""
        metrics = self._metrics[bold]
        rect = metrics.boundingRect(text).translated(x, y)
        return rect.adjusted(-2.0, -2.0, 3.0, 3.0)

    def legend_rect(self) -> QtCore.QRectF | None:
        """The legend's panel (logical pixels, top left of the view), or None without a legend.

        What it can touch: the view frames the stage clear of it, and labels keep off it.
        """
        if not self.legend:
            return None
        metrics = self._metrics[False]
        line = metrics.height() + 3
        width = max(metrics.horizontalAdvance(t) for t, _ in self.legend) + 30
        return QtCore.QRectF(8, 8, width, line * len(self.legend) + 8).adjusted(-1.0, -1.0, 1.0, 1.0)

    def _paint_legend(self, painter: QtGui.QPainter) -> QtCore.QRectF | None:
        """Group colours, top left, on a translucent panel; the panel's rectangle."""
        outline = self.legend_rect()
        if outline is None:
            return None
        metrics = self._metrics[False]
        line = metrics.height() + 3
        panel = outline.adjusted(1.0, 1.0, -1.0, -1.0)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(20, 22, 26, 190))
        painter.drawRoundedRect(panel, 4, 4)
        painter.setFont(self.font)
        for k, (text, colour) in enumerate(self.legend):
            y = 12 + k * line
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QtCore.QRectF(14, y + 2, 11, line - 7))
            painter.setPen(QtGui.QColor(206, 210, 218))
            painter.drawText(QtCore.QPointF(31, y + metrics.ascent()), text)
        return outline


