"""DMX → light: ``RigEvaluator`` turns DMX levels into a :class:`Look` for the whole rig."""

from visualizer.light.look import Look

__all__ = ["Look"]
