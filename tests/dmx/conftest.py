"""A real DmxReceiver on loopback, on ports the OS picks, and a way to wait for what it received."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from shared.dmx.state import DmxState
from tests.app.conftest import (  # noqa: F401  (the window tests of tests/app, reused with their GC discipline)
    _collect_windows_between_tests,
    server,
    window,
)
from visualizer.dmx.receiver import DmxReceiver

WAIT_S = 5.0


class Arrivals:
    """Wakes waiting tests whenever the receiver thread handled a datagram."""

    def __init__(self, receiver: DmxReceiver) -> None:
        self.receiver = receiver
        self.state = receiver.state
        self._cond = threading.Condition()
        receiver.after_packet = self._arrived

    def _arrived(self, protocol: str, data: memoryview, now: float) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def levels(self, universe: int) -> list[int]:
        row = self.state.snapshot(time.monotonic()).universe(universe)
        return [] if row is None else [int(v) for v in row]

    @property
    def artnet(self) -> tuple[str, int]:
        port = self.receiver.port("Art-Net")
        assert port is not None
        return ("127.0.0.1", port)

    @property
    def sacn(self) -> tuple[str, int]:
        port = self.receiver.port("sACN")
        assert port is not None
        return ("127.0.0.1", port)


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Arrivals]]:
    made: list[DmxReceiver] = []

    def make(universes: tuple[int, ...] = (1,), **kwargs: object) -> Arrivals:
        state = DmxState(universes, base=int(kwargs.pop("base", 1)))  # type: ignore[call-overload]
        options: dict[str, object] = {"artnet_bind": "127.0.0.1", "artnet_port": 0, "sacn_bind": "127.0.0.1",
                                      "sacn_port": 0, "multicast_interface": "127.0.0.1"}
        options.update(kwargs)
        receiver = DmxReceiver(state, **options)  # type: ignore[arg-type]
        made.append(receiver)
        arrivals = Arrivals(receiver)
        assert receiver.start() == []
        return arrivals

    yield make
    for r in made:
        r.stop()


@pytest.fixture
def arrivals(make_receiver: Callable[..., Arrivals]) -> Arrivals:
    return make_receiver()


@pytest.fixture
def udp() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(WAIT_S)
    yield sock
    sock.close()
