"""Show Creator's Qt application layer: the embeddable server panel and the editor window.

The server core (``server.core``) stays free of Qt and of the renderer; this
layer may import both (the window previews the rig with ``visualizer.render``).
"""

from server.app.panel import VisualizerServerPanel

__all__ = ["VisualizerServerPanel"]
