"""One CloudWatch dashboard per stack: traffic, errors, latency, streams, queues, capacity.

Why: an ops person opening the console should see on one page whether uploads arrive and
succeed, whether the stream handlers keep up, whether anything is parked, and what DynamoDB
consumes (the figures the cost model in docs/deploy.md is built from). The body is JSON with
`${...}` placeholders that CloudFormation fills in (Fn::Sub), so the dashboard follows the
generated names.
"""

from __future__ import annotations

import json
from typing import Any

from infra.cfn.alarms import API_STAGE
from infra.cfn.fragment import Fragment, fragment, get_att, ref
from infra.cfn.names import (
    DASHBOARD,
    FORWARDER_QUEUE,
    FUNCTIONS,
    RECORDS_TABLE,
    STATS_TABLE,
    STREAM_FAILURE_QUEUE,
    STREAM_FUNCTIONS,
    Function,
    Stack,
)

WIDTH, HEIGHT = 12, 6
# Emitted by chalicelib/services/records.py as EMF under the namespace and service that
# .chalice/config.json sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME).
BUSINESS_METRICS = ("RecordAccepted", "RecordCorrected", "RecordRejected", "RecordFlagged")
METRICS_NAMESPACE = "VehicleMaintenanceRecords"
SERVICE = "vmehr"


def dashboard(stack: Stack) -> Fragment:
    variables: dict[str, Any] = {
        "ApiName": stack.name("-api"),
        "RecordsTableName": ref(RECORDS_TABLE),
        "StatsTableName": ref(STATS_TABLE),
        "FailureQueue": get_att(STREAM_FAILURE_QUEUE, "QueueName"),
        **{f"{f.logical_id}Name": ref(f.logical_id) for f in FUNCTIONS},
    }
    queues = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${FailureQueue}"]]
    if stack.is_province:
        variables["ForwarderQueue"] = get_att(FORWARDER_QUEUE, "QueueName")
        queues.append(
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${ForwarderQueue}"]
        )
    api = ["AWS/ApiGateway", "{metric}", "ApiName", "${ApiName}", "Stage", API_STAGE]
    widgets = [
        _widget("API requests and errors", [_m(api, m) for m in ("Count", "4XXError", "5XXError")]),
        _widget(
            "API latency (ms)",
            [_m(api, "Latency", stat) for stat in ("p50", "p99")]
            + [_m(api, "IntegrationLatency", "p99")],
        ),
        _widget(
            "Lambda invocations and errors",
            [
                ["AWS/Lambda", metric, "FunctionName", _name_of(f)]
                for f in FUNCTIONS
                for metric in ("Invocations", "Errors", "Throttles")
            ],
        ),
        _widget(
            "Lambda duration p99 (ms)",
            [
                [
                    "AWS/Lambda",
                    "Duration",
                    "FunctionName",
                    _name_of(f),
                    {"stat": "p99"},
                ]
                for f in FUNCTIONS
            ],
        ),
        _widget(
            "Stream iterator age (ms, max)",
            [
                [
                    "AWS/Lambda",
                    "IteratorAge",
                    "FunctionName",
                    _name_of(f),
                    {"stat": "Maximum"},
                ]
                for f in STREAM_FUNCTIONS
            ],
        ),
        _widget("Dead-letter queues (messages)", [q + [{"stat": "Maximum"}] for q in queues]),
        _widget(
            "DynamoDB consumed capacity (units per period)",
            [
                ["AWS/DynamoDB", metric, "TableName", table]
                for table in ("${RecordsTableName}", "${StatsTableName}")
                for metric in ("ConsumedWriteCapacityUnits", "ConsumedReadCapacityUnits")
            ],
        ),
        _widget(
            "Uploads (Powertools metrics)",
            [[METRICS_NAMESPACE, name, "service", SERVICE] for name in BUSINESS_METRICS],
        ),
    ]
    for index, widget in enumerate(widgets):
        widget.update({"x": (index % 2) * WIDTH, "y": (index // 2) * HEIGHT})
    body = json.dumps({"widgets": widgets}, ensure_ascii=False, separators=(",", ":"))
    return fragment(
        Resources={
            DASHBOARD: {
                "Type": "AWS::CloudWatch::Dashboard",
                "Properties": {
                    "DashboardName": stack.name(""),
                    "DashboardBody": {"Fn::Sub": [body, variables]},
                },
            }
        },
        Outputs={"DashboardName": {"Value": ref(DASHBOARD)}},
    )


def _name_of(function: Function) -> str:
    return "${" + function.logical_id + "Name}"


def _m(template: list[str], metric: str, stat: str = "Sum") -> list[Any]:
    return [metric if part == "{metric}" else part for part in template] + [{"stat": stat}]


def _widget(title: str, metrics: list[list[Any]]) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "metrics": metrics,
            "region": "${AWS::Region}",
            "period": 300,
            "view": "timeSeries",
            "stat": "Sum",
        },
    }
