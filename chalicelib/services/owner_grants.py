"""The owner's side of agency sharing: grant, list and revoke consent; see who read the file.

Why: insurers and used-car platforms read a vehicle's file only with its owner's consent
(授权, revocable: digest §1.11). The owner proves possession exactly as for an evaluation
(VIN + plate + settlement number from a settlement list of the vehicle: `record_proof`), on
the ministry's records, so any settlement list of any province will do. Every failed proof
gets the same answer. What the owner sees and does is audited like the public history.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.domain.agency import GRANT_DAYS, Agency, Grant
from chalicelib.domain.china_time import china_date
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.ports import AuditLog, Clock, RecordRepository
from chalicelib.services.record_proof import proven_record
from chalicelib.services.sharing_ports import AgencyRead, AgencyReadLog, AgencyStore, GrantStore

READS_SHOWN = 100


@dataclass(frozen=True)
class Proof:
    """What the owner typed from a settlement list of the vehicle."""

    vin: str
    plate: str
    settlement_list_code: str


@dataclass(frozen=True)
class GrantOption:
    agency_id: str
    agency_name: str
    purpose: str

    @property
    def value(self) -> str:
        return f"{self.agency_id}:{self.purpose}"


@dataclass(frozen=True)
class Overview:
    vin: str
    grants: list[tuple[Grant, str]]  # each grant with its state now
    reads: list[AgencyRead]


class OwnerGrantService:
    def __init__(
        self,
        *,
        records: RecordRepository,
        agencies: AgencyStore,
        grants: GrantStore,
        reads: AgencyReadLog,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._records = records
        self._agencies = agencies
        self._grants = grants
        self._reads = reads
        self._audit = audit
        self._clock = clock

    def options(self) -> list[GrantOption]:
        """Every (agency, purpose) an owner may authorise: purposes that need consent."""
        return [
            GrantOption(agency.agency_id, agency.name, purpose.code)
            for agency in sorted(self._agencies.agencies(), key=lambda a: a.name)
            for purpose in agency.purposes()
            if purpose.needs_grant
        ]

    def overview(self, proof: Proof, *, source_ip: str) -> Overview:
        """The vehicle's grants (newest first) and its latest agency reads. Raises NotFoundError."""
        vin = self._prove(proof, source_ip)
        now = self._clock.now()
        grants = sorted(self._grants.grants(vin), key=lambda g: g.created_at, reverse=True)
        reads = self._reads.of_vehicle(vin, READS_SHOWN)
        self._log("agency_grants.viewed", vin, source_ip, {"reads": len(reads)})
        return Overview(vin, [(g, g.state(now)) for g in grants], reads)

    def create(
        self, proof: Proof, agency_id: str, purpose: str, days: int, *, source_ip: str
    ) -> Grant:
        """A grant of `days` (7, 30 or 90) to one agency for one purpose.

        While a grant of the same agency and purpose is active and ends on the same China day
        or later, that grant is the answer (a retry creates nothing). Raises NotFoundError
        (proof) or ValidationFailedError (agency, purpose, days).
        """
        vin = self._prove(proof, source_ip)
        agency = self._grantable(agency_id, purpose, days)
        now = self._clock.now()
        expires = now + timedelta(days=days)
        for grant in self._grants.grants(vin):
            same = grant.agency_id == agency.agency_id and grant.purpose == purpose
            # Expiry compared by China day: a retry (or a second click) the same day is the
            # same grant; a grant that would end later is a new one.
            lasts = china_date(grant.expires_at) >= china_date(expires)
            if same and grant.state(now) == "active" and lasts:
                return grant
        grant = Grant(
            grant_id="GR" + secrets.token_hex(8).upper(),
            vin=vin,
            agency_id=agency.agency_id,
            agency_name=agency.name,
            purpose=purpose,
            created_at=now,
            expires_at=expires,
        )
        self._grants.add_grant(grant)
        self._log(
            "agency_grant.created",
            vin,
            source_ip,
            {
                "grant_id": grant.grant_id,
                "agency_id": agency.agency_id,
                "purpose": purpose,
                "expires_at": expires.isoformat(),
            },
        )
        return grant

    def revoke(self, proof: Proof, grant_id: str, *, source_ip: str) -> Grant:
        """End a grant now (revoking twice answers the same). Raises NotFoundError."""
        vin = self._prove(proof, source_ip)
        grant = self._grants.revoke_grant(vin, grant_id[:24], self._clock.now())
        if grant is None:
            raise NotFoundError("no such grant for this vehicle", code="grant_not_found")
        self._log("agency_grant.revoked", vin, source_ip, {"grant_id": grant.grant_id})
        return grant

    def _grantable(self, agency_id: str, purpose: str, days: int) -> Agency:
        errors: list[FieldError] = []
        agency = self._agencies.agency(agency_id[:16]) if agency_id else None
        if agency is None:
            errors.append(FieldError("agency", "known_agency", "choose a registered agency"))
        elif purpose not in [p.code for p in agency.purposes() if p.needs_grant]:
            errors.append(
                FieldError("purpose", "grant_purpose", "this agency takes no grant for it")
            )
        if days not in GRANT_DAYS:
            allowed = ", ".join(str(d) for d in GRANT_DAYS)
            errors.append(FieldError("days", "enum", f"days must be one of {allowed}"))
        if errors:
            raise ValidationFailedError(errors)
        assert agency is not None
        return agency

    def _prove(self, proof: Proof, source_ip: str) -> str:
        try:
            record = proven_record(
                self._records, proof.vin, proof.plate, proof.settlement_list_code
            )
        except NotFoundError:
            self._log("agency_grants.denied", proof.vin.strip().upper()[:32], source_ip, None)
            raise
        return record.content.vin

    def _log(self, action: str, vin: str, source_ip: str, details: dict[str, Any] | None) -> None:
        self._audit.append(
            actor="public", action=action, target=vin, source_ip=source_ip, details=details
        )
