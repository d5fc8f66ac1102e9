"""The editor's side panels: groups (colours, membership), orientation, and the add-fixtures form.

They emit what the user asked for; the window turns it into an undoable edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QColor, QIcon, QPixmap
from PyQt6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from server.app.edits import PRESETS, default_mounting, effective_angles, group_members
from shared.show import Fixture, Orientation, ShowConfig, Vec3

#: Asks for a colour: current -> chosen, or None when cancelled.
ColorPicker = Callable[[QColor], QColor | None]

FIXTURE_TYPES = ("PAR", "WASH", "MH", "BAR", "PIXELBAR", "SUNSTRIP", "DIMMER", "STROBE")


def _pick_color(current: QColor) -> QColor | None:
    c = QColorDialog.getColor(current, None, "Group colour")
    return c if c.isValid() else None


def swatch(color: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(color))
    return QIcon(pix)


class GroupsPanel(QWidget):
    """The groups with their colours; double-click a name to rename it."""

    add_requested = pyqtSignal()
    remove_requested = pyqtSignal(int)
    color_chosen = pyqtSignal(int, str)
    renamed = pyqtSignal(int, str)
    #: (group index, add: True / remove: False) for the selected fixtures.
    membership_requested = pyqtSignal(int, bool)
    #: Select the group's fixtures.
    select_members = pyqtSignal(list)

    def __init__(self, parent: QWidget | None = None, color_picker: ColorPicker | None = None) -> None:
        super().__init__(parent)
        self.color_picker = color_picker or _pick_color
        self._config: ShowConfig | None = None
        self._filling = False
        self.list = QListWidget()
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.itemClicked.connect(self._on_clicked)
        buttons = QGridLayout()
        self.add_button = QPushButton("New group")
        self.remove_button = QPushButton("Delete")
        self.color_button = QPushButton("Colour…")
        self.add_members_button = QPushButton("Add selected fixtures")
        self.remove_members_button = QPushButton("Remove selected fixtures")
        buttons.addWidget(self.add_button, 0, 0)
        buttons.addWidget(self.remove_button, 0, 1)
        buttons.addWidget(self.color_button, 0, 2)
        buttons.addWidget(self.add_members_button, 1, 0, 1, 2)
        buttons.addWidget(self.remove_members_button, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button.clicked.connect(lambda: self._with_current(self.remove_requested.emit))
        self.color_button.clicked.connect(lambda: self._with_current(self.choose_color))
        self.add_members_button.clicked.connect(
            lambda: self._with_current(lambda g: self.membership_requested.emit(g, True))
        )
        self.remove_members_button.clicked.connect(
            lambda: self._with_current(lambda g: self.membership_requested.emit(g, False))
        )

    def current_group(self) -> int | None:
        row = self.list.currentRow()
        return row if row >= 0 else None

    def _with_current(self, fn: Callable[[int], object]) -> None:
        g = self.current_group()
        if g is not None:
            fn(g)

    def choose_color(self, group: int) -> None:
        if self._config is None:
            return
        chosen = self.color_picker(QColor(self._config.groups[group].color))
        if chosen is not None:
            self.color_chosen.emit(group, chosen.name().upper())

    def set_config(self, config: ShowConfig) -> None:
        old = self._config
        self._config = config
        if old is not None and old.groups == config.groups:
            return
        current = self.list.currentRow()
        members = group_members(config)
        self._filling = True
        try:
            self.list.clear()
            for g, m in zip(config.groups, members, strict=True):
                item = QListWidgetItem(swatch(g.color), g.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"{g.name}: {len(m)} fixture{'' if len(m) == 1 else 's'}, {g.color}")
                self.list.addItem(item)
            if 0 <= current < self.list.count():
                self.list.setCurrentRow(current)
        finally:
            self._filling = False

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling or self._config is None:
            return
        row = self.list.row(item)
        if 0 <= row < len(self._config.groups) and item.text() != self._config.groups[row].name:
            self.renamed.emit(row, item.text())

    def _on_clicked(self, item: QListWidgetItem) -> None:
        if self._config is not None:
            row = self.list.row(item)
            self.select_members.emit(group_members(self._config)[row])


class OrientationPanel(QWidget):
    """Mounting presets and yaw/pitch/roll for the selected fixtures."""

    preset_chosen = pyqtSignal(str)
    #: (field, value) when a yaw/pitch/roll box changes.
    angle_changed = pyqtSignal(str, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filling = False
        grid = QGridLayout()
        self.preset_buttons: dict[str, QPushButton] = {}
        for k, name in enumerate(PRESETS):
            b = QPushButton(name.replace("_", " "))
            yaw, pitch, roll = PRESETS[name]
            b.setToolTip(f"{name}: yaw {yaw:g}°, pitch {pitch:g}°, roll {roll:g}°")
            b.clicked.connect(lambda _=False, n=name: self.preset_chosen.emit(n))
            grid.addWidget(b, k // 3, k % 3)
            self.preset_buttons[name] = b
        form = QHBoxLayout()
        self.spins: dict[str, QDoubleSpinBox] = {}
        for name in ("yaw", "pitch", "roll"):
            spin = QDoubleSpinBox()
            spin.setRange(-360.0, 360.0)
            spin.setDecimals(1)
            spin.setSuffix("°")
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, n=name: self._on_spin(n, v))
            form.addWidget(QLabel(name.capitalize()))
            form.addWidget(spin, 1)
            self.spins[name] = spin
        self.label = QLabel("No fixture selected")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)
        layout.addLayout(grid)
        layout.addLayout(form)
        layout.addStretch(1)
        self.show_fixture(None, 0)

    def show_fixture(self, fixture: Fixture | None, count: int) -> None:
        self.setEnabled(fixture is not None)
        self._filling = True
        try:
            if fixture is None:
                self.label.setText("No fixture selected")
                for spin in self.spins.values():
                    spin.setValue(0.0)
                return
            o = fixture.orientation
            self.label.setText(
                f"{fixture.name}" + (f" and {count - 1} more" if count > 1 else "")
                + f" — mounting {o.mounting if o else default_mounting(fixture) + ' (auto)'}"
            )
            for spin, value in zip(self.spins.values(), effective_angles(fixture), strict=True):
                spin.setValue(value)
        finally:
            self._filling = False

    def _on_spin(self, name: str, value: float) -> None:
        if not self._filling:
            self.angle_changed.emit(name, value)


class StagePanel(QWidget):
    """The stage floor: width (x), depth (y) and the grid the plan snaps to."""

    #: (width, depth, grid) in metres when a box is changed.
    changed = pyqtSignal(float, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filling = False
        self.width_spin = _dspin(10.0, 0.5, 1000.0, " m")
        self.depth_spin = _dspin(8.0, 0.5, 1000.0, " m")
        self.grid_spin = _dspin(0.5, 0.05, 10.0, " m")
        self.grid_spin.setSingleStep(0.05)
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        form.addRow("Width (x)", self.width_spin)
        form.addRow("Depth (y)", self.depth_spin)
        form.addRow("Grid", self.grid_spin)
        for spin in (self.width_spin, self.depth_spin, self.grid_spin):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._on_changed)

    def set_config(self, config: ShowConfig) -> None:
        self._filling = True
        try:
            self.width_spin.setValue(config.stage.width)
            self.depth_spin.setValue(config.stage.depth)
            self.grid_spin.setValue(config.stage.grid_size)
        finally:
            self._filling = False

    def _on_changed(self, *_: object) -> None:
        if not self._filling:
            self.changed.emit(self.width_spin.value(), self.depth_spin.value(), self.grid_spin.value())


@dataclass
class GridSpec:
    """What "Add fixtures…" asks for: "8 PARs on the front truss, 1 m apart"."""

    count: int = 8
    columns: int = 8
    spacing_x: float = 1.0
    spacing_y: float = 1.0
    centre_x: float = 0.0
    centre_y: float = -2.0
    height: float = 5.0
    fixture_type: str = "PAR"
    manufacturer: str = "Generic"
    model: str = "LED PAR"
    mode: str = "RGBW"
    prefix: str = "PAR"
    universe: int = 1
    start_address: int = 1
    footprint: int = 4
    mounting: str = "hanging"
    group: str = ""

    def template(self) -> Fixture:
        from server.app.edits import PRESETS as presets
        from server.app.edits import known_mountings

        yaw, pitch, roll = presets[self.mounting]
        mounting = self.mounting if self.mounting in known_mountings() else (
            "hanging" if self.height > 1.0 else "standing"
        )
        return Fixture(
            name=self.prefix,
            manufacturer=self.manufacturer,
            model=self.model,
            mode=self.mode,
            universe=self.universe,
            address=self.start_address,
            position=Vec3(0.0, 0.0, self.height),
            orientation=Orientation(mounting, yaw, pitch, roll),  # type: ignore[arg-type]
            fixture_type=self.fixture_type or None,
        )


class AddFixturesDialog(QDialog):
    def __init__(self, spec: GridSpec, groups: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add fixtures")
        form = QFormLayout(self)
        self.count = _spin(1, 10000, spec.count)
        self.columns = _spin(1, 10000, spec.columns)
        self.spacing_x = _dspin(spec.spacing_x, 0.0, 100.0, " m")
        self.spacing_y = _dspin(spec.spacing_y, 0.0, 100.0, " m")
        self.centre_x = _dspin(spec.centre_x, -1000, 1000, " m")
        self.centre_y = _dspin(spec.centre_y, -1000, 1000, " m")
        self.height_spin = _dspin(spec.height, -100, 100, " m")
        self.fixture_type = QComboBox()
        self.fixture_type.setEditable(True)
        self.fixture_type.addItems(FIXTURE_TYPES)
        self.fixture_type.setCurrentText(spec.fixture_type)
        self.manufacturer = QLineEdit(spec.manufacturer)
        self.model = QLineEdit(spec.model)
        self.mode = QLineEdit(spec.mode)
        self.prefix = QLineEdit(spec.prefix)
        self.universe = _spin(0, 32767, spec.universe)
        self.start_address = _spin(1, 512, spec.start_address)
        self.footprint = _spin(1, 512, spec.footprint)
        self.mounting = QComboBox()
        self.mounting.addItems(list(PRESETS))
        self.mounting.setCurrentText(spec.mounting)
        self.group = QComboBox()
        self.group.setEditable(True)
        self.group.addItems(["", *groups])
        self.group.setCurrentText(spec.group)
        form.addRow(QLabel("Fixtures in rows, e.g. 8 PARs on the front truss, 1 m apart."))
        for label, w in (
            ("Count", self.count), ("Per row", self.columns), ("Spacing across (x)", self.spacing_x),
            ("Spacing between rows (y)", self.spacing_y), ("Centre x", self.centre_x), ("Centre y", self.centre_y),
            ("Height z", self.height_spin), ("Type", self.fixture_type), ("Manufacturer", self.manufacturer),
            ("Model", self.model), ("Mode", self.mode), ("Names", self.prefix), ("Universe", self.universe),
            ("First address", self.start_address), ("Channels each", self.footprint),
            ("Mounting", self.mounting), ("Add to group", self.group),
        ):
            form.addRow(label, w)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def spec(self) -> GridSpec:
        return GridSpec(
            count=self.count.value(), columns=self.columns.value(), spacing_x=self.spacing_x.value(),
            spacing_y=self.spacing_y.value(), centre_x=self.centre_x.value(), centre_y=self.centre_y.value(),
            height=self.height_spin.value(), fixture_type=self.fixture_type.currentText().strip(),
            manufacturer=self.manufacturer.text(), model=self.model.text(), mode=self.mode.text(),
            prefix=self.prefix.text().strip() or "Fixture", universe=self.universe.value(),
            start_address=self.start_address.value(), footprint=self.footprint.value(),
            mounting=self.mounting.currentText(), group=self.group.currentText().strip(),
        )


def _spin(lo: int, hi: int, value: int) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    return s


def _dspin(value: float, lo: float, hi: float, suffix: str) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(2)
    s.setSingleStep(0.5)
    s.setSuffix(suffix)
    s.setValue(value)
    return s
