"""Small rigs and DMX frames for the evaluator tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from shared.show.model import Fixture, ShowConfig, Stage, Vec3


def fixture(name: str = "F", *, universe: int = 1, address: int = 1, **kwargs: Any) -> Fixture:
    fields: dict[str, Any] = {"manufacturer": "Test", "model": "Thing", "mode": "Default"}
    fields.update(kwargs)
    return Fixture(name=name, universe=universe, address=address, position=Vec3(0.0, 0.0, 0.0), **fields)


def rig(*fixtures: Fixture) -> ShowConfig:
    return ShowConfig(stage=Stage(10.0, 8.0), fixtures=tuple(fixtures))


def frame(universes: int = 1) -> npt.NDArray[np.uint8]:
    return np.zeros((universes, 512), dtype=np.uint8)


def put(levels: npt.NDArray[np.uint8], address: int, values: list[int], row: int = 0) -> None:
    levels[row, address - 1 : address - 1 + len(values)] = values
