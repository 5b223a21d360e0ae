"""AgencyStore on the ministry's table: agencies, their keys' terms and the key lookup entries.

Why: a read presents only the key, so each key has a lookup entry under the SHA-256 of its
secret carrying a copy of the key's terms (one strongly consistent GetItem per read, which
sees a revocation at once). The key's own item (under its agency) is what the console lists
and what a rotation or revocation changes; both items change in one transaction, so the two
never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.agency import Agency, AgencyKey
from chalicelib.errors import ConflictError


class DynamoAgencyStore(TableAdapter):
    def create_agency(self, agency: Agency) -> bool:
        item = {
            **keys.key(keys.AGENCIES_PK, agency.agency_id),
            "kind": "agency",
            "agency_id": agency.agency_id,
            "name": agency.name,
            "agency_kind": agency.kind,
            "created_at": agency.created_at.isoformat(),
            "created_by": agency.created_by or None,
        }
        try:
            with translate_errors():
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(item),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def agency(self, agency_id: str) -> Agency | None:
        item = self._get(keys.AGENCIES_PK, agency_id)
        return _agency_from(item) if item else None

    def agencies(self) -> list[Agency]:
        return [_agency_from(i) for i in self._query_all(keys.AGENCIES_PK)]

    def add_key(self, key: AgencyKey, digest: str) -> None:
        with translate_errors():
            self.client.transact_write_items(
                TransactItems=[
                    self._put(_key_item(key, digest), "attribute_not_exists(PK)"),
                    self._put(_lookup_item(key, digest), "attribute_not_exists(PK)"),
                ]
            )

    def keys_of(self, agency_id: str) -> list[AgencyKey]:
        return [_key_from(i) for i in self._query_all(keys.agency_keys_pk(agency_id))]

    def key(self, agency_id: str, key_id: str) -> AgencyKey | None:
        item = self._get(keys.agency_keys_pk(agency_id), key_id)
        return _key_from(item) if item else None

    def key_by_digest(self, digest: str) -> AgencyKey | None:
        item = self._get(keys.agency_key_lookup_pk(digest), keys.AGENCY_KEY_LOOKUP)
        return _key_from(item) if item else None

    def rotate_key(self, key: AgencyKey, new_digest: str, at: datetime) -> AgencyKey:
        stored = self._get(keys.agency_keys_pk(key.agency_id), key.key_id)
        if stored is None or stored.get("status") != "active":
            raise ConflictError("a revoked key cannot be rotated", code="key_revoked")
        old_digest = str(stored["digest"])
        rotated = AgencyKey(
            **{**_key_fields(key), "generation": key.generation + 1, "rotated_at": at}
        )
        key_put = self._put(_key_item(rotated, new_digest), "generation = :expected")
        key_put["Put"]["ExpressionAttributeValues"] = {":expected": to_value(key.generation)}
        try:
            with translate_errors():
                self.client.transact_write_items(
                    TransactItems=[
                        key_put,
                        self._put(_lookup_item(rotated, new_digest), "attribute_not_exists(PK)"),
                        self._retire(old_digest, at),
                    ]
                )
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise ConflictError(
                    "the key changed meanwhile; read it again", code="key_changed"
                ) from exc
            raise
        return rotated

    def revoke_key(self, key: AgencyKey, at: datetime) -> AgencyKey:
        stored = self._get(keys.agency_keys_pk(key.agency_id), key.key_id)
        if stored is None:
            raise ConflictError("no such key", code="key_changed")
        if stored.get("status") == "revoked":
            return _key_from(stored)
        revoked = AgencyKey(**{**_key_fields(key), "status": "revoked", "revoked_at": at})
        with translate_errors():
            self.client.transact_write_items(
                TransactItems=[
                    self._put(_key_item(revoked, str(stored["digest"]))),
                    self._retire(str(stored["digest"]), at),
                ]
            )
        return revoked

    def _retire(self, digest: str, at: datetime) -> dict[str, Any]:
        """The lookup entry of a secret that must stop working: kept, marked revoked, so the
        caller is told `key_revoked` rather than `key_invalid`."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(keys.key(keys.agency_key_lookup_pk(digest), keys.AGENCY_KEY_LOOKUP)),
                "UpdateExpression": "SET #status = :revoked, revoked_at = :at",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":revoked": to_value("revoked"),
                    ":at": to_value(at.isoformat()),
                },
            }
        }

    def _put(self, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": to_item(item)}
        if condition:
            put["ConditionExpression"] = condition
        return {"Put": put}

    def _query_all(self, pk: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": pk}),
        }
        items: list[dict[str, Any]] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            items += [from_item(i) for i in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _agency_from(item: dict[str, Any]) -> Agency:
    return Agency(
        agency_id=item["agency_id"],
        name=item["name"],
        kind=item["agency_kind"],
        created_at=datetime.fromisoformat(item["created_at"]),
        created_by=item.get("created_by") or "",
    )


def _key_fields(key: AgencyKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "agency_id": key.agency_id,
        "agency_name": key.agency_name,
        "purpose": key.purpose,
        "field_scope": key.field_scope,
        "quota_per_day": key.quota_per_day,
        "burst_per_minute": key.burst_per_minute,
        "status": key.status,
        "created_at": key.created_at,
        "generation": key.generation,
        "rotated_at": key.rotated_at,
        "revoked_at": key.revoked_at,
    }


def _terms(key: AgencyKey) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in _key_fields(key).items()
    }


def _key_item(key: AgencyKey, digest: str) -> dict[str, Any]:
    return {
        **keys.key(keys.agency_keys_pk(key.agency_id), key.key_id),
        "kind": "agency_key",
        "digest": digest,
        **_terms(key),
    }


def _lookup_item(key: AgencyKey, digest: str) -> dict[str, Any]:
    return {
        **keys.key(keys.agency_key_lookup_pk(digest), keys.AGENCY_KEY_LOOKUP),
        "kind": "agency_key_lookup",
        **_terms(key),
    }


def _key_from(item: dict[str, Any]) -> AgencyKey:
    def moment(name: str) -> datetime | None:
        value = item.get(name)
        return datetime.fromisoformat(value) if value else None

    created = moment("created_at")
    assert created is not None
    return AgencyKey(
        key_id=item["key_id"],
        agency_id=item["agency_id"],
        agency_name=item["agency_name"],
        purpose=item["purpose"],
        field_scope=item["field_scope"],
        quota_per_day=int(item["quota_per_day"]),
        burst_per_minute=int(item["burst_per_minute"]),
        status="revoked" if item.get("status") == "revoked" else "active",
        created_at=created,
        generation=int(item.get("generation", 1)),
        rotated_at=moment("rotated_at"),
        revoked_at=moment("revoked_at"),
    )
