"""The window's rendering choices: beam quality (menu and --beams), label text, realistic movement."""

from __future__ import annotations

from visualizer.app.cli import parse_args
from visualizer.app.render_menu import BEAM_CHOICES
from visualizer.app.window import MainWindow


def test_beams_option_parses_and_defaults_to_auto() -> None:
    assert parse_args([]).beams == "auto"
    assert parse_args(["--beams", "off"]).beams == "off"


def test_beam_menu_is_labelled_by_cost_and_drives_the_scene(window: MainWindow) -> None:
    texts = [t for _, t in BEAM_CHOICES]
    assert "cheapest" in texts[0] and "cheap" in texts[1] and "most GPU" in texts[2]
    window.render_menus.beam_actions["simple"].trigger()
    assert window.scene.beam_quality() == "simple"
    assert window.render_menus.beam_actions["simple"].isChecked()
    window.set_beam_quality("off")
    assert window.scene.beam_quality() == "off" and not window.scene.beams.visible()
    window.render_menus.label_actions["patch"].trigger()
    assert window.scene.label_mode() == "patch"
    assert window.scene._realistic  # heads move at fixture speed in the window


def test_a_group_row_selects_its_fixtures_and_search_hits_ring_in_the_scene(qtbot, window: MainWindow) -> None:
    from PyQt6.QtCore import Qt

    config = window.state.config
    assert config is not None
    spots = tuple(i for i, f in enumerate(config.fixtures) if f.name.startswith("Spot"))
    item = window.tree._groups[[g.name for g in config.groups].index("Moving Heads")]
    index = window.tree.proxy.mapFromSource(window.tree.model.indexFromItem(item))
    rect = window.tree.view.visualRect(index)
    viewport = window.tree.view.viewport()
    assert viewport is not None and rect.isValid()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert set(window.scene.selected_fixtures()) == set(spots)
    window.tree.search.setText("spot")
    assert set(window.scene.highlighted()) == set(spots)
    window.tree.search.setText("")
    assert window.scene.highlighted() == ()
