"""What every fixture of a rig looks like at one instant (the contract between evaluator and scene).

Numpy arrays, N = fixtures in configuration order, C = pixel cells of the rig.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Look:
    color: npt.NDArray[np.float32]  # (N, 3) emitted colour, already × intensity, 0..1 (dark = off)
    intensity: npt.NDArray[np.float32]  # (N,) 0..1
    live: npt.NDArray[np.bool_]  # (N,) fresh DMX and a personality
    pan_deg: npt.NDArray[np.float32]  # (N,) 0 = centre, signed
    tilt_deg: npt.NDArray[np.float32]  # (N,) 0 = centre, signed
    beam_deg: npt.NDArray[np.float32]  # (N,) beam opening
    cell_color: npt.NDArray[np.float32]  # (C, 3) per pixel cell
    cell_owner: npt.NDArray[np.int32]  # (C,) fixture index of each cell
