"""Command-line options for connecting with protocol 2, shared by ``visualizer`` and ``visualizer-probe``.

``add_connection_arguments(parser)`` adds ``--token``, ``--token-file``,
``--tls``, ``--tls-ca``, ``--insecure``, ``--v1`` and ``--discover``;
``client_options(args)`` turns them into keyword arguments for
``VisualizerTCPClient`` (or the Qt adapter), raising ``ConnectionOptionError``
with one line naming the file or option when they cannot be used.
"""

from __future__ import annotations

import argparse
import ssl
from collections.abc import Callable
from typing import Any

from shared.protocol.auth import TOKEN_ENV, TokenError, resolve_token


class ConnectionOptionError(ValueError):
    """Options that cannot be used (unreadable token file, bad CA file); the text is the one line."""


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("protocol 2 (security, discovery)")
    g.add_argument("--token", metavar="TOKEN",
                   help=f"shared secret of a Show Creator started with --token (also ${TOKEN_ENV}); "
                   "it is proven with HMAC, never sent")
    g.add_argument("--token-file", metavar="FILE", help="read the token from FILE (first line)")
    g.add_argument("--tls", action="store_true", help="connect with TLS (the server has --tls-cert)")
    g.add_argument("--tls-ca", metavar="FILE", help="trust the server certificate signed by this CA (implies --tls)")
    g.add_argument("--insecure", action="store_true",
                   help="with --tls: do not check the certificate or host name (testing only)")
    g.add_argument("--v1", action="store_true", help="speak protocol 1 only (no hello), as older visualizers do")
    g.add_argument("--discover", action="store_true",
                   help="find Show Creators on the local network (mDNS), list them and connect to the first")
    g.add_argument("--mdns-interface", metavar="IP", action="append",
                   help="with --discover: browse only on this interface address (repeatable)")


def tls_context(ca_file: str | None = None, insecure: bool = False) -> ssl.SSLContext:
    """A client context: system CAs (or ``ca_file``), hostname checked unless ``insecure``."""
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConnectionOptionError(f"cannot use --tls-ca {ca_file}: {reason}") from None
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def client_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for VisualizerTCPClient from the parsed options."""
    try:
        token = resolve_token(args.token, args.token_file)
    except TokenError as exc:
        raise ConnectionOptionError(str(exc)) from None
    options: dict[str, Any] = {"protocol": 1 if args.v1 else 2, "token": token}
    if args.v1 and token is not None:
        raise ConnectionOptionError("--v1 cannot authenticate: a token needs protocol 2")
    if args.tls or args.tls_ca or args.insecure:
        options["ssl_context"] = tls_context(args.tls_ca, args.insecure)
    return options


def discover_server(args: argparse.Namespace, options: dict[str, Any], timeout: float,
                    report: Callable[[str], None]) -> tuple[str, int]:
    """``--discover``: browse, ``report`` each server found, pick the first; adjust ``options`` to its TXT.

    Raises ConnectionOptionError when none answers within ``timeout``.
    """
    from visualizer.tcp.discovery import discover

    try:
        found = discover(timeout, interfaces=args.mdns_interface, first=True)
    except OSError as exc:  # no multicast on that interface (or none up at all)
        where = ", ".join(args.mdns_interface) if args.mdns_interface else "any interface"
        raise ConnectionOptionError(
            f"cannot search the network (mDNS) on {where}: {exc.strerror or exc}; connect by address instead"
        ) from None
    if not found:
        raise ConnectionOptionError(f"no Show Creator found on the local network within {timeout:g} s (mDNS)")
    for advert in found:
        report(f"found {advert.describe()}")
    chosen = found[0]
    if chosen.tls and "ssl_context" not in options:
        options["ssl_context"] = tls_context()
    if chosen.token and options.get("token") is None:
        report(f"{chosen.address} requires a token: give --token or --token-file")
    return chosen.host, chosen.port
