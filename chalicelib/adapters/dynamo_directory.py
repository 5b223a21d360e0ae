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
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk AND begins_with(GSI1SK, :division)",
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.registry_gsi_pk(division_code[:2] + "0000"),
                    ":division": f"{division_code}#",
                }
            ),
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
                    }
                )
            if not response.get("LastEvaluatedKey"):
                return shops
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
