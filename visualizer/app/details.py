"""The details pane: everything the patch says about the selected fixture."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFormLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from shared.show import Fixture, Group, Issue
from shared.show.issues import one_line

FIELDS = (
    "Name",
    "Type",
    "Manufacturer",
    "Model",
    "Mode",
    "Universe",
    "Address",
    "Position",
    "Orientation",
    "Groups",
    "Problems",
)


def _num(value: float, places: int = 2) -> str:
    """Fixed decimals (columns line up), a real minus sign, no ``-0``."""
    text = f"{value:.{places}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def _angle(value: float) -> str:
    """Whole degrees as ``40``, fractions kept to one place (``12.5``)."""
    text = _num(value, 1)
    return text[:-2] if text.endswith(".0") else text


def address_text(f: Fixture) -> str:
    count = f.channel_count
    if count is None:
        return str(f.address)
    last = f.address + count - 1
    return f"{f.address}–{last} ({count} ch)" if count > 1 else f"{f.address} (1 ch)"


def position_text(f: Fixture) -> str:
    x, y, z = f.position
    return f"x {_num(x)}  y {_num(y)}  z {_num(z)} m"


def orientation_text(f: Fixture) -> str | None:
    o = f.orientation
    if o is None:
        return None
    return f"{o.mounting}, yaw {_angle(o.yaw)}°, pitch {_angle(o.pitch)}°, roll {_angle(o.roll)}°"


def problems_text(problems: Sequence[Issue]) -> str | None:
    """The fixture's problems, one per line: ``physical 0 × 0 × 0 is not a size; drawn with ...``."""
    return "\n".join(p.problem for p in problems) or None


def fixture_fields(f: Fixture, groups: Sequence[Group] = (), problems: Sequence[Issue] = ()) -> dict[str, str | None]:
    """Field -> text (None: the fixture does not say, the row is hidden)."""
    return {
        "Name": one_line(f.name),
        "Type": f.fixture_type or None,
        "Manufacturer": f.manufacturer or "—",
        "Model": f.model or "—",
        "Mode": f.mode or "—",
        "Universe": str(f.universe),
        "Address": address_text(f),
        "Position": position_text(f),
        "Orientation": orientation_text(f),
        "Groups": ", ".join(one_line(g.name) for g in groups) or None,
        "Problems": problems_text(problems),
    }


class FixtureDetails(QWidget):
    """A form of read-only, selectable values; a hint when nothing is selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stack = QStackedWidget(self)
        hint = QLabel("Select a fixture in the list or click one in the 3D view.", self)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet("color: #9AA0A6;")
        form_host = QWidget(self)
        self._form = QFormLayout(form_host)
        self._form.setContentsMargins(4, 4, 4, 4)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for field in FIELDS:
            value = QLabel(form_host)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            if field == "Name":
                font = value.font()
                font.setBold(True)
                value.setFont(font)
            if field == "Problems":
                value.setStyleSheet("color: #FFB74D;")
            self.values[field] = value
            self._form.addRow(f"{field}:", value)
        self._stack.addWidget(hint)
        self._stack.addWidget(form_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.fixture: Fixture | None = None

    def show_fixture(self, fixture: Fixture | None, groups: Sequence[Group] = (),
                     problems: Sequence[Issue] = ()) -> None:
        self.fixture = fixture
        if fixture is None:
            self._stack.setCurrentIndex(0)
            return
        for field, text in fixture_fields(fixture, groups, problems).items():
            self.values[field].setText(text or "")
            self._form.setRowVisible(self.values[field], text is not None)
        self._stack.setCurrentIndex(1)

    def text(self, field: str) -> str:
        return self.values[field].text()
