"""TLS for the Show Creator port: a server context from a certificate and key (standard ``ssl``)."""

from __future__ import annotations

import ssl


class TLSConfigError(ValueError):
    """Certificate or key that cannot be loaded; the text names the files and why."""


def server_context(cert_file: str, key_file: str | None = None) -> ssl.SSLContext:
    """A server-side context (TLS 1.2 or newer) for ``cert_file`` (PEM, chain first) and ``key_file``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
    except FileNotFoundError as exc:
        raise TLSConfigError(f"cannot load TLS certificate: {exc.filename}: no such file") from None
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        key = key_file or cert_file
        raise TLSConfigError(f"cannot load TLS certificate {cert_file} / key {key}: {reason}") from None
    return context
