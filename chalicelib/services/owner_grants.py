"""The owner's side of agency sharing: grant, list and revoke consent; see who read the file.

Why: insurers and used-car platforms read a vehicle's file only with its owner's consent
(授权, revocable: digest §1.11). The owner proves possession with a settlement list of the
vehicle (VIN + plate + settlement number) whose plate is the vehicle's current plate, the
plate of its latest record in any province, as the public history asks
(`record_proof.proven_current_record`): once the vehicle is sold and re-registered, the
earlier owner's plate and settlement lists neither grant nor revoke, and the grants given
under them count for nobody (`domain.agency.grants_of_holder`). Every failed proof gets the
same answer. What the owner sees and does is audited like the public history.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.domain.agency import GRANT_DAYS, Agency, Grant, grants_of_holder
from chalicelib.domain.china_time import china_date
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.ports import AuditLog, Clock, RecordRepository
from chalicelib.services.record_proof import proven_current_record
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
        """The current holder's grants (newest first) and the vehicle's latest agency reads,
        without those made under an earlier holder's grants (they read that holder's file).
        Raises NotFoundError."""
        vin, plate = self._prove(proof, source_ip)
        now = self._clock.now()
        everyone = self._grants.grants(vin)
        grants = sorted(grants_of_holder(everyone, plate), key=lambda g: g.created_at, reverse=True)
        earlier = {g.grant_id for g in everyone} - {g.grant_id for g in grants}
        reads = [r for r in self._reads.of_vehicle(vin, READS_SHOWN) if r.grant_id not in earlier]
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
        vin, plate = self._prove(proof, source_ip)
        agency = self._grantable(agency_id, purpose, days)
        now = self._clock.now()
        expires = now + timedelta(days=days)
        for grant in self._grants_of(vin, plate):
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
            plate=plate,
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
        """End a grant given under the current plate now (revoking twice answers the same).

        Raises NotFoundError (proof, or no such grant of the current holder).
        """
        vin, plate = self._prove(proof, source_ip)
        grant_id = grant_id[:24]
        grant = None
        if any(g.grant_id == grant_id for g in self._grants_of(vin, plate)):
            grant = self._grants.revoke_grant(vin, grant_id, self._clock.now())
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

    def _prove(self, proof: Proof, source_ip: str) -> tuple[str, str]:
        """The vehicle's VIN and current plate, once the proof holds. Raises NotFoundError."""
        try:
            record = proven_current_record(
                self._records, proof.vin, proof.plate, proof.settlement_list_code
            )
        except NotFoundError:
            self._log("agency_grants.denied", proof.vin.strip().upper()[:32], source_ip, None)
            raise
        return record.content.vin, record.content.plate_number

    def _grants_of(self, vin: str, plate: str) -> list[Grant]:
        """The vehicle's grants given by its current holder (under its current plate)."""
        return grants_of_holder(self._grants.grants(vin), plate)

    def _log(self, action: str, vin: str, source_ip: str, details: dict[str, Any] | None) -> None:
        self._audit.append(
            actor="public", action=action, target=vin, source_ip=source_ip, details=details
        )
