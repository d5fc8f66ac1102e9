"""``HOST[:PORT]`` as typed by a user, IPv6 included (``[::1]:9000``)."""

from __future__ import annotations

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 9000


class AddressError(ValueError):
    """A server address the user typed that cannot be used; the text is for the user."""


def _port(text: str, original: str) -> int:
    if not text.isdigit():
        raise AddressError(f"bad port {text!r} in {original!r}: expected a number from 1 to 65535")
    port = int(text)
    if not 1 <= port <= 65535:
        raise AddressError(f"bad port {port} in {original!r}: expected a number from 1 to 65535")
    return port


def parse_address(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``(host, port)`` from ``host``, ``host:port``, ``:port``, ``[v6]``, ``[v6]:port`` or a bare ``v6``.

    A bare IPv6 address (more than one colon, no brackets) has no port: the
    last group of ``::1:9000`` could be either, so brackets are required then.
    """
    original = text
    text = text.strip()
    if not text:
        raise AddressError("empty server address: expected HOST[:PORT]")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise AddressError(f"bad address {original!r}: missing ']' after the IPv6 address")
        if not host:
            raise AddressError(f"bad address {original!r}: empty IPv6 address in brackets")
        if not rest:
            return host, default_port
        if not rest.startswith(":"):
            raise AddressError(f"bad address {original!r}: expected ':PORT' after ']'")
        return host, _port(rest[1:], original)
    if text.count(":") > 1:
        return text, default_port
    host, sep, port_text = text.partition(":")
    if any(c.isspace() for c in host) or "/" in host:
        raise AddressError(f"bad host {host!r} in {original!r}")
    if not sep and host.isdigit():  # inet_aton would take it as an address (9001 = 0.0.35.41)
        raise AddressError(f"{host!r} is a port number, not a host: write localhost:{host} (or :{host})")
    port = _port(port_text, original) if sep else default_port
    return host or DEFAULT_HOST, port
