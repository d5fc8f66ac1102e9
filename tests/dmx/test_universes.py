"""Fixture universes vs Art-Net Port-Addresses and sACN universes, and the base-1 warning."""

from __future__ import annotations

import pytest

from shared.dmx.universes import UniverseMap, show_universes, universe_warnings
from shared.show import demo_show


def test_base_1_is_qlc_style() -> None:
    m = UniverseMap(1)
    assert (m.to_artnet(1), m.to_sacn(1), m.from_artnet(0), m.from_sacn(1)) == (0, 1, 1, 1)
    assert m.to_artnet(0) is None and m.to_sacn(0) is None
    assert m.describe(3) == "universe 3 (Art-Net 2, sACN 3)"


def test_base_0() -> None:
    m = UniverseMap(0)
    assert (m.to_artnet(0), m.to_sacn(0), m.from_artnet(5), m.from_sacn(6)) == (0, 1, 5, 5)
    assert m.to_artnet(32768) is None and m.to_sacn(63999) is None


def test_bad_base() -> None:
    with pytest.raises(ValueError):
        UniverseMap(2)


def test_universe_0_under_base_1_warns_and_names_the_option() -> None:
    show = demo_show()
    fixtures = (show.fixtures[0].replace(universe=0), *show.fixtures[1:])
    config = type(show)(show.stage, fixtures, show.groups)
    issues = universe_warnings(config, 1)
    assert [str(i) for i in issues] == [
        'fixtures[0] "LED Bar 1": universe 0 does not exist when universes are numbered from 1; '
        "if the show numbers universes from 0, start the visualizer with --universe-base 0"]
    assert issues[0].severity == "warning"
    assert universe_warnings(config, 0) == []
    assert show_universes(config) == (0, 1, 2, 3)


def test_a_universe_no_base_can_carry_is_not_sent_to_universe_base() -> None:
    # Universe 70000 exists under neither base, yet the warning suggested --universe-base 0.
    config = demo_show()
    config = type(config)(config.stage, (config.fixtures[0].replace(universe=70000), *config.fixtures[1:]),
                          config.groups)
    assert [str(i) for i in universe_warnings(config, 1)] == [
        'fixtures[0] "LED Bar 1": universe 70000 does not exist in Art-Net (Port-Address 0..32767) '
        "or sACN (1..63999); DMX cannot reach it"]


def test_format_ranges_joins_runs_of_universes() -> None:
    from shared.dmx.universes import format_ranges

    assert format_ranges([7, 1, 3, 2, 3]) == "1-3, 7"
    assert format_ranges([]) == ""
    assert format_ranges([5]) == "5"
