"""ShopRepository on the province table: registry entries, credentials and code sequences.

Why: registration must be all-or-nothing (profile, credential hash and the USCC uniqueness
guard in one transaction) and a companycode, once issued, is never issued again (an atomic
counter per division code; a failed registration burns its number rather than reusing it).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.cursor import decode_cursor, encode_cursor
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_errors import cancellation_reasons, error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.json_limits import loads_bounded
from chalicelib.domain.shop import Shop
from chalicelib.errors import ConflictError, FieldError, ValidationFailedError

KIND_SHOP = "shop"


class DynamoShopRepository(TableAdapter):
    def next_sequence(self, division_code: str) -> int:
        with translate_errors():
            response = self.client.update_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.sequence_pk(division_code), keys.SEQUENCE)),
                UpdateExpression="ADD next_value :one",
                ExpressionAttributeValues={":one": to_value(1)},
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["next_value"]["N"])

    def create(self, shop: Shop, secret_hash: str) -> None:
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {
                            **keys.key(keys.uscc_guard_pk(shop.uscc), keys.GUARD),
                            "kind": "uscc_guard",
                            "companycode": shop.companycode,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(_profile_item(shop)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(_credential_item(shop, secret_hash)),
                }
            },
        ]
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            reasons = cancellation_reasons(exc)
            if error_code(exc) == "TransactionCanceledException" and reasons[:1] == [
                "ConditionalCheckFailed"
            ]:
                raise ConflictError(
                    "a shop with this unified social credit code is already registered",
                    code="uscc_already_registered",
                ) from exc
            raise

    def existing_companycode(self, uscc: str) -> str | None:
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.uscc_guard_pk(uscc), keys.GUARD)),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return str(from_item(item)["companycode"]) if item else None

    def get(self, companycode: str, *, consistent: bool = False) -> Shop | None:
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.shop_pk(companycode), keys.SHOP_PROFILE)),
                ConsistentRead=consistent,
            )
        item = response.get("Item")
        return shop_from(from_item(item)) if item else None

    def save(self, shop: Shop, expected_version: int) -> None:
        """Overwrite the profile if it is still at `expected_version` (`shop.version` is the
        next one). Profiles written before versions existed count as version 1."""
        with translate_errors():
            try:
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(_profile_item(shop)),
                    **_version_condition(expected_version),
                )
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    raise _changed_meanwhile() from exc
                raise

    def set_secret(self, shop: Shop, secret_hash: str, expected_version: int) -> None:
        """The new credential and the profile (next generation and version) in one transaction,
        over the profile version the rotation was made from."""
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(_profile_item(shop)),
                    **_version_condition(expected_version),
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(_credential_item(shop, secret_hash)),
                }
            },
        ]
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise _changed_meanwhile() from exc
            raise

    def secret_hash(self, companycode: str) -> str | None:
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.shop_pk(companycode), keys.SHOP_CREDENTIAL)),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return str(from_item(item)["secret_hash"]) if item else None

    def list_registry(
        self,
        province_code: str,
        limit: int,
        cursor: str | None,
        divisions: tuple[str, ...] | None = None,
    ) -> tuple[list[Shop], str | None]:
        if divisions is not None:
            return self._list_divisions(province_code, tuple(sorted(divisions)), limit, cursor)
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.registry_gsi_pk(province_code)}),
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, keys.GSI1PK, keys.registry_gsi_pk(province_code)
            )
        with translate_errors():
            response = self.client.query(**request)
        companycodes = [from_item(i)["companycode"] for i in response.get("Items", [])]
        shops = [s for s in (self.get(c) for c in companycodes) if s is not None]
        return shops, encode_cursor(response.get("LastEvaluatedKey"))

    def _list_divisions(
        self, province_code: str, divisions: tuple[str, ...], limit: int, cursor: str | None
    ) -> tuple[list[Shop], str | None]:
        """Division by division (each a key range of the registry index), one cursor across."""
        index, start_key = _decode_division_cursor(cursor, province_code, divisions)
        companycodes: list[str] = []
        for position in range(index, len(divisions)):
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": keys.GSI1,
                "KeyConditionExpression": "GSI1PK = :pk AND begins_with(GSI1SK, :division)",
                "ExpressionAttributeValues": to_item(
                    {
                        ":pk": keys.registry_gsi_pk(province_code),
                        ":division": keys.registry_gsi_sk(divisions[position], ""),
                    }
                ),
                "Limit": limit - len(companycodes),
            }
            if start_key is not None and position == index:
                request["ExclusiveStartKey"] = start_key
            with translate_errors():
                response = self.client.query(**request)
            companycodes += [from_item(i)["companycode"] for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if last:
                return self._shops(companycodes), _division_cursor(divisions[position], last)
            if len(companycodes) >= limit:
                more = position + 1 < len(divisions)
                cursor = _division_cursor(divisions[position + 1], None) if more else None
                return self._shops(companycodes), cursor
        return self._shops(companycodes), None

    def _shops(self, companycodes: list[str]) -> list[Shop]:
        return [s for s in (self.get(c) for c in companycodes) if s is not None]


def _division_cursor(division: str, last_key: dict[str, Any] | None) -> str:
    data = {"division": division, "key": from_item(last_key) if last_key else None}
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_division_cursor(
    cursor: str | None, province_code: str, divisions: tuple[str, ...]
) -> tuple[int, dict[str, Any] | None]:
    """(index of the division to go on with, its start key); only cursors of this listing."""
    if not cursor:
        return 0, None
    try:
        data = loads_bounded(base64.urlsafe_b64decode(cursor.encode("ascii")))
        division, key = data["division"], data["key"]
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as exc:
        raise _invalid_cursor() from exc
    if division not in divisions:
        raise _invalid_cursor()
    if key is None:
        return divisions.index(division), None
    if (
        not isinstance(key, dict)
        or key.get(keys.GSI1PK) != keys.registry_gsi_pk(province_code)
        or not str(key.get(keys.GSI1SK, "")).startswith(keys.registry_gsi_sk(division, ""))
        or not all(isinstance(v, str) for v in key.values())
    ):
        raise _invalid_cursor()
    return divisions.index(division), to_item(key)


def _version_condition(expected_version: int) -> dict[str, Any]:
    condition = "#version = :version"
    if expected_version == 1:  # written before profiles carried a version
        condition = "attribute_not_exists(#version) OR " + condition
    return {
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": to_item({":version": expected_version}),
    }


def _changed_meanwhile() -> ConflictError:
    return ConflictError(
        "the shop's registry entry changed meanwhile: reload it and retry", code="shop_changed"
    )


def _invalid_cursor() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )


def _profile_item(shop: Shop) -> dict[str, Any]:
    return {
        **keys.key(keys.shop_pk(shop.companycode), keys.SHOP_PROFILE),
        keys.GSI1PK: keys.registry_gsi_pk(shop.province_code),
        keys.GSI1SK: keys.registry_gsi_sk(shop.division_code, shop.companycode),
        "kind": KIND_SHOP,
        "companycode": shop.companycode,
        "province_code": shop.province_code,
        "name": shop.name,
        "uscc": shop.uscc,
        "division_code": shop.division_code,
        "shop_class": shop.shop_class,
        "address": shop.address,
        "contact_name": shop.contact_name,
        "contact_phone": shop.contact_phone,
        "status": shop.status,
        "created_at": shop.created_at.isoformat(),
        "updated_at": shop.updated_at.isoformat(),
        "credential_generation": shop.credential_generation,
        "version": shop.version,
    }


def _credential_item(shop: Shop, secret_hash: str) -> dict[str, Any]:
    return {
        **keys.key(keys.shop_pk(shop.companycode), keys.SHOP_CREDENTIAL),
        "kind": "shop_credential",
        "secret_hash": secret_hash,
        "credential_generation": shop.credential_generation,
    }


def shop_from(attrs: dict[str, Any]) -> Shop:
    """The Shop of a profile item's attributes (also the forwarder's reading of its image)."""
    return Shop(
        companycode=attrs["companycode"],
        name=attrs["name"],
        uscc=attrs["uscc"],
        division_code=attrs["division_code"],
        shop_class=attrs["shop_class"],
        address=attrs.get("address", ""),
        contact_name=attrs.get("contact_name", ""),
        contact_phone=attrs.get("contact_phone", ""),
        status=attrs["status"],
        created_at=datetime.fromisoformat(attrs["created_at"]),
        updated_at=datetime.fromisoformat(attrs["updated_at"]),
        credential_generation=int(attrs.get("credential_generation", 1)),
        version=int(attrs.get("version", 1)),
    )
