"""Selection between the viewer and Show Creator (protocol 2 ``select``), kept out of the window.

The viewer's selection goes up as fixture indices (identity is the index in
``ShowConfig.fixtures``); a selection the server pushes comes down and is
applied to the window.  A pushed selection is not echoed back up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PyQt6.QtCore import QObject

if TYPE_CHECKING:
    from visualizer.app.window import MainWindow

log = logging.getLogger(__name__)


class SelectionLink(QObject):
    """Connects ``window.selection_changed`` and the client's ``selection_received``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._applying = False
        window.selection_changed.connect(self._local)
        window.client.selection_received.connect(self._remote)

    def _local(self, index: int) -> None:
        """``index`` is the window's selection, −1 for none."""
        if self._applying or self.window.state.config is None:
            return
        self.window.client.select_fixtures([index] if index >= 0 else [])

    def _remote(self, indices: list[int], mode: str) -> None:
        config = self.window.state.config
        if config is None:
            return
        valid = [i for i in indices if 0 <= i < len(config.fixtures)]
        if mode == "highlight":
            names = ", ".join(config.fixtures[i].name for i in valid)
            self.window.message.show_message(f"Show Creator highlights: {names or 'nothing'}")
        self._applying = True
        try:
            self.window.select_fixture(valid[0] if valid else None)
        finally:
            self._applying = False
