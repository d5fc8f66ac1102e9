"""Opening a 1,000-fixture rig: Show Creator YAML, QLC+ .qxw and MVR against our JSON show.

Each foreign file is generated from the same synthetic rig (``bench.fixtures``) and
opened with ``load_show`` (read, detect, parse, import, codec, checks).  The baseline
is ``load_show`` of the JSON show the importer produces from it, so the ratio is what
reading the foreign format costs over our own; a second row compares with the bare
parser of the format (what a one-line importer would cost before any checking).  Run: ``python -m bench.bench_import``.
"""

from __future__ import annotations

import tempfile
import zipfile
from functools import partial
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pymvr
import yaml

from bench.common import Row, format_table, median_time, row
from bench.fixtures import make_config
from shared.show import load_show, save_show
from shared.show.model import ShowConfig

N = 1_000

_GDTF = """<?xml version="1.0" encoding="UTF-8"?>
<GDTF DataVersion="1.2"><FixtureType Name="Bench Par" ShortName="BP" LongName="Bench Par" Manufacturer="Bench"
 FixtureTypeID="11111111-2222-3333-4444-555555555555" Description="" RefFT="" Thumbnail="">
 <AttributeDefinitions><Attributes>
  <Attribute Name="Dimmer" Pretty="Dim"/><Attribute Name="ColorAdd_R" Pretty="R"/>
  <Attribute Name="ColorAdd_G" Pretty="G"/><Attribute Name="ColorAdd_B" Pretty="B"/>
 </Attributes></AttributeDefinitions>
 <Models><Model Name="Body" Length="0.3" Width="0.3" Height="0.2" PrimitiveType="Cube"/></Models>
 <Geometries><Geometry Name="Body" Model="Body" Position="{1,0,0,0}{0,1,0,0}{0,0,1,0}{0,0,0,1}">
  <Beam Name="Beam" Model="Body" Position="{1,0,0,0}{0,1,0,0}{0,0,1,0}{0,0,0,1}" BeamAngle="25"/>
 </Geometry></Geometries>
 <DMXModes><DMXMode Name="4ch" Geometry="Body"><DMXChannels>
""" + "".join(
    f'  <DMXChannel DMXBreak="1" Offset="{i + 1}" Geometry="Beam"><LogicalChannel Attribute="{a}">'
    f'<ChannelFunction Name="{a}" Attribute="{a}" DMXFrom="0/1" PhysicalFrom="0" PhysicalTo="1"/>'
    "</LogicalChannel></DMXChannel>\n"
    for i, a in enumerate(("Dimmer", "ColorAdd_R", "ColorAdd_G", "ColorAdd_B"))
) + "</DMXChannels></DMXMode></DMXModes></FixtureType></GDTF>\n"


def _group_names(config: ShowConfig) -> dict[str, str]:
    return {m: g.name for g in config.groups for m in g.fixtures}


def write_yaml(config: ShowConfig, path: Path) -> None:
    """As the original Show Creator saves: fixtures, and groups holding full fixture copies."""
    group_of = _group_names(config)
    entries: list[dict[str, Any]] = []
    for f in config.fixtures:
        o = f.orientation
        count = f.channel_count or 1
        entries.append({
            "name": f.name, "manufacturer": f.manufacturer, "model": f.model, "current_mode": f.mode,
            "available_modes": [{"name": f.mode, "channels": count}], "universe": f.universe,
            "address": f.address, "x": f.position.x, "y": f.position.y, "z": f.position.z,
            "mounting": o.mounting if o else "hanging", "yaw": o.yaw if o else 0.0,
            "pitch": o.pitch if o else 0.0, "roll": o.roll if o else 0.0, "group": group_of.get(f.name, ""),
            "type": f.fixture_type or "PAR", "z_uses_group_default": False,
            "orientation_uses_group_default": False,
        })
    groups = {
        g.name: {"name": g.name, "color": g.color.lower(), "default_z_height": 3.0, "default_mounting": "hanging",
                 "default_yaw": 0.0, "default_pitch": 0.0, "default_roll": 0.0,
                 "fixtures": [e for e in entries if e["group"] == g.name]}
        for g in config.groups
    }
    doc = {"fixtures": entries, "groups": groups, "stage_width": config.stage.width,
           "stage_height": config.stage.height, "grid_size": config.stage.grid_size, "universes": {},
           **_songs()}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(doc, Dumper=dumper, default_flow_style=False))


def _songs(songs: int = 12, lanes: int = 6, blocks: int = 80, templates: int = 300) -> dict[str, Any]:
    """Song data as a saved show carries it (block templates + timelines): most of a real file."""
    block_defs = {"colour": {f"c{k}": {c: float(k % 256) for c in ("red", "green", "blue", "white", "amber",
                                                                     "cyan", "magenta", "yellow", "uv", "lime")}
                             for k in range(templates)}}
    shows = {
        f"Song {n + 1}": {
            "parts": [{"name": p, "bpm": 120, "color": "#FF0000", "signature": "4/4", "num_bars": 8,
                       "transition": "instant"} for p in ("intro", "verse", "chorus", "outro")],
            "timeline_data": {"lanes": [
                {"name": f"Lane {lane}", "muted": False, "solo": False, "fixture_targets": [f"Group {lane}"],
                 "light_blocks": [{"ref": f"lb{(b * 7 + lane) % templates}", "start": b * 2.0, "end": b * 2.0 + 1.5}
                                  for b in range(blocks)]}
                for lane in range(lanes)
            ]},
        }
        for n in range(songs)
    }
    return {"block_defs": block_defs, "shows": shows}


