"""The storage interfaces of agency sharing (ministry) and the OEM feed (province).

Why: like `services/ports.py`, but for the issue-5 parts that other stacks' code never
touches; kept apart so the shared ports module only grows where it must. Each port has a
DynamoDB implementation in `adapters/` (wired in `bootstrap.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain.agency import Agency, AgencyKey, Grant
from chalicelib.domain.oem import OemAccount


@dataclass(frozen=True)
class AgencyRead:
    """One read (allowed or refused) of a vehicle's file by an agency key."""

    read_id: str
    at: datetime
    vin: str
    agency_id: str
    agency_name: str
    key_id: str
    purpose: str
    outcome: str  # "allowed" | "refused"
    code: str  # "ok" or the refusal's error code
    grant_id: str = ""
    records: int = 0
    source_ip: str = ""

    def view(self) -> dict[str, Any]:
        return {
            "read_id": self.read_id,
            "at": self.at.isoformat(),
            "vin": self.vin,
            "agency_id": self.agency_id,
            "agency_name": self.agency_name,
            "key_id": self.key_id,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "code": self.code,
            "grant_id": self.grant_id or None,
            "records": self.records,
        }


class AgencyStore(Protocol):
    def create_agency(self, agency: Agency) -> bool:
        """Store a new agency; False if its id exists already (nothing written)."""

    def agency(self, agency_id: str) -> Agency | None: ...

    def agencies(self) -> list[Agency]: ...

    def add_key(self, key: AgencyKey, digest: str) -> None:
        """Store the key's terms and its lookup entry atomically."""

    def keys_of(self, agency_id: str) -> list[AgencyKey]: ...

    def key(self, agency_id: str, key_id: str) -> AgencyKey | None: ...

    def key_by_digest(self, digest: str) -> AgencyKey | None:
        """The key whose secret hashes to `digest` (revoked and rotated-out keys are returned
        with status `revoked`); None for an unknown digest."""

    def rotate_key(self, key: AgencyKey, new_digest: str, at: datetime) -> AgencyKey:
        """Point the key at a new secret (generation + 1) and retire the old one, atomically.

        Raises ConflictError if the key changed meanwhile or is revoked."""

    def revoke_key(self, key: AgencyKey, at: datetime) -> AgencyKey:
        """Mark the key and its current lookup entry revoked (idempotent)."""


class GrantStore(Protocol):
    def grants(self, vin: str) -> list[Grant]: ...

    def add_grant(self, grant: Grant) -> None: ...

    def revoke_grant(self, vin: str, grant_id: str, at: datetime) -> Grant | None:
        """Mark one grant revoked (idempotent); None if the vehicle has no such grant."""


class AgencyReadLog(Protocol):
    def append(self, read: AgencyRead) -> None:
        """Store the read under its vehicle and under its agency's day, atomically."""

    def of_vehicle(self, vin: str, limit: int) -> list[AgencyRead]:
        """Newest first."""

    def of_agency(
        self, agency_id: str, day: date, after: str | None, limit: int
    ) -> tuple[list[AgencyRead], str | None]:
        """One China day's reads of an agency, oldest first, `limit` at a time; the second
        value is where the next page starts (None at the end of the day)."""


class OemAccountStore(Protocol):
    def create(self, account: OemAccount, secret_hash: str) -> bool:
        """Store a new account; False if the id exists already."""

    def get(self, oem_id: str) -> OemAccount | None: ...

    def all(self) -> list[OemAccount]: ...

    def secret_hash(self, oem_id: str) -> str | None: ...

    def save(
        self, account: OemAccount, previous: OemAccount, secret_hash: str | None = None
    ) -> None:
        """Replace `previous` with `account` (and the hash, when given) if nobody changed it
        since it was read; raises ConflictError otherwise."""
