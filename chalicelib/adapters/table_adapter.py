"""Base of the DynamoDB adapters: one table name and a client created on first use.

Why: every adapter needs the same two things, and creating the client lazily (not in
__init__, not at import) is what keeps Lambda cold starts cheap.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.aws import dynamodb_client
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors


class TableAdapter:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = dynamodb_client()
        return self._client

    def _get(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        """One item by key, as plain values, or None."""
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table, Key=to_item(keys.key(pk, sk)), ConsistentRead=consistent
            )
        item = response.get("Item")
        return from_item(item) if item else None

    def _put_new(self, item: dict[str, Any]) -> bool:
        """Write an item that must not exist yet; False (nothing written) if it does."""
        from chalicelib.adapters.dynamo_errors import error_code

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

    def _page(
        self,
        partition: tuple[str, str],
        limit: int,
        cursor: str | None,
        *,
        index: str | None = None,
        newest_first: bool = True,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a partition (of the table or of an index), with an opaque cursor that
        only pages within that same partition."""
        from chalicelib.adapters.cursor import decode_cursor, encode_cursor

        attribute, value = partition
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": f"{attribute} = :pk",
            "ExpressionAttributeValues": to_item({":pk": value}),
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if index is not None:
            request["IndexName"] = index
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, attribute, value)
        with translate_errors():
            response = self.client.query(**request)
        items = [from_item(i) for i in response.get("Items", [])]
        return items, encode_cursor(response.get("LastEvaluatedKey"))
