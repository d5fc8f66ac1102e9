"""Issue 7 rigs as show files: optional oddities are warnings, the show loads, nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shared.show import config_to_dict, load_show, plausible_mask, save_show
from shared.show.units import likely_unit
from tests import rigs


def write(tmp_path: Path, data: object, name: str = "show.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_theatre_side_booms_load_without_a_warning(tmp_path: Path) -> None:
    config, warnings = load_show(write(tmp_path, rigs.theatre()))
    assert warnings == [] and len(config.fixtures) == 16
    mountings = {f.name: f.orientation.mounting for f in config.fixtures if f.orientation}
    assert mountings["Side Boom L"] == "wall_left" and mountings["Side Boom R"] == "wall_right"


def test_zero_dimensions_are_one_warning_per_fixture_and_kept(tmp_path: Path) -> None:
    path = write(tmp_path, rigs.zero_dimensions())
    config, warnings = load_show(path)
    assert len(config.fixtures) == 16 and len(warnings) == 16
    for i, w in enumerate(warnings):
        assert w.fixture_index == i and w.field == "physical"
        assert w.value == "{'width': 0, 'height': 0, 'depth': 0}"
        assert w.action == "drawn with the default size for its type"
        assert str(w).startswith(f'fixtures[{i}] "{config.fixtures[i].name}": physical 0 × 0 × 0 is not a size')
    assert all(f.physical is None for f in config.fixtures)  # drawn with the default
    save_show(config, tmp_path / "again.json")
    saved = json.loads((tmp_path / "again.json").read_text())
    assert saved["fixtures"][0]["physical"] == {"width": 0, "height": 0, "depth": 0}  # passed on unchanged


def test_four_same_named_pars_are_four_fixtures_and_one_warning(tmp_path: Path) -> None:
    config, warnings = load_show(write(tmp_path, rigs.four_pars()))
    assert [f.address for f in config.fixtures] == [1, 9, 17, 25]
    assert config.group_members(0) == (0, 1) and config.group_members(1) == (2, 3)
    assert config.fixture_group_index == (0, 0, 1, 1)
    (warning,) = warnings
    assert '"Retro Flat Par" ×4' in str(warning) and warning.severity == "warning"


def test_a_fixture_typed_in_millimetres_is_named_once_with_its_likely_unit(tmp_path: Path) -> None:
    config, warnings = load_show(write(tmp_path, rigs.mm_as_m()))
    assert len(config.fixtures) == 17
    (warning,) = warnings
    assert str(warning).startswith('fixtures[16] "Typo Par": position (1,500, 2,000, 3,000) is 3,905 m from the stage')
    assert "likely millimetres typed as metres ((1.5, 2, 3) m)" in str(warning)
    assert warning.fixture_index == 16 and warning.field == "position"
    mask = plausible_mask(config)
    assert mask.dtype == np.bool_ and mask.tolist() == [True] * 16 + [False]


def test_a_stage_in_centimetres_is_named(tmp_path: Path) -> None:
    show = rigs.theatre()
    show["stage"].update(width=1200, height=1000)
    _, warnings = load_show(write(tmp_path, show))
    (warning,) = warnings
    assert "stage 1,200 × 1,000 m is wider than 500 m; likely centimetres typed as metres (12 × 10 m)" in str(warning)


@pytest.mark.parametrize(("value", "unit"), [(3905, "millimetres"), (600, "centimetres"), (12000, "millimetres")])
def test_likely_unit(value: float, unit: str) -> None:
    assert likely_unit(value, 7.8)[0] == unit


def test_an_odd_value_in_a_show_round_trips_through_a_file(tmp_path: Path) -> None:
    show = rigs.theatre_with(3, "orientation", {"mounting": "truss_left", "yaw": 0, "pitch": 15, "roll": 0, "x": 1})
    config, warnings = load_show(write(tmp_path, show))
    assert len(config.fixtures) == 16 and [w.field for w in warnings] == ["orientation.mounting"]
    assert config_to_dict(config)["fixtures"][3]["orientation"] == show["fixtures"][3]["orientation"]


def test_huge_numbers_in_optional_fields_are_named_not_a_crash(tmp_path: Path) -> None:
    # Python's json reads 10**400 as an int that no float holds; wording it must not overflow.
    show = rigs.theatre()
    show["fixtures"][0]["physical"] = {"width": 10**400, "height": 1, "depth": 1}
    show["fixtures"][1]["beam_angle"] = -(10**400)
    config, warnings = load_show(write(tmp_path, show))
    assert len(config.fixtures) == 16 and [w.fixture_index for w in warnings] == [0, 1]
    assert "physical 1000000000" in str(warnings[0]) and "..." in str(warnings[0])
    assert all(len(str(w)) < 200 for w in warnings)
