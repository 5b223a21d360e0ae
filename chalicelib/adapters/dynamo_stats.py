"""StatsStore on the statistics table: counters applied exactly once per change.

Why: Lambda delivers stream records at least once and retries a failed batch from the failed
record on, so a bare `ADD` would double-count (the shopping-cart sample's bug). Each counter
item is updated in one transaction together with one `attribute_not_exists` marker per change
behind the update. If a marker exists (a replay), the cancellation reasons say which ones; the
store drops those changes, recomputes the delta and tries again. One batch writes each counter
item once (the service coalesces), so busy shops never make a hot key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters import stats_keys
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_errors import cancellation_reasons, error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.shop import RegistryChange
from chalicelib.domain.statistics import CounterKey, DayCounts, ShopMonthRow
from chalicelib.errors import ServiceUnavailableError

MAX_MARKERS_PER_TRANSACTION = 99  # + the counter update = DynamoDB's 100-action limit
FOLLOW_ATTEMPTS = 5


class DynamoStatsStore(TableAdapter):
    def apply(
        self,
        key: CounterKey,
        contributions: dict[str, dict[str, int]],
    ) -> int:
        """Add each change's deltas to the counter once; return how many changes were new.

        `contributions` maps change id → its deltas. Raises ServiceUnavailableError on
        throttling (the caller reports the batch items as failed and they are retried).
        """
        counter = stats_keys.counter_key(key)
        pending = dict(contributions)
        applied = 0
        ids = list(pending)
        for start in range(0, len(ids), MAX_MARKERS_PER_TRANSACTION):
            chunk = {i: pending[i] for i in ids[start : start + MAX_MARKERS_PER_TRANSACTION]}
            applied += self._apply_chunk(key, counter, chunk)
        return applied

    def _apply_chunk(
        self, key: CounterKey, counter: dict[str, str], chunk: dict[str, dict[str, int]]
    ) -> int:
        while chunk:
            change_ids = list(chunk)
            try:
                with translate_errors():
                    self.client.transact_write_items(
                        TransactItems=[
                            self._counter_update(key, counter, chunk),
                            *(self._marker(counter, change_id) for change_id in change_ids),
                        ]
                    )
                return len(change_ids)
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                reasons = cancellation_reasons(exc)[1:]
                seen = {
                    c
                    for c, r in zip(change_ids, reasons, strict=False)
                    if r == "ConditionalCheckFailed"
                }
                if not seen:
                    raise
                chunk = {c: d for c, d in chunk.items() if c not in seen}
        return 0

    def raise_last_upload(self, scope: str, scope_id: str, moment: datetime) -> None:
        """Keep the latest upload time; a max is idempotent, so replays need no marker."""
        with translate_errors():
            try:
                self.client.update_item(
                    TableName=self._table,
                    Key=to_item(stats_keys.last_upload_key(scope, scope_id)),
                    UpdateExpression="SET last_upload_at = :t",
                    ConditionExpression=(
                        "attribute_not_exists(last_upload_at) OR last_upload_at < :t"
                    ),
                    ExpressionAttributeValues={":t": to_value(moment.isoformat())},
                )
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise

    def raise_row_last_upload(self, key: CounterKey, moment: datetime) -> None:
        """The latest upload time on a shop's month row (a max: replays need no marker)."""
        with translate_errors():
            try:
                self.client.update_item(
                    TableName=self._table,
                    Key=to_item(stats_keys.counter_key(key)),
                    UpdateExpression="SET last_upload_at = :t",
                    ConditionExpression=(
                        "attribute_not_exists(last_upload_at) OR last_upload_at < :t"
                    ),
                    ExpressionAttributeValues={":t": to_value(moment.isoformat())},
                )
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise

    def dock(self, province_code: str, shop_class: str, companycode: str, moment: datetime) -> bool:
        """Count a shop as docked (对接) on its first upload, exactly once; True if it was new.

        The marker keeps the class the shop is counted under (`counted_class`), which
        `follow_registry` moves when the shop is suspended, reinstated or reclassified.
        """
        marker = {
            **stats_keys.docked_marker_key(companycode),
            "first_upload_at": moment.isoformat(),
            "province_code": province_code,
            "shop_class": shop_class,
            "counted_class": shop_class,
        }
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(marker),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item(stats_keys.docked_counter_key(companycode, shop_class)),
                    "UpdateExpression": "ADD docked :one",
                    "ExpressionAttributeValues": {":one": to_value(1)},
                }
            },
        ]
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            if cancellation_reasons(exc)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

    def follow_registry(self, change: RegistryChange) -> bool:
        """Make a docked shop count under its registry entry's current state; True if moved.

        Nothing happens to a shop without a docked marker (it has not uploaded yet: `dock`
        counts it then) or for an entry not newer than the one the marker last applied (a
        replay or a late delivery). Otherwise the marker's counted class and applied time are
        updated conditional on the values read, together with -1 on the old class's docked
        counter and +1 on the new one, in one transaction: a replayed or concurrent change
        counts nothing twice. Markers written before `counted_class` existed count under
        `shop_class`. Raises ServiceUnavailableError if the marker keeps changing meanwhile.
        """
        key = stats_keys.docked_marker_key(change.companycode)
        for _ in range(FOLLOW_ATTEMPTS):
            with translate_errors():
                raw = self.client.get_item(
                    TableName=self._table, Key=to_item(key), ConsistentRead=True
                ).get("Item")
            if raw is None:
                return False
            marker = from_item(raw)
            applied = marker.get("registry_updated_at")
            if applied is not None and str(applied) >= change.updated_at:
                return False
            counted = str(marker.get("counted_class", marker.get("shop_class", "")))
            try:
                with translate_errors():
                    self.client.transact_write_items(
                        TransactItems=self._follow_actions(key, marker, counted, change)
                    )
            except Exception as exc:
                if cancellation_reasons(exc)[:1] == ["ConditionalCheckFailed"]:
                    continue  # the marker changed since read: read again
                raise
            return counted != change.counted_class
        raise ServiceUnavailableError("the docked marker keeps changing, retry", 1)

    def _follow_actions(
        self, key: dict[str, str], marker: dict[str, Any], counted: str, change: RegistryChange
    ) -> list[dict[str, Any]]:
        """The marker's conditional update, then the docked counters' moves (if any)."""
        values: dict[str, Any] = {":new": change.counted_class, ":at": change.updated_at}
        condition = ["attribute_exists(PK)"]
        if "counted_class" in marker:
            condition.append("counted_class = :counted")
            values[":counted"] = counted
        else:
            condition.append("attribute_not_exists(counted_class)")
        if "registry_updated_at" in marker:
            condition.append("registry_updated_at = :applied")
            values[":applied"] = marker["registry_updated_at"]
        else:
            condition.append("attribute_not_exists(registry_updated_at)")
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item(key),
                    "UpdateExpression": "SET counted_class = :new, registry_updated_at = :at",
                    "ConditionExpression": " AND ".join(condition),
                    "ExpressionAttributeValues": to_item(values),
                }
            }
        ]
        if counted != change.counted_class:
            for shop_class, delta in ((counted, -1), (change.counted_class, 1)):
                if shop_class:
                    actions.append(self._docked_move(change.companycode, shop_class, delta))
        return actions

    def _docked_move(self, companycode: str, shop_class: str, delta: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(stats_keys.docked_counter_key(companycode, shop_class)),
                "UpdateExpression": "ADD docked :d",
                "ExpressionAttributeValues": {":d": to_value(delta)},
            }
        }

    def docked_counts(self, province_code: str) -> dict[tuple[str, str], int]:
        """Docked shops (that have uploaded at least once and are counted now: active) by
        (division, class); a class whose count went back to 0 is left out."""
        items = self._query_all(stats_keys.docked_pk(province_code))
        counts: dict[tuple[str, str], int] = {}
        for item in items:
            division, _, shop_class = str(item["SK"]).partition("#")
            if int(item.get("docked", 0)):
                counts[(division, shop_class)] = int(item.get("docked", 0))
        return counts

    def shop_rows(self, province_code: str, month: str) -> list[ShopMonthRow]:
        """Every shop's counts of one month (YYYY-MM) in a province, with its last upload."""
        return [
            ShopMonthRow(
                companycode=str(item[stats_keys.SK]),
                shop_class=str(item.get("shop_class", "")),
                counts=_counts(item),
                last_upload_at=str(item["last_upload_at"]) if item.get("last_upload_at") else None,
            )
            for item in self._query_all(stats_keys.shop_month_pk(province_code, month))
        ]

    def day_counters(self, scope: str, scope_id: str, first: str, last: str) -> list[DayCounts]:
        """Counter items of one scope for days first..last (ISO dates), oldest first."""
        pk = stats_keys.counter_pk(scope, scope_id)
        return [_day_counts(i) for i in self._query_all(pk, between=(first, last + "#~"))]

    def _query_all(self, pk: str, between: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        condition = "PK = :pk"
        values: dict[str, Any] = {":pk": pk}
        if between is not None:
            condition += " AND SK BETWEEN :lo AND :hi"
            values.update({":lo": between[0], ":hi": between[1]})
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        items: list[dict[str, Any]] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            items += [from_item(i) for i in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def last_upload(self, scope: str, scope_id: str) -> datetime | None:
        with translate_errors():
            item = self.client.get_item(
                TableName=self._table, Key=to_item(stats_keys.last_upload_key(scope, scope_id))
            ).get("Item")
        return datetime.fromisoformat(from_item(item)["last_upload_at"]) if item else None

    def counters(self, scope: str, scope_id: str) -> list[DayCounts]:
        """Every counter item of one scope, oldest day first (for reports and recounts)."""
        return [_day_counts(i) for i in self._query_all(stats_keys.counter_pk(scope, scope_id))]

    def add_attempt(self, change_id: str) -> tuple[int, bool]:
        """Count one failed delivery of a change; returns (attempts so far, parked already)."""
        expires = int((datetime.now(UTC) + timedelta(days=stats_keys.MARKER_DAYS)).timestamp())
        with translate_errors():
            response = self.client.update_item(
                TableName=self._table,
                Key=to_item(stats_keys.attempt_key(change_id)),
                UpdateExpression="ADD attempts :one SET #ttl = :ttl",
                ExpressionAttributeNames={"#ttl": stats_keys.TTL_ATTRIBUTE},
                ExpressionAttributeValues={":one": to_value(1), ":ttl": to_value(expires)},
                ReturnValues="ALL_NEW",
            )
        attributes = from_item(response["Attributes"])
        return int(attributes["attempts"]), bool(attributes.get("parked"))

    def mark_parked(self, change_id: str) -> None:
        with translate_errors():
            self.client.update_item(
                TableName=self._table,
                Key=to_item(stats_keys.attempt_key(change_id)),
                UpdateExpression="SET parked = :yes",
                ExpressionAttributeValues={":yes": to_value(True)},
            )

    def _counter_update(
        self, key: CounterKey, counter: dict[str, str], chunk: dict[str, dict[str, int]]
    ) -> dict[str, Any]:
        totals: dict[str, int] = {}
        for deltas in chunk.values():
            for name, value in deltas.items():
                totals[name] = totals.get(name, 0) + value
        names = {f"#c{i}": name for i, name in enumerate(sorted(totals))}
        values = {f":c{i}": to_value(totals[name]) for i, name in enumerate(sorted(totals))}
        adds = ", ".join(f"#c{i} :c{i}" for i in range(len(names)))
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(counter),
                "UpdateExpression": (
                    f"ADD {adds} SET scope_id = :sid, shop_class = :cls, #day = :day"
                ),
                "ExpressionAttributeNames": {**names, "#day": "day"},
                "ExpressionAttributeValues": {
                    **values,
                    ":sid": to_value(key.scope_id),
                    ":cls": to_value(key.shop_class or ""),
                    ":day": to_value(key.day.isoformat()),
                },
            }
        }

    def _marker(self, counter: dict[str, str], change_id: str) -> dict[str, Any]:
        expires = int((datetime.now(UTC) + timedelta(days=stats_keys.MARKER_DAYS)).timestamp())
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(
                    {**stats_keys.marker_key(counter, change_id), stats_keys.TTL_ATTRIBUTE: expires}
                ),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }


def _counts(item: dict[str, Any]) -> dict[str, int]:
    """A counter item's counts: its whole-number attributes other than its key."""
    return {
        name: value
        for name, value in item.items()
        if isinstance(value, int)
        and not isinstance(value, bool)
        and name not in (stats_keys.PK, stats_keys.SK)
    }


def _day_counts(item: dict[str, Any]) -> DayCounts:
    """A day counter item (SK `<day>` or `<day>#<class>`; items before `day` was kept)."""
    return DayCounts(str(item.get("day") or str(item[stats_keys.SK])[:10]), _counts(item))
