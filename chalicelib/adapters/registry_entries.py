"""A shop's current registry entry, read by key: the province's own or the ministry's copy.

Why: the statistics reader docks a shop on its first upload under the class on the record;
if the registry changed before that upload's stream record was read (the two travel on
different shards), the entry's current state is what 对接率 must count. Both stack kinds keep
the entry at SHOP#<companycode>/PROFILE in their own table.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter


class DynamoRegistryEntries(TableAdapter):
    def entry(self, companycode: str) -> dict[str, Any] | None:
        """The entry's companycode, class, status and updated_at, or None (no such shop)."""
        with translate_errors():
            item = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.shop_pk(companycode), keys.SHOP_PROFILE)),
                ConsistentRead=True,
                ProjectionExpression="companycode, shop_class, #s, updated_at",
                ExpressionAttributeNames={"#s": "status"},
            ).get("Item")
        return from_item(item) if item else None
