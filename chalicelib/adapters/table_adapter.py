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
