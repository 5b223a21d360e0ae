"""Encrypts the regulators' TOTP secrets at rest (AES-256-GCM with a key from settings).

Why: a TOTP secret cannot be hashed (the server must compute codes from it), so it is the one
credential kept in recoverable form. It is sealed with a key that lives outside the table (the
stack's secret store, `TOTP_KEY`), so a copy of the table, a backup or a stream reader learns
nothing from it. The account name is bound in as associated data: a sealed secret copied onto
another account does not open.
"""

from __future__ import annotations

import base64
import secrets
from typing import Protocol

_SCHEME = "aesgcm1"
_NONCE_BYTES = 12


class SecretBoxKeyMissingError(RuntimeError):
    """TOTP_KEY is not configured: second factors can be neither enrolled nor checked."""


class AesGcmSecretBox:
    def __init__(self, key_material: str | None) -> None:
        self._material = key_material
        self._aead: object | None = None

    def seal(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._cipher().encrypt(nonce, plaintext.encode("utf-8"), context.encode())
        return "$".join([_SCHEME, _b64(nonce), _b64(sealed)])

    def open(self, sealed: str, context: str) -> str | None:
        """The plaintext, or None if the value is malformed, tampered or for another context."""
        from cryptography.exceptions import InvalidTag

        try:
            scheme, nonce, body = sealed.split("$")
            if scheme != _SCHEME:
                return None
            plain = self._cipher().decrypt(_unb64(nonce), _unb64(body), context.encode())
        except (ValueError, InvalidTag):
            return None
        return bytes(plain).decode("utf-8")

    def _cipher(self) -> _Aead:
        if self._aead is None:
            if not self._material:
                raise SecretBoxKeyMissingError("TOTP_KEY is not configured")
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            from cryptography.hazmat.primitives.kdf.hkdf import HKDF

            key = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"vmehr-totp-secret-v1"
            ).derive(self._material.encode("utf-8"))
            self._aead = AESGCM(key)
        return self._aead  # type: ignore[return-value]


class _Aead(Protocol):
    """The two methods of cryptography's AESGCM this module uses (for typing only)."""

    def encrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes: ...


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
