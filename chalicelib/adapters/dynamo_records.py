"""RecordRepository on the province table: atomic version writes and the two read models.

Why: a record change must land as one unit (new head, immutable version item, moved vehicle
entry) or not at all, so every write is a conditional TransactWriteItems. The head's
`attribute_not_exists` / `version = :v` conditions are what make concurrent uploads converge
on one record without any read-then-write race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.cursor import decode_cursor, encode_cursor
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_errors import cancellation_reasons, error_code, translate_errors
from chalicelib.adapters.record_items import (
    chain_head_item,
    chain_link_item,
    head_item,
    link_from,
    record_from,
    vehicle_item,
    vehicle_key,
    version_item,
)
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.chain import ChainHead, StoredLink
from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import EarlierReading, StoredRecord
from chalicelib.domain.vin import normalize_vin
from chalicelib.services.ports import (
    ChainMovedError,
    Page,
    RecordAlreadyExistsError,
    StaleVersionError,
)

SEARCH_PAGE_SIZE = 100
SEARCH_PAGES = 10


class DynamoRecordRepository(TableAdapter):
    """Records of one stack. Raises the ports' errors or ServiceUnavailableError."""

    def __init__(self, table_name: str, client: Any = None, *, maintain_chain: bool = True) -> None:
        super().__init__(table_name, client)
        self._maintain_chain = maintain_chain

    def get(self, record_id: str, *, consistent: bool = False) -> StoredRecord | None:
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.record_pk(record_id), keys.HEAD)),
                ConsistentRead=consistent,
            )
        item = response.get("Item")
        return record_from(from_item(item)) if item else None

    def create(self, record: StoredRecord) -> None:
        actions = [
            self._put(head_item(record), "attribute_not_exists(PK)"),
            self._put(version_item(record), "attribute_not_exists(PK)"),
        ]
        if record.status == "active":  # the ministry may first hear of a record as voided
            actions.append(self._put(vehicle_item(record)))
        chain_at = self._add_chain(actions, record)
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            if _condition_failed(exc, index=0):
                raise RecordAlreadyExistsError(record.record_id) from exc
            if chain_at is not None and _condition_failed(exc, index=chain_at):
                raise ChainMovedError(record.content.vin) from exc
            raise

    def replace(self, current: StoredRecord, new: StoredRecord) -> None:
        head = self._put(head_item(new), "version = :expected")
        head["Put"]["ExpressionAttributeValues"] = {":expected": to_value(current.version)}
        actions = [head, self._put(version_item(new), "attribute_not_exists(PK)")]
        old_entry, new_entry = vehicle_key(current), vehicle_key(new)
        if current.status == "active" and (old_entry != new_entry or new.status != "active"):
            actions.append({"Delete": {"TableName": self._table, "Key": to_item(old_entry)}})
        if new.status == "active":
            actions.append(self._put(vehicle_item(new)))
        chain_at = self._add_chain(actions, new)
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            if _condition_failed(exc, index=0) or _condition_failed(exc, index=1):
                raise StaleVersionError(new.record_id) from exc
            if chain_at is not None and _condition_failed(exc, index=chain_at):
                raise ChainMovedError(new.content.vin) from exc
            raise

    def chain_head(self, vin: str) -> ChainHead:
        item = self._get(keys.vehicle_pk(vin), keys.CHAIN_HEAD)
        if item is None:
            return ChainHead(vin)
        return ChainHead(vin, int(item["seq"]), str(item["hash"]))

    def chain_links(self, vin: str, upto_seq: int) -> list[StoredLink]:
        """The links of a vehicle's chain, oldest first, up to a sequence number."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {
                    ":pk": keys.vehicle_pk(vin),
                    ":lo": keys.chain_link_sk(1),
                    ":hi": keys.chain_link_sk(upto_seq),
                }
            ),
            ConsistentRead=True,
        )
        return [link_from(item) for item in items]

    def version(self, record_id: str, version: int) -> StoredRecord | None:
        item = self._get(keys.record_pk(record_id), keys.version_sk(version))
        return record_from(item) if item else None

    def versions_at(self, refs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], StoredRecord]:
        """Given (record id, version) pairs, the versions found, read in batches of 100.
        A pair given twice is read once (BatchGetItem refuses a repeated key)."""
        unique = dict.fromkeys(refs)
        found = self._batch_get_records(
            [keys.key(keys.record_pk(r), keys.version_sk(v)) for r, v in unique], consistent=True
        )
        return {(r.record_id, r.version): r for r in found}

    def heads(self, record_ids: Sequence[str]) -> list[StoredRecord]:
        """The current heads of these records (strongly consistent), in no particular order."""
        return self._batch_get_records(
            [keys.key(keys.record_pk(r), keys.HEAD) for r in dict.fromkeys(record_ids)],
            consistent=True,
        )

    def _add_chain(self, actions: list[dict[str, Any]], record: StoredRecord) -> int | None:
        """Append the chain head move and the link entry; return the head action's index."""
        if record.chain is None or not self._maintain_chain:
            return None
        previous = record.chain.seq - 1
        head = self._put(
            chain_head_item(record),
            "attribute_not_exists(PK)" if previous == 0 else "seq = :previous",
        )
        if previous:
            head["Put"]["ExpressionAttributeValues"] = {":previous": to_value(previous)}
        actions.append(head)
        actions.append(self._put(chain_link_item(record), "attribute_not_exists(PK)"))
        return len(actions) - 2

    def put_version(self, record: StoredRecord) -> bool:
        """Keep an out-of-order older version without touching the head; False if held already."""
        try:
            with translate_errors():
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(version_item(record)),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def versions(self, record_id: str) -> list[StoredRecord]:
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_item(
                {":pk": keys.record_pk(record_id), ":prefix": keys.version_prefix()}
            ),
        )
        return [record_from(i) for i in items]

    def by_shop(
        self,
        companycode: str,
        date_from: date,
        date_to: date,
        limit: int,
        cursor: str | None,
    ) -> Page:
        gsi_pk = keys.shop_records_gsi_pk(companycode)
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": gsi_pk,
                    ":lo": date_from.isoformat(),
                    ":hi": date_to.isoformat() + "#~",
                }
            ),
            "Limit": limit,
            "ScanIndexForward": False,
        }
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, keys.GSI1PK, gsi_pk)
        with translate_errors():
            response = self.client.query(**request)
        heads = [from_item(i) for i in response.get("Items", [])]
        # The GSI projects only summary attributes; fetch the full heads in one batch read.
        records = self._batch_get_heads([h["record_id"] for h in heads])
        return Page(items=records, cursor=encode_cursor(response.get("LastEvaluatedKey")))

    def search_by_shop(
        self,
        companycode: str,
        date_from: date,
        date_to: date,
        text: str,
        limit: int,
        cursor: str | None,
    ) -> Page:
        """The shop's records whose VIN, plate or settlement number contains `text`.

        Filters within the shop's own GSI1 partition (the index projects the three fields),
        reading at most SEARCH_PAGES index pages per call; the cursor continues from there.
        """
        gsi_pk = keys.shop_records_gsi_pk(companycode)
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            "FilterExpression": (
                "contains(vin, :vin) OR contains(plate_number, :plate) "
                "OR contains(settlement_list_code, :text)"
            ),
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": gsi_pk,
                    ":lo": date_from.isoformat(),
                    ":hi": date_to.isoformat() + "#~",
                    ":vin": normalize_vin(text) or text,
                    ":plate": normalize_plate(text) or text,
                    ":text": text,
                }
            ),
            "Limit": SEARCH_PAGE_SIZE,
            "ScanIndexForward": False,
        }
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, keys.GSI1PK, gsi_pk)
        found: list[str] = []
        last: dict[str, Any] | None = None
        for _ in range(SEARCH_PAGES):
            with translate_errors():
                response = self.client.query(**request)
            found += [from_item(i)["record_id"] for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if not last or len(found) >= limit:
                break
            request["ExclusiveStartKey"] = last
        return Page(items=self._batch_get_heads(found), cursor=encode_cursor(last))

    def vehicle_history(self, vin: str, *, consistent: bool = False) -> list[StoredRecord]:
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_item(
                {":pk": keys.vehicle_pk(vin), ":prefix": keys.vehicle_entry_prefix()}
            ),
            ConsistentRead=consistent,
        )
        return [record_from(i) for i in items]

    def earlier_reading(
        self, vin: str, settlement_date: date, exclude_record_id: str
    ) -> EarlierReading | None:
        items = self._query(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {
                    ":pk": keys.vehicle_pk(vin),
                    ":lo": keys.vehicle_entry_prefix(),
                    ":hi": keys.vehicle_entries_until(settlement_date),
                }
            ),
            ProjectionExpression="record_id, mileage, settlement_date",
        )
        best: EarlierReading | None = None
        for item in items:
            if item["record_id"] == exclude_record_id:
                continue
            if best is None or int(item["mileage"]) > best.mileage:
                best = EarlierReading(
                    mileage=int(item["mileage"]),
                    settlement_date=date.fromisoformat(item["settlement_date"]),
                    record_id=item["record_id"],
                )
        return best

    def _query(self, **request: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request["TableName"] = self._table
        while True:
            with translate_errors():
                response = self.client.query(**request)
            items.extend(from_item(i) for i in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if not last:
                return items
            request["ExclusiveStartKey"] = last

    def _batch_get_heads(self, record_ids: list[str]) -> list[StoredRecord]:
        found = {
            r.record_id: r
            for r in self._batch_get_records(
                [keys.key(keys.record_pk(r), keys.HEAD) for r in record_ids]
            )
        }
        return [found[r] for r in record_ids if r in found]

    def _batch_get_records(
        self, item_keys: list[dict[str, str]], *, consistent: bool = False
    ) -> list[StoredRecord]:
        """Record items (heads or versions) by key; see TableAdapter._batch_get."""
        return [record_from(item) for item in self._batch_get(item_keys, consistent=consistent)]

    def _put(self, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": to_item(item)}
        if condition:
            put["ConditionExpression"] = condition
        return {"Put": put}


def _condition_failed(exc: Exception, index: int) -> bool:
    if error_code(exc) != "TransactionCanceledException":
        return False
    reasons = cancellation_reasons(exc)
    return len(reasons) > index and reasons[index] == "ConditionalCheckFailed"
