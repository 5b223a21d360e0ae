"""The stack's two DynamoDB tables, built from the same definitions local runs and tests use.

Why: `infra/table.json` and `infra/stats_table.json` are the single source of the tables'
keys, indexes, stream and TTL; the deployed tables are those files plus a name. The
protections a production table must have (point-in-time recovery, encryption, deletion
protection, TTL) are checked here, so a definition that loses one fails packaging instead
of deploying an unprotected table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.cfn.fragment import Fragment, fragment, get_att, ref
from infra.cfn.names import RECORDS_TABLE, STATS_TABLE, Stack
from infra.table_definition import MAIN_TABLE, table_properties
from infra.table_definition import STATS_TABLE as STATS_DEFINITION

REQUIRED = {
    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    "SSESpecification": {"SSEEnabled": True},
    "DeletionProtectionEnabled": True,
}


def tables(stack: Stack) -> Fragment:
    return fragment(
        Resources={
            RECORDS_TABLE: _table(MAIN_TABLE, stack.name()),
            STATS_TABLE: _table(STATS_DEFINITION, stack.name("-stats")),
        },
        Outputs={
            "RecordsTableName": {
                "Description": "TABLE_NAME for `python -m infra.admin`",
                "Value": ref(RECORDS_TABLE),
            },
            "StatsTableName": {"Value": ref(STATS_TABLE)},
            "RecordsTableStreamArn": {"Value": get_att(RECORDS_TABLE, "StreamArn")},
        },
    )


def _table(definition: Path, name: Any) -> dict[str, Any]:
    properties = table_properties(definition)
    check_protected(definition.name, properties)
    return {
        "Type": "AWS::DynamoDB::Table",
        # The records are the system of record: never lost with a stack or a replacement.
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"TableName": name, **properties},
    }


def check_protected(source: str, properties: dict[str, Any]) -> None:
    for key, wanted in REQUIRED.items():
        if properties.get(key) != wanted:
            raise ValueError(f"{source}: {key} must be {wanted}")
    ttl = properties.get("TimeToLiveSpecification", {})
    if not (ttl.get("Enabled") and ttl.get("AttributeName")):
        raise ValueError(f"{source}: TimeToLiveSpecification must be enabled")
