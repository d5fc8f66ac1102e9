"""The Visualizer application: main window, command line, screenshots.

Qt at the edges: the window only listens to ``QtVisualizerClient`` signals and
drives the ``StageScene``; it never touches a socket.
"""
