"""Colours of the scene (RGBA8), chosen for hours of looking at a dark screen.

Dark, low-contrast surroundings so group colours and emitted light carry the
picture; the selection is the only pure white.
"""

from __future__ import annotations

BACKGROUND = "#14161a"
FLOOR = (29, 32, 38, 255)
GRID_MINOR = (40, 44, 52, 255)
GRID_MAJOR = (54, 60, 71, 255)
EDGE = (92, 100, 114, 255)
#: The downstage (audience, -y) edge reads a little brighter than the others.
FRONT_EDGE = (150, 158, 172, 255)
FRONT_TEXT = (120, 127, 140, 255)

#: Axes gizmo, the usual convention: x (stage right) red, y (upstage) green, z blue.
AXIS_X = (229, 72, 77, 255)
AXIS_Y = (70, 167, 88, 255)
AXIS_Z = (62, 123, 250, 255)

#: Pipes drawn through rows of hanging fixtures.
RIGGING = (84, 90, 102, 255)

#: A lens before any emitted colour arrived: pale glass, so its face reads at a glance.
LENS_IDLE = (112, 118, 130, 255)
#: The aim stub out of each lens (where the fixture points without any DMX), fading out.
AIM = (236, 226, 196, 235)
AIM_END = (236, 226, 196, 20)
LABEL = (206, 210, 218, 255)

#: Selection: outline box, ring marker and the selected label.
HIGHLIGHT = (255, 255, 255, 255)
HIGHLIGHT_DROP = (255, 255, 255, 110)
#: How far the selected body's colour moves towards white (0..1).
SELECTED_LIFT = 0.45

#: Dimension lines and their lengths on the plans.
DIMENSION = (150, 160, 178, 255)
#: Search hits in the 3D view.
SEARCH_HIT = (255, 193, 7, 235)
#: Bodies without a group (the legend's swatch).
UNGROUPED = (140, 144, 150, 255)
BACKGROUND_RGB = (20, 22, 26)
#: The house floor around the deck (matte, darker than the deck, no grid): pools past the
#: stage's edge land on it.  Its far rim fades to the background.
HOUSE_FLOOR = (27, 27, 30, 255)
#: The lip of the stage deck (its front and sides, below the floor).
DECK_LIP = (40, 44, 52, 255)
