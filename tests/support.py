"""Small helpers shared by test folders."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from shared.show import ShowConfig
from shared.show.model import Vec3

TIMEOUT = 5.0


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT, interval: float = 0.005) -> None:
    """For state that fires no event or signal (counters, snapshots): poll it, bounded."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def moved(config: ShowConfig, index: int, dx: float = 0.5) -> ShowConfig:
    fixtures = list(config.fixtures)
    f = fixtures[index]
    fixtures[index] = f.replace(position=Vec3(f.position.x + dx, f.position.y, f.position.z))
    return ShowConfig(config.stage, tuple(fixtures), config.groups)


class Log:
    """Thread-safe record of one event kind, with a bounded wait."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, ...]] = []
        self.cond = threading.Condition()

    def __call__(self, *args: Any) -> None:
        with self.cond:
            self.items.append(args)
            self.cond.notify_all()

    def wait(self, n: int = 1, timeout: float = TIMEOUT) -> tuple[Any, ...]:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.items) >= n, timeout):
                raise TimeoutError(f"only {len(self.items)} of {n} events")
            return self.items[n - 1]
