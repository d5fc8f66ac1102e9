"""Embedding the Visualizer Server panel in your own PyQt6 program.

Run: ``python examples/embed_panel.py`` (from the repository, with the project
installed), tick "Visualizer Server", press "Launch Visualizer", then press
"Move the first fixture": every connected visualizer shows it move.
"""

from __future__ import annotations

import sys

from PyQt6.QtWidgets import QApplication, QMainWindow, QPushButton, QToolBar

from server.app import VisualizerServerPanel
from shared.show import ShowConfig, Vec3, demo_show


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("My lighting editor")
    show = demo_show()

    panel = VisualizerServerPanel(window, config=show)  # port remembered in QSettings, default 9000
    toolbar = QToolBar("Visualizer")
    toolbar.addWidget(panel)
    window.addToolBar(toolbar)

    def move_first_fixture() -> None:
        nonlocal show
        f = show.fixtures[0]
        moved = f.replace(position=Vec3(f.position.x + 0.5, f.position.y, f.position.z))
        show = ShowConfig(show.stage, (moved, *show.fixtures[1:]), show.groups)
        panel.set_config(show)  # call on every change: the panel coalesces and sends

    button = QPushButton("Move the first fixture")
    button.clicked.connect(move_first_fixture)
    window.setCentralWidget(button)
    window.resize(900, 200)
    window.show()
    return app.exec()  # the server stops when the window closes or the app quits


if __name__ == "__main__":
    sys.exit(main())
