"""A dark Fusion palette: a lighting programmer looks at this for hours in a dark room."""

from __future__ import annotations

from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import QApplication

WINDOW = "#1e2126"
BASE = "#17191d"
ALT_BASE = "#1c1f24"
TEXT = "#d5d8de"
DIM_TEXT = "#7c828c"
BUTTON = "#262a30"
HIGHLIGHT = "#2f6fb5"
LINK = "#64b5f6"


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for r, c in (
        (role.Window, WINDOW),
        (role.WindowText, TEXT),
        (role.Base, BASE),
        (role.AlternateBase, ALT_BASE),
        (role.ToolTipBase, "#2b2f36"),
        (role.ToolTipText, TEXT),
        (role.PlaceholderText, DIM_TEXT),
        (role.Text, TEXT),
        (role.Button, BUTTON),
        (role.ButtonText, TEXT),
        (role.BrightText, "#ffffff"),
        (role.Highlight, HIGHLIGHT),
        (role.HighlightedText, "#ffffff"),
        (role.Link, LINK),
        (role.Light, "#3a3f47"),
        (role.Midlight, "#30353c"),
        (role.Mid, "#262a30"),
        (role.Dark, "#111316"),
        (role.Shadow, "#000000"),
    ):
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor(DIM_TEXT))
    app.setPalette(p)
    app.setStyleSheet(
        "QGroupBox { font-weight: 600; border: 1px solid #30353c; border-radius: 4px; margin-top: 1.1em; }"
        "QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #aeb4bd; }"
        "QToolBar { border: none; spacing: 2px; padding: 2px; }"
        "QStatusBar { border-top: 1px solid #30353c; }"
        "QStatusBar::item { border: none; }"
    )
