"""The Visualizer: a TCP client for Show Creator (``visualizer.tcp``) and the 3D viewer on top of it."""
