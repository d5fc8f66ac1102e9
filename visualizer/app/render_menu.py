"""View menu entries for the 3D scene's rendering: beam quality (labelled by cost) and label text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtGui import QAction, QActionGroup
from PyQt6.QtWidgets import QMenu, QWidget

from visualizer.render import StageScene

#: Beam qualities with what they cost, cheapest first (the menu's wording).
BEAM_CHOICES = (
    ("off", "Beams off (cheapest)"),
    ("simple", "Simple beams: plain cones (cheap)"),
    ("full", "Full beams: soft cones and floor pools (most GPU)"),
    ("auto", "Automatic (full up to 500 fixtures, simple up to 1,500, then off)"),
)
LABEL_CHOICES = (("name", "Labels show names"), ("patch", "Labels show patch (universe.address)"),
                 ("number", "Labels show fixture numbers"))


def _choices(parent: QWidget, menu: QMenu, title: str, choices: Sequence[tuple[str, str]], checked: str,
             choose: Callable[[str], None]) -> dict[str, QAction]:
    """A submenu of exclusive, checkable choices; each calls ``choose(key)``."""
    sub = menu.addMenu(title)
    assert sub is not None
    group = QActionGroup(parent)
    actions: dict[str, QAction] = {}
    for key, text in choices:
        action = QAction(text, parent)
        action.setCheckable(True)
        action.triggered.connect(lambda _=False, k=key: choose(k))
        group.addAction(action)
        sub.addAction(action)
        actions[key] = action
    actions[checked].setChecked(True)
    return actions


class RenderMenus:
    """The beam-quality and label-text choices, kept in step with the scene."""

    def __init__(self, parent: QWidget, scene: StageScene, menu: QMenu) -> None:
        self.scene = scene
        self.beam_actions = _choices(parent, menu, "&Beams", BEAM_CHOICES, "auto", self.set_beam_quality)
        self.label_actions = _choices(parent, menu, "Label &text", LABEL_CHOICES, "name", self.set_label_mode)

    def set_beam_quality(self, quality: str) -> None:
        self.scene.set_beam_quality(quality)
        self.beam_actions[quality].setChecked(True)

    def set_label_mode(self, mode: str) -> None:
        self.scene.set_label_mode(mode)
        self.label_actions[mode].setChecked(True)
