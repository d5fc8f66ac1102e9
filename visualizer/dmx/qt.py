"""Qt adapter for the DMX receiver: its problems as a signal delivered in the GUI thread."""

from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal

from visualizer.dmx.receiver import DmxReceiver


class QtDmxReceiver(QObject):
    """Owns a ``DmxReceiver``; ``problem`` carries its one-line reports (port taken, thread failure)."""

    problem = pyqtSignal(str)

    def __init__(self, receiver: DmxReceiver, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.receiver = receiver

    def start(self) -> list[str]:
        problems = self.receiver.start()
        for line in problems:
            self.problem.emit(line)
        return problems

    def stop(self) -> None:
        self.receiver.stop()
