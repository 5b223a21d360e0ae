"""The ministry's registry of agencies and their API keys: register, issue, rotate, revoke.

Why: an agency reads vehicle files only with a key the ministry issued, for one purpose, one
field scope and its own limits (digest §1.11, §4.3). A key's secret is shown once and stored
only as a SHA-256 digest: it is 256 random bits, so a slow hash would add no protection
against guessing and would cost every read tens of milliseconds. Every change is audited
with the regulator who made it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from chalicelib.domain.agency import AGENCY_KINDS, Agency, AgencyKey, check_key_terms
from chalicelib.domain.credentials import token_digest
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.audit import Actor, AuditTrail
from chalicelib.services.ports import Clock
from chalicelib.services.sharing_ports import AgencyStore

KEY_PREFIX = "vmak_"
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class IssuedKey:
    """A key's terms and its secret: the only time the secret is ever shown."""

    key: AgencyKey
    secret: str


def new_key_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(presented: str) -> str | None:
    """The lookup digest of a presented key; None if it cannot be one of ours."""
    if not presented.startswith(KEY_PREFIX) or not 40 <= len(presented) <= 100:
        return None
    return token_digest(presented)


def agency_id_for(name: str) -> str:
    """Derived from the normalised name, so registering the same agency twice is one agency."""
    canonical = "".join(name.split()).replace("（", "(").replace("）", ")").lower()
    return "AG" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10].upper()


class AgencyService:
    def __init__(self, store: AgencyStore, audit: AuditTrail, clock: Clock) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock

    def register(self, actor: Actor, name: str, kind: str) -> tuple[Agency, bool]:
        """Register an agency; the same name again answers the existing one (created False).

        Raises ValidationFailedError (name, kind) or ConflictError (the name is registered
        with another kind, code `agency_exists`).
        """
        name = " ".join(name.split())
        errors = []
        if not 1 <= len(name) <= NAME_MAX_LENGTH:
            errors.append(FieldError("name", "length", f"name must be 1–{NAME_MAX_LENGTH} chars"))
        if kind not in AGENCY_KINDS:
            errors.append(
                FieldError("kind", "enum", "kind must be one of " + ", ".join(AGENCY_KINDS))
            )
        if errors:
            raise ValidationFailedError(errors)
        agency = Agency(
            agency_id=agency_id_for(name),
            name=name,
            kind=kind,
            created_at=self._clock.now(),
            created_by=actor.actor_id,
        )
        if not self._store.create_agency(agency):
            existing = self._store.agency(agency.agency_id)
            assert existing is not None
            if existing.kind != kind:
                raise ConflictError(
                    f"this agency is registered already, as {existing.kind}",
                    code="agency_exists",
                )
            return existing, False
        self._audit.record(
            actor, "agency.registered", agency.agency_id, {"name": name, "kind": kind}
        )
        return agency, True

    def agencies(self) -> list[tuple[Agency, list[AgencyKey]]]:
        """Every agency (by name) with its keys (newest first)."""
        listed = sorted(self._store.agencies(), key=lambda a: a.name)
        return [
            (a, sorted(self._store.keys_of(a.agency_id), key=lambda k: k.created_at, reverse=True))
            for a in listed
        ]

    def agency(self, agency_id: str) -> tuple[Agency, list[AgencyKey]]:
        """Raises NotFoundError."""
        agency = self._store.agency(agency_id[:16])
        if agency is None:
            raise NotFoundError("no such agency", code="agency_not_found")
        keys = sorted(self._store.keys_of(agency_id), key=lambda k: k.created_at, reverse=True)
        return agency, keys

    def issue_key(
        self,
        actor: Actor,
        agency_id: str,
        purpose: str,
        field_scope: str,
        quota_per_day: int,
        burst_per_minute: int,
    ) -> IssuedKey:
        """A new key of the agency (each call issues another one; its secret is shown once).

        Raises NotFoundError or ValidationFailedError (purpose not one the agency's kind may
        hold, field scope, limits).
        """
        agency, _ = self.agency(agency_id)
        check_key_terms(agency, purpose, field_scope, quota_per_day, burst_per_minute)
        key = AgencyKey(
            key_id="AK" + secrets.token_hex(6).upper(),
            agency_id=agency.agency_id,
            agency_name=agency.name,
            purpose=purpose,
            field_scope=field_scope,
            quota_per_day=quota_per_day,
            burst_per_minute=burst_per_minute,
            status="active",
            created_at=self._clock.now(),
        )
        secret = new_key_secret()
        self._store.add_key(key, token_digest(secret))
        self._audit.record(
            actor,
            "agency.key_issued",
            f"{agency.agency_id}/{key.key_id}",
            {
                "purpose": purpose,
                "field_scope": field_scope,
                "quota_per_day": quota_per_day,
                "burst_per_minute": burst_per_minute,
            },
        )
        return IssuedKey(key, secret)

    def rotate_key(self, actor: Actor, agency_id: str, key_id: str) -> IssuedKey:
        """A new secret for the key, same terms; the old secret stops at once.

        Raises NotFoundError, or ConflictError (`key_revoked`, `key_changed`).
        """
        key = self._key(agency_id, key_id)
        secret = new_key_secret()
        rotated = self._store.rotate_key(key, token_digest(secret), self._clock.now())
        self._audit.record(actor, "agency.key_rotated", f"{agency_id}/{key_id}")
        return IssuedKey(rotated, secret)

    def revoke_key(self, actor: Actor, agency_id: str, key_id: str) -> AgencyKey:
        """Stop the key for good (revoking twice answers the same). Raises NotFoundError."""
        key = self._key(agency_id, key_id)
        if key.status == "revoked":
            return key
        revoked = self._store.revoke_key(key, self._clock.now())
        self._audit.record(actor, "agency.key_revoked", f"{agency_id}/{key_id}")
        return revoked

    def _key(self, agency_id: str, key_id: str) -> AgencyKey:
        key = self._store.key(agency_id[:16], key_id[:16])
        if key is None:
            raise NotFoundError("no such key", code="key_not_found")
        return key
