"""The top plan: fixtures as dots on the stage, dragged to place.

Drawn as a lighting plot is: the audience at the bottom, stage right (+x) on
the LEFT, upstage (+y) at the top.  Scene coordinates are therefore
``(-x, -y)`` in centimetres.  Fixtures snap to the stage grid while dragged
(hold Alt for free placement); Ctrl+click adds to or removes from the
selection, dragging on empty floor draws a selection rectangle, and dragging
one selected fixture moves all selected ones.

The view never edits the show itself: it emits ``fixtures_moved`` with the
new positions and shows whatever configuration it is given next.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PyQt6.QtCore import QPoint, QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PyQt6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from server.app.edits import group_members
from shared.show import Fixture, ShowConfig

SCALE = 100.0  # scene units per metre
DOT_RADIUS = 0.15  # metres
LABEL_LIMIT = 300  # fixtures above which names are left out (tooltips remain)
UNGROUPED = QColor("#B0B0B0")


def to_scene(x: float, y: float) -> QPointF:
    """Stage metres to plan coordinates: +x to the left, audience (-y) at the bottom."""
    return QPointF(-x * SCALE, -y * SCALE)


def from_scene(p: QPointF) -> tuple[float, float]:
    return -p.x() / SCALE, -p.y() / SCALE


def snap(value: float, grid: float) -> float:
    return round(math.floor(value / grid + 0.5) * grid, 6) if grid > 0 else value


class FixtureDot(QGraphicsEllipseItem):
    def __init__(self, index: int) -> None:
        r = DOT_RADIUS * SCALE
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.index = index
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setZValue(2)
        self.label: QGraphicsSimpleTextItem | None = None


class PlanView(QGraphicsView):
    #: ``{index: (x, y)}`` while a drag moves fixtures (one emission per mouse move that changed them).
    fixtures_moved = pyqtSignal(object)
    drag_started = pyqtSignal()
    drag_finished = pyqtSignal()
    #: The selected fixture indices, sorted.
    selection_changed = pyqtSignal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("#1E2126"))
        self.snap_enabled = True
        self._zoomed = False  # until the wheel zooms, the plan keeps the whole stage in view
        self._config: ShowConfig | None = None
        self._dots: list[FixtureDot] = []
        self._static: list[QGraphicsItem] = []
        self._label_font = QFont()
        self._label_font.setPointSizeF(8)
        self._drag: tuple[int, dict[int, tuple[float, float]], tuple[float, float]] | None = None
        self._last_moves: dict[int, tuple[float, float]] = {}
        self._syncing = False
        self._scene.selectionChanged.connect(self._on_selection)

    # ------------------------------------------------------------ content

    @property
    def config(self) -> ShowConfig | None:
        return self._config

    def set_config(self, config: ShowConfig) -> None:
        """Show ``config``: only fixtures that changed (by index) are touched; items are reused."""
        old = self._config
        self._config = config
        if old is None or old.stage != config.stage:
            self._draw_stage(config)
        previous = old.fixtures if old is not None else ()
        self._syncing = True
        try:
            recolour = self._sync_dots(previous, config)
        finally:
            self._syncing = False
        if recolour or old is None or old.groups != config.groups:
            self._color_dots(config)
        if old is None or old.stage != config.stage:
            self.fit()

    def _sync_dots(self, previous: tuple[Fixture, ...], config: ShowConfig) -> bool:
        """Bring the dots in line with ``config.fixtures``; True if names or the count changed."""
        fixtures = config.fixtures
        n = len(fixtures)
        changed = n != len(self._dots)
        while len(self._dots) > n:
            dot = self._dots.pop()
            self._scene.removeItem(dot)
        labels = n <= LABEL_LIMIT
        for i in range(len(self._dots), n):
            dot = FixtureDot(i)
            self._scene.addItem(dot)
            self._dots.append(dot)
        for i, f in enumerate(fixtures):
            dot = self._dots[i]
            before = previous[i] if i < len(previous) else None
            if before is f and (dot.label is not None) == labels:
                continue
            dot.setPos(to_scene(f.position.x, f.position.y))
            if before is None or before.name != f.name or (dot.label is not None) != labels:
                changed = True
                dot.setToolTip(f.name)
                if labels:
                    if dot.label is None:
                        dot.label = self._label(dot)
                    dot.label.setText(f.name)
                elif dot.label is not None:
                    self._scene.removeItem(dot.label)
                    dot.label = None
        return changed

    def _label(self, dot: FixtureDot) -> QGraphicsSimpleTextItem:
        label = QGraphicsSimpleTextItem(dot)
        label.setFont(self._label_font)
        label.setBrush(QColor("#D0D4DA"))
        label.setPos(DOT_RADIUS * SCALE + 2, -DOT_RADIUS * SCALE)
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        return label

    def _color_dots(self, config: ShowConfig) -> None:
        first = [-1] * len(config.fixtures)
        for gi, members in enumerate(group_members(config)):
            for i in members:
                if first[i] < 0:
                    first[i] = gi
        styles: dict[int, tuple[QBrush, QPen]] = {}
        for dot, gi in zip(self._dots, first, strict=True):
            style = styles.get(gi)
            if style is None:
                c = QColor(config.groups[gi].color) if gi >= 0 else UNGROUPED
                style = styles[gi] = (QBrush(c), QPen(c.darker(180), 2))
            dot.setBrush(style[0])
            dot.setPen(style[1])

    def _draw_stage(self, config: ShowConfig) -> None:
        for item in self._static:
            self._scene.removeItem(item)
        self._static = []
        before = set(self._scene.items())
        self._draw_stage_items(config)
        self._static = [item for item in self._scene.items() if item not in before and item.parentItem() is None]

    def _draw_stage_items(self, config: ShowConfig) -> None:
        stage = config.stage
        w, d = stage.width * SCALE, stage.depth * SCALE
        rect = QRectF(-w / 2, -d / 2, w, d)
        floor = self._scene.addRect(rect, QPen(QColor("#8A9099"), 3), QBrush(QColor("#2A2E35")))
        assert floor is not None
        floor.setZValue(-2)
        grid = stage.grid_size
        pen = QPen(QColor("#363B43"), 1)
        pen.setCosmetic(True)
        if grid > 0 and stage.width / grid <= 400 and stage.depth / grid <= 400:
            n = int(stage.width / 2 / grid)
            for k in range(-n, n + 1):
                self._scene.addLine(k * grid * SCALE, -d / 2, k * grid * SCALE, d / 2, pen).setZValue(-1)  # type: ignore[union-attr]
            n = int(stage.depth / 2 / grid)
            for k in range(-n, n + 1):
                self._scene.addLine(-w / 2, k * grid * SCALE, w / 2, k * grid * SCALE, pen).setZValue(-1)  # type: ignore[union-attr]
        front = QPen(QColor("#E0E4EA"), 5)
        self._scene.addLine(-w / 2, d / 2, w / 2, d / 2, front)
        font = QFont()
        font.setPointSizeF(9)
        for text, pos, centre in (
            ("AUDIENCE", QPointF(0, d / 2 + 12), True),
            ("UPSTAGE", QPointF(0, -d / 2 - 30), True),
            ("STAGE RIGHT (+x)", QPointF(-w / 2, d / 2 + 12), False),
            ("STAGE LEFT (−x)", QPointF(w / 2, d / 2 + 12), False),
        ):
            item = self._scene.addSimpleText(text, font)
            assert item is not None
            item.setBrush(QColor("#9AA0A8"))
            # The text keeps its pixel size whatever the zoom, so it is aligned
            # by its own transform, in pixels: centred, or ending at the right edge.
            br = item.boundingRect()
            shift = -br.width() / 2 if centre else (0.0 if pos.x() < 0 else -br.width())
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            item.setTransform(QTransform.fromTranslate(shift, 0.0))
            item.setPos(pos)
        margin = 60.0
        self._scene.setSceneRect(rect.adjusted(-margin, -margin, margin, margin))

    @property
    def dragging(self) -> bool:
        return self._drag is not None

    def fit(self) -> None:
        self._zoomed = False
        self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        if not self._zoomed:
            self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    # ------------------------------------------------------------ selection

    def selected_indices(self) -> list[int]:
        return sorted(item.index for item in self._scene.selectedItems() if isinstance(item, FixtureDot))

    def select_indices(self, indices: Iterable[int]) -> None:
        wanted = set(indices)
        self._syncing = True
        try:
            for dot in self._dots:
                dot.setSelected(dot.index in wanted)
        finally:
            self._syncing = False

    def _on_selection(self) -> None:
        if not self._syncing:
            self.selection_changed.emit(self.selected_indices())

    def fixture_view_pos(self, index: int) -> QPoint:
        """Where fixture ``index`` is drawn, in viewport pixels (for tests and tools)."""
        return self.mapFromScene(self._dots[index].pos())

    def view_pos_of(self, x: float, y: float) -> QPoint:
        return self.mapFromScene(to_scene(x, y))

    # ------------------------------------------------------------ mouse

    def _dot_at(self, pos: QPoint) -> FixtureDot | None:
        for item in self.items(pos):
            if isinstance(item, FixtureDot):
                return item
            if isinstance(item.parentItem(), FixtureDot):
                return item.parentItem()  # type: ignore[return-value]
        return None

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        if event is None or event.button() != Qt.MouseButton.LeftButton or self._config is None:
            super().mousePressEvent(event)
            return
        dot = self._dot_at(event.position().toPoint())
        if dot is None:
            super().mousePressEvent(event)  # rubber band
            return
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl:
            dot.setSelected(not dot.isSelected())
            event.accept()
            return
        if not dot.isSelected():
            self._scene.clearSelection()
            dot.setSelected(True)
        fixtures = self._config.fixtures
        starts = {i: (fixtures[i].position.x, fixtures[i].position.y) for i in self.selected_indices()}
        self._drag = (dot.index, starts, from_scene(self.mapToScene(event.position().toPoint())))
        self._last_moves = {}
        self.drag_started.emit()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent | None) -> None:
        if self._drag is None or event is None or self._config is None:
            super().mouseMoveEvent(event)
            return
        anchor, starts, press = self._drag
        x, y = from_scene(self.mapToScene(event.position().toPoint()))
        ax, ay = starts[anchor]
        nx, ny = ax + x - press[0], ay + y - press[1]
        free = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if self.snap_enabled and not free:
            grid = self._config.stage.grid_size
            nx, ny = snap(nx, grid), snap(ny, grid)
        dx, dy = nx - ax, ny - ay
        moves = {i: (round(sx + dx, 6), round(sy + dy, 6)) for i, (sx, sy) in starts.items()}
        at_start = all(math.isclose(moves[i][0], starts[i][0]) and math.isclose(moves[i][1], starts[i][1])
                       for i in moves)
        if moves != self._last_moves and (self._last_moves or not at_start):
            self._last_moves = moves
            self.fixtures_moved.emit(moves)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent | None) -> None:
        if self._drag is not None:
            self._drag = None
            self._last_moves = {}
            self.drag_finished.emit()
            if event is not None:
                event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        """Arrow keys nudge the selection one grid step, as drawn (Left = stage right, +x; Up = upstage)."""
        steps = {
            Qt.Key.Key_Left: (1.0, 0.0), Qt.Key.Key_Right: (-1.0, 0.0),
            Qt.Key.Key_Up: (0.0, 1.0), Qt.Key.Key_Down: (0.0, -1.0),
        }
        if event is None or self._config is None or event.key() not in steps or not self.selected_indices():
            super().keyPressEvent(event)
            return
        sx, sy = steps[Qt.Key(event.key())]
        grid = self._config.stage.grid_size or 0.1
        fixtures = self._config.fixtures
        self.fixtures_moved.emit({
            i: (round(fixtures[i].position.x + sx * grid, 6), round(fixtures[i].position.y + sy * grid, 6))
            for i in self.selected_indices()
        })
        event.accept()

    def wheelEvent(self, event: QWheelEvent | None) -> None:
        if event is None:
            return
        factor = 1.15 ** (event.angleDelta().y() / 120)
        self._zoomed = True
        self.scale(factor, factor)
        event.accept()

