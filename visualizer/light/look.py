"""What the rig looks like in one frame: the evaluator's output, the scene's input.

One array per quantity, N = fixtures in configuration order, C = pixel cells
(in fixture order, then cell order).  Frozen so a frame can be handed to the
GUI thread as is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Look:
    """One frame of light.

    - ``color`` (N, 3) float32: emitted colour already × intensity, 0..1 (dark = off);
    - ``intensity`` (N,) float32: master dimmer × shutter × strobe, 0..1;
    - ``live`` (N,) bool: fresh DMX and a personality (else draw the static look);
    - ``pan_deg`` / ``tilt_deg`` (N,) float32: degrees from centre, signed;
    - ``beam_deg`` (N,) float32: full beam opening;
    - ``cell_color`` (C, 3) float32 and ``cell_owner`` (C,) int32: pixel cells.
    """

    color: npt.NDArray[np.float32]
    intensity: npt.NDArray[np.float32]
    live: npt.NDArray[np.bool_]
    pan_deg: npt.NDArray[np.float32]
    tilt_deg: npt.NDArray[np.float32]
    beam_deg: npt.NDArray[np.float32]
    cell_color: npt.NDArray[np.float32]
    cell_owner: npt.NDArray[np.int32]