def write_qxw(config: ShowConfig, path: Path) -> None:
    w, d = config.stage.width, config.stage.height
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Workspace>\n',
             '<Workspace xmlns="http://www.qlcplus.org/Workspace">\n <Engine>\n']
    for i, f in enumerate(config.fixtures):
        parts.append(
            f"  <Fixture><Manufacturer>{f.manufacturer}</Manufacturer><Model>{f.model}</Model><Mode>{f.mode}</Mode>"
            f"<ID>{i}</ID><Name>{f.name}</Name><Universe>{f.universe - 1}</Universe>"
            f"<Address>{f.address - 1}</Address><Channels>{f.channel_count or 1}</Channels></Fixture>\n"
        )
    index = {f.name: i for i, f in enumerate(config.fixtures)}
    for k, g in enumerate(config.groups):
        heads = "".join(f'<Head X="{j}" Y="0" Fixture="{index[m]}">0</Head>' for j, m in enumerate(g.fixtures))
        parts.append(f'  <FixtureGroup ID="{k}"><Name>{g.name}</Name>{heads}</FixtureGroup>\n')
    parts.append(f'  <Monitor DisplayMode="0"><Grid Width="{w}" Height="6" Depth="{d}" Units="0"/>\n')
    for i, f in enumerate(config.fixtures):
        x, y, z = (w / 2 - f.position.x) * 1000, f.position.z * 1000, (d / 2 - f.position.y) * 1000
        parts.append(f'   <FxItem ID="{i}" XPos="{x:g}" YPos="{y:g}" ZPos="{z:g}"/>\n')
    parts.append("  </Monitor>\n </Engine>\n</Workspace>\n")
    path.write_text("".join(parts))


def write_mvr(config: ShowConfig, path: Path) -> None:
    spec = "Bench@Bench Par.gdtf"
    gdtf = path.with_name(spec)
    with zipfile.ZipFile(gdtf, "w") as z:
        z.writestr("description.xml", _GDTF)
    layers = []
    group_of = _group_names(config)
    for g in [*config.groups, None]:
        name = g.name if g is not None else "Ungrouped"
        fixtures = [
            pymvr.Fixture(
                name=f.name, gdtf_spec=spec, gdtf_mode="4ch", fixture_id=str(i + 1),
                matrix=pymvr.Matrix([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0],
                                     [-f.position.x * 1000, f.position.y * 1000, f.position.z * 1000, 0]]),
                addresses=pymvr.Addresses(addresses=[pymvr.Address(dmx_break=0, universe=f.universe,
                                                                   address=f.address)]),
            )
            for i, f in enumerate(config.fixtures)
            if group_of.get(f.name) == (g.name if g is not None else None)
        ]
        if fixtures:
            layers.append(pymvr.Layer(name=name, child_list=pymvr.ChildList(fixtures=fixtures)))
    writer = pymvr.GeneralSceneDescriptionWriter()
    writer.serialize_scene(pymvr.Scene(layers=pymvr.Layers(layers=layers)))
    writer.files_list.append((str(gdtf), spec))
    writer.write_mvr(str(path))


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    repeat = 3 if quick else 7
    config = make_config(N)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        for label, suffix, write in (
            ("Show Creator YAML (+ 12 songs)", "yaml", write_yaml),
            ("QLC+ .qxw", "qxw", write_qxw),
            ("MVR (+GDTF)", "mvr", write_mvr),
        ):
            source = folder / f"rig.{suffix}"
            write(config, source)
            imported, _ = load_show(source)
            assert len(imported.fixtures) == N, (label, len(imported.fixtures))
            as_json = folder / f"rig-{suffix}.json"
            save_show(imported, as_json)
            ours = median_time(partial(load_show, source), repeat)
            base = median_time(partial(load_show, as_json), repeat)
            size = source.stat().st_size / 2**20
            rows.append(row(f"open {label}, {N:,} fixtures ({size:.2f} MB), ms", ours * 1e3, "ms", base * 1e3,
                            "info: vs load_show of the same rig as JSON"))
            parse = median_time(partial(_PARSERS[suffix], source), repeat)
            rows.append(row(f"open {label} vs its bare parser, ms", ours * 1e3, "ms", parse * 1e3,
                            f"info: vs {_PARSER_NAMES[suffix]} alone"))
    return rows


def _yaml_alone(path: Path) -> object:
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _xml_alone(path: Path) -> object:
    return ElementTree.fromstring(path.read_bytes())


def _mvr_alone(path: Path) -> object:
    with pymvr.GeneralSceneDescription(str(path)) as scene:
        return scene


_PARSERS = {"yaml": _yaml_alone, "qxw": _xml_alone, "mvr": _mvr_alone}
_PARSER_NAMES = {"yaml": "yaml.load(CSafeLoader)", "qxw": "ElementTree.fromstring", "mvr": "pymvr (no GDTF)"}


if __name__ == "__main__":
    print(format_table(run()))
