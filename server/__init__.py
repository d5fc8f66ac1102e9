"""Show Creator server: serves a show to Visualizer clients (protocol v1).

The core (``server.core``) is plain Python and needs no QApplication;
``server.qt`` is its Qt edge; ``server.app`` the Show Creator window and panel.
"""

from server.core import (
    DEFAULT_PORT,
    ClientInfo,
    ServerStartError,
    VisualizerTCPServer,
)

__all__ = ["DEFAULT_PORT", "ClientInfo", "ServerStartError", "VisualizerTCPServer"]
