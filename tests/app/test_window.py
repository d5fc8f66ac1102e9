"""The main window against a real server over loopback, with real GL under Xvfb."""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtGui import QGuiApplication

from server import VisualizerTCPServer
from shared.show import Fixture, Group, ShowConfig, Vec3, demo_show
from tests.app.helpers import WAIT_MS, free_port, moved
from tests.render.helpers import has_color, pixels
from visualizer.app.fixture_tree import NAME_ROLE, UNGROUPED
from visualizer.app.status import STATE_COLORS
from visualizer.app.window import MainWindow
from visualizer.tcp.qt import QtVisualizerClient


def name_of(window: MainWindow, index: object) -> str | None:
    """The fixture name for an index (or for a name, from a scene that still reports names)."""
    if index is None or isinstance(index, str):
        return index
    f = window.state.fixture(int(index))  # type: ignore[call-overload]
    return None if f is None else f.name


def scene_selected(window: MainWindow) -> str | None:
    return name_of(window, window.scene.selected_fixture())


def selected_name(window: MainWindow) -> str | None:
    return name_of(window, window.selected_fixture)


def screen_pos(window: MainWindow, name: str):  # type: ignore[no-untyped-def]
    index = window.state.find(name)
    return window.scene.fixture_screen_position(index)


def tree_rows(window: MainWindow) -> dict[str, list[str]]:
    """Visible tree: group -> fixture names."""
    proxy = window.tree.proxy
    out = {}
    for g in range(proxy.rowCount()):
        parent = proxy.index(g, 0)
        out[parent.data(NAME_ROLE)] = [proxy.index(r, 0, parent).data(NAME_ROLE) for r in range(proxy.rowCount(parent))]
    return out


def selected_row(window: MainWindow) -> str | None:
    sel = window.tree.view.selectionModel()
    assert sel is not None
    rows = sel.selectedRows()
    return rows[0].data(NAME_ROLE) if rows else None


def click_tree_row(qtbot, window: MainWindow, name: str) -> None:
    item = window.tree.rows_of(window.state.find(name))[0]
    index = window.tree.proxy.mapFromSource(window.tree.model.indexFromItem(item))
    view = window.tree.view
    view.scrollTo(index)
    rect = view.visualRect(index)
    assert rect.isValid()
    viewport = view.viewport()
    assert viewport is not None
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())


def test_window_shows_the_show_from_a_real_server(window: MainWindow, server: VisualizerTCPServer) -> None:
    address = f"127.0.0.1:{server.port}"
    assert address in window.windowTitle()
    rows = tree_rows(window)
    assert list(rows) == ["Front Wash", "LED Bars", "Moving Heads", "Side Wash", "Pixel Bars"]
    assert rows["Moving Heads"] == ["Spot 1", "Spot 2", "Spot 3", "Spot 4"]
    assert sum(len(v) for v in rows.values()) == 22
    group = window.tree.group_item("Front Wash")
    assert group is not None and not group.icon().isNull()  # the colour swatch
    parent = group.parent() or window.tree.model.invisibleRootItem()
    assert parent is not None and parent.child(group.row(), 1).text() == "6"  # member count
    assert window.indicator.state == "connected"
    assert window.indicator.led.color.name().upper() == STATE_COLORS["connected"]
    assert window.indicator.label.text() == f"Connected {address}"
    assert window.counts.text() == "22 fixtures · 5 groups"
    rig = window.scene.rig
    assert rig is not None and len(rig) == 22


def test_selecting_in_the_tree_highlights_in_the_scene_and_shows_details(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS) as blocker:
        click_tree_row(qtbot, window, "Front Par 3")
    assert blocker.args == [window.state.find("Front Par 3")]
    assert scene_selected(window) == "Front Par 3"
    d = window.details
    assert d.text("Name") == "Front Par 3"
    assert d.text("Manufacturer") == "Eurolite"
    assert d.text("Model") == "LED PAR-64 RGBW"
    assert d.text("Mode") == "8 Channel"
    assert d.text("Universe") == "1"
    assert d.text("Address") == "209–216 (8 ch)"
    assert d.text("Position") == "x −0.75  y −3.50  z 5.00 m"
    assert d.text("Type") == "PAR"
    assert d.text("Orientation") == "hanging, yaw 180°, pitch 50°, roll 0°"
    assert d.text("Groups") == "Front Wash"


