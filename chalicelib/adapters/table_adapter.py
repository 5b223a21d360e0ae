"""Base of the DynamoDB adapters: one table name, a client created on first use, and the
reads every adapter shares (one item, a page of a partition, items by key).

Why: every adapter needs the same things, and creating the client lazily (not in __init__,
not at import) is what keeps Lambda cold starts cheap. Reading items by key is here once so
that every BatchGetItem de-duplicates its keys (DynamoDB refuses a repeated key), chunks them
by 100 and retries what DynamoDB leaves unprocessed with a capped, jittered back-off: a busy
table answers "busy, retry" (503) instead of being asked again at once, without end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.aws import dynamodb_client
from chalicelib.adapters.backoff import DEFAULT_BACKOFF, Backoff
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.errors import ServiceUnavailableError

BATCH_GET_MAX_KEYS = 100  # DynamoDB's limit per BatchGetItem request


class TableAdapter:
    def __init__(
        self, table_name: str, client: Any = None, *, backoff: Backoff = DEFAULT_BACKOFF
    ) -> None:
        self._table = table_name
        self._client = client
        self._backoff = backoff

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

    def _batch_get(
        self,
        item_keys: Sequence[Mapping[str, str]],
        *,
        projection: Sequence[str] | None = None,
        consistent: bool = False,
    ) -> list[dict[str, Any]]:
        """The items found for these keys, as plain values, in no particular order.

        A key given twice is read once; keys go 100 to a request; what DynamoDB leaves
        unprocessed is asked again after a full-jitter back-off, for at most
        `backoff.rounds` calls per chunk. `projection` names the attributes to read.

        Raises
        ------
        ServiceUnavailableError
            Keys were still unprocessed after the last round (or the table throttled): the
            caller answers "busy, retry" and nothing it would have written on the result is
            written.
        """
        unique = list({tuple(sorted(k.items())): k for k in item_keys}.values())
        found: list[dict[str, Any]] = []
        for start in range(0, len(unique), BATCH_GET_MAX_KEYS):
            chunk = unique[start : start + BATCH_GET_MAX_KEYS]
            found += self._batch_get_chunk(chunk, projection, consistent)
        return found

    def _batch_get_chunk(
        self,
        chunk: Sequence[Mapping[str, str]],
        projection: Sequence[str] | None,
        consistent: bool,
    ) -> list[dict[str, Any]]:
        table_request: dict[str, Any] = {
            "Keys": [to_item(dict(k)) for k in chunk],
            "ConsistentRead": consistent,
        }
        if projection:
            # Placeholders for every name: some attribute names are reserved words (status).
            names = {f"#p{i}": name for i, name in enumerate(projection)}
            table_request["ProjectionExpression"] = ", ".join(names)
            table_request["ExpressionAttributeNames"] = names
        pending: dict[str, Any] = {self._table: table_request}
        found: list[dict[str, Any]] = []
        for attempt in range(self._backoff.rounds):
            if attempt:
                self._backoff.pause(attempt - 1)
            with translate_errors():
                response = self.client.batch_get_item(RequestItems=pending)
            found += [from_item(i) for i in response.get("Responses", {}).get(self._table, [])]
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                return found
        raise ServiceUnavailableError("storage is busy: some items could not be read", 1)
