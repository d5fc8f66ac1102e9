"""The "DMX test" menu: start and stop the live-DMX test patterns from the editor.

The sender is ``server.dmx_test.DmxTestSender``; ``follow()`` hands it the
editor's current show, which it reads each frame, so edits and drags reach the
pattern without the GUI thread doing the work.  The target is a host name or
address ("127.0.0.1" by default: the visualizers on this machine).
"""

from __future__ import annotations

import logging

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup
from PyQt6.QtWidgets import QInputDialog, QMenu, QWidget

from server.dmx_test import PATTERNS, DmxTargetError, DmxTestSender
from shared.show import ShowConfig

log = logging.getLogger(__name__)

DEFAULT_TARGET = "127.0.0.1"


class DmxTestMenu(QMenu):
    """Pattern entries (one at a time), Stop, and the target address."""

    #: One line for the status bar.
    message = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("DMX test", parent)
        self.target = DEFAULT_TARGET
        self._config: ShowConfig | None = None
        self._sender: DmxTestSender | None = None
        self.pattern: str | None = None
        group = QActionGroup(self)
        group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.pattern_actions: dict[str, QAction] = {}
        for name in PATTERNS:
            action = QAction(f"Pattern: {name}", self)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, n=name: self.start(n))
            group.addAction(action)
            self.addAction(action)
            self.pattern_actions[name] = action
        self.addSeparator()
        self.stop_action = QAction("Stop test patterns", self)
        self.stop_action.triggered.connect(self.stop)
        self.addAction(self.stop_action)
        self.target_action = QAction(f"Send to {self.target}…", self)
        self.target_action.triggered.connect(self._ask_target)
        self.addAction(self.target_action)
        self.stop_action.setEnabled(False)

    @property
    def running(self) -> bool:
        return self._sender is not None

    def set_config(self, config: ShowConfig) -> None:
        """The editor's show changed; a running sender picks it up on its next frame (``follow``)."""
        self._config = config

    def _current(self) -> ShowConfig:
        assert self._config is not None
        return self._config

    def start(self, pattern: str) -> bool:
        if self._config is None:
            return False
        self.stop()
        try:
            sender = DmxTestSender(self._config, pattern, target=self.target, follow=self._current)
            sender.start()
        except (DmxTargetError, OSError) as exc:  # a bad target or a socket error: one line, not a crash
            self.message.emit(f"DMX test {pattern}: {exc}")
            self.pattern_actions[pattern].setChecked(False)
            return False
        self._sender, self.pattern = sender, pattern
        self.pattern_actions[pattern].setChecked(True)
        self.stop_action.setEnabled(True)
        self.message.emit(f"DMX test pattern {pattern!r} running, sent to {self.target}")
        return True

    def stop(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            try:
                sender.stop()
            except OSError as exc:
                log.warning("DMX test sender did not stop cleanly: %s", exc)
            self.message.emit("DMX test patterns stopped")
        if self.pattern is not None:
            self.pattern_actions[self.pattern].setChecked(False)
        self.pattern = None
        self.stop_action.setEnabled(False)

    def _ask_target(self) -> None:
        text, ok = QInputDialog.getText(self, "DMX test", "Send test patterns to (host or address):", text=self.target)
        if ok and text.strip():
            self.target = text.strip()
            self.target_action.setText(f"Send to {self.target}…")