def test_clicking_a_fixture_in_the_3d_view_selects_it_in_the_tree(qtbot, window: MainWindow) -> None:
    scene = window.scene
    for name in ("Spot 3", "Side Wash R", "Pixel Bar 1"):
        pos = screen_pos(window, name)
        assert pos is not None and QRect(QPoint(0, 0), scene.size()).contains(pos.toPoint())
        with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS):
            qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=pos.toPoint())
        assert selected_name(window) == name
        assert selected_row(window) == name
        assert window.details.text("Name") == name
    # A click on empty floor far from every fixture clears the selection everywhere.
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=QPoint(4, scene.height() - 4))
    assert blocker.args == [-1]
    assert selected_row(window) is None
    assert scene.selected_fixture() is None
    assert window.details.fixture is None


def test_search_filters_by_name_model_manufacturer_and_patch(qtbot, window: MainWindow) -> None:
    tree = window.tree
    tree.search.setFocus()
    qtbot.keyClicks(tree.search, "VARYTEC")  # manufacturer, any case
    assert tree.visible_fixtures() == ["Spot 1", "Spot 2", "Spot 3", "Spot 4"]
    assert tree.visible_groups() == ["Moving Heads"]
    tree.search.clear()
    qtbot.keyClicks(tree.search, "par-64")  # model
    assert tree.visible_fixtures() == [f"Front Par {i}" for i in range(1, 7)]
    tree.search.clear()
    qtbot.keyClicks(tree.search, "wash l")  # name
    assert tree.visible_fixtures() == ["Side Wash L"]
    assert window.labels_action.isChecked()  # "l" typed into the search is text, not the L shortcut
    tree.search.clear()
    qtbot.keyClicks(tree.search, "bar 2")  # "LED BAR 240/8" is the LED bars' model
    assert tree.visible_fixtures() == [f"LED Bar {i}" for i in range(1, 9)] + ["Pixel Bar 2"]
    tree.search.clear()
    qtbot.keyClicks(tree.search, "2.15")  # the patch as the tree shows it
    assert tree.visible_fixtures() == ["Spot 2"]
    tree.search.clear()
    qtbot.keyClicks(tree.search, "no such fixture")
    assert tree.visible_fixtures() == []
    qtbot.keyClick(tree.search, Qt.Key.Key_Escape)  # Esc in the search box clears it
    assert tree.search.text() == ""
    assert len(tree.visible_fixtures()) == 22


def test_selection_survives_search_that_hides_it(qtbot, window: MainWindow) -> None:
    window.select_named("Spot 2")
    qtbot.keyClicks(window.tree.search, "pixel")
    assert selected_name(window) == "Spot 2"
    assert scene_selected(window) == "Spot 2"
    window.tree.search.clear()
    assert selected_row(window) == "Spot 2"


def _camera(window: MainWindow) -> tuple[float, float, float, tuple[float, float, float]]:
    o = window.scene.opts
    c = o["center"]
    return o["distance"], o["azimuth"], o["elevation"], (c.x(), c.y(), c.z())


def test_server_updates_keep_selection_and_camera(qtbot, window: MainWindow, server: VisualizerTCPServer) -> None:
    window.select_named("Spot 2")
    window.set_camera_preset("side")
    window.scene.orbit(25, 10)  # what a drag in the 3D view does: the camera is now the user's
    camera = _camera(window)

    # Only a move: rows are edited in place.
    config = moved(server.config, "Spot 2", dx=0.5)
    with qtbot.waitSignal(window.config_applied, timeout=WAIT_MS):
        server.update_config(config)
    assert window.details.text("Position") == "x −0.50  y 0.50  z 5.00 m"
    assert selected_row(window) == "Spot 2"

    # Move, remove and add at once: the tree is rebuilt around the selection.
    base = moved(config, "Spot 2", dz=-0.5)
    hazer = Fixture(name="Hazer", manufacturer="Antari", model="HZ-500", mode="2 Channel",
                    universe=4, address=1, position=Vec3(4.0, 3.5, 0.0), fixture_type="HAZER")
    fixtures = (*(f for f in base.fixtures if f.name != "Front Par 6"), hazer)
    groups = tuple(
        Group(g.name, g.color, tuple(m for m in g.fixtures if m != "Front Par 6")) for g in base.groups
    )
    with qtbot.waitSignal(window.config_applied, timeout=WAIT_MS):
        server.update_config(ShowConfig(base.stage, fixtures, groups))
    rows = tree_rows(window)
    assert rows[UNGROUPED] == ["Hazer"]
    assert "Front Par 6" not in rows["Front Wash"] and len(rows["Front Wash"]) == 5
    assert window.counts.text() == "22 fixtures · 5 groups"
    assert selected_name(window) == "Spot 2" and selected_row(window) == "Spot 2"
    assert scene_selected(window) == "Spot 2"
    assert window.details.text("Position") == "x −0.50  y 0.50  z 4.50 m"
    rig = window.scene.rig
    assert rig is not None and len(rig) == 22
    assert _camera(window) == camera

    # The selected fixture itself removed: the selection clears everywhere.
    fixtures = tuple(f for f in fixtures if f.name != "Spot 2")
    with qtbot.waitSignals([window.config_applied, window.selection_changed], timeout=WAIT_MS):
        server.update_config(ShowConfig(base.stage, fixtures, groups))
    assert window.selected_fixture is None and selected_row(window) is None
    assert window.scene.selected_fixture() is None
    assert window.details.fixture is None
    assert tree_rows(window)["Moving Heads"] == ["Spot 1", "Spot 3", "Spot 4"]
    assert _camera(window) == camera


