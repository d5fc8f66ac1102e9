"""The 3D scene of a lighting rig: ``StageScene``, pyqtgraph's GL view on a ``QOpenGLWindow``.

The scene is a window, not a widget (``GLView``: presenting a frame costs less
than a ``QOpenGLWidget``'s composition into the window): put
``scene.container`` into layouts, and set focus policy, minimum size and
actions, show, resize and close on it.  A click in the view gives it the
keyboard when the container's focus policy takes clicks.

Conventions (quote these in user docs):

* **Axes** (Show Creator's, see docs/PROTOCOL.md "Coordinates and orientation"):
  metres; **+x stage right** (the audience's left), **-y downstage** (the
  audience), z up; the stage floor (``Stage.width`` x ``Stage.height``, the
  latter its depth along y) is centred on the origin.  That frame is
  left-handed, so ``GLView`` mirrors the projection: the picture is the real
  stage, stage left (x < 0) on the right as seen from the audience.  The axes
  gizmo off the downstage stage-left corner draws +x (stage right) red, +y
  (upstage) green, z blue; labels name DOWNSTAGE, UPSTAGE, STAGE LEFT/RIGHT and
  the stage size.  Those captions never print over the gizmo's labels: the
  label layout places the gizmo's first and each caption on the first free
  spot of a few (in the front and side elevations, under the floor line); in
  the plans an axis seen end-on, and a caption that would land on its
  opposite (UPSTAGE from the front, STAGE LEFT/RIGHT from the side), go
  unlabelled.
* **House floor**: around the deck (its top at z = 0, its lip below) a dark,
  matte floor at z = 0 without a grid (``palette.HOUSE_FLOOR``) reaches
  ``StageScene.house_reach`` metres past each edge, then fades into the
  background: pools past the deck land on a floor.  It meets the deck at its
  edges (no overlap to z-fight with), is edge-on in the elevations, stays in
  the frame cache, and framing ignores it.
* **Views**: "front" is an orthographic elevation from the audience, "top" an
  orthographic plan with the audience at the bottom (+x on the left), "side"
  an orthographic elevation from stage right; "perspective" from the audience's
  front left, above.  The camera never goes under the floor.
* **Fixture bodies** by ``fixture_type`` (case-insensitive): PAR and WASH a
  short cylinder; BAR, PIXELBAR and SUNSTRIP a long thin box sized from
  ``physical`` with one lens cell per ``layout`` segment; MH a base, yoke and
  head; anything else a small box.  ``physical`` is width (x) x height (along the
  beam) x depth; the body is coloured by its first group (by fixture index:
  repeated names resolve in order of occurrence), grey without one.
* **Orientation** (``shared.show.orientation``): a body has its base at the
  rigging point and its beam leaving along its +z; its pose is
  ``base_rotation(yaw, pitch, roll)`` of the *absolute* angles (a named
  mounting with 0, 0, 0 is its preset: hanging points down, standing up,
  wall_left to +x, wall_right to -x, wall_back at the audience, wall_front
  upstage).  A pale **aim stub** out of every lens shows where each fixture
  points without any DMX.
* **Emitted colour and live light**: ``set_fixture_colors`` (colours only) or
  ``set_look(look)`` (``visualizer.light.look.Look``: colour × intensity,
  live, pan/tilt, beam angle, pixel cells).  Lenses show the colour; beams are
  additive light in a cone (opening = beam angle), fading along their length,
  softer toward their edge, cut by the floor at z = 0, with a soft pool where
  the cone meets the floor; dark or not-live fixtures have no beam.  Bars have
  no beam: their cells light one by one.  Each beam is one quad fitted around
  its cone on screen; per pixel the shader finds the view ray's chord through
  the cone and adds light for it (``glitems.BeamItem``; the same maths in numpy:
  ``motion.beam_quads``, ``motion.beam_light``), so a beam looks right from
  anywhere, down its axis or from inside it.  The light is drawn into a small
  layer (at most ``StageScene.FULL_LIGHT_PIXELS``) depth-tested against the
  static layers (their depth made once per frame cache) and added to the
  picture where moving heads, lenses and overlays leave room (one pass that
  also presents the frame: ``GLView._present``).  Quality:
  ``set_beam_quality("off"|"simple"|"full"|"auto")``.
* **Movement on the GPU** (``motion``, ``glitems.PosedItem``): every vertex
  carries (fixture, part); a static texture holds each fixture's position,
  body rotation, head pivot, lens and beam length, a per-frame texture its
  (pan, tilt, tan(beam/2), on).  Moving one frame uploads 16 bytes per
  fixture; no geometry is rebuilt.  Head maths: ``beam = R · Rz(-pan) ·
  Rx(-tilt) · z`` (``shared.show.orientation.head_rotations``); the yoke pans
  about the base normal, the head tilts about a pivot at 0.6 × its height.
  ``set_realistic_movement(True)`` moves heads at fixture speed (full travel in
  about 4 s).
* **Level of detail by rig size**: ``auto`` beam quality is ``full`` up to
  ``StageScene.FULL_BEAMS_LIMIT`` fixtures, ``simple`` (no pools, no soft
  edges, a smaller light layer) up to ``SIMPLE_BEAMS_LIMIT``, off above; bodies
  get fewer triangles above ``geometry.DETAIL_LIMIT`` (5-sided cylinders, the
  moving head a base and a head block without its yoke arms, bars without
  their lens cells); moving heads get that lighter body on their own above
  ``geometry.HEAD_DETAIL_LIMIT`` of them (their bodies are redrawn every frame
  they move); shapes and colours stay recognisable and heads still pan and tilt.
* **Configuration updates** keep the camera, the selection and the emitted
  colours.  When only a few fixtures moved (same names, order and body kinds)
  or group colours changed, just those fixtures' vertices are rebuilt and
  uploaded (``geometry.update_rig``); anything else rebuilds the rig.
* **Identity**: a fixture is its index in ``config.fixtures`` (names may
  repeat): ``select_fixture(index)``, ``fixture_clicked(index | None)``.
* **Framing**: the first configuration, a new stage size, or a rig that no
  longer fits a view that used to fit it re-frames the camera from its current
  direction (never during a drag).  Framing covers the stage and the fixtures
  within 200 m of its centre: a fixture at (1500, 2000, 3000) "metres" (really
  millimetres) does not shrink the rig to a dot.  With a legend, the framing keeps
  clear of its corner: the stage goes below it or beside it, whichever shows
  the stage bigger (``StageScene.frame_rects``), and labels keep off it.
* **Selection**: the selected body turns brighter and gets a white outline box,
  a white ring and a drop line to the floor; its label always shows.
  ``select_fixtures(indices)`` (Ctrl/Shift-click) selects several, each with
  its box; ``set_highlighted(indices)`` rings search hits in amber.  A legend
  of group colours sits top left; thinned labels are counted on screen and the
  fixture under the pointer is always named.
* **Mouse and keys**: left-drag orbits, Ctrl+left-drag or middle-drag pans, the
  wheel zooms (pyqtgraph's defaults); a click picks the nearest fixture.  Home or
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
