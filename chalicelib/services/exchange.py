"""Ministry side of 部省联网: apply a province's exchange/v1 items, newest version wins.

Delivery semantics: provinces deliver at least once and possibly out of order. A record
version is applied only if it is newer than the version held for its record id; an older one
is kept as a version (so every version is held exactly once) without touching the head; a
repeat answers `duplicate`. A storage fault (throttling, a 5xx) fails only the item it hit,
answered `busy`, so one throttled write never fails, and after enough attempts parks, a whole
batch.

Trust: a province's credential writes its own province's shops and records only. Each item is
read through the contract on its own (chalicelib/exchange/v1.py: unknown keys, wrong types and
unbounded values refused) and must pass the rules tying it to its sender: its companycode is
of the credential's province, its record id is derived from its companycode and settlement
list, its hashes hold, a head held under its id belongs to its shop. A refused item is
answered `rejected` with the field and rule it breaks and writes nothing; the others of its
batch are applied. Every key is built by the storage adapters from the domain objects read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import RegistryCopy
from chalicelib.errors import FieldError, ServiceUnavailableError, ValidationFailedError
from chalicelib.exchange import v1
from chalicelib.observability import logger
from chalicelib.services.ports import (
    Clock,
    RecordAlreadyExistsError,
    RecordRepository,
    StaleVersionError,
)

MAX_ATTEMPTS = 5
REASONS_SHOWN = 5


class ExchangeStore(Protocol):
    def put_shop_copy(self, shop: RegistryCopy) -> bool: ...

    def has_shop(self, companycode: str) -> bool: ...

    def touch_province(
        self, province_code: str, at: datetime, lag_seconds: float | None
    ) -> None: ...


class VersionedRecords(RecordRepository, Protocol):
    def put_version(self, record: StoredRecord) -> bool: ...


@dataclass(frozen=True)
class _Answer:
    body: dict[str, str]
    changed_at: datetime | None = None  # when an applied record version changed at the province


class ExchangeService:
    def __init__(self, records: VersionedRecords, store: ExchangeStore, clock: Clock) -> None:
        self._records = records
        self._store = store
        self._clock = clock
        self._known_shops: set[str] = set()

    def apply_batch(self, province_code: str, items: Sequence[Any]) -> list[dict[str, str]]:
        """Apply each item on its own; the answers in order (applied, stale, duplicate,
        rejected with `field`, `rule` and `reason`, or busy)."""
        now = self._clock.now()
        answers = [self._apply_item(province_code, item) for item in items]
        changed = [a.changed_at for a in answers if a.changed_at is not None]
        # A batch that applied no record version (registry changes only, replays, refusals)
        # measures no lag: the province keeps its last one instead of showing 0 s.
        lag = max(((now - c).total_seconds() for c in changed), default=None)
        try:
            self._store.touch_province(province_code, now, None if lag is None else max(lag, 0.0))
        except ServiceUnavailableError:
            # Only the status report misses this batch; the changes themselves are applied.
            logger.warning("province status not updated", extra={"province": province_code})
        return [a.body for a in answers]

    def _apply_item(self, province_code: str, raw: Any) -> _Answer:
        try:
            item = v1.parse_item(raw)
        except ValidationFailedError as exc:
            return _rejected(*exc.errors)
        try:
            if isinstance(item, v1.ShopItemV1):
                return self._apply_shop(province_code, item.shop)
            return self._apply_record(province_code, v1.stored_record(item.record))
        except ServiceUnavailableError:
            return _Answer({"result": "busy", "reason": "storage busy, retry"})

    def _apply_shop(self, province_code: str, shop: v1.ShopCopyV1) -> _Answer:
        refusal = v1.shop_refusal(shop, province_code)
        if refusal is not None:
            return _rejected(refusal)
        applied = self._store.put_shop_copy(v1.registry_copy(shop))
        self._known_shops.add(shop.companycode)
        return _Answer({"result": "applied" if applied else "stale"})

    def _apply_record(self, province_code: str, record: StoredRecord) -> _Answer:
        refusal = v1.record_refusal(record, province_code)
        if refusal is not None:
            return _rejected(refusal)
        if not self._shop_known(record.companycode):
            # The registry entry travels on the same stream but may arrive later (another
            # shard); refusing keeps every national record attributable to a known shop.
            return _rejected(
                FieldError(
                    "record.companycode",
                    "known_shop",
                    f"unknown shop {record.companycode}: its registry entry has not arrived",
                )
            )
        return self._apply_version(record)

    def _shop_known(self, companycode: str) -> bool:
        if companycode not in self._known_shops and self._store.has_shop(companycode):
            self._known_shops.add(companycode)
        return companycode in self._known_shops

    def _apply_version(self, record: StoredRecord) -> _Answer:
        for _ in range(MAX_ATTEMPTS):
            current = self._records.get(record.record_id, consistent=True)
            if current is not None and current.companycode != record.companycode:
                return _rejected(
                    FieldError(
                        "record.record_id",
                        "owner",
                        "the record held under this record_id belongs to another shop",
                    )
                )
            if current is None:
                try:
                    self._records.create(record)
                    return _Answer({"result": "applied"}, record.updated_at)
                except RecordAlreadyExistsError:
                    continue
            elif current.version >= record.version:
                held = not self._records.put_version(record)
                return _Answer({"result": "duplicate" if held else "stale"})
            else:
                try:
                    self._records.replace(current, record)
                    return _Answer({"result": "applied"}, record.updated_at)
                except StaleVersionError:
                    continue
        return _Answer({"result": "busy", "reason": "the record keeps changing, retry"})


def _rejected(*errors: FieldError) -> _Answer:
    """A refusal naming the first failing field and rule, and (in `reason`) the first few."""
    shown = [f"{e.field} ({e.rule}): {e.message}" for e in errors[:REASONS_SHOWN]]
    if len(errors) > REASONS_SHOWN:
        shown.append(f"and {len(errors) - REASONS_SHOWN} more")
    first = errors[0] if errors else FieldError("item", "contract", "not an exchange/v1 item")
    reason = "; ".join(shown) or f"{first.field} ({first.rule}): {first.message}"
    return _Answer(
        {"result": "rejected", "field": first.field, "rule": first.rule, "reason": reason}
    )
