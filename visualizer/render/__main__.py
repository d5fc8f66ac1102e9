"""Render a show's 3D scene to a PNG: ``python -m visualizer.render OUT.png``.

For docs and for looking at what the scene draws without the app.  Without a
display it runs itself again under ``xvfb-run``, as ``visualizer --screenshot`` does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from visualizer.render.camera import PRESETS

    parser = argparse.ArgumentParser(prog="python -m visualizer.render", description=__doc__)
    parser.add_argument("out", help="PNG file to write")
    parser.add_argument("--show", help="show file (default: the built-in demo show)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="perspective")
    parser.add_argument("--size", default="1280x800", help="WIDTHxHEIGHT in pixels (default 1280x800)")
    parser.add_argument("--labels", action="store_true", help="draw fixture names")
    parser.add_argument("--select", metavar="NAME", help="highlight this fixture")
    parser.add_argument("--colors", action="store_true",
                        help="light every fixture in a made-up colour (what live DMX will look like)")
    parser.add_argument("--festival", action="store_true",
                        help="the 52-fixture festival reference rig instead of the demo show")
    parser.add_argument("--look", choices=("rainbow", "white", "sweep", "chase"),
                        help="light the rig with this synthetic pattern (colours, pan/tilt, cells)")
    parser.add_argument("--beams", choices=("off", "simple", "full", "auto"), default="auto",
                        help="beam quality (default auto)")
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size {args.size!r} is not WIDTHxHEIGHT")
    from visualizer.render.scene import StageScene as _Scene  # no Qt application needed for its constant

    low_w, low_h = _Scene.MIN_SIZE
    if width < low_w or height < low_h:
        parser.error(f"--size {args.size}: the view is at least {low_w}x{low_h} pixels")
    from visualizer.app.cli import UNDER_XVFB, display_problem, rerun_under_xvfb

    problem = display_problem()
    if problem is not None:  # no display, or a platform without OpenGL: Qt would abort or draw nothing
        if not os.environ.get(UNDER_XVFB):
            code = rerun_under_xvfb(sys.argv[1:] if argv is None else argv, "visualizer.render")
            if code is not None:
                return code
            problem += " (and xvfb-run is not installed: make sysdeps)"
        print(f"error: {problem}", file=sys.stderr)
        return 2

    from PyQt6 import QtCore, QtWidgets

    from shared.show import ShowFileError, demo_show, load_show
    from visualizer.render import StageScene

    if args.festival:
        from visualizer.render.reference import festival_show

        config = festival_show()
    elif args.show:
        try:
            config, _ = load_show(args.show)
        except ShowFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    else:
        config = demo_show()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    scene = StageScene()
    scene.container.resize(width, height)
    scene.container.show()
    deadline = time.monotonic() + 5.0
    while not scene.isExposed() and time.monotonic() < deadline:  # the window system maps it
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    scene.set_config(config)
    scene.set_beam_quality(args.beams)
    scene.set_camera_preset(args.preset)
    scene.set_labels_visible(args.labels)
    if args.select:
        index = scene.index_of(args.select)
        if index is None:
            print(f"error: --select {args.select!r}: no such fixture", file=sys.stderr)
            return 2
        scene.select_fixture(index)
    if args.colors:
        hues = np.linspace(0.0, 1.0, len(config.fixtures), endpoint=False)
        rgb = np.clip(np.abs(((hues[:, None] * 6 + [0, 4, 2]) % 6) - 3) - 1, 0, 1)
        scene.set_fixture_colors(rgb)
    if args.look:
        from visualizer.render.reference import pattern_look

        scene.set_look(pattern_look(config, args.look, t=1.0))
    try:
        if not scene.grab_image().save(args.out):
            print(f"error: {args.out}: cannot write the PNG", file=sys.stderr)
            return 1
    finally:
        # Delete the view now, not whenever Python collects it: a GL view
        # destroyed in the middle of another one's paint or resize takes the
        # current context with it.  The container owns the view.
        scene.container.close()
        scene.container.deleteLater()
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
