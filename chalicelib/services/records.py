"""Record use cases for an authenticated shop: upload (create / replay / correct), void, read.

Why: both front doors (REST and the national interface) call this one service, so
idempotency, ownership and quality flags behave identically whichever door a DMS uses.

Delivery semantics: every write is idempotent under retries. The record id is derived from
(companycode, settlement_list_code) and every write is conditional, so concurrent identical
uploads converge on one record; a replay answers `unchanged` with the original receipt.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from chalicelib.domain.chain import chain_message, next_link, sign
from chalicelib.domain.china_time import latest_allowed_date
from chalicelib.domain.oem import may_overwrite
from chalicelib.domain.record import (
    Receipt,
    ReceiptResult,
    RecordContent,
    StoredRecord,
    chain_facts,
    check_dates,
    quality_flags,
    record_id_for,
)
from chalicelib.domain.shop import Shop
from chalicelib.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.observability import metrics
from chalicelib.services.ports import (
    ChainMovedError,
    Clock,
    Page,
    RecordAlreadyExistsError,
    RecordRepository,
    StaleVersionError,
)

MAX_WRITE_ATTEMPTS = 5
MAX_PAGE_SIZE = 100
REASON_MAX_LENGTH = 250


class RecordService:
    def __init__(
        self,
        records: RecordRepository,
        clock: Clock,
        clock_skew_seconds: int,
        signing_key: bytes | None = None,
    ) -> None:
        self._records = records
        self._clock = clock
        self._skew = clock_skew_seconds
        self._key = signing_key

    def upload(
        self,
        shop: Shop,
        content: RecordContent,
        correction_reason: str | None = None,
        *,
        source: str | None = None,
    ) -> Receipt:
        """Store a record for `shop`, or answer the existing receipt for a replay.

        `source` names who sent it on the shop's behalf (an OEM's feed: `oem:<id>`); the
        record is the shop's either way.

        Raises
        ------
        ValidationFailedError
            A cross-field rule fails (dates); nothing is written.
        ForbiddenError
            The shop is suspended.
        ConflictError
            The (shop, settlement list) record was voided; a new number is needed
            (`record_voided`). An OEM's correction of a version it did not send
            (`oem_may_not_correct`).
        ServiceUnavailableError
            Storage is busy, or the record kept changing under us; retry.
        """
        _ensure_active(shop)
        now = self._clock.now()
        errors = check_dates(content, latest_allowed_date(now, self._skew))
        if errors:
            metrics.add_metric(name="RecordRejected", unit="Count", value=1)
            raise ValidationFailedError(errors)
        record_id = record_id_for(shop.companycode, content.settlement_list_code)
        earlier = self._records.earlier_reading(content.vin, content.settlement_date, record_id)
        flags = tuple(quality_flags(content, registered_name=shop.name, earlier=earlier))
        candidate = StoredRecord(
            record_id=record_id,
            companycode=shop.companycode,
            version=1,
            status="active",
            content=content,
            content_hash=content.content_hash(),
            flags=flags,
            shop_name=shop.name,
            shop_class=shop.shop_class,
            received_at=now,
            updated_at=now,
            source=source,
        )
        receipt = self._write(candidate, correction_reason)
        _count(receipt)
        return receipt

    def _write(self, candidate: StoredRecord, correction_reason: str | None) -> Receipt:
        for _ in range(MAX_WRITE_ATTEMPTS):
            # Read first: replays and corrections (most DMS re-uploads) then cost one read
            # instead of a cancelled transaction. The write stays conditional, so a race
            # between this read and the write is still caught.
            current = self._records.get(candidate.record_id, consistent=True)
            if current is None:
                try:
                    created = self._chained(candidate)
                    self._records.create(created)
                    return self._receipt(created, "created")
                except (RecordAlreadyExistsError, ChainMovedError):
                    continue
            if current.status == "void":
                raise ConflictError(
                    "this settlement list's record was voided; upload it under a new number",
                    code="record_voided",
                )
            if current.content_hash == candidate.content_hash:
                return self._receipt(current, "unchanged")
            if not may_overwrite(current.source, candidate.source):
                raise ConflictError(
                    "the dealer (or another sender) wrote this record last; an OEM corrects "
                    "only what it uploaded, the dealer corrects the rest",
                    code="oem_may_not_correct",
                )
            corrected = dataclasses.replace(
                candidate,
                version=current.version + 1,
                received_at=current.received_at,
                reason=correction_reason,
            )
            try:
                corrected = self._chained(corrected)
                self._records.replace(current, corrected)
                return self._receipt(corrected, "corrected")
            except (StaleVersionError, ChainMovedError):
                continue
        raise ServiceUnavailableError("the record is being changed concurrently; retry", 1)

    def _chained(self, record: StoredRecord) -> StoredRecord:
        """The version as the next link of its vehicle's chain (read head, link, sign later)."""
        head = self._records.chain_head(record.content.vin)
        return dataclasses.replace(record, chain=next_link(head, chain_facts(record)))

    def _receipt(self, record: StoredRecord, result: ReceiptResult) -> Receipt:
        signature = None
        if record.chain is not None and self._key is not None:
            signature = sign(self._key, chain_message(record.chain))
        return Receipt.of(record, result, signature)

    def void(self, shop: Shop, record_id: str, reason: str) -> Receipt:
        """Mark the shop's record void (never deleted). Voiding twice answers the same receipt.

        Raises NotFoundError for an unknown id or another shop's record (same answer).
        """
        _ensure_active(shop)
        reason = reason.strip()
        if not reason or len(reason) > REASON_MAX_LENGTH:
            raise ValidationFailedError(
                [FieldError("reason", "length", f"reason must be 1–{REASON_MAX_LENGTH} characters")]
            )
        for _ in range(MAX_WRITE_ATTEMPTS):
            current = self.own(shop, record_id)
            if current.status == "void":
                return self._receipt(current, "voided")
            voided = dataclasses.replace(
                current,
                version=current.version + 1,
                status="void",
                reason=reason,
                updated_at=self._clock.now(),
                source=None,  # the shop voids its own record, whoever sent it
            )
            try:
                voided = self._chained(voided)
                self._records.replace(current, voided)
            except (StaleVersionError, ChainMovedError):
                continue
            metrics.add_metric(name="RecordVoided", unit="Count", value=1)
            return self._receipt(voided, "voided")
        raise ServiceUnavailableError("the record is being changed concurrently; retry", 1)

    def own(self, shop: Shop, record_id: str) -> StoredRecord:
        record = self._records.get(record_id, consistent=True) if _plausible_id(record_id) else None
        if record is None or record.companycode != shop.companycode:
            raise NotFoundError("no such record")
        return record

    def own_versions(self, shop: Shop, record_id: str) -> list[StoredRecord]:
        self.own(shop, record_id)
        return self._records.versions(record_id)

    def list_own(
        self, shop: Shop, date_from: date, date_to: date, limit: int, cursor: str | None
    ) -> Page:
        if date_to < date_from:
            raise ValidationFailedError(
                [FieldError("to", "not_before_from", "`to` must be on or after `from`")]
            )
        return self._records.by_shop(
            shop.companycode, date_from, date_to, min(max(limit, 1), MAX_PAGE_SIZE), cursor
        )

    def now(self) -> datetime:
        return self._clock.now()


def _ensure_active(shop: Shop) -> None:
    if shop.status != "active":
        raise ForbiddenError(
            "this shop is suspended and cannot change records", code="shop_suspended"
        )


def _plausible_id(record_id: str) -> bool:
    return len(record_id) == 32 and all(c in "0123456789abcdef" for c in record_id)


def _count(receipt: Receipt) -> None:
    name = {"created": "RecordAccepted", "corrected": "RecordCorrected"}.get(receipt.result)
    if name:
        metrics.add_metric(name=name, unit="Count", value=1)
        if receipt.flags:
            metrics.add_metric(name="RecordFlagged", unit="Count", value=1)
    else:
        metrics.add_metric(name="RecordReplayed", unit="Count", value=1)
