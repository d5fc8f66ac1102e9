"""A real StageScene on a real (Mesa, under Xvfb) GL context per test."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from pytestqt.qtbot import QtBot

from tests.render.helpers import pixels
from visualizer.render import StageScene


@pytest.fixture
def scene(qtbot: QtBot) -> StageScene:
    view = StageScene()
    qtbot.addWidget(view.container)  # closed and deleted (with the view) after the test
    view.container.resize(800, 600)
    view.container.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def grab(scene: StageScene) -> Callable[[], npt.NDArray[np.uint8]]:
    def take() -> npt.NDArray[np.uint8]:
        image = scene.grab_image()
        assert image.width() == round(scene.width() * image.devicePixelRatio())
        return pixels(image)

    return take
