"""Agency reads of the national file: key, limits, consent, field scope, and their log.

Why: this is the one door through which insurers, used-car platforms, I/M stations and recall
investigators read vehicle files (digest §1.11). Each read goes through the same steps in the
same order, and each step refuses with its own code so an agency's system knows what to do:

1. the key: unknown or malformed (`key_invalid`), revoked or rotated out (`key_revoked`);
2. its limits, per key: `burst_exceeded` (per minute) then `quota_exceeded` (per China day),
   both 429 with Retry-After (fixed windows in the statistics table, like the public limits);
3. consent: a purpose that needs the owner's grant reads only with an unexpired, unrevoked
   grant to this agency for this purpose, given under the vehicle's current plate (the plate
   of its latest record: an earlier owner's consent ends with the sale) (`no_grant`,
   `grant_expired`, `grant_revoked`, `purpose_not_allowed`); this is answered before the
   vehicle, so a refused key learns nothing of which VINs exist, nor that a vehicle changed
   hands (an earlier holder's grant answers as no grant at all);
4. the vehicle: `vehicle_not_found` when the ministry holds no active record of it.

Every read, allowed or refused, goes to the audit log and to the agency read log: the owner
sees it on the consumer page, the regulator exports an agency's reads.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.agency import (
    PURPOSES,
    AgencyKey,
    BurstExceededError,
    Grant,
    QuotaExceededError,
    entry_in_scope,
    grant_for_read,
    grants_of_holder,
)
from chalicelib.domain.china_time import CST
from chalicelib.domain.possession import current_plate
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import (
    DomainError,
    FieldError,
    KeyRejectedError,
    NotFoundError,
    ValidationFailedError,
)
from chalicelib.services.agencies import key_digest
from chalicelib.services.audit import Actor, AuditTrail
from chalicelib.services.ports import AuditLog, Clock, RateCounter, RecordRepository
from chalicelib.services.sharing_ports import AgencyRead, AgencyReadLog, AgencyStore, GrantStore

MINUTE = 60
DAY = 86400
CHINA_OFFSET = 8 * 3600  # China days start at 16:00 UTC of the day before
MAX_EXPORT_DAYS = 31
CSV_COLUMNS = (
    "at",
    "read_id",
    "agency_id",
    "agency_name",
    "key_id",
    "purpose",
    "vin",
    "outcome",
    "code",
    "grant_id",
    "records",
)


@dataclass(frozen=True)
class AgencyHistory:
    key: AgencyKey
    vin: str
    grant: Grant | None
    records: list[dict[str, Any]]

    def view(self) -> dict[str, Any]:
        return {
            "vin": self.vin,
            "agency_id": self.key.agency_id,
            "agency_name": self.key.agency_name,
            "key_id": self.key.key_id,
            "purpose": self.key.purpose,
            "field_scope": self.key.field_scope,
            "grant": (
                {"grant_id": self.grant.grant_id, "expires_at": self.grant.expires_at.isoformat()}
                if self.grant
                else None
            ),
            "records": self.records,
        }


class AgencyReadService:
    def __init__(
        self,
        *,
        store: AgencyStore,
        grants: GrantStore,
        log: AgencyReadLog,
        records: RecordRepository,
        counter: RateCounter,
        audit: AuditLog,
        trail: AuditTrail,
        clock: Clock,
    ) -> None:
        self._store = store
        self._grants = grants
        self._log = log
        self._records = records
        self._counter = counter
        self._audit = audit
        self._trail = trail
        self._clock = clock

    def read(self, presented_key: str, vin: str, *, origin: Actor) -> AgencyHistory:
        """The vehicle's national history in the key's field scope.

        Raises KeyRejectedError (401), BurstExceededError / QuotaExceededError (429),
        AgencyRefusedError (403) or NotFoundError `vehicle_not_found` (404); every outcome is
        logged.
        """
        now = self._clock.now()
        normalized = normalize_vin(vin)
        vin = normalized if len(normalized) <= 32 else ""
        digest = key_digest(presented_key)
        key = self._store.key_by_digest(digest) if digest else None
        if key is None:
            self._audit.append(
                actor="agency:unknown",
                role="agency",
                action="agency.read_refused",
                target=vin or normalized[:32],
                source_ip=origin.source_ip,
                user_agent=origin.user_agent,
                details={"code": "key_invalid"},
            )
            raise KeyRejectedError("unknown or malformed key", code="key_invalid")
        grant: Grant | None = None
        try:
            if key.status != "active":
                raise KeyRejectedError("this key was revoked or rotated", code="key_revoked")
            self._admit(key, now)
            purpose = PURPOSES.get(key.purpose)
            consent_needed = purpose is None or purpose.needs_grant
            grants = self._grants.grants(vin) if vin and consent_needed else []
            records = self._records.vehicle_history(vin) if vin else []
            # Consent is its holder's: grants given under an earlier plate count for nobody.
            grant = grant_for_read(key, grants_of_holder(grants, current_plate(records)), now)
            if not records:
                raise NotFoundError("no file of this VIN is held", code="vehicle_not_found")
        except DomainError as exc:
            self._record(key, vin, now, exc.code, grant, 0, origin)
            raise
        self._record(key, vin, now, "ok", grant, len(records), origin)
        entries = [entry_in_scope(r, key.field_scope) for r in records]
        return AgencyHistory(key, records[0].content.vin, grant, entries)

    def reads_of_agency(
        self,
        actor: Actor,
        agency_id: str,
        first: date,
        last: date,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[AgencyRead], str | None]:
        """An agency's reads from `first` to `last` (China days, ≤ 31), oldest first, `limit`
        at a time; audited. Raises NotFoundError (agency) or ValidationFailedError."""
        if self._store.agency(agency_id[:16]) is None:
            raise NotFoundError("no such agency", code="agency_not_found")
        if last < first or (last - first).days >= MAX_EXPORT_DAYS:
            raise ValidationFailedError(
                [FieldError("from", "range", f"from..to must span 1–{MAX_EXPORT_DAYS} days")]
            )
        day, after = _parse_cursor(cursor, first, last)
        self._trail.record(
            actor,
            "agency.reads_exported",
            agency_id,
            {"from": first.isoformat(), "to": last.isoformat(), "cursor": cursor or ""},
        )
        reads: list[AgencyRead] = []
        while day <= last and len(reads) < limit:
            page, after = self._log.of_agency(agency_id, day, after, min(1000, limit - len(reads)))
            reads += page
            if after is None:
                day += timedelta(days=1)
        next_cursor = f"{day.isoformat()}~{after or ''}" if day <= last else None
        return reads, next_cursor

    def reads_of_vehicle(self, vin: str, limit: int = 100) -> list[AgencyRead]:
        """Newest first; the caller has proved it holds the vehicle."""
        return self._log.of_vehicle(vin, limit)

    def _admit(self, key: AgencyKey, now: datetime) -> None:
        epoch = int(now.timestamp())
        if self._counter.hit(f"akmin#{key.key_id}", MINUTE, now) > key.burst_per_minute:
            raise BurstExceededError("burst limit of this key reached", MINUTE - epoch % MINUTE)
        day_count = self._counter.hit(f"akday#{key.key_id}", DAY, now, CHINA_OFFSET)
        if day_count > key.quota_per_day:
            raise QuotaExceededError(
                "daily quota of this key reached", DAY - (epoch + CHINA_OFFSET) % DAY
            )

    def _record(
        self,
        key: AgencyKey,
        vin: str,
        now: datetime,
        code: str,
        grant: Grant | None,
        records: int,
        origin: Actor,
    ) -> None:
        allowed = code == "ok"
        grant_id = grant.grant_id if grant else ""
        self._audit.append(
            actor=f"agency:{key.agency_id}",
            role="agency",
            action="agency.read" if allowed else "agency.read_refused",
            target=vin,
            source_ip=origin.source_ip,
            user_agent=origin.user_agent,
            details={
                "key_id": key.key_id,
                "purpose": key.purpose,
                "field_scope": key.field_scope,
                "grant_id": grant_id,
                "code": code,
                "records": records,
            },
        )
        self._log.append(
            AgencyRead(
                read_id=uuid.uuid4().hex[:16],
                at=now,
                vin=vin,
                agency_id=key.agency_id,
                agency_name=key.agency_name,
                key_id=key.key_id,
                purpose=key.purpose,
                outcome="allowed" if allowed else "refused",
                code=code,
                grant_id=grant_id,
                records=records,
                source_ip=origin.source_ip,
            )
        )


def reads_csv(reads: list[AgencyRead], *, header: bool) -> Iterator[bytes]:
    """CSV lines (UTF-8, BOM with the header, so Excel reads Chinese), times in China time."""
    if header:
        yield "\ufeff".encode() + _line(CSV_COLUMNS)
    for read in reads:
        yield _line(
            [
                read.at.astimezone(CST).isoformat(timespec="seconds"),
                read.read_id,
                read.agency_id,
                read.agency_name,
                read.key_id,
                read.purpose,
                read.vin,
                read.outcome,
                read.code,
                read.grant_id,
                str(read.records),
            ]
        )


def _line(cells: Any) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # A cell a spreadsheet would run as a formula is prefixed with an apostrophe.
    writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in map(str, cells)])
    return buffer.getvalue().encode("utf-8")


def _parse_cursor(cursor: str | None, first: date, last: date) -> tuple[date, str | None]:
    if not cursor:
        return first, None
    day_text, _, after = cursor.partition("~")
    try:
        day = date.fromisoformat(day_text)
    except ValueError as exc:
        raise _bad_cursor() from exc
    if not first <= day <= last:
        raise _bad_cursor()
    return day, after or None


def _bad_cursor() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )
