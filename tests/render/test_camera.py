"""Camera maths without a view: framing points in part of the picture."""

from __future__ import annotations

import numpy as np
import pytest

from visualizer.render import camera


def test_fit_in_rect_keeps_every_point_in_the_rectangle() -> None:
    rng = np.random.default_rng(7)
    tan_h = float(np.tan(np.radians(30.0)))
    for _ in range(20):
        pts = rng.normal(size=(40, 3)) * [8.0, 5.0, 3.0] + [0.0, 0.0, 3.0]
        az, el = float(rng.uniform(-180, 180)), float(rng.uniform(0, 89))
        aspect = float(rng.uniform(0.6, 2.0))
        rect = (float(rng.uniform(0, 0.3)), float(rng.uniform(0, 0.3)), 1.0, 1.0)
        for ortho in (False, True):
            center, dist = camera.fit_in_rect(pts, az, el, 60.0, aspect, ortho, rect)
            q = (pts - center) @ camera.rotation(az, el).T
            depth = np.full(len(q), dist) if ortho else dist - q[:, 2]  # ortho: half width is dist · tan
            assert (depth > 0).all()
            sx = (q[:, 0] / depth / tan_h + 1) / 2  # fractions of the picture, y down
            sy = (1 - q[:, 1] / depth / (tan_h / aspect)) / 2
            where = (az, el, aspect, rect, ortho)
            assert sx.min() >= rect[0] and sx.max() <= rect[2] and sy.min() >= rect[1] and sy.max() <= rect[3], where
            # centred in it, with the margin's room on the tighter side
            assert (sx.min() - rect[0]) == pytest.approx(rect[2] - sx.max(), abs=1e-6), where
            assert (sy.min() - rect[1]) == pytest.approx(rect[3] - sy.max(), abs=1e-6), where
