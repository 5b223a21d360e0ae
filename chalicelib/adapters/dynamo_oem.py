"""OemAccountStore on the province's table: one item per OEM account, hash included.

Why: an OEM's account is read on every token exchange and every batch (its dealer list), so
it is one item (`OEM#<id>/CRED`); the account's id is derived from its USCC, which makes a
second registration of the same OEM fail on `attribute_not_exists`. Changes are conditional
on the `updated_at` and `generation` read, so two regulators' edits never overwrite each
other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.oem import OemAccount
from chalicelib.errors import ConflictError


class DynamoOemAccountStore(TableAdapter):
    def create(self, account: OemAccount, secret_hash: str) -> bool:
        try:
            with translate_errors():
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(_item(account, secret_hash)),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, oem_id: str) -> OemAccount | None:
        item = self._get(keys.oem_pk(oem_id), keys.CREDENTIAL)
        return _account_from(item) if item else None

    def secret_hash(self, oem_id: str) -> str | None:
        item = self._get(keys.oem_pk(oem_id), keys.CREDENTIAL)
        return str(item["secret_hash"]) if item else None

    def all(self) -> list[OemAccount]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.OEMS_GSI_PK}),
        }
        ids: list[str] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            ids += [from_item(i)[keys.GSI1SK] for i in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return [a for a in (self.get(i) for i in ids) if a is not None]

    def save(
        self, account: OemAccount, previous: OemAccount, secret_hash: str | None = None
    ) -> None:
        stored_hash = secret_hash or self.secret_hash(previous.oem_id)
        try:
            with translate_errors():
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(_item(account, stored_hash or "")),
                    ConditionExpression="generation = :generation AND updated_at = :updated",
                    ExpressionAttributeValues=to_item(
                        {
                            ":generation": previous.generation,
                            ":updated": previous.updated_at.isoformat(),
                        }
                    ),
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConflictError(
                    "the account changed meanwhile; read it again", code="oem_changed"
                ) from exc
            raise


def _item(account: OemAccount, secret_hash: str) -> dict[str, Any]:
    return {
        **keys.key(keys.oem_pk(account.oem_id), keys.CREDENTIAL),
        keys.GSI1PK: keys.OEMS_GSI_PK,
        keys.GSI1SK: account.oem_id,
        "kind": "oem_account",
        "oem_id": account.oem_id,
        "name": account.name,
        "uscc": account.uscc,
        "dealers": list(account.dealers),
        "status": account.status,
        "generation": account.generation,
        "secret_hash": secret_hash,
        "created_at": account.created_at.isoformat(),
        "updated_at": account.updated_at.isoformat(),
        "created_by": account.created_by or None,
    }


def _account_from(item: dict[str, Any]) -> OemAccount:
    return OemAccount(
        oem_id=item["oem_id"],
        name=item["name"],
        uscc=item["uscc"],
        dealers=tuple(item.get("dealers") or ()),
        status="suspended" if item.get("status") == "suspended" else "active",
        generation=int(item["generation"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        created_by=item.get("created_by") or "",
    )
