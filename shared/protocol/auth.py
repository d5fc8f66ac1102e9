"""Token authentication for protocol v2: HMAC challenge and response (sans-IO).

The token never crosses the wire.  The client's hello carries a fresh client
nonce; a server with a token answers with a welcome carrying a fresh server
nonce (``challenge``); the client's second hello carries
``response = HMAC-SHA256(token, "showcreator-v2 client" | client nonce | server nonce)``
and the server's final welcome carries
``proof = HMAC-SHA256(token, "showcreator-v2 server" | client nonce | server nonce)``,
so each side learns the other holds the token.  Both nonces are 128 random
bits in hex, so neither side can make the other sign a value it chose alone,
and a recorded exchange cannot be replayed.  Comparisons use
``hmac.compare_digest``.  Sources: RFC 2104 (HMAC); the two-nonce shape is
SCRAM's (RFC 5802) without the salted password.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

#: Environment variable both the server and the clients read the token from.
TOKEN_ENV = "SHOWCREATOR_TOKEN"
#: Longest token file read (a token is a line of text; /dev/zero or a log file is not one).
MAX_TOKEN_BYTES = 4096

_CLIENT = b"showcreator-v2 client"
_SERVER = b"showcreator-v2 server"


class TokenError(ValueError):
    """A token file that cannot be read or is empty; the text names the file."""


def new_nonce() -> str:
    """128 random bits, hex."""
    return secrets.token_hex(16)


def _mac(token: bytes, label: bytes, client_nonce: str, server_nonce: str) -> str:
    msg = b"|".join((label, client_nonce.encode("ascii", "replace"), server_nonce.encode("ascii", "replace")))
    return hmac.new(token, msg, hashlib.sha256).hexdigest()


def client_response(token: bytes, client_nonce: str, server_nonce: str) -> str:
    """What the client sends to prove it knows ``token``."""
    return _mac(token, _CLIENT, client_nonce, server_nonce)


def server_proof(token: bytes, client_nonce: str, server_nonce: str) -> str:
    """What the server sends to prove it knows ``token``."""
    return _mac(token, _SERVER, client_nonce, server_nonce)


def check(expected: str, got: str | None) -> bool:
    """Constant-time comparison of two hex MACs (False for a missing one)."""
    if got is None:
        return False
    return hmac.compare_digest(expected.encode("ascii"), got.encode("ascii", "replace"))


def resolve_token(token: str | None = None, token_file: str | os.PathLike[str] | None = None,
                  *, env: bool = True) -> bytes | None:
    """The token from ``--token``, else ``--token-file``, else $SHOWCREATOR_TOKEN; None when none is set.

    Raises TokenError naming the file when it cannot be read, is empty or larger than
    :data:`MAX_TOKEN_BYTES`, and for a ``--token`` that is empty or only whitespace.
    Surrounding whitespace (a trailing newline in a file) is not part of the token.
    """
    if token is not None:
        if not token.strip():
            # `--token "$UNSET"`: the user asked for a token; never fall through to an open server
            raise TokenError("--token is empty (an unset variable?): give the shared secret, or leave --token out")
        return token.strip().encode("utf-8")
    if token_file is not None:
        path = Path(token_file)
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_TOKEN_BYTES + 1)
            if len(raw) > MAX_TOKEN_BYTES:
                raise TokenError(f"token file {path} is larger than {MAX_TOKEN_BYTES} bytes: not a token")
            text = raw.decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise TokenError(f"cannot read token file {path}: {reason}") from None
        if not text:
            raise TokenError(f"token file {path} is empty")
        return text.encode("utf-8")
    value = os.environ.get(TOKEN_ENV, "").strip() if env else ""
    return value.encode("utf-8") if value else None
