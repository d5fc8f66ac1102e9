"""ClientSession: the client's decode and dispatch path, without sockets."""

from __future__ import annotations

import pytest

from shared.protocol import (
    FixturesMessage,
    GroupsMessage,
    HeartbeatMessage,
    StageMessage,
    encode_message,
    serialize_full_config,
)
from shared.show import Group, ShowConfig, Stage, demo_show
from visualizer.tcp import ClientSession, Handlers

ACK = b'{"type":"ack","ack_type":"config"}\n'


def session(**kwargs: object) -> tuple[ClientSession, list[ShowConfig], list[str]]:
    handlers = Handlers()
    configs: list[ShowConfig] = []
    errors: list[str] = []
    handlers.on_config(configs.append)
    handlers.on_error(errors.append)
    return ClientSession(handlers, **kwargs), configs, errors  # type: ignore[arg-type]


def test_full_set_fires_config_and_queues_one_ack():
    s, configs, errors = session()
    s.receive(serialize_full_config(demo_show()))
    assert configs == [demo_show()] and not errors
    assert s.take_output() == ACK
    assert s.take_output() == b""
    assert s.deadline() is None


def test_two_megabyte_config_fed_one_byte_at_a_time():
    from bench.fixtures import make_config

    big = make_config(4100)
    data = serialize_full_config(big)
    assert len(data) > 2_000_000
    s, configs, errors = session()
    view = memoryview(data)
    for i in range(len(data)):
        s.receive(view[i : i + 1])
    assert configs == [big] and not errors


def test_lone_part_waits_to_settle_then_fires():
    s, configs, _ = session(settle=0.1)
    demo = demo_show()
    s.receive(serialize_full_config(demo), now=1.0)
    stage = Stage(20.0, 10.0)
    s.receive(encode_message(StageMessage(stage)), now=2.0)
    assert len(configs) == 1
    assert s.deadline() == pytest.approx(2.1)
    s.poll(2.05)
    assert len(configs) == 1
    s.poll(2.1)
    assert configs[-1] == ShowConfig(stage, demo.fixtures, demo.groups)
    assert s.take_output() == ACK * 2


def test_partial_line_holds_a_pending_config_back():
    s, configs, _ = session(settle=0.1)
    demo = demo_show()
    s.receive(serialize_full_config(demo), now=1.0)
    groups_line = encode_message(GroupsMessage((Group("G", "#ABCDEF", ("Spot 1",)),)))
    s.receive(encode_message(FixturesMessage(demo.fixtures[:3])) + groups_line[:10], now=2.0)
    assert s.deadline() is None  # the rest of that line may complete the set
    s.poll(10.0)
    assert len(configs) == 1
    s.receive(groups_line[10:], now=2.2)
    assert len(configs) == 2
    assert configs[-1].fixtures == demo.fixtures[:3] and configs[-1].groups[0].name == "G"
    assert s.deadline() is None


def test_other_message_flushes_pending_config_first():
    s, configs, _ = session()
    demo = demo_show()
    seen: list[str] = []
    s.handlers.on_config(lambda _c: seen.append("config"))
    s.handlers.on_heartbeat(lambda _t: seen.append("heartbeat"))
    s.receive(serialize_full_config(demo))
    s.receive(encode_message(FixturesMessage(demo.fixtures[:1])) + encode_message(HeartbeatMessage(1.0)))
    assert seen == ["config", "config", "heartbeat"]
    assert configs[-1].fixtures == demo.fixtures[:1]


def test_groups_alone_after_complete_set_fires_at_once():
    s, configs, _ = session()
    s.receive(serialize_full_config(demo_show()))
    s.receive(encode_message(GroupsMessage(())))
    assert len(configs) == 2 and configs[-1].groups == ()


def test_incomplete_set_never_fires():
    s, configs, _ = session()
    demo = demo_show()
    s.receive(encode_message(StageMessage(demo.stage)) + encode_message(FixturesMessage(demo.fixtures)))
    s.poll(1e9)
    s.flush()
    assert configs == [] and s.take_output() == b""


def test_errors_are_reported_in_stream_order_and_counted():
    s, configs, errors = session(max_line_length=100)
    s.receive(b"nope\n" + b"x" * 500 + b"\n" + b'{"type":"groups","groups":7}\n')
    assert len(errors) == 3 and s.errors == 3
    assert errors[0].startswith("connected to server, but line 1 it sent was refused: invalid JSON")
    assert "longer than 100 bytes" in errors[1]
    assert errors[2] == "connected to server, but its groups message was refused: groups: groups must be a list, got 7"
    assert configs == []


def test_a_flood_of_bad_lines_is_logged_a_few_times_not_once_per_line(caplog):
    """A wrong port streaming text (or a broken server) used to log one WARNING per
    line: 40 MB of log in 14 s. Every error still reaches the handlers."""
    caplog.set_level("WARNING", logger="visualizer.tcp.session")
    s, _configs, errors = session()
    for second in range(12):
        s.receive(b"garbage\n" * 1000, now=100.0 + second)
    assert len(errors) == 12_000 and s.errors == 12_000
    logged = [r.getMessage() for r in caplog.records]
    assert 2 <= len(logged) <= 4, logged
    assert logged[0].startswith("bad message from server: line 1: invalid JSON: unexpected character")
    assert logged[1].endswith(" more since the last report)")
    more = sum(int(m.rsplit("(", 1)[1].split()[0]) for m in logged[1:])
    assert len(logged) + more <= 12_000


def test_every_event_has_one_typed_shortcut_shared_by_handlers_and_client():
    from visualizer.tcp import EVENTS, VisualizerTCPClient
    from visualizer.tcp.handlers import Subscriptions

    typed = {name[3:] for name in vars(Subscriptions) if name.startswith("on_")}
    assert typed == set(EVENTS)
    assert issubclass(Handlers, Subscriptions) and issubclass(VisualizerTCPClient, Subscriptions)


def test_a_selection_is_capped_and_needs_the_capability():
    import json

    from shared.protocol.extensions import MAX_SELECT, HelloMessage

    s = ClientSession(Handlers(), hello=HelloMessage(2, "t", ("select",)))
    s.take_output()
    assert not s.select((1, 2))  # not granted yet
    s.receive(b'{"type":"welcome","protocol":2,"server":"x","capabilities":["select"]}\n')
    assert s.select(tuple(range(10 * MAX_SELECT)))
    line = s.take_output()
    assert len(line) < 64 * 1024 and len(json.loads(line)["fixtures"]) == MAX_SELECT
