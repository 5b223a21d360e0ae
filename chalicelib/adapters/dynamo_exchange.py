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
from chalicelib.adapters.dynamo_auth import credential_from
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_directory import DynamoShopDirectory
from chalicelib.adapters.dynamo_errors import cancellation_reasons, error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.shop import RegistryCopy, active_count_deltas
from chalicelib.errors import ServiceUnavailableError
from chalicelib.services.ports import ExchangeCredential, ProvinceExchange

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

    def revoke_credential(self, province_code: str, at: datetime) -> ExchangeCredential | None:
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
        return credential_from(province_code, from_item(response["Attributes"]))

    def credential(self, province_code: str) -> ExchangeCredential | None:
        with translate_errors():
            item = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.exchange_credential_pk(province_code), keys.CREDENTIAL)),
                ConsistentRead=True,
            ).get("Item")
        return credential_from(province_code, from_item(item)) if item else None

    def credentials(self, province_codes: list[str]) -> dict[str, ExchangeCredential]:
        """The credentials (without their hashes) of the given provinces that have one."""
        wanted = [keys.key(keys.exchange_credential_pk(c), keys.CREDENTIAL) for c in province_codes]
        projection = (keys.PK, "generation", "revoked", "issued_at", "revoked_at")
        found = {}
        for item in self._batch_get(wanted, projection=projection):
            code = keys.province_of_credential_pk(str(item[keys.PK]))
            found[code] = credential_from(code, item)
        return found

    def put_shop_copy(self, copy: RegistryCopy) -> bool:
        """Store a province's shop entry unless a newer one is held; False if stale.

        The item is built here, attribute by attribute, from the validated copy: nothing a
        province sends is spread into it, so no key or kind can be chosen by the sender. The
        copy and the province's count of active shops by class change in one transaction
        conditional on the copy read, so a replayed or concurrent change never counts twice
        and the ministry's coverage needs no scan of the national registry.
        """
        pk = keys.shop_pk(copy.companycode)
        item = _copy_item(copy)
        for _ in range(COPY_ATTEMPTS):
            held = self._get(pk, keys.SHOP_PROFILE)
            if held is not None and _as_new(held, copy):
                return False
            put: dict[str, Any] = {"TableName": self._table, "Item": to_item(item)}
            if held is None:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            else:
                put["ConditionExpression"] = "updated_at = :held"
                put["ExpressionAttributeValues"] = {":held": to_value(held["updated_at"])}
            actions: list[dict[str, Any]] = [{"Put": put}]
            deltas = active_count_deltas(held, copy.counting_view())
            if deltas:
                actions.append({"Update": self._count_update(copy.province_code, deltas)})
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
        return _counts_of(self._get(keys.registry_count_pk(province_code), keys.REGISTRY_COUNT))

    def _count_update(self, province_code: str, deltas: dict[str, int]) -> dict[str, Any]:
        names = {f"#c{i}": COUNT_PREFIX + c for i, c in enumerate(sorted(deltas))}
        values = {f":d{i}": to_value(deltas[c]) for i, c in enumerate(sorted(deltas))}
        adds = ", ".join(f"#c{i} :d{i}" for i in range(len(deltas)))
        return {
            "TableName": self._table,
            "Key": to_item(keys.key(keys.registry_count_pk(province_code), keys.REGISTRY_COUNT)),
            "UpdateExpression": f"SET kind = :kind ADD {adds}, changes :one",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {
                **values,
                ":kind": to_value("registry_count"),
                ":one": to_value(1),
            },
        }

    def recount_active(self, province_code: str) -> tuple[dict[str, int], dict[str, int]]:
        """Count the province's active copies by class from the copies; (before, after).

        Why: the count is kept by `put_shop_copy` and nothing else, so if it ever drifts (a
        partial restore, a hand edit) this is the repair. The new count is written only if no
        copy moved the count while the copies were read (every move adds 1 to `changes`);
        otherwise it counts again. The registry index lags writes by well under a second, so
        run it while the province's feed is quiet, and again to see "unchanged".
        """
        count_key = keys.key(keys.registry_count_pk(province_code), keys.REGISTRY_COUNT)
        for _ in range(COPY_ATTEMPTS):
            held = self._get(count_key[keys.PK], count_key[keys.SK])
            before = _counts_of(held)
            after: dict[str, int] = {}
            for copy in self._registry_copies(province_code):
                for shop_class, delta in active_count_deltas(None, copy).items():
                    after[shop_class] = after.get(shop_class, 0) + delta
            item = {**count_key, "kind": "registry_count", "changes": 0}
            item |= {COUNT_PREFIX + shop_class: n for shop_class, n in after.items()}
            put: dict[str, Any] = {"TableName": self._table, "Item": to_item(item)}
            if held is None:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            else:
                put["ConditionExpression"] = "changes = :seen OR attribute_not_exists(changes)"
                put["ExpressionAttributeValues"] = {":seen": to_value(held.get("changes", 0))}
            try:
                with translate_errors():
                    self.client.put_item(**put)
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    continue  # a copy moved the count meanwhile: count again
                raise
            return before, after
        raise ServiceUnavailableError("the registry keeps changing, retry when it is quiet", 5)

    def _registry_copies(self, province_code: str) -> list[dict[str, str]]:
        """Every shop copy of the province (its status and class)."""
        return DynamoShopDirectory(self._table, self.client).province_shops(province_code)

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

    def provinces(self) -> list[ProvinceExchange]:
        """Every province that has exchanged, in code order, with its exchange status."""
        with translate_errors():
            response = self.client.query(
                TableName=self._table,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.PROVINCES_PK}),
            )
        return [_province_exchange(from_item(i)) for i in response.get("Items", [])]


def _copy_item(copy: RegistryCopy) -> dict[str, Any]:
    return {
        **keys.key(keys.shop_pk(copy.companycode), keys.SHOP_PROFILE),
        keys.GSI1PK: keys.registry_gsi_pk(copy.province_code),
        keys.GSI1SK: keys.registry_gsi_sk(copy.division_code, copy.companycode),
        "kind": "shop_copy",
        "companycode": copy.companycode,
        "province_code": copy.province_code,
        "name": copy.name,
        "uscc": copy.uscc,
        "division_code": copy.division_code,
        "shop_class": copy.shop_class,
        "status": copy.status,
        "created_at": copy.created_at.isoformat(),
        "updated_at": copy.updated_at.isoformat(),
    }


def _as_new(held: dict[str, Any], copy: RegistryCopy) -> bool:
    """Whether the held copy is as new as `copy` or newer (compared as moments, not text)."""
    try:
        return datetime.fromisoformat(str(held["updated_at"])) >= copy.updated_at
    except (KeyError, TypeError, ValueError):
        return False  # no readable moment: the copy sent replaces it


def _counts_of(item: dict[str, Any] | None) -> dict[str, int]:
    """The non-zero class counts of a registry count item ({} for none)."""
    return {
        k.removeprefix(COUNT_PREFIX): int(v)
        for k, v in (item or {}).items()
        if k.startswith(COUNT_PREFIX) and int(v)
    }


def _province_exchange(item: dict[str, Any]) -> ProvinceExchange:
    lag = item.get("last_lag_seconds")
    return ProvinceExchange(
        province_code=str(item[keys.SK]),
        last_exchange_at=item.get("last_exchange_at"),
        last_lag_seconds=int(lag) if lag is not None else None,
        batches=int(item.get("batches", 0)),
    )
