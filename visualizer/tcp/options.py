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
                   help="find Show Creators on the local network (mDNS) and connect to the first (or list them)")


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
