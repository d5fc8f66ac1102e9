"""Big rigs, many updates, several views: sanity bounds and leaks (speed lives in bench/)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from pyqtgraph.opengl import GLGraphicsItem
from pytestqt.qtbot import QtBot

from shared.show import demo_show
from tests.render.helpers import config, count_color, fixture, grid_config, has_color, pixels
from visualizer.render import StageScene

Grab = Callable[[], npt.NDArray[np.uint8]]


def test_ten_thousand_fixtures_build_and_draw_within_a_sanity_bound(scene: StageScene, grab: Grab) -> None:
    rig = grid_config(10_000)
    start = time.perf_counter()
    scene.set_config(rig)
    img = grab()
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"10,000 fixtures took {elapsed:.1f} s"
    assert len(scene.rig or ()) == 10_000
    assert count_color(img, (255, 87, 34)) > 500  # group G0 is on screen
    scene.set_fixture_colors(np.random.default_rng(0).random((10_000, 3)))
    scene.select_fixture(5000)
    at = scene.fixture_screen_position("F5000")
    assert at is not None
    assert (grab()[int(at.y()) - 20:int(at.y()) + 21, int(at.x()) - 20:int(at.x()) + 21] >= 235).all(axis=2).any()


def test_fifty_config_replacements_leak_no_gl_items(scene: StageScene, grab: Grab) -> None:
    scene.set_config(demo_show())
    grab()
    items = list(scene.items)
    next_id = GLGraphicsItem.GLGraphicsItem._nextId
    buffers = {id(item): dict(getattr(item, "_buffers", {})) for item in items}
    scene.set_labels_visible(True)
    for i in range(50):
        n = 5 + (i * 7) % 40
        scene.set_config(config(*[fixture(f"F{k}", (k % 8) - 4.0, (k // 8) - 3.0, 0.0, kind=("PAR", "MH", "BAR")[k % 3])
                                  for k in range(n)]))
        scene.select_fixture(i % n)
        scene.set_fixture_colors(np.random.default_rng(i).random((n, 3)))
        grab()
    scene.set_config(demo_show())
    grab()
    assert scene.items == items
    assert GLGraphicsItem.GLGraphicsItem._nextId == next_id  # no GL item was created, even temporarily
    for item in items:  # same GL buffer objects, reallocated in place
        names = {k: v[0] for k, v in getattr(item, "_buffers", {}).items()}
        assert names == {k: v[0] for k, v in buffers[id(item)].items()} or not buffers[id(item)]


def test_several_scenes_each_draw_with_their_own_gl_context(qtbot: QtBot) -> None:
    # pyqtgraph's built-in items cache GL programs per process; ours must not.
    views = []
    for k in range(3):
        view = StageScene()
        if k:  # the first one is deleted below, with its GL context, while the others live on
            qtbot.addWidget(view.container)
        view.container.resize(400, 300)
        view.container.show()
        qtbot.waitExposed(view)
        view.set_config(config(fixture("only", 0, 0, 0, size=(1.0, 1.0, 1.0)),
                               groups=(("g", (40, 200, 60), ("only",)),)))
        views.append(view)
        if k == 1:
            views[0].container.close()
            views[0].container.deleteLater()
            qtbot.wait(10)
    for view in views[1:]:
        img = pixels(view.grab_image())
        assert has_color(img, view.fixture_screen_position("only"), (40, 200, 60))  # type: ignore[arg-type]


def test_updates_come_from_the_gui_thread_only(scene: StageScene) -> None:
    import threading

    errors: list[BaseException] = []

    def worker() -> None:
        try:
            scene.set_config(demo_show())
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join(5)
    assert errors and "GUI thread" in str(errors[0])
    assert scene.rig is None


def test_the_view_survives_its_native_window_made_anew_and_a_move_into_another_window(
        scene: StageScene, grab: Grab, qtbot: QtBot) -> None:
    from PyQt6.QtWidgets import QVBoxLayout, QWidget

    green = (40, 200, 60)
    scene.set_config(config(fixture("only", 0, 0, 0, size=(1.0, 1.0, 1.0)), groups=(("g", green, ("only",)),)))
    scene.set_fixture_colors({"only": (1.0, 0.0, 0.0)})
    before = grab()
    # The native window destroyed and made again (as a platform may do when a window
    # changes screens): the next frames are the same picture.
    scene.container.hide()
    scene.destroy()
    scene.container.show()
    qtbot.waitExposed(scene)
    assert (grab() != before).any(axis=2).sum() == 0
    # Moved into a layout of another window: no longer a window of its own, still drawing.
    host = QWidget()
    qtbot.addWidget(host)
    QVBoxLayout(host).addWidget(scene.container)
    host.resize(800, 600)
    host.show()
    qtbot.waitExposed(scene)
    assert scene.container.parent() is host
    assert has_color(grab(), scene.fixture_screen_position("only"), green)  # type: ignore[arg-type]
    scene.container.setParent(None)  # the fixture deletes the container; the host goes on its own
