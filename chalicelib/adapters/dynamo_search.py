"""Record search on the table's indexes: by VIN, plate, shop, or settlement day and district.

Why: regulators search a province's records (digest §3.4 `query4manager`) by VIN, plate,
company and date, and export what they find. Each criterion has its own index so no search
scans the table; every method yields lazily, page by page, so an export of any size never
holds more than one page in memory. With `read_attempts` > 1 (the export job's instance) a
read that meets a busy table is sent again after a back-off, page by page: an export reads
hundreds of pages, and starting it over on every busy answer would never finish, while a
regulator's search page (one attempt) answers 503 at once and lets the person retry.
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
from chalicelib.errors import ServiceUnavailableError

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


class DynamoRecordSearch(TableAdapter):
    def __init__(self, table_name: str, client: Any = None, *, read_attempts: int = 1) -> None:
        super().__init__(table_name, client)
        self._read_attempts = max(1, read_attempts)

    def by_vin(self, vin: str) -> Iterator[dict[str, Any]]:
        yield from self._pages(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_item(
                {":pk": keys.vehicle_pk(vin), ":prefix": keys.vehicle_entry_prefix()}
            ),
            ScanIndexForward=False,
        )

    def by_plate(self, plate: str) -> Iterator[dict[str, Any]]:
        yield from self._pages(
            IndexName=keys.GSI2,
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.plate_gsi_pk(plate)}),
            ScanIndexForward=False,
        )

    def by_shop(self, companycode: str, first: date, last: date) -> Iterator[dict[str, Any]]:
        yield from self._pages(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {
                    ":pk": keys.shop_records_gsi_pk(companycode),
                    ":lo": first.isoformat(),
                    ":hi": last.isoformat() + "#~",
                }
            ),
            ScanIndexForward=False,
        )

    def by_day(self, province_code: str, day: date, prefix: str = "") -> Iterator[dict[str, Any]]:
        condition = "GSI2PK = :pk" + (" AND begins_with(GSI2SK, :prefix)" if prefix else "")
        values = {":pk": keys.records_by_day_gsi_pk(province_code, day)}
        if prefix:
            values[":prefix"] = prefix
        yield from self._pages(
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

    def _pages(self, **request: Any) -> Iterator[dict[str, Any]]:
        request["TableName"] = self._table
        while True:
            response = self._again(lambda: self._query(request))
            for raw in response.get("Items", []):
                item = from_item(raw)
                yield {name: item.get(name) for name in SUMMARY_FIELDS}
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
