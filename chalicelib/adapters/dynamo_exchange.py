"""Ministry-side storage of the exchange: province credentials, status, and registry copies.

Why: the ministry holds a read-only copy of each province's shop registry (without contacts)
and, per province, when it last heard from it and how far behind it was. Registry copies are
version-guarded on `updated_at`, so a replayed or late change never overwrites a newer one,
and each copy moves its province's count of active shops by class in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_errors import cancellation_reasons, error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.shop import active_count_deltas
from chalicelib.errors import ServiceUnavailableError

COPY_ATTEMPTS = 5
COUNT_PREFIX = "active_"


class DynamoExchangeStore(TableAdapter):
    def put_credential(
        self, province_code: str, secret_hash: str, at: datetime | None = None
    ) -> int:
        """Create or rotate a province's exchange credential; returns its new generation.

        A new generation ends every token issued under the previous one (AuthService checks
        it on each exchange batch), and a revoked credential becomes usable again.
        """
        moment = (at or datetime.now(UTC)).isoformat()
        with translate_errors():
            response = self.client.update_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.exchange_credential_pk(province_code), keys.CREDENTIAL)),
                UpdateExpression=(
                    "SET secret_hash = :h, kind = :k, revoked = :f, issued_at = :at "
                    "REMOVE revoked_at ADD generation :one"
                ),
                ExpressionAttributeValues={
                    ":h": to_value(secret_hash),
                    ":k": to_value("exchange_credential"),
                    ":f": to_value(False),
                    ":at": to_value(moment),
                    ":one": to_value(1),
                },
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["generation"]["N"])

    def revoke_credential(self, province_code: str, at: datetime) -> dict[str, Any] | None:
        """Revoke a province's credential (its tokens stop at once); None if it has none.

        Revoking twice changes nothing the second time (the generation moves only once).
        """
        try:
            with translate_errors():
                response = self.client.update_item(
                    TableName=self._table,
                    Key=to_item(
                        keys.key(keys.exchange_credential_pk(province_code), keys.CREDENTIAL)
                    ),
                    UpdateExpression="SET revoked = :t, revoked_at = :at ADD generation :one",
                    ConditionExpression="attribute_exists(PK) AND revoked = :f",
                    ExpressionAttributeValues={
                        ":t": to_value(True),
                        ":f": to_value(False),
                        ":at": to_value(at.isoformat()),
                        ":one": to_value(1),
                    },
                    ReturnValues="ALL_NEW",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return self.credential(province_code)
            raise
        return from_item(response["Attributes"])

    def credential(self, province_code: str) -> dict[str, Any] | None:
        with translate_errors():
            item = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.exchange_credential_pk(province_code), keys.CREDENTIAL)),
                ConsistentRead=True,
            ).get("Item")
        return from_item(item) if item else None

    def credentials(self, province_codes: list[str]) -> dict[str, dict[str, Any]]:
        """The credentials (without their hashes) of the given provinces that have one."""
        wanted = [
            to_item(keys.key(keys.exchange_credential_pk(code), keys.CREDENTIAL))
            for code in province_codes
        ]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 100):  # BatchGetItem reads at most 100 keys
            request: dict[str, Any] = {
                self._table: {
                    "Keys": wanted[start : start + 100],
                    "ProjectionExpression": "PK, generation, revoked, issued_at, revoked_at",
                }
            }
            while request:
                with translate_errors():
                    response = self.client.batch_get_item(RequestItems=request)
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = from_item(raw)
                    found[keys.province_of_credential_pk(str(item["PK"]))] = item
                request = response.get("UnprocessedKeys") or {}
        return found

    def put_shop_copy(self, shop: dict[str, Any]) -> bool:
        """Store a province's shop entry unless a newer one is held; False if stale.

        The copy and the province's count of active shops by class change in one transaction
        conditional on the copy read, so a replayed or concurrent change never counts twice
        and the ministry's coverage needs no scan of the national registry.
        """
        pk = keys.shop_pk(shop["companycode"])
        item = {
            **keys.key(pk, keys.SHOP_PROFILE),
            keys.GSI1PK: keys.registry_gsi_pk(shop["province_code"]),
            keys.GSI1SK: keys.registry_gsi_sk(shop["division_code"], shop["companycode"]),
            "kind": "shop_copy",
            **shop,
        }
        for _ in range(COPY_ATTEMPTS):
            held = self._get(pk, keys.SHOP_PROFILE)
            if held is not None and str(held.get("updated_at", "")) >= shop["updated_at"]:
                return False
            put: dict[str, Any] = {"TableName": self._table, "Item": to_item(item)}
            if held is None:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            else:
                put["ConditionExpression"] = "updated_at = :held"
                put["ExpressionAttributeValues"] = {":held": to_value(held["updated_at"])}
            actions: list[dict[str, Any]] = [{"Put": put}]
            deltas = active_count_deltas(held, shop)
            if deltas:
                actions.append({"Update": self._count_update(shop["province_code"], deltas)})
            try:
                with translate_errors():
                    self.client.transact_write_items(TransactItems=actions)
            except Exception as exc:
                if "ConditionalCheckFailed" in cancellation_reasons(exc):
                    continue  # changed since read: read again
                raise
            return True
        raise ServiceUnavailableError("the registry copy keeps changing, retry", 1)

    def active_counts(self, province_code: str) -> dict[str, int]:
        """The province's active registry copies by class (one read, no scan)."""
        item = self._get(keys.registry_count_pk(province_code), keys.REGISTRY_COUNT)
        if item is None:
            return {}
        return {
            k.removeprefix(COUNT_PREFIX): int(v)
            for k, v in item.items()
            if k.startswith(COUNT_PREFIX) and int(v)
        }

    def _count_update(self, province_code: str, deltas: dict[str, int]) -> dict[str, Any]:
        names = {f"#c{i}": COUNT_PREFIX + c for i, c in enumerate(sorted(deltas))}
        values = {f":d{i}": to_value(deltas[c]) for i, c in enumerate(sorted(deltas))}
        adds = ", ".join(f"#c{i} :d{i}" for i in range(len(deltas)))
        return {
            "TableName": self._table,
            "Key": to_item(keys.key(keys.registry_count_pk(province_code), keys.REGISTRY_COUNT)),
            "UpdateExpression": f"SET kind = :kind ADD {adds}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {**values, ":kind": to_value("registry_count")},
        }

    def has_shop(self, companycode: str) -> bool:
        with translate_errors():
            item = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.shop_pk(companycode), keys.SHOP_PROFILE)),
                ProjectionExpression="PK",
            ).get("Item")
        return item is not None

    def touch_province(self, province_code: str, at: datetime, lag_seconds: float | None) -> None:
        """Record a batch from the province; `lag_seconds` None keeps the last lag measured."""
        values = {
            ":at": to_value(at.isoformat()),
            ":k": to_value("province_status"),
            ":one": to_value(1),
        }
        lag = ""
        if lag_seconds is not None:
            values[":lag"] = to_value(round(lag_seconds))
            lag = ", last_lag_seconds = :lag"
        with translate_errors():
            self.client.update_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.PROVINCES_PK, province_code)),
                UpdateExpression=f"SET last_exchange_at = :at{lag}, kind = :k ADD batches :one",
                ExpressionAttributeValues=values,
            )

    def provinces(self) -> list[dict[str, Any]]:
        with translate_errors():
            response = self.client.query(
                TableName=self._table,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.PROVINCES_PK}),
            )
        return [from_item(i) for i in response.get("Items", [])]
