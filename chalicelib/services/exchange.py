"""Ministry side of 部省联网: apply a province's batch of changes, newest version wins.

Delivery semantics: provinces deliver at least once and possibly out of order. A record
version is applied only if it is newer than the version held for (province, record id);
an older one is kept as a version (so every version is held exactly once) without touching
the head; a repeat answers `duplicate`. Each item gets its own answer, and a province can
only write records and shops of its own province (its credential is bound to its code).
A storage fault (throttling, a 5xx) fails only the item it hit, answered `busy`, so one
throttled write never fails, and after enough attempts parks, a whole batch of 100.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.adapters.record_items import record_from
from chalicelib.domain.record import RECORD_ID_PATTERN, StoredRecord
from chalicelib.errors import ServiceUnavailableError
from chalicelib.observability import logger
from chalicelib.services.ports import (
    Clock,
    RecordAlreadyExistsError,
    RecordRepository,
    StaleVersionError,
)

MAX_ATTEMPTS = 5
MAX_BATCH = 100


class ExchangeStore(Protocol):
    def put_shop_copy(self, shop: dict[str, Any]) -> bool: ...

    def has_shop(self, companycode: str) -> bool: ...

    def touch_province(
        self, province_code: str, at: datetime, lag_seconds: float | None
    ) -> None: ...


class VersionedRecords(RecordRepository, Protocol):
    def put_version(self, record: StoredRecord) -> bool: ...


class ExchangeService:
    def __init__(self, records: VersionedRecords, store: ExchangeStore, clock: Clock) -> None:
        self._records = records
        self._store = store
        self._clock = clock
        self._known_shops: set[str] = set()

    def apply_batch(self, province_code: str, items: list[Any]) -> list[dict[str, str]]:
        now = self._clock.now()
        results = [self._apply_item(province_code, item) for item in items]
        changed = [
            datetime.fromisoformat(i["record"]["updated_at"])
            for i, r in zip(items, results, strict=True)
            if r["result"] == "applied"
            and isinstance(i, dict)
            and i.get("type") == "record_version"
        ]
        # A batch that applied no record version (registry changes only, replays, refusals)
        # measures no lag: the province keeps its last one instead of showing 0 s.
        lag = max(((now - c).total_seconds() for c in changed), default=None)
        try:
            self._store.touch_province(province_code, now, None if lag is None else max(lag, 0.0))
        except ServiceUnavailableError:
            # Only the status report misses this batch; the changes themselves are applied.
            logger.warning("province status not updated", extra={"province": province_code})
        return results

    def _apply_item(self, province_code: str, item: Any) -> dict[str, str]:
        try:
            return self._apply_one(province_code, item)
        except ServiceUnavailableError:
            return {"result": "busy", "reason": "storage busy, retry"}

    def _apply_one(self, province_code: str, item: Any) -> dict[str, str]:
        try:
            kind = item["type"]
            if kind == "record_version":
                record = record_from(item["record"])
                owner = record.companycode
                if not RECORD_ID_PATTERN.match(record.record_id):
                    return _rejected("malformed record id: 32 lowercase hex digits expected")
            elif kind == "shop":
                owner = item["shop"]["companycode"]
            else:
                return _rejected(f"unknown change type {kind!r}")
        except (KeyError, TypeError, ValueError) as exc:
            return _rejected(f"malformed change: {exc!r}")
        if not isinstance(owner, str) or owner[:2] != province_code[:2]:
            return _rejected("this change belongs to another province")
        if kind == "shop":
            applied = self._store.put_shop_copy(item["shop"])
            self._known_shops.add(owner)
            return {"result": "applied" if applied else "stale"}
        if not self._shop_known(owner):
            # The registry entry travels on the same stream but may arrive later (another
            # shard); refusing keeps every national record attributable to a known shop.
            return _rejected(f"unknown shop {owner}: its registry entry has not arrived")
        return {"result": self._apply_version(record)}

    def _shop_known(self, companycode: str) -> bool:
        if companycode not in self._known_shops and self._store.has_shop(companycode):
            self._known_shops.add(companycode)
        return companycode in self._known_shops

    def _apply_version(self, record: StoredRecord) -> str:
        for _ in range(MAX_ATTEMPTS):
            current = self._records.get(record.record_id, consistent=True)
            if current is None:
                try:
                    self._records.create(record)
                    return "applied"
                except RecordAlreadyExistsError:
                    continue
            if current.version >= record.version:
                return "stale" if self._records.put_version(record) else "duplicate"
            try:
                self._records.replace(current, record)
                return "applied"
            except StaleVersionError:
                continue
        return "busy"


def _rejected(reason: str) -> dict[str, str]:
    return {"result": "rejected", "reason": reason}
