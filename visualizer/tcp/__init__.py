"""Visualizer TCP client: plain-Python core, ShowState bookkeeping, optional Qt adapter.

``visualizer.tcp.qt`` is not imported here, so the client works without Qt.
"""

from visualizer.tcp.client import (
    CONNECTED,
    CONNECTING,
    DISCONNECTED,
    RECONNECTING,
    State,
    VisualizerTCPClient,
)
from visualizer.tcp.handlers import EVENTS, Handlers
from visualizer.tcp.session import ClientSession
from visualizer.tcp.state import ConfigDiff, ShowState

__all__ = [
    "CONNECTED",
    "CONNECTING",
    "DISCONNECTED",
    "EVENTS",
    "RECONNECTING",
    "ClientSession",
    "ConfigDiff",
    "Handlers",
    "ShowState",
    "State",
    "VisualizerTCPClient",
]
