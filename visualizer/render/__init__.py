"""The 3D scene of a lighting rig: ``StageScene``, a ``pyqtgraph`` ``GLViewWidget``.

Conventions (quote these in user docs):

* **Axes**: metres; x across the stage, y into its depth, z up.  The stage floor
  (``Stage.width`` x ``Stage.height``, the latter being its depth along y) is
  centred on the origin.  The axes gizmo off the front-left corner draws
  **x red, y green, z blue**.
* **Front**: the audience is on the -y side; its stage edge is drawn brighter
  and labelled.  The "front" camera looks from -y towards +y; "top" is a plan
  view with +y up the screen; "side" looks from +x; "perspective" from the
  front right, above.
* **Fixture bodies** by ``fixture_type`` (case-insensitive): PAR and WASH a
  short cylinder; BAR, PIXELBAR and SUNSTRIP a long thin box sized from
  ``physical`` with one lens cell per ``layout`` segment; MH a base, yoke and
  head; anything else a small box.  ``physical`` is width (x) x height (along the
  beam) x depth (y); the body is coloured by its first group, grey without one.
* **Orientation**: a fixture's body model has its base at the rigging point and
  its beam leaving along +z.  Its pose is
  ``Rz(yaw) · M · Rx(pitch) · Ry(roll)``: roll about the fixture's own y axis
  first, then pitch about x, then the mounting ``M`` (identity when *standing*;
  for *hanging* a half turn about y, so the body hangs upside-down below the
  rigging point and the beam points down), then yaw about the vertical.
  Right-handed, degrees: yaw turns the fixture counter-clockwise seen from above,
  and at yaw 0 a positive pitch tilts the beam towards the audience (-y) for both
  mountings, a negative one upstage.  A fixture without orientation counts as
  hanging when it is higher than 1 m, else standing.
* **Emitted colour** (``set_fixture_colors``) shows on each lens and in a short
  additive beam cone; before any arrives lenses are dark glass and beams off.
* **Level of detail by rig size**: beams are drawn as rays (one line each)
  above ``geometry.CONE_LIMIT`` fixtures, and bodies get fewer triangles
  above ``geometry.DETAIL_LIMIT`` (5-sided cylinders, the moving head one
  tapered block without its yoke, bars without their lens cells); shapes and
  colours stay recognisable.
* **Configuration updates** keep the camera, the selection and the emitted
  colours.  When only a few fixtures moved (same names, order and body kinds)
  or group colours changed, just those fixtures' vertices are rebuilt and
  uploaded (``geometry.update_rig``); anything else rebuilds the rig.
* **Selection**: the selected body turns brighter and gets a white outline box,
  a white ring and a drop line to the floor; its label always shows.
* **Mouse and keys**: left-drag orbits, Ctrl+left-drag or middle-drag pans, the
  wheel zooms (GLViewWidget defaults); a click picks the nearest fixture.  Home or
  R resets to the perspective view framed on the stage, F frames the stage from
  the current direction, 1-4 pick front/top/side/perspective.

Everything is batched: a handful of GL items for the whole rig, whatever its
size (see ``geometry`` and ``glitems``).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visualizer.render.geometry import Rig, build_rig, shape_of
    from visualizer.render.scene import StageScene

__all__ = ["Rig", "StageScene", "build_rig", "shape_of"]


def __getattr__(name: str) -> Any:
    # Lazy: ``visualizer.render.presets`` must be importable without Qt or OpenGL.
    if name == "StageScene":
        from visualizer.render.scene import StageScene

        return StageScene
    if name in ("Rig", "build_rig", "shape_of"):
        from visualizer.render import geometry

        return getattr(geometry, name)
    raise AttributeError(f"module 'visualizer.render' has no attribute {name!r}")
