"""Reads `infra/table.json` and creates the table from it (moto locally, or any endpoint).

Why: one definition serves local provisioning, the functional tests and the deployment
templates, so the table a test runs against is the table a province deploys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TABLE_DEFINITION = Path(__file__).with_name("table.json")


def table_properties() -> dict[str, Any]:
    return dict(json.loads(TABLE_DEFINITION.read_text(encoding="utf-8"))["Properties"])


def create_table(client: Any, table_name: str) -> str:
    """Create the table (if absent) with streams and TTL; return its latest stream ARN."""
    props = table_properties()
    existing = client.list_tables().get("TableNames", [])
    if table_name not in existing:
        client.create_table(
            TableName=table_name,
            BillingMode=props["BillingMode"],
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            StreamSpecification={"StreamEnabled": True, **props["StreamSpecification"]},
            SSESpecification={"Enabled": props["SSESpecification"]["SSEEnabled"]},
        )
        client.get_waiter("table_exists").wait(TableName=table_name)
        ttl = props["TimeToLiveSpecification"]
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={
                "Enabled": ttl["Enabled"],
                "AttributeName": ttl["AttributeName"],
            },
        )
    return str(client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])
