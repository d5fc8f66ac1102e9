"""View menu entries for the 3D scene's rendering: beam quality (labelled by cost) and label text."""

from __future__ import annotations

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


class RenderMenus:
    """The beam-quality and label-text choices, kept in step with the scene."""

    def __init__(self, parent: QWidget, scene: StageScene, menu: QMenu) -> None:
        self.scene = scene
        beams = menu.addMenu("&Beams")
        assert beams is not None
        group = QActionGroup(parent)
        self.beam_actions: dict[str, QAction] = {}
        for key, text in BEAM_CHOICES:
            action = QAction(text, parent)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: self.set_beam_quality(k))
            group.addAction(action)
            beams.addAction(action)
            self.beam_actions[key] = action
        self.beam_actions["auto"].setChecked(True)
        labels = menu.addMenu("Label &text")
        assert labels is not None
        lgroup = QActionGroup(parent)
        self.label_actions: dict[str, QAction] = {}
        for key, text in LABEL_CHOICES:
            action = QAction(text, parent)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: self.set_label_mode(k))
            lgroup.addAction(action)
            labels.addAction(action)
            self.label_actions[key] = action
        self.label_actions["name"].setChecked(True)

    def set_beam_quality(self, quality: str) -> None:
        self.scene.set_beam_quality(quality)
        self.beam_actions[quality].setChecked(True)

    def set_label_mode(self, mode: str) -> None:
        self.scene.set_label_mode(mode)
        self.label_actions[mode].setChecked(True)
