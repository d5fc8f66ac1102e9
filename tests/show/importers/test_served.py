"""A YAML rig loaded by Show Creator reaches a real Visualizer client exactly as the file says."""

from __future__ import annotations

import queue
from pathlib import Path

import yaml

from server.show import ShowSource
from shared.show import ShowConfig
from visualizer.tcp import VisualizerTCPClient

DATA = Path(__file__).parent / "data"


def test_yaml_rig_served_to_a_visualizer_client(serve) -> None:  # type: ignore[no-untyped-def]
    source = ShowSource(DATA / "rig.yaml")
    server = serve(source.load())
    received: queue.Queue[ShowConfig] = queue.Queue()
    client = VisualizerTCPClient("127.0.0.1", server.port, connect_timeout=2.0)
    client.on_config(received.put)
    client.connect()
    try:
        config = received.get(timeout=5.0)
    finally:
        assert client.disconnect()

    raw = yaml.safe_load((DATA / "rig.yaml").read_text())
    groups = raw["groups"]
    by_name = {f.name: f for f in config.fixtures}
    assert list(by_name) == [e["name"] for e in raw["fixtures"]]
    for entry in raw["fixtures"]:
        got = by_name[entry["name"]]
        assert (got.universe, got.address) == (entry["universe"], entry["address"])
        assert (got.manufacturer, got.model, got.mode) == (entry["manufacturer"], entry["model"], entry["current_mode"])
        primary = (entry.get("groups") or [entry["group"]])[0]
        z = groups[primary]["default_z_height"] if primary and entry["z_uses_group_default"] else entry["z"]
        assert tuple(got.position) == (entry["x"], entry["y"], z)
    assert (config.stage.width, config.stage.height) == (raw["stage_width"], raw["stage_height"])
    assert {g.name: g.fixtures for g in config.groups} == {
        "Front Wash": ("Front 1", "Front 2", "Mover 1"),
        "Movers": ("Mover 1",),
    }


def test_yaml_rig_edited_on_disk_is_reloaded(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rig.yaml"
    text = (DATA / "rig.yaml").read_text()
    path.write_text(text)
    source = ShowSource(path)
    server = serve(source.load())
    source.server = server
    path.write_text(text.replace("stage_width: 12.0", "stage_width: 14.0"))
    source.reload()
    assert source.config is not None and source.config.stage.width == 14.0
    path.write_text(text.replace("address: 9", "address: 900"))
    source.reload()  # a broken edit keeps the last good show
    assert source.config.stage.width == 14.0 and "address 900 is outside 1..512" in source.status