def test_status_led_goes_blue_then_grey_when_the_server_goes(
    qtbot, window: MainWindow, server: VisualizerTCPServer
) -> None:
    led = window.indicator.led
    assert led.color.name().upper() == STATE_COLORS["connected"]
    server.stop()
    qtbot.waitUntil(lambda: window.indicator.state in ("reconnecting", "connecting"), timeout=WAIT_MS)
    assert led.color.name().upper() == STATE_COLORS["reconnecting"] == "#2196F3"
    assert window.indicator.label.text().startswith("Reconnecting to 127.0.0.1:")
    qtbot.waitUntil(lambda: "127.0.0.1" in window.message.text(), timeout=WAIT_MS)  # the error, briefly
    assert window.isVisible()  # no modal dialog in the way
    window.client.disconnect_from_server()
    qtbot.waitUntil(lambda: window.indicator.state == "disconnected", timeout=WAIT_MS)
    assert led.color.name().upper() == STATE_COLORS["disconnected"]
    assert window.counts.text() == "22 fixtures · 5 groups"  # the last show stays on screen


def test_camera_presets_and_labels_change_the_image(qtbot, window: MainWindow) -> None:
    scene = window.scene
    images = {}
    for preset, action in window.camera_actions.items():
        action.trigger()
        images[preset] = scene.grab_image()
        assert not images[preset].isNull()
    assert len({img.cacheKey() for img in images.values()}) == 4
    for a in images:
        for b in images:
            assert a == b or images[a] != images[b], (a, b)
    # Orbit away, then R (typed into the focused 3D view) resets to the framed perspective view.
    scene.opts["azimuth"] += 40
    focus_view(qtbot, window)
    qtbot.keyClick(scene, Qt.Key.Key_R)
    assert scene.grab_image() == images["perspective"]
    # L toggles the labels, and they show in the picture.
    assert window.labels_action.isChecked()
    qtbot.keyClick(scene, Qt.Key.Key_L)
    assert not window.labels_action.isChecked() and not scene.labels_visible()
    assert scene.grab_image() != images["perspective"]


def focus_view(qtbot, window: MainWindow) -> None:
    """Give the 3D view the keyboard (Tab or a click would): its window, not its container, gets the keys."""
    window.scene.container.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is window.scene, timeout=WAIT_MS)


