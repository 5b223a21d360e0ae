"""CloudWatch alarms of one stack, all sent (alarm and recovery) to the AlarmTopicArn topic.

Why: the ops people of a province watch a handful of signals that mean "changes are not
flowing" or "users are failing": a stream handler falling behind (iterator age), failing
(errors) or being throttled; anything in a dead-letter queue; the API's 5xx rate and p99
latency; DynamoDB throttling. Thresholds are constants here, chosen for a province's volume
(a few records per second); docs/deploy.md says what each alarm means and what to do.
"""

from __future__ import annotations

from typing import Any

from infra.cfn.fragment import Fragment, fragment, get_att, ref
from infra.cfn.names import (
    FORWARDER_QUEUE,
    FUNCTIONS,
    RECORDS_TABLE,
    STATS_TABLE,
    STREAM_FAILURE_QUEUE,
    STREAM_FUNCTIONS,
    Function,
    Stack,
)

FIVE_MINUTES = 300
ITERATOR_AGE_MS = 5 * 60 * 1000  # a change older than 5 min not yet handled
API_5XX_PERCENT = 1.0
API_MIN_REQUESTS = 20  # below this in 5 minutes a rate means little
API_P99_MS = 3000
API_STAGE = "api"  # .chalice/config.json api_gateway_stage


def alarms(stack: Stack) -> Fragment:
    resources: dict[str, Any] = {}
    for function in FUNCTIONS:
        resources[f"{function.logical_id}ErrorsAlarm"] = _lambda_alarm(
            stack, function, "Errors", "errors", "invocations failed (crash or timeout)"
        )
        resources[f"{function.logical_id}ThrottlesAlarm"] = _lambda_alarm(
            stack, function, "Throttles", "throttles", "invocations throttled (concurrency)"
        )
        if function in STREAM_FUNCTIONS:
            resources[f"{function.logical_id}IteratorAgeAlarm"] = _alarm(
                stack,
                f"-{function.short_name}-iterator-age",
                "The stream handler is more than 5 minutes behind the table's changes",
                metric=_metric(
                    "AWS/Lambda", "IteratorAge", "FunctionName", ref(function.logical_id)
                ),
                statistic="Maximum",
                threshold=ITERATOR_AGE_MS,
                periods=2,
            )
    queues = [(STREAM_FAILURE_QUEUE, "stream-failures", "Lambda gave up on a stream batch")]
    if stack.is_province:
        queues.append((FORWARDER_QUEUE, "forwarder-dlq", "changes parked: redrive them"))
    for queue, short, meaning in queues:
        resources[f"{queue}DepthAlarm"] = _alarm(
            stack,
            f"-{short}-depth",
            f"Dead-letter queue not empty: {meaning}",
            metric=_metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "QueueName",
                get_att(queue, "QueueName"),
            ),
            statistic="Maximum",
            threshold=1,
        )
    for table in (RECORDS_TABLE, STATS_TABLE):
        resources[f"{table}ThrottlesAlarm"] = _table_throttles(stack, table)
    resources["Api5xxRateAlarm"] = _api_5xx_rate(stack)
    resources["ApiLatencyP99Alarm"] = _alarm(
        stack,
        "-api-latency-p99",
        f"p99 API latency above {API_P99_MS} ms for 15 minutes",
        metric=_api_metric(stack, "Latency"),
        extended_statistic="p99",
        threshold=API_P99_MS,
        comparison="GreaterThanThreshold",
        periods=3,
    )
    return fragment(Resources=resources)


def _lambda_alarm(
    stack: Stack, function: Function, metric: str, short: str, meaning: str
) -> dict[str, Any]:
    return _alarm(
        stack,
        f"-{function.short_name}-{short}",
        f"{function.short_name}: {meaning}",
        metric=_metric("AWS/Lambda", metric, "FunctionName", ref(function.logical_id)),
        statistic="Sum",
        threshold=1,
    )


def _table_throttles(stack: Stack, table: str) -> dict[str, Any]:
    suffix = "-records" if table == RECORDS_TABLE else "-stats"
    queries = [
        _query(letter, _metric("AWS/DynamoDB", name, "TableName", ref(table)), "Sum")
        for letter, name in (("r", "ReadThrottleEvents"), ("w", "WriteThrottleEvents"))
    ]
    return _math_alarm(
        stack,
        f"{suffix}-table-throttles",
        "DynamoDB throttled reads or writes (a hot key, or an account limit)",
        "r + w",
        queries,
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        periods=1,
    )


def _api_5xx_rate(stack: Stack) -> dict[str, Any]:
    queries = [
        _query("errors", _api_metric(stack, "5XXError"), "Sum"),
        _query("requests", _api_metric(stack, "Count"), "Sum"),
    ]
    return _math_alarm(
        stack,
        "-api-5xx-rate",
        f"More than {API_5XX_PERCENT}% of API requests answered 5xx "
        f"(in 2 of 3 five-minute periods with at least {API_MIN_REQUESTS} requests)",
        f"IF(requests >= {API_MIN_REQUESTS}, 100 * errors / requests, 0)",
        queries,
        threshold=API_5XX_PERCENT,
        comparison="GreaterThanThreshold",
        periods=3,
        datapoints=2,
    )


def _api_metric(stack: Stack, name: str) -> dict[str, Any]:
    return {
        "Namespace": "AWS/ApiGateway",
        "MetricName": name,
        "Dimensions": [
            {"Name": "ApiName", "Value": stack.name("-api")},
            {"Name": "Stage", "Value": API_STAGE},
        ],
    }


def _metric(namespace: str, name: str, dimension: str, value: Any) -> dict[str, Any]:
    return {
        "Namespace": namespace,
        "MetricName": name,
        "Dimensions": [{"Name": dimension, "Value": value}],
    }


def _query(query_id: str, metric: dict[str, Any], stat: str) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {"Metric": metric, "Period": FIVE_MINUTES, "Stat": stat},
        "ReturnData": False,
    }


def _common(stack: Stack, suffix: str, description: str) -> dict[str, Any]:
    topic = [ref("AlarmTopicArn")]
    return {
        "AlarmName": stack.name(suffix),
        "AlarmDescription": description,
        "AlarmActions": topic,
        "OKActions": topic,
        "TreatMissingData": "notBreaching",
    }


def _alarm(
    stack: Stack,
    suffix: str,
    description: str,
    *,
    metric: dict[str, Any],
    threshold: float,
    statistic: str | None = None,
    extended_statistic: str | None = None,
    comparison: str = "GreaterThanOrEqualToThreshold",
    periods: int = 1,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        **_common(stack, suffix, description),
        **metric,
        "Period": FIVE_MINUTES,
        "EvaluationPeriods": periods,
        "Threshold": threshold,
        "ComparisonOperator": comparison,
    }
    if extended_statistic:
        properties["ExtendedStatistic"] = extended_statistic
    else:
        properties["Statistic"] = statistic
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}


def _math_alarm(
    stack: Stack,
    suffix: str,
    description: str,
    expression: str,
    queries: list[dict[str, Any]],
    *,
    threshold: float,
    comparison: str,
    periods: int,
    datapoints: int | None = None,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        **_common(stack, suffix, description),
        "Metrics": [
            *queries,
            {"Id": "result", "Expression": expression, "Label": suffix.strip("-")},
        ],
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": datapoints or periods,
        "Threshold": threshold,
        "ComparisonOperator": comparison,
    }
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}
