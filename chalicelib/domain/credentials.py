"""Secrets and bearer tokens: generation, slow hashing and constant-time verification.

Why: shop secrets and regulator passwords are stored only as scrypt hashes (a slow, memory-hard
KDF in the standard library), so a leaked table does not leak credentials. Bearer tokens are
random 128-bit values; being unguessable they are stored under a fast SHA-256, which lets a
request find its token with one key lookup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_DKLEN = 32
_SCHEME = "scrypt"


def new_secret() -> str:
    """A shop secret: 24 random bytes, URL-safe text, shown to the regulator exactly once."""
    return secrets.token_urlsafe(24)


def new_token() -> str:
    """A bearer token of 32 hex characters, the shape the national interface calls a ticket."""
    return secrets.token_hex(16)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_secret(secret: str) -> str:
    """Encode `scrypt$n$r$p$salt$hash`; parameters travel with the hash so they can grow."""
    salt = secrets.token_bytes(16)
    derived = _derive(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        [_SCHEME, str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(derived)]
    )


def verify_secret(secret: str, encoded: str | None) -> bool:
    """True if `secret` matches; with no stored hash it still spends the same time."""
    if not encoded:
        _derive(secret, b"\0" * 16, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
        return False
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != _SCHEME:
            return False
        derived = _derive(secret, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(derived, _unb64(expected))


def _derive(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=64 * 1024 * 1024
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
