"""Bearer tokens and regulator accounts on the stack's table.

Why: tokens are looked up by the SHA-256 of their value (one GetItem per cold lookup) and
expire through DynamoDB TTL; the expiry is also checked in code because TTL deletion lags.
Failed sign-ins are counted elsewhere (adapters/dynamo_attempts.py, on the statistics table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.principal import Principal
from chalicelib.domain.regulator_account import RegulatorAccount
from chalicelib.errors import ConflictError
from chalicelib.services.ports import ExchangeCredential


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
            "province": principal.province or None,
            "divisions": list(principal.divisions) or None,
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
            province=item.get("province") or "",
            divisions=tuple(item.get("divisions") or ()),
        )

    def delete(self, digest: str) -> None:
        with translate_errors():
            self.client.delete_item(
                TableName=self._table, Key=to_item(keys.key(keys.token_pk(digest), keys.TOKEN))
            )


class DynamoAccountRepository(TableAdapter):
    """Regulator accounts (`ADMIN#<username>/CRED`, listed through GSI1 `ADMINS`)."""

    def create_regulator(self, account: RegulatorAccount) -> None:
        """Raises ConflictError if the username is taken."""
        with translate_errors():
            try:
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(_account_item(account)),
                    ConditionExpression="attribute_not_exists(PK)",
                )
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    raise ConflictError(
                        "this regulator account exists already", code="account_exists"
                    ) from exc
                raise

    def regulator(self, username: str) -> RegulatorAccount | None:
        item = self._get(keys.admin_pk(username), keys.CREDENTIAL)
        return _account_from(item) if item else None

    def replace_regulator(self, account: RegulatorAccount, expected_generation: int) -> None:
        """Store a changed account if nobody changed it since it was read (else ConflictError)."""
        with translate_errors():
            try:
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(_account_item(account)),
                    ConditionExpression="generation = :expected",
                    ExpressionAttributeValues=to_item({":expected": expected_generation}),
                )
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    raise ConflictError(
                        "the account changed meanwhile; read it again", code="account_changed"
                    ) from exc
                raise

    def accept_totp_step(self, username: str, step: int) -> bool:
        """Remember `step` as used; False if this or a later step was accepted already."""
        with translate_errors():
            try:
                self.client.update_item(
                    TableName=self._table,
                    Key=to_item(keys.key(keys.admin_pk(username), keys.CREDENTIAL)),
                    UpdateExpression="SET totp_last_step = :step",
                    ConditionExpression="attribute_exists(PK) AND "
                    "(attribute_not_exists(totp_last_step) OR totp_last_step < :step)",
                    ExpressionAttributeValues=to_item({":step": step}),
                )
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    return False
                raise
        return True

    def list_regulators(self) -> list[RegulatorAccount]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.ADMINS_GSI_PK}),
        }
        usernames: list[str] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            usernames += [from_item(i)[keys.GSI1SK] for i in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return [a for a in (self.regulator(u) for u in usernames) if a is not None]

    def exchange_credential(self, province_code: str) -> ExchangeCredential | None:
        item = self._get(keys.exchange_credential_pk(province_code), keys.CREDENTIAL)
        return credential_from(province_code, item) if item else None


def credential_from(province_code: str, item: dict[str, Any]) -> ExchangeCredential:
    """A province's exchange credential item (or its projection without the hash)."""
    return ExchangeCredential(
        province_code=province_code,
        generation=int(item.get("generation", 0)),
        revoked=bool(item.get("revoked")),
        issued_at=item.get("issued_at"),
        revoked_at=item.get("revoked_at"),
        secret_hash=item.get("secret_hash"),
    )


def _account_item(account: RegulatorAccount) -> dict[str, Any]:
    return {
        **keys.key(keys.admin_pk(account.username), keys.CREDENTIAL),
        keys.GSI1PK: keys.ADMINS_GSI_PK,
        keys.GSI1SK: account.username,
        "kind": "regulator",
        "username": account.username,
        "role": account.role,
        "divisions": list(account.divisions) or None,
        "password_hash": account.password_hash,
        "totp_sealed": account.totp_sealed or None,
        "totp_last_step": account.totp_last_step,
        "generation": account.generation,
        "disabled": account.disabled,
        "created_at": account.created_at.isoformat(),
        "updated_at": account.updated_at.isoformat(),
        "created_by": account.created_by or None,
    }


def _account_from(item: dict[str, Any]) -> RegulatorAccount:
    created = item.get("created_at") or "1970-01-01T00:00:00+00:00"
    return RegulatorAccount(
        username=item["username"],
        role=item["role"],
        divisions=tuple(item.get("divisions") or ()),
        password_hash=item["password_hash"],
        totp_sealed=item.get("totp_sealed") or "",
        generation=int(item["generation"]),
        disabled=bool(item.get("disabled", False)),
        created_at=datetime.fromisoformat(created),
        updated_at=datetime.fromisoformat(item.get("updated_at") or created),
        created_by=item.get("created_by") or "",
        totp_last_step=int(item.get("totp_last_step") or 0),
    )
