"""ShopDirectory on a stack's table: the public facts of registry entries (a province's own,
or the ministry's copies of them), from GSI1, and one entry's state by key.

Why: the consumer page ranks a district's shops by rating. The registry index already
projects name, class and status, so one query per district answers without reading profiles
(which hold contacts the public must not see). The statistics reader docks a shop as its
entry stands now (`registry_state`), which can differ from the class on the shop's first
record. A reminder checks its recipients by key (`entries`), so sending to three shops reads
three entries, not the province's registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.shop import RegistryChange, registry_change


class DynamoShopDirectory(TableAdapter):
    def division_shops(self, division_code: str) -> list[dict[str, str]]:
        return self._registry(division_code[:2] + "0000", f"{division_code}#")

    def province_shops(self, province_code: str) -> list[dict[str, str]]:
        """Every registry entry of the province (public facts and division), by division."""
        return self._registry(province_code, "")

    def registry_state(self, companycode: str) -> RegistryChange | None:
        """One entry's docking state from its companycode, class, status and updated_at
        (strongly consistent), or None (no such shop). Reads only those attributes, never
        the contacts."""
        with translate_errors():
            item = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.shop_pk(companycode), keys.SHOP_PROFILE)),
                ConsistentRead=True,
                ProjectionExpression="companycode, shop_class, #s, updated_at",
                ExpressionAttributeNames={"#s": "status"},
            ).get("Item")
        return registry_change(from_item(item)) if item else None

    def entries(self, companycodes: Sequence[str]) -> list[dict[str, str]]:
        """The entries of these shops that exist, by key (BatchGetItem): companycode,
        province_code and division_code only, never the contacts."""
        wanted = [keys.key(keys.shop_pk(c), keys.SHOP_PROFILE) for c in companycodes]
        projection = ("companycode", "province_code", "division_code")
        return [
            {name: str(item.get(name, "")) for name in projection}
            for item in self._batch_get(wanted, projection=projection)
        ]

    def _registry(self, province_code: str, prefix: str) -> list[dict[str, str]]:
        condition = "GSI1PK = :pk" + (" AND begins_with(GSI1SK, :prefix)" if prefix else "")
        values = {":pk": keys.registry_gsi_pk(province_code)}
        if prefix:
            values[":prefix"] = prefix
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        shops: list[dict[str, str]] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            for raw in response.get("Items", []):
                item = from_item(raw)
                shops.append(
                    {
                        "companycode": str(item["companycode"]),
                        "name": str(item.get("name", "")),
                        "shop_class": str(item.get("shop_class", "")),
                        "status": str(item.get("status", "active")),
                        "division_code": str(item.get("division_code", "")),
                    }
                )
            if not response.get("LastEvaluatedKey"):
                return shops
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
