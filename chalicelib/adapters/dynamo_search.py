"""Record search on the table's indexes: by VIN, plate, shop, or settlement day and district.

Why: regulators search a province's records (digest §3.4 `query4manager`) by VIN, plate,
company and date, and export what they find. Each criterion has its own index so no search
scans the table; every method yields lazily, page by page, so an export of any length never
holds more than one page in memory. With `read_attempts` > 1 (the export job's instance) a
read that meets a busy table is sent again after a back-off, page by page: an export reads
hundreds of pages, and starting it over on every busy answer would never finish, while a
regulator's search page (one attempt) answers 503 at once and lets the person retry.

Every method charges its reads to the caller's ReadBudget (a request at a time, asking for
no more items than the budget has left) and yields each summary with its position: the
item's key, from which the same query resumes (`ExclusiveStartKey`). A position comes back
from a client inside a cursor, so before it is used it must name the very partition (and
sort-key range or district prefix) of the query it resumes: it cannot start a read anywhere
else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.record_items import record_from
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.record import StoredRecord
from chalicelib.errors import FieldError, ServiceUnavailableError, ValidationFailedError
from chalicelib.services.ports import ReadBudget

SUMMARY_FIELDS = (
    "record_id",
    "companycode",
    "version",
    "status",
    "vin",
    "settlement_date",
    "settlement_list_code",
    "plate_number",
    "flag_codes",
    "received_at",
    "mileage",
    "shop_name",
)
FIRST_BACKOFF_SECONDS = 0.05  # doubled after each busy answer
T = TypeVar("T")
Position = dict[str, str]
Hit = tuple[dict[str, Any], Position]
TABLE_KEY = (keys.PK, keys.SK)


class DynamoRecordSearch(TableAdapter):
    def __init__(self, table_name: str, client: Any = None, *, read_attempts: int = 1) -> None:
        super().__init__(table_name, client)
        self._read_attempts = max(1, read_attempts)

    def by_vin(self, vin: str, budget: ReadBudget, start: Position | None) -> Iterator[Hit]:
        pk, prefix = keys.vehicle_pk(vin), keys.vehicle_entry_prefix()
        _check(start, TABLE_KEY, {keys.PK: pk}, lambda k: k[keys.SK].startswith(prefix))
        yield from self._pages(
            budget,
            start,
            TABLE_KEY,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_item({":pk": pk, ":prefix": prefix}),
            ScanIndexForward=False,
        )

    def by_plate(self, plate: str, budget: ReadBudget, start: Position | None) -> Iterator[Hit]:
        pk = keys.plate_gsi_pk(plate)
        key_names = (*TABLE_KEY, keys.GSI2PK, keys.GSI2SK)
        _check(start, key_names, {keys.GSI2PK: pk}, lambda k: True)
        yield from self._pages(
            budget,
            start,
            key_names,
            IndexName=keys.GSI2,
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues=to_item({":pk": pk}),
            ScanIndexForward=False,
        )

    def by_shop(
        self, companycode: str, first: date, last: date, budget: ReadBudget, start: Position | None
    ) -> Iterator[Hit]:
        pk, low, high = keys.shop_records_gsi_pk(companycode), first.isoformat(), last.isoformat()
        high += "#~"
        key_names = (*TABLE_KEY, keys.GSI1PK, keys.GSI1SK)
        _check(start, key_names, {keys.GSI1PK: pk}, lambda k: low <= k[keys.GSI1SK] <= high)
        yield from self._pages(
            budget,
            start,
            key_names,
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item({":pk": pk, ":lo": low, ":hi": high}),
            ScanIndexForward=False,
        )

    def by_day(
        self, province_code: str, day: date, prefix: str, budget: ReadBudget, start: Position | None
    ) -> Iterator[Hit]:
        pk = keys.records_by_day_gsi_pk(province_code, day)
        key_names = (*TABLE_KEY, keys.GSI2PK, keys.GSI2SK)
        _check(start, key_names, {keys.GSI2PK: pk}, lambda k: k[keys.GSI2SK].startswith(prefix))
        condition = "GSI2PK = :pk" + (" AND begins_with(GSI2SK, :prefix)" if prefix else "")
        values = {":pk": pk}
        if prefix:
            values[":prefix"] = prefix
        yield from self._pages(
            budget,
            start,
            key_names,
            IndexName=keys.GSI2,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
        )

    def heads(self, record_ids: list[str]) -> list[StoredRecord]:
        """Full current records (items and parts) for up to any number of ids, in order."""
        wanted = [keys.key(keys.record_pk(r), keys.HEAD) for r in record_ids]
        items = self._again(lambda: self._batch_get(wanted))
        found = {record.record_id: record for record in map(record_from, items)}
        return [found[r] for r in record_ids if r in found]

    def _pages(
        self,
        budget: ReadBudget,
        start: Position | None,
        key_names: tuple[str, ...],
        **request: Any,
    ) -> Iterator[Hit]:
        request["TableName"] = self._table
        if start:
            request["ExclusiveStartKey"] = to_item(dict(start))
        while True:
            limit = budget.next_read()
            if limit is not None:
                request["Limit"] = limit
            response = self._again(lambda: self._query(request))
            raw_items = response.get("Items", [])
            budget.spend(int(response.get("ScannedCount", len(raw_items))))
            for raw in raw_items:
                item = from_item(raw)
                yield (
                    {name: item.get(name) for name in SUMMARY_FIELDS},
                    {name: str(item[name]) for name in key_names},
                )
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def _query(self, request: dict[str, Any]) -> Any:
        with translate_errors():
            return self.client.query(**request)

    def _again(self, read: Callable[[], T]) -> T:
        """One read (idempotent), made up to `read_attempts` times while the table is busy."""
        for attempt in range(self._read_attempts - 1):
            try:
                return read()
            except ServiceUnavailableError:
                time.sleep(FIRST_BACKOFF_SECONDS * 2**attempt)
        return read()


def _check(
    start: Position | None,
    key_names: tuple[str, ...],
    partition: dict[str, str],
    in_range: Callable[[Position], bool],
) -> None:
    """Refuse a resume position that is not the key of an item this very query reads."""
    if start is None:
        return
    if (
        set(start) != set(key_names)
        or not all(isinstance(v, str) and v for v in start.values())
        or any(start[name] != value for name, value in partition.items())
        or not in_range(start)
    ):
        raise ValidationFailedError(
            [FieldError("cursor", "valid_cursor", "cursor is not one this search issued")]
        )
