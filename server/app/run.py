"""``show-creator`` without ``--headless``: the editor window around the running server."""

from __future__ import annotations

from server.app.document import ShowDocument
from server.app.window import ShowCreatorMainWindow
from server.core import VisualizerTCPServer
from server.show import ShowSource
from shared.show import demo_show


def open_window(source: ShowSource, server: VisualizerTCPServer) -> ShowCreatorMainWindow:
    """The editor on ``source``'s show, adopting the already listening ``server``.

    The window's document watches the file from now on (it can tell its own
    saves from foreign changes), so the source's watcher stops.
    """
    source.stop_watching()
    config = source.config if source.config is not None else demo_show()
    doc = ShowDocument(config, source.path)
    window = ShowCreatorMainWindow(doc, server=server, host=server.host, heartbeat_interval=server.heartbeat_interval)
    window.show()
    return window
