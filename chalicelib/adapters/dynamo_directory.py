"""ShopDirectory on the province table: the public facts of a division's shops, from GSI1.

Why: the consumer page ranks a district's shops by rating. The registry index already
projects name, class and status, so one query per district answers without reading profiles
(which hold contacts the public must not see).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter


class DynamoShopDirectory(TableAdapter):
    def division_shops(self, division_code: str) -> list[dict[str, str]]:
        return self._registry(division_code[:2] + "0000", f"{division_code}#")

    def province_shops(self, province_code: str) -> list[dict[str, str]]:
        """Every registry entry of the province (public facts and division), by division."""
        return self._registry(province_code, "")

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
