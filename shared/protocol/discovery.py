"""DNS-SD names and TXT keys of a Show Creator on the network (sans-IO; zeroconf lives in the callers).

Service type ``_showcreator._tcp.local.``; the TXT record carries
``show`` (show name), ``server`` (server name), ``protocol`` (newest protocol
spoken), ``token`` and ``tls`` ("1" when required, else "0").  Source: RFC
6763 (DNS-SD), section 6 for TXT key rules (short ASCII keys, values bytes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SERVICE_TYPE = "_showcreator._tcp.local."


@dataclass(frozen=True, slots=True)
class Advert:
    """What a server says about itself in DNS-SD, and where it is."""

    instance: str
    host: str
    port: int
    show: str = ""
    server: str = ""
    protocol: int = 1
    token: bool = False
    tls: bool = False

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def describe(self) -> str:
        needs = [w for w, on in (("token", self.token), ("TLS", self.tls)) if on]
        extra = f", needs {' and '.join(needs)}" if needs else ""
        show = f' "{self.show}"' if self.show else ""
        return f"{self.server or self.instance}{show} at {self.address} (protocol {self.protocol}{extra})"

    def txt(self) -> dict[str, str]:
        return {"show": self.show, "server": self.server, "protocol": str(self.protocol),
                "token": "1" if self.token else "0", "tls": "1" if self.tls else "0"}


def _text(props: Mapping[bytes, bytes | None], key: str) -> str:
    value = props.get(key.encode())
    return "" if value is None else value.decode("utf-8", "replace")


def advert_from_txt(instance: str, host: str, port: int, props: Mapping[bytes, bytes | None]) -> Advert:
    """An Advert from a resolved service; unknown or malformed TXT values fall back to defaults."""
    proto = _text(props, "protocol")
    name = instance[: -len(SERVICE_TYPE) - 1] if instance.endswith("." + SERVICE_TYPE) else instance
    return Advert(
        instance=name, host=host, port=port, show=_text(props, "show"), server=_text(props, "server"),
        protocol=int(proto) if proto.isdigit() else 1,
        token=_text(props, "token") == "1", tls=_text(props, "tls") == "1",
    )
