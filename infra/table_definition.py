"""Reads the table definitions in `infra/` and creates tables from them (moto or any endpoint).

Why: one definition per table serves local provisioning, the tests and the deployment
templates, so the table a test runs against is the table a province deploys.
- `table.json`: the stack's single table (records, registry, tokens, audit), with a stream.
- `stats_table.json`: the statistics table, with no stream (aggregator writes must not feed
  back into the stream they consume).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAIN_TABLE = Path(__file__).with_name("table.json")
STATS_TABLE = Path(__file__).with_name("stats_table.json")


def table_properties(definition: Path = MAIN_TABLE) -> dict[str, Any]:
    return dict(json.loads(definition.read_text(encoding="utf-8"))["Properties"])


def create_table(client: Any, table_name: str, definition: Path = MAIN_TABLE) -> str | None:
    """Create the table (if absent) as defined; return its latest stream ARN, if it has one."""
    props = table_properties(definition)
    if table_name not in client.list_tables().get("TableNames", []):
        request: dict[str, Any] = {
            "TableName": table_name,
            "BillingMode": props["BillingMode"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "SSESpecification": {"Enabled": props["SSESpecification"]["SSEEnabled"]},
        }
        if "GlobalSecondaryIndexes" in props:
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if "StreamSpecification" in props:
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        client.create_table(**request)
        client.get_waiter("table_exists").wait(TableName=table_name)
        ttl = props["TimeToLiveSpecification"]
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={
                "Enabled": ttl["Enabled"],
                "AttributeName": ttl["AttributeName"],
            },
        )
    table = client.describe_table(TableName=table_name)["Table"]
    return table.get("LatestStreamArn")


def create_stack_tables(client: Any, table_name: str, stats_table_name: str) -> str:
    """Both tables of one stack; returns the main table's stream ARN."""
    create_table(client, stats_table_name, STATS_TABLE)
    arn = create_table(client, table_name, MAIN_TABLE)
    assert arn is not None
    return arn
