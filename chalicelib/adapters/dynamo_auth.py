"""Bearer tokens, failed-login counters and regulator accounts on the province table.

Why: tokens are looked up by the SHA-256 of their value (one GetItem per cold lookup) and
expire through DynamoDB TTL; the expiry is also checked in code because TTL deletion lags.
Failed logins are counted per principal in a windowed item so brute force is locked out
whether or not the principal exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item, to_value
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.principal import Principal
from chalicelib.errors import ConflictError


class DynamoTokenStore(TableAdapter):
    def put(self, digest: str, principal: Principal) -> None:
        item = {
            **keys.key(keys.token_pk(digest), keys.TOKEN),
            "kind": "token",
            "principal_kind": principal.kind,
            "principal_id": principal.principal_id,
            "role": principal.role,
            "generation": principal.generation,
            "expires_at": principal.expires_at.isoformat(),
            keys.TTL_ATTRIBUTE: int(principal.expires_at.timestamp()),
        }
        with translate_errors():
            self.client.put_item(TableName=self._table, Item=to_item(item))

    def get(self, digest: str) -> Principal | None:
        item = self._get(keys.token_pk(digest), keys.TOKEN)
        if not item:
            return None
        return Principal(
            kind=item["principal_kind"],
            principal_id=item["principal_id"],
            role=item["role"],
            generation=int(item["generation"]),
            expires_at=datetime.fromisoformat(item["expires_at"]),
        )

    def delete(self, digest: str) -> None:
        with translate_errors():
            self.client.delete_item(
                TableName=self._table, Key=to_item(keys.key(keys.token_pk(digest), keys.TOKEN))
            )

    def failures(self, kind: str, principal_id: str, now: datetime) -> int:
        item = self._get(keys.login_failure_pk(kind, principal_id), keys.LOGIN_FAILURE)
        if not item or int(item[keys.TTL_ATTRIBUTE]) <= int(now.timestamp()):
            return 0
        return int(item["failures"])

    def add_failure(self, kind: str, principal_id: str, now: datetime, window: int) -> int:
        """Count one failure; a window that has ended starts again from one."""
        key = to_item(keys.key(keys.login_failure_pk(kind, principal_id), keys.LOGIN_FAILURE))
        now_epoch = int(now.timestamp())
        with translate_errors():
            try:
                response = self.client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="ADD failures :one SET #ttl = if_not_exists(#ttl, :end)",
                    ConditionExpression="attribute_not_exists(#ttl) OR #ttl > :now",
                    ExpressionAttributeNames={"#ttl": keys.TTL_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":one": to_value(1),
                        ":end": to_value(now_epoch + window),
                        ":now": to_value(now_epoch),
                    },
                    ReturnValues="UPDATED_NEW",
                )
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
                response = self.client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET failures = :one, #ttl = :end",
                    ExpressionAttributeNames={"#ttl": keys.TTL_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":one": to_value(1),
                        ":end": to_value(now_epoch + window),
                    },
                    ReturnValues="UPDATED_NEW",
                )
        return int(response["Attributes"]["failures"]["N"])

    def clear_failures(self, kind: str, principal_id: str) -> None:
        with translate_errors():
            self.client.delete_item(
                TableName=self._table,
                Key=to_item(
                    keys.key(keys.login_failure_pk(kind, principal_id), keys.LOGIN_FAILURE)
                ),
            )

    def lockout_ends(self, kind: str, principal_id: str) -> datetime | None:
        item = self._get(keys.login_failure_pk(kind, principal_id), keys.LOGIN_FAILURE)
        if not item:
            return None
        return datetime.fromtimestamp(int(item[keys.TTL_ATTRIBUTE]), UTC)


class DynamoAccountRepository(TableAdapter):
    def create_regulator(self, username: str, role: str, password_hash: str) -> None:
        item = {
            **keys.key(keys.admin_pk(username), keys.CREDENTIAL),
            "kind": "regulator",
            "username": username,
            "role": role,
            "password_hash": password_hash,
            "generation": 1,
        }
        with translate_errors():
            try:
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(item),
                    ConditionExpression="attribute_not_exists(PK)",
                )
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    raise ConflictError("this regulator account exists already") from exc
                raise

    def regulator(self, username: str) -> dict[str, Any] | None:
        return self._get(keys.admin_pk(username), keys.CREDENTIAL)

    def exchange_credential(self, province_code: str) -> dict[str, Any] | None:
        return self._get(keys.exchange_credential_pk(province_code), keys.CREDENTIAL)
