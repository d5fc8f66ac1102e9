"""QtVisualizerClient: signals arrive in the GUI thread, from a real socket."""

from __future__ import annotations

import json
import threading

from PyQt6.QtCore import QCoreApplication, QThread

from shared.protocol import HeartbeatMessage, UpdateMessage, encode_message, serialize_full_config
from shared.show import ShowConfig, Stage, demo_show
from visualizer.tcp.qt import QtVisualizerClient


def make(port: int, **kwargs: object) -> QtVisualizerClient:
    return QtVisualizerClient("127.0.0.1", port, backoff_initial=0.05, backoff_max=0.2, **kwargs)


def test_signals_are_delivered_in_the_gui_thread(qtbot, fake_server):
    server = fake_server(serialize_full_config(demo_show()))
    client = make(server.port)
    threads: dict[str, bool] = {}
    got: dict[str, object] = {}

    def slot(name: str):
        def record(*args: object) -> None:
            threads[name] = QThread.currentThread() is QCoreApplication.instance().thread() and (
                threading.current_thread() is threading.main_thread()
            )
            got[name] = args

        return record

    for name in ("connected", "state_changed", "stage_received", "fixtures_received",
                 "groups_received", "config_received", "update_received", "heartbeat_received"):
        getattr(client, name).connect(slot(name))
    assert client.state == "disconnected" and client.host == "127.0.0.1" and client.port == server.port
    try:
        with qtbot.waitSignal(client.config_received, timeout=5000) as blocker:
            client.connect_to_server()
        (config,) = blocker.args
        assert isinstance(config, ShowConfig) and config == demo_show()
        assert client.config == config and client.state == "connected"
        peer = server.accept()
        assert json.loads(peer.readline()) == {"type": "ack", "ack_type": "config"}
        with qtbot.waitSignals([client.update_received, client.heartbeat_received], timeout=5000):
            peer.send(encode_message(UpdateMessage("config_changed", {"reason": "edit"})))
            peer.send(encode_message(HeartbeatMessage(42.0)))
        assert got["update_received"] == ("config_changed", {"reason": "edit"})
        assert got["heartbeat_received"] == (42.0,)
        fixtures = got["fixtures_received"][0]
        assert isinstance(fixtures, list) and fixtures == list(demo_show().fixtures)
        assert got["groups_received"][0] == list(demo_show().groups)
        assert threads and all(threads.values()), threads
    finally:
        with qtbot.waitSignal(client.disconnected, timeout=5000):
            client.disconnect_from_server()
    qtbot.waitUntil(lambda: client.state == "disconnected", timeout=2000)


def test_connection_error_and_reconnect_signals(qtbot, fake_server):
    server = fake_server(serialize_full_config(demo_show()), listen=False)
    client = make(server.port)
    states: list[str] = []
    client.state_changed.connect(states.append)
    try:
        with qtbot.waitSignal(client.connection_error, timeout=5000) as blocker:
            client.connect_to_server()
        assert blocker.args == [f"cannot connect to 127.0.0.1:{server.port}: Connection refused"]
        with qtbot.waitSignal(client.config_received, timeout=5000):
            server.listen()
        qtbot.waitUntil(lambda: "connected" in states, timeout=2000)
        assert states[:3] == ["connecting", "reconnecting", "connected"]
    finally:
        client.disconnect_from_server()


def test_connect_to_server_switches_address(qtbot, fake_server):
    first = fake_server(serialize_full_config(demo_show()))
    second = fake_server(serialize_full_config(demo_show()))
    client = make(first.port)
    try:
        with qtbot.waitSignal(client.config_received, timeout=5000):
            client.connect_to_server()
        with qtbot.waitSignal(client.config_received, timeout=5000):
            client.connect_to_server(port=second.port)
        assert client.port == second.port
        second.accept()
        assert first.accept().wait_closed()
    finally:
        client.disconnect_from_server()


def test_configs_arriving_faster_than_the_gui_applies_them_do_not_pile_up(qtbot, fake_server):
    """A big rig edited live sends configs faster than a viewer can draw them.

    Every configuration queued for the GUI thread used to stay queued: the
    viewer fell further and further behind and its memory grew without bound
    (gigabytes within a minute for a 5,000-fixture rig).  While the GUI thread
    is busy only the newest configuration may be waiting for it.
    """
    base = demo_show()
    configs = [ShowConfig(Stage(10.0 + i, 8.0), base.fixtures, base.groups) for i in range(30)]
    server = fake_server()
    client = make(server.port)
    received: list[ShowConfig] = []
    delivered: list[ShowConfig] = []
    done = threading.Event()

    def on_client_thread(config: ShowConfig) -> None:
        received.append(config)
        if len(received) == len(configs):
            done.set()

    client.client.on_config(on_client_thread)
    client.config_received.connect(delivered.append)
    try:
        client.connect_to_server()
        peer = server.accept()
        for config in configs:
            peer.send(serialize_full_config(config))
        # The GUI thread is "busy" (not running its event loop) until the client has them all.
        assert done.wait(5.0), f"client thread decoded only {len(received)} configurations"
        qtbot.waitUntil(lambda: bool(delivered), timeout=2000)
        QCoreApplication.processEvents()
        assert delivered == [configs[-1]]
        assert client.config == configs[-1]
        # And the next one after that is delivered as usual.
        with qtbot.waitSignal(client.config_received, timeout=5000) as blocker:
            peer.send(serialize_full_config(base))
        assert blocker.args == [base]
    finally:
        client.disconnect_from_server()
