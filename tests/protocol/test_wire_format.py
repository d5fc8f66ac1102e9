"""The exact v1 wire format existing Show Creator builds and visualizers use."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.protocol import (
    AckMessage,
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    InvalidMessage,
    ProtocolError,
    StageMessage,
    UnknownMessage,
    UpdateMessage,
    encode_message,
    parse_message,
    serialize_full_config,
)
from shared.show import Fixture, Group, ShowConfig, Stage, Vec3, demo_show

from .strategies import ODD_OPTIONAL_VALUES, fixture_lists


def test_full_config_is_three_ascii_lines_in_order() -> None:
    blob = serialize_full_config(demo_show())
    assert blob.isascii()
    lines = blob.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 4
    objs = [json.loads(line) for line in lines[:3]]
    assert [o["type"] for o in objs] == ["stage", "fixtures", "groups"]
    assert objs[0] == {"type": "stage", "width": 10.0, "height": 8.0, "grid_size": 0.5}
    first = objs[1]["fixtures"][0]
    assert first["name"] == "LED Bar 1"
    assert first["manufacturer"] == "Stairville" and first["model"] == "LED BAR 240/8"
    assert first["universe"] == 1 and first["address"] == 1
    assert first["position"] == {"x": -2.0, "y": 3.0, "z": 0.0}
    assert {"name": "Front Wash", "color": "#FF5722"}.items() <= objs[2]["groups"][0].items()


def test_non_ascii_is_escaped() -> None:
    config = ShowConfig(
        Stage(5.0, 4.0),
        (Fixture("Späť ☃", "Ämber", "m", "", 1, 1, Vec3(0.0, 0.0, 0.0)),),
        (Group("Grün", "#00FF00", ("Späť ☃",)),),
    )
    blob = serialize_full_config(config)
    assert blob.isascii()
    assert b"\\u2603" in blob
    fixtures = parse_message(blob.split(b"\n")[1])
    assert isinstance(fixtures, FixturesMessage)
    assert fixtures.fixtures[0].name == "Späť ☃"


def test_stage_fields_are_always_numbers() -> None:
    line = encode_message(StageMessage(Stage(10, 8)))  # ints in, floats out
    assert json.loads(line) == {"type": "stage", "width": 10.0, "height": 8.0, "grid_size": 0.5}
    assert isinstance(json.loads(line)["width"], float)


def test_stage_grid_size_is_optional_and_null_means_default() -> None:
    for text in ('{"type":"stage","width":6,"height":4}', '{"type":"stage","width":6,"height":4,"grid_size":null}'):
        msg = parse_message(text)
        assert msg == StageMessage(Stage(6.0, 4.0, 0.5))


def test_heartbeat_timestamp_may_be_null() -> None:
    assert parse_message('{"type":"heartbeat","timestamp":null}') == HeartbeatMessage(None)
    assert parse_message('{"type":"heartbeat"}') == HeartbeatMessage(None)
    assert json.loads(encode_message(HeartbeatMessage(None))) == {"type": "heartbeat", "timestamp": None}


def test_ack_and_update_shapes() -> None:
    assert json.loads(encode_message(AckMessage("config"))) == {"type": "ack", "ack_type": "config"}
    assert json.loads(encode_message(UpdateMessage("config_changed"))) == {
        "type": "update",
        "update_type": "config_changed",
        "data": {},
    }


def test_unknown_fields_survive_a_round_trip() -> None:
    line = json.dumps(
        {
            "type": "fixtures",
            "revision": 7,
            "fixtures": [
                {
                    "name": "A", "manufacturer": "M", "model": "X", "mode": "8ch",
                    "universe": 1, "address": 1, "position": {"x": 1, "y": 2, "z": 3},
                    "orientation": {"mounting": "standing", "yaw": 90, "pitch": 0, "roll": 0, "hint": 1},
                    "dmx_footprint": 8, "color_wheel": [{"min": 0, "max": 9, "color": "#FFFFFF"}],
                }
            ],
        }
    )
    msg = parse_message(line)
    assert isinstance(msg, FixturesMessage)
    assert msg.extra == {"revision": 7}
    fixture = msg.fixtures[0]
    assert fixture.extra == {"dmx_footprint": 8}
    assert fixture.orientation is not None and fixture.orientation.extra == {"hint": 1}
    again = json.loads(encode_message(msg))
    assert again["revision"] == 7
    assert again["fixtures"][0]["dmx_footprint"] == 8
    assert again["fixtures"][0]["orientation"]["hint"] == 1
    assert again["fixtures"][0]["color_wheel"] == [{"min": 0, "max": 9, "color": "#FFFFFF"}]


def test_unknown_type_is_kept_not_an_error() -> None:
    assert parse_message('{"type":"dmx","universe":1}') == UnknownMessage("dmx", {"type": "dmx", "universe": 1})


_A = {
    "name": "A", "manufacturer": "M", "model": "X", "mode": "8ch",
    "universe": 1, "address": 1, "position": {"x": 1, "y": 2, "z": 3},
}
_B = dict(_A, name="B", address=9)


@pytest.mark.parametrize(
    ("fixture_patch", "expected"),
    [
        ({"address": 600}, 'fixtures[0] "A": address 600 is outside 1..512'),
        ({"address": "1"}, "address must be a whole number, got '1'"),
        ({"universe": -1}, "universe -1 must not be negative"),
        ({"universe": 2**63}, f"universe {2**63} is too large (at most 2147483647)"),
        ({"position": {"x": 1, "y": 2}}, "position is missing 'z'"),
        ({"name": ""}, "fixtures[0]: name must be a non-empty string"),
    ],
)
def test_a_broken_required_field_leaves_out_that_fixture_alone(fixture_patch: dict[str, object], expected: str) -> None:
    line = json.dumps({"type": "fixtures", "fixtures": [dict(_A, **fixture_patch), _B]})
    msg = parse_message(line)
    assert isinstance(msg, FixturesMessage)
    assert [f.name for f in msg.fixtures] == ["B"]
    (problem,) = msg.problems
    assert problem.severity == "error" and problem.action == "left out" and problem.fixture_index is None
    assert expected in str(problem)


@pytest.mark.parametrize(
    ("fixture_patch", "expected"),
    [
        ({"manufacturer": None}, "manufacturer must be a string, got None"),
        ({"orientation": {"mounting": "sideways", "yaw": 0.0, "pitch": 0.0, "roll": 0.0}},
         "orientation.mounting 'sideways' is not one of"),
        ({"physical": {"width": 0, "height": 1, "depth": 1}}, "physical 0 × 1 × 1 is not a size"),
        ({"channel_mapping": {"zero": "dimmer"}}, "channel_mapping key 'zero' is not a channel offset"),
        ({"channel_mapping": {"600": "dimmer"}}, "channel_mapping offset 600 is outside 0..511"),
    ],
)
def test_an_odd_optional_field_is_kept_and_named(fixture_patch: dict[str, object], expected: str) -> None:
    sent = dict(_A, **fixture_patch)
    msg = parse_message(json.dumps({"type": "fixtures", "fixtures": [sent, _B]}))
    assert isinstance(msg, FixturesMessage)
    assert [f.name for f in msg.fixtures] == ["A", "B"]
    (problem,) = msg.problems
    assert problem.severity == "warning" and problem.fixture_index == 0
    assert expected in str(problem) and str(problem).startswith('fixtures[0] "A": ')
    assert json.loads(encode_message(msg))["fixtures"][0] == sent  # passed on unchanged


def test_missing_required_field_is_named() -> None:
    msg = parse_message('{"type":"fixtures","fixtures":[{"name":"A","manufacturer":"M","model":"X",'
                        '"mode":"m","universe":1,"position":{"x":0,"y":0,"z":0}}]}')
    assert isinstance(msg, FixturesMessage) and msg.fixtures == ()
    assert [str(p) for p in msg.problems] == ['fixtures[0] "A": missing field \'address\'']


def test_a_message_of_the_wrong_shape_is_refused_whole() -> None:
    with pytest.raises(InvalidMessage, match="fixtures must be a list"):
        parse_message('{"type":"fixtures","fixtures":{"A":1}}')
    with pytest.raises(InvalidMessage, match="missing field 'groups'"):
        parse_message('{"type":"groups"}')


def test_bad_group_colour_is_a_warning_and_kept() -> None:
    line = '{"type":"groups","groups":[{"name":"Front","color":"red","fixtures":[]}]}'
    msg = parse_message(line)
    assert isinstance(msg, GroupsMessage) and [g.name for g in msg.groups] == ["Front"]
    (problem,) = msg.problems
    assert str(problem).startswith('groups[0] "Front": color \'red\' is not a #RRGGBB colour')
    assert json.loads(encode_message(msg))["groups"][0]["color"] == "red"


@settings(max_examples=60, deadline=None)
@given(fixture_lists())
def test_fast_and_careful_fixture_paths_agree(fixtures: tuple[Fixture, ...]) -> None:
    # The msgspec fast path and the careful Python path must build equal
    # fixtures; extras force the careful path, so compare both ways.
    line = encode_message(FixturesMessage(fixtures))
    fast = parse_message(line)
    careful = parse_message(line.decode())  # str input takes the same route...
    from shared.show.codec import decode_fixtures

    obj = json.loads(line)
    issues: list[object] = []
    checked = decode_fixtures(obj["fixtures"], issues)  # type: ignore[arg-type]
    assert isinstance(fast, FixturesMessage) and isinstance(careful, FixturesMessage)
    assert fast.fixtures == careful.fixtures == checked == fixtures
    assert fast.problems == careful.problems == () and issues == []


@settings(max_examples=80, deadline=None)
@given(fixture_lists(), st.sampled_from(ODD_OPTIONAL_VALUES), st.integers(0, 4))
def test_one_odd_optional_value_never_costs_a_fixture(
    fixtures: tuple[Fixture, ...], odd: tuple[str, object], where: int
) -> None:
    # Any one odd optional value: every fixture still arrives, the odd one with
    # the value kept as sent and exactly one warning that names it.
    if not fixtures:
        return
    key, value = odd
    obj = json.loads(encode_message(FixturesMessage(fixtures)))
    i = where % len(fixtures)
    obj["fixtures"][i][key] = value
    line = json.dumps(obj)
    msg = parse_message(line)
    assert isinstance(msg, FixturesMessage)
    assert [f.name for f in msg.fixtures] == [f.name for f in fixtures]
    (problem,) = msg.problems
    assert problem.severity == "warning" and problem.fixture_index == i
    assert problem.field is not None and problem.field.split(".")[0] == key and problem.action
    assert str(problem).startswith(f"fixtures[{i}] ")
    assert json.loads(encode_message(msg)) == obj


@settings(max_examples=60, deadline=None)
@given(fixture_lists())
def test_fast_and_dict_encoders_agree(fixtures: tuple[Fixture, ...]) -> None:
    # msgspec writes fixtures lines straight from the Structs unless extras
    # need merging; both routes must put the same JSON on the wire.
    from shared.protocol.encode import dumps_line, message_to_dict

    msg = FixturesMessage(fixtures)
    line = encode_message(msg)
    assert line.isascii() and line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == json.loads(dumps_line(message_to_dict(msg)))
    assert parse_message(line) == msg


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"position": {"x": 1e300, "y": 0, "z": 0}}, "position.x 1e+300 is outside -100000..100000"),
        ({"beam_angle": -2e5}, "beam_angle -200000 is not greater than 0"),
        ({"lumens": 1e12}, "lumens 1e+12 is outside 0..1e+09"),
    ],
)
def test_absurd_magnitudes_are_named(patch: dict[str, object], expected: str) -> None:
    msg = parse_message(json.dumps({"type": "fixtures", "fixtures": [dict(_A, **patch)]}))
    assert isinstance(msg, FixturesMessage)
    (problem,) = msg.problems
    assert expected in str(problem)
    assert len(str(problem)) < 200


def test_an_infinite_number_refuses_the_line() -> None:
    fixture = dict(_A, position={"x": 10**400, "y": 0, "z": 0})
    with pytest.raises(ProtocolError, match="number is infinity"):
        parse_message(json.dumps({"type": "fixtures", "fixtures": [fixture]}))
