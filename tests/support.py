"""Small helpers shared by test folders."""

from __future__ import annotations

import time
from collections.abc import Callable

TIMEOUT = 5.0


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT, interval: float = 0.005) -> None:
    """For state that fires no event or signal (counters, snapshots): poll it, bounded."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
