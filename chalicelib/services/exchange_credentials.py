"""The ministry's exchange credentials for provinces (部省联网): issue, rotate, revoke, list.

Why: a province's stream forwarder signs in to the ministry with one secret per province
(digest §1.10, §4.3). A ministry administrator issues it when the province connects, rotates
it when it may have leaked and revokes it when a province's link must stop. The secret is
shown once and stored as a scrypt hash; every change moves the credential's generation, which
ends every token issued before it at once, and is audited with the administrator who made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.credentials import hash_secret, new_secret
from chalicelib.domain.provinces import is_province_code, provinces
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.audit import Actor, AuditTrail
from chalicelib.services.ports import Clock, ExchangeCredential


class CredentialStore(Protocol):
    def put_credential(self, province_code: str, secret_hash: str, at: datetime) -> int:
        """Create or rotate the credential (a revoked one becomes usable); its new generation."""

    def revoke_credential(self, province_code: str, at: datetime) -> ExchangeCredential | None:
        """Revoke it (the generation moves once however often); None if there is none."""

    def credential(self, province_code: str) -> ExchangeCredential | None: ...

    def credentials(self, province_codes: list[str]) -> dict[str, ExchangeCredential]:
        """The credentials of these provinces that have one (without their hashes)."""


@dataclass(frozen=True)
class CredentialStatus:
    """What the ministry may show of a credential (never its hash)."""

    province_code: str
    status: str  # "none" | "active" | "revoked"
    generation: int = 0
    issued_at: str | None = None
    revoked_at: str | None = None


@dataclass(frozen=True)
class IssuedCredential:
    """A new or rotated credential and its secret: the only time the secret is shown."""

    status: CredentialStatus
    secret: str
    rotated: bool


class ExchangeCredentialService:
    def __init__(self, store: CredentialStore, audit: AuditTrail, clock: Clock) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock

    def issue(self, actor: Actor, province_code: str) -> IssuedCredential:
        """Issue a province's first credential, or rotate it (the old secret stops at once).

        Raises ValidationFailedError for a code that is not a mainland province.
        """
        _check_code(province_code)
        before = self._store.credential(province_code)
        secret = new_secret()
        generation = self._store.put_credential(province_code, hash_secret(secret), self._now())
        rotated = before is not None
        self._audit.record(
            actor,
            "exchange.credential_rotated" if rotated else "exchange.credential_issued",
            province_code,
            {"generation": generation},
        )
        return IssuedCredential(self.status(province_code), secret, rotated)

    def revoke(self, actor: Actor, province_code: str) -> CredentialStatus:
        """Revoke a province's credential: its tokens stop at once, and so does its feed.

        Raises ValidationFailedError (not a province) or NotFoundError (no credential).
        Revoking a revoked credential changes nothing and is not audited again.
        """
        _check_code(province_code)
        before = self._store.credential(province_code)
        if before is None:
            raise NotFoundError("this province has no exchange credential")
        if not before.revoked:
            self._store.revoke_credential(province_code, self._now())
            self._audit.record(actor, "exchange.credential_revoked", province_code)
        return self.status(province_code)

    def status(self, province_code: str) -> CredentialStatus:
        return _status(province_code, self._store.credential(province_code))

    def statuses(self) -> dict[str, CredentialStatus]:
        """Every mainland province's credential status, in code order."""
        codes = [code for code, _ in provinces()]
        held = self._store.credentials(codes)
        return {code: _status(code, held.get(code)) for code in codes}

    def _now(self) -> datetime:
        return self._clock.now()


def _status(province_code: str, held: ExchangeCredential | None) -> CredentialStatus:
    if held is None:
        return CredentialStatus(province_code, "none")
    return CredentialStatus(
        province_code,
        "revoked" if held.revoked else "active",
        held.generation,
        held.issued_at,
        held.revoked_at,
    )


def _check_code(province_code: str) -> None:
    if not is_province_code(province_code):
        raise ValidationFailedError(
            [
                FieldError(
                    "province_code",
                    "gb_t_2260_province",
                    "province_code must be the 6-digit code of a mainland province, e.g. 320000",
                )
            ]
        )
