"""Advertise a running Show Creator over mDNS / DNS-SD (``zeroconf``).

Registration probes the network for name conflicts (about 1.5 s), so it
runs on a background thread and never delays serving.  Failures (no
multicast route, a firewall) are logged once: discovery is a convenience,
never a reason to stop serving.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading

from shared.protocol.discovery import SERVICE_TYPE, Advert

log = logging.getLogger(__name__)


def _local_addresses(host: str) -> list[str]:
    """IPv4 addresses to advertise for a server listening on ``host``."""
    if host not in ("", "0.0.0.0"):
        try:
            return [socket.gethostbyname(host)]
        except OSError:
            return []
    try:
        import ifaddr  # a dependency of zeroconf

        out = [str(ip.ip) for a in ifaddr.get_adapters() for ip in a.ips
               if isinstance(ip.ip, str) and not ip.ip.startswith("127.")]
    except Exception:
        out = []
    return out or ["127.0.0.1"]


class Advertiser:
    """Registers ``_showcreator._tcp.local.`` for one server; ``close()`` withdraws it."""

    def __init__(self, advert: Advert, *, interfaces: list[str] | None = None) -> None:
        self.advert = advert
        self.interfaces = interfaces
        self.registered = threading.Event()
        self._zc: object | None = None
        self._info: object | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._register, name="show-creator-mdns", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _register(self) -> None:
        try:
            from zeroconf import InterfaceChoice, IPVersion, ServiceInfo, Zeroconf

            a = self.advert
            if self.interfaces is None and a.host not in ("", "0.0.0.0"):
                if ":" in a.host:
                    log.info("Not advertising on mDNS: adverts are IPv4 only and the server listens on %s", a.host)
                    return
                # A server bound to one address is announced on that interface only
                # (one on 127.0.0.1 is never announced to the network).
                self.interfaces = _local_addresses(a.host)
            hostname = socket.gethostname().split(".")[0] or "show-creator"
            addresses = self.interfaces or _local_addresses(a.host)
            instance = f"{a.show or a.server or 'Show Creator'} on {hostname}:{a.port}"[:63]
            info = ServiceInfo(
                SERVICE_TYPE, f"{instance}.{SERVICE_TYPE}",
                addresses=[socket.inet_aton(ip) for ip in addresses], port=a.port,
                properties=a.txt(), server=f"{hostname}.local.",
            )
            zc = Zeroconf(interfaces=self.interfaces or InterfaceChoice.All, ip_version=IPVersion.V4Only)
            with self._lock:
                if self._closed:
                    zc.close()
                    return
                self._zc, self._info = zc, info
            zc.register_service(info, allow_name_change=True)
            log.info("Advertised on mDNS as %r (%s)", instance, ", ".join(addresses))
            self.registered.set()
        except Exception as exc:
            log.warning("Cannot advertise on mDNS (visualizers can still connect by address): %s", exc)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            zc, info = self._zc, self._info
            self._zc = self._info = None
        if zc is None:
            return
        with contextlib.suppress(Exception):
            if self.registered.is_set():
                zc.unregister_service(info)  # type: ignore[attr-defined]
            zc.close()  # type: ignore[attr-defined]