def test_keys_typed_into_the_3d_view_reach_shortcuts_and_the_camera(qtbot, window: MainWindow) -> None:
    # Real key presses through the window system to the 3D view, a native window in a
    # container: window shortcuts, the view's own Esc, and the keys the view handles itself.
    scene = window.scene
    pos = screen_pos(window, "Spot 3")
    assert pos is not None
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS):
        qtbot.mouseClick(scene, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is scene, timeout=WAIT_MS)  # the click gave it focus
    assert selected_name(window) == "Spot 3"
    with qtbot.waitSignal(window.selection_changed, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(scene, Qt.Key.Key_Escape)  # "Clear selection", a shortcut of the 3D view
    assert blocker.args == [-1] and scene.selected_fixture() is None
    labels = window.labels_action.isChecked()
    qtbot.keyClick(scene, Qt.Key.Key_L)  # a window shortcut
    assert window.labels_action.isChecked() != labels
    qtbot.keyClick(scene, Qt.Key.Key_2)
    assert scene.opts["elevation"] == 90 and scene.is_orthographic()
    qtbot.keyClick(scene, Qt.Key.Key_Home)
    assert not scene.is_orthographic() and scene.opts["elevation"] < 90
    azimuth = scene.opts["azimuth"]
    qtbot.keyPress(scene, Qt.Key.Key_Left)  # arrows orbit while held: the view's own key handling
    qtbot.keyRelease(scene, Qt.Key.Key_Left)
    assert scene.opts["azimuth"] != azimuth
    # Ctrl+F takes the keyboard to the search box; Esc there clears the search, not the selection.
    window.select_named("Spot 1")
    qtbot.keyClick(scene, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tree.search.hasFocus(), timeout=WAIT_MS)
    qtbot.keyClicks(window.tree.search, "spot")
    qtbot.keyClick(window.tree.search, Qt.Key.Key_Escape)
    assert window.tree.search.text() == "" and selected_name(window) == "Spot 1"


def test_waits_for_a_late_server_then_shows_the_show(qtbot) -> None:
    port = free_port()
    client = QtVisualizerClient("127.0.0.1", port, backoff_initial=0.05, backoff_max=0.2)
    window = MainWindow(client)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    client.connect_to_server()
    try:
        assert window.waiting.isVisible()
        assert f"Waiting for Show Creator at 127.0.0.1:{port}" in window.waiting.text()
        qtbot.waitUntil(lambda: "Connection refused" in window.waiting.text(), timeout=WAIT_MS)
        # The message shows in place of the 3D view (a native window would cover a label
        # over it), and the window's picture (Save image, --screenshot) has it.
        assert not window.scene.container.isVisible()
        shot = pixels(window.grab_window())
        page = window.centre.currentWidget()
        assert page is not None and page.isAncestorOf(window.waiting)
        alone = pixels(page.grab().toImage())
        at = page.mapTo(window, QPoint(0, 0))
        assert (shot[at.y():at.y() + alone.shape[0], at.x():at.x() + alone.shape[1]] == alone).all()
        box = window.waiting.geometry()  # in the page
        text = alone[box.top():box.bottom(), box.left():box.right()].reshape(-1, 3)
        assert len({tuple(p) for p in text}) > 20  # lettering, not a plain box
        assert window.indicator.led.color.name().upper() == STATE_COLORS["connecting"]
        assert window.counts.text() == "No show yet"
        late = VisualizerTCPServer(demo_show(), "127.0.0.1", port, heartbeat_interval=1.0)
        late.start()
        try:
            qtbot.waitUntil(lambda: window.counts.text() == "22 fixtures · 5 groups", timeout=WAIT_MS)
            assert not window.waiting.isVisible()
            qtbot.waitExposed(window.scene)  # the 3D view took the message's place
            qtbot.waitUntil(lambda: window.indicator.state == "connected", timeout=WAIT_MS)
        finally:
            late.stop()
    finally:
        client.disconnect_from_server()


def test_moving_a_fixture_on_the_server_moves_it_in_the_image(qtbot, window: MainWindow,
                                                              server: VisualizerTCPServer) -> None:
    # End to end: Show Creator moves "Spot 1" 1.5 m upstage; the viewer's
    # picture shows its group colour at the new place and no longer at the old.
    green = demo_show().groups_by_name["Moving Heads"].rgb
    window.set_camera_preset("top")
    window.set_labels_visible(False)
    scene = window.scene
    before_at = screen_pos(window, "Spot 1")
    assert before_at is not None
    assert has_color(pixels(scene.grab_image()), before_at, green)

    with qtbot.waitSignal(window.config_applied, timeout=WAIT_MS):
        server.update_config(moved(server.config, "Spot 1", dy=1.5))
    after_at = screen_pos(window, "Spot 1")
    assert after_at is not None
    assert after_at.y() < before_at.y() - 20  # upstage is up the screen in the top view
    image = pixels(scene.grab_image())
    assert has_color(image, after_at, green)
    assert not has_color(image, before_at, green)


def test_status_messages_show_network_names_as_text_not_markup(qtbot, window: MainWindow) -> None:
    from PyQt6.QtCore import Qt

    window.message.show_message('fixtures[0] "<b>Par</b> <img src=x>": odd value')
    assert window.message.textFormat() == Qt.TextFormat.PlainText
    assert window.message.text() == 'fixtures[0] "<b>Par</b> <img src=x>": odd value'
    assert "&lt;b&gt;Par&lt;/b&gt;" in window.message.toolTip()
