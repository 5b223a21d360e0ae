"""GrantStore and AgencyReadLog on the ministry's table.

Why: a read checks the vehicle's grants in one query (`GRANTS#<vin>`: an owner gives a few
grants, never many). Each agency read is written twice in one transaction: under the vehicle
(the owner's "who read my vehicle's file", newest first) and under the agency's China day
(the regulator's export, oldest first, one day per partition so a busy agency never makes a
partition of unbounded size). Read entries expire after 400 days, like the audit log.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item, to_value
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.agency import Grant
from chalicelib.domain.china_time import china_date
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.sharing_ports import AgencyRead

READ_RETENTION = timedelta(days=400)


class DynamoGrantStore(TableAdapter):
    def grants(self, vin: str) -> list[Grant]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.grants_pk(vin)}),
            "ConsistentRead": True,
        }
        grants: list[Grant] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            grants += [_grant_from(from_item(i)) for i in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                return grants
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def add_grant(self, grant: Grant) -> None:
        item = {
            **keys.key(keys.grants_pk(grant.vin), grant.grant_id),
            "kind": "agency_grant",
            "grant_id": grant.grant_id,
            "vin": grant.vin,
            "agency_id": grant.agency_id,
            "agency_name": grant.agency_name,
            "purpose": grant.purpose,
            "created_at": grant.created_at.isoformat(),
            "expires_at": grant.expires_at.isoformat(),
            "plate": grant.plate,
        }
        with translate_errors():
            self.client.put_item(
                TableName=self._table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def revoke_grant(self, vin: str, grant_id: str, at: datetime) -> Grant | None:
        try:
            with translate_errors():
                response = self.client.update_item(
                    TableName=self._table,
                    Key=to_item(keys.key(keys.grants_pk(vin), grant_id)),
                    UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
                    ConditionExpression="attribute_exists(PK)",
                    ExpressionAttributeValues={":at": to_value(at.isoformat())},
                    ReturnValues="ALL_NEW",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return _grant_from(from_item(response["Attributes"]))


class DynamoAgencyReadLog(TableAdapter):
    def append(self, read: AgencyRead) -> None:
        sort_key = f"{read.at.isoformat()}#{read.read_id}"
        body = {
            "kind": "agency_read",
            "read_id": read.read_id,
            "at": read.at.isoformat(),
            "vin": read.vin,
            "agency_id": read.agency_id,
            "agency_name": read.agency_name,
            "key_id": read.key_id,
            "purpose": read.purpose,
            "outcome": read.outcome,
            "code": read.code,
            "grant_id": read.grant_id or None,
            "records": read.records,
            "source_ip": read.source_ip or None,
            keys.TTL_ATTRIBUTE: int((read.at + READ_RETENTION).timestamp()),
        }
        by_vehicle = {**keys.key(keys.vin_reads_pk(read.vin), sort_key), **body}
        by_agency = {
            **keys.key(keys.agency_reads_pk(read.agency_id, china_date(read.at)), sort_key),
            **body,
        }
        with translate_errors():
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": to_item(item)}}
                    for item in (by_vehicle, by_agency)
                ]
            )

    def of_vehicle(self, vin: str, limit: int) -> list[AgencyRead]:
        with translate_errors():
            response = self.client.query(
                TableName=self._table,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.vin_reads_pk(vin)}),
                ScanIndexForward=False,
                Limit=limit,
            )
        return [_read_from(from_item(i)) for i in response.get("Items", [])]

    def of_agency(
        self, agency_id: str, day: date, after: str | None, limit: int
    ) -> tuple[list[AgencyRead], str | None]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.agency_reads_pk(agency_id, day)}),
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = to_item(
                keys.key(keys.agency_reads_pk(agency_id, day), _sort_key_of(after))
            )
        with translate_errors():
            response = self.client.query(**request)
        items = [from_item(i) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_after = _token(from_item(last)[keys.SK]) if last and items else None
        return [_read_from(i) for i in items], next_after


def _token(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode("utf-8")).decode("ascii")


def _sort_key_of(token: str) -> str:
    try:
        sort_key = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise _bad_cursor() from exc
    if "#" not in sort_key or len(sort_key) > 100:
        raise _bad_cursor()
    return sort_key


def _bad_cursor() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )


def _grant_from(item: dict[str, Any]) -> Grant:
    revoked = item.get("revoked_at")
    return Grant(
        grant_id=item["grant_id"],
        vin=item["vin"],
        agency_id=item["agency_id"],
        agency_name=item["agency_name"],
        purpose=item["purpose"],
        created_at=datetime.fromisoformat(item["created_at"]),
        expires_at=datetime.fromisoformat(item["expires_at"]),
        revoked_at=datetime.fromisoformat(revoked) if revoked else None,
        plate=item.get("plate") or "",
    )


def _read_from(item: dict[str, Any]) -> AgencyRead:
    return AgencyRead(
        read_id=item["read_id"],
        at=datetime.fromisoformat(item["at"]),
        vin=item["vin"],
        agency_id=item["agency_id"],
        agency_name=item["agency_name"],
        key_id=item["key_id"],
        purpose=item["purpose"],
        outcome=item["outcome"],
        code=item["code"],
        grant_id=item.get("grant_id") or "",
        records=int(item.get("records", 0)),
        source_ip=item.get("source_ip") or "",
    )
