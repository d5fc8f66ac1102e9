"""Find Show Creators on the local network (mDNS / DNS-SD, ``zeroconf``).

``ServerBrowser`` keeps a live list (for the Connect dialog); ``discover()``
browses for a while and returns what it found (for ``--discover``).
Callbacks run on zeroconf's thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

from shared.protocol.discovery import SERVICE_TYPE, Advert, advert_from_txt

log = logging.getLogger(__name__)


class ServerBrowser:
    """Browses ``_showcreator._tcp.local.``; ``servers()`` is the current list, ``on_change`` fires on changes."""

    def __init__(self, on_change: Callable[[list[Advert]], None] | None = None,
                 *, interfaces: list[str] | None = None) -> None:
        from zeroconf import InterfaceChoice, IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf

        self.on_change = on_change
        self._lock = threading.Lock()
        self._found: dict[str, Advert] = {}
        self._zc = Zeroconf(interfaces=interfaces or InterfaceChoice.All, ip_version=IPVersion.V4Only)
        self._state = ServiceStateChange

        def handler(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
            self._changed(zeroconf, service_type, name, state_change)

        self._browser = ServiceBrowser(self._zc, SERVICE_TYPE, handlers=[handler])

    def _changed(self, zc: object, service_type: str, name: str, change: object) -> None:
        if change is self._state.Removed:
            with self._lock:
                self._found.pop(name, None)
        else:
            # Resolving asks the network; zeroconf's handler thread must not block, so do it aside.
            threading.Thread(target=self._resolve, args=(service_type, name), daemon=True).start()
            return
        self._notify()

    def _resolve(self, service_type: str, name: str) -> None:
        try:
            info = self._zc.get_service_info(service_type, name, timeout=3000)
        except Exception as exc:
            log.debug("cannot resolve %s: %s", name, exc)
            return
        if info is None or not info.parsed_addresses() or info.port is None:
            return
        advert = advert_from_txt(name, info.parsed_addresses()[0], info.port, info.properties)
        with self._lock:
            self._found[name] = advert
        self._notify()

    def _notify(self) -> None:
        callback = self.on_change
        if callback is not None:
            try:
                callback(self.servers())
            except Exception:
                log.exception("discovery callback failed")

    def servers(self) -> list[Advert]:
        with self._lock:
            return sorted(self._found.values(), key=lambda a: (a.show.lower(), a.address))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._browser.cancel()
        with contextlib.suppress(Exception):
            self._zc.close()


def discover(timeout: float = 3.0, *, interfaces: list[str] | None = None, first: bool = False) -> list[Advert]:
    """Browse for ``timeout`` seconds (or until the first server with ``first``) and return what answered."""
    found = threading.Event()
    browser = ServerBrowser(lambda servers: found.set() if servers else None, interfaces=interfaces)
    try:
        deadline = time.monotonic() + timeout
        if first:
            found.wait(timeout)
        else:
            while time.monotonic() < deadline:
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return browser.servers()
    finally:
        browser.close()
