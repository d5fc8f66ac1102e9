"""The small Show Creator window: server status plus a summary of the show."""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from server.core import VisualizerTCPServer
from server.qt import QtServerAdapter
from server.show import ShowSource
from server.widget import ServerStatusWidget


class ShowCreatorWindow(QWidget):
    # Reloads run on the watcher thread; this signal brings them to the GUI thread.
    _reloaded = pyqtSignal()

    def __init__(self, source: ShowSource, server: VisualizerTCPServer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Show Creator — {source.name}")
        self._source = source
        self.adapter = QtServerAdapter(server, self)
        self.status = ServerStatusWidget(self.adapter)

        self.name_label = QLabel()
        self.file_label = QLabel()
        self.stage_label = QLabel()
        self.fixtures_label = QLabel()
        self.groups_label = QLabel()
        self.groups_label.setWordWrap(True)
        self.reload_label = QLabel()
        self.reload_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Show:", self.name_label)
        form.addRow("File:", self.file_label)
        form.addRow("Stage:", self.stage_label)
        form.addRow("Fixtures:", self.fixtures_label)
        form.addRow("Groups:", self.groups_label)
        form.addRow("Last reload:", self.reload_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(form)

        self._reloaded.connect(self.refresh)
        self._notify = self._reloaded.emit
        source.listeners.append(self._notify)
        self.refresh()
        self.resize(460, 360)

    def refresh(self) -> None:
        source = self._source
        config = source.config
        self.name_label.setText(source.name)
        self.file_label.setText(source.path or "(built-in demo)")
        self.reload_label.setText(source.status)
        if config is None:
            return
        stage = config.stage
        self.stage_label.setText(f"{stage.width:g} m × {stage.depth:g} m (grid {stage.grid_size:g} m)")
        self.fixtures_label.setText(str(len(config.fixtures)))
        self.groups_label.setText(
            ", ".join(f"{g.name} ({len(g.fixtures)})" for g in config.groups) or "none"
        )

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if self._notify in self._source.listeners:
            self._source.listeners.remove(self._notify)
        super().closeEvent(event)
