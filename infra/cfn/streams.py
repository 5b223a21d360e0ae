"""Stream event source mappings (the settings Chalice cannot express) and their queues.

Why: `@app.on_dynamodb_record` only knows batch size, starting position and batching window.
Lambda's defaults would retry a failing batch until its records expire, so one poison record
stalls a shard for a day. Here each mapping gets ReportBatchItemFailures (our handlers answer
`batchItemFailures`), bisection on function errors, a retry cap, a maximum record age and an
SQS on-failure destination, and is wired to the generated table's stream.

The forwarder counts its own failed deliveries per change and parks a change in its own
dead-letter queue (with the payload, for `python -m infra.admin redrive`) after
FORWARD_MAX_ATTEMPTS; the mapping's retry cap is set above that, so the forwarder parks a
change before Lambda gives up on it. Lambda's on-failure destination receives only the
batch's coordinates (shard, sequence numbers), so it is a last-resort alarm, not a store.
"""

from __future__ import annotations

import json
from typing import Any

from infra.cfn.fragment import Fragment, fragment, get_att, override, ref
from infra.cfn.names import (
    AGGREGATOR,
    EXPORTER,
    FORWARDER,
    FORWARDER_QUEUE,
    IMPORTER,
    RECORDS_TABLE,
    STREAM_FAILURE_QUEUE,
    Function,
    Stack,
)

FOURTEEN_DAYS = 14 * 24 * 3600
ONE_DAY = 24 * 3600  # the stream keeps a change 24 h; older records are gone anyway
DEFAULT_FORWARD_MAX_ATTEMPTS = 8

# Statistics are not read in real time: a wider window means fewer, fuller invocations.
# The forwarder's window bounds how late the ministry sees a change.
BATCHING_WINDOW_SECONDS = {
    AGGREGATOR.logical_id: 10,
    FORWARDER.logical_id: 2,
    EXPORTER.logical_id: 0,  # a regulator is waiting for the file
    IMPORTER.logical_id: 0,  # a shop is watching its import's result page
}
# The aggregator is replay-safe and fails mostly on throttling: retry longer. An export
# marks itself failed after its own attempts (services/record_export.py).
RETRY_ATTEMPTS = {AGGREGATOR.logical_id: 20, EXPORTER.logical_id: 4, IMPORTER.logical_id: 10}
# The importer's batch size (2) should count import chunks, not every write of the province:
# Lambda's event filter hands it only the INSERTs of chunk items (its handler ignores the rest).
IMPORT_CHUNK_FILTER = {
    "eventName": ["INSERT"],
    "dynamodb": {"NewImage": {"kind": {"S": ["import_chunk"]}}},
}


def stream_queues(stack: Stack) -> Fragment:
    resources: dict[str, Any] = {
        STREAM_FAILURE_QUEUE: _queue(stack.name("-stream-failures")),
        f"{STREAM_FAILURE_QUEUE}Policy": _tls_only(STREAM_FAILURE_QUEUE),
    }
    outputs: dict[str, Any] = {
        "StreamFailureQueueUrl": {
            "Description": "Lambda's on-failure destination: batches a stream handler gave up on",
            "Value": ref(STREAM_FAILURE_QUEUE),
        }
    }
    if stack.is_province:
        # The name the province's IAM policy and runbook have always used.
        resources[FORWARDER_QUEUE] = _queue("vmehr-forwarder-dlq-${ProvinceCode}")
        resources[f"{FORWARDER_QUEUE}Policy"] = _tls_only(FORWARDER_QUEUE)
        outputs["ForwarderDeadLetterQueueUrl"] = {
            "Description": "DEAD_LETTER_QUEUE_URL for `python -m infra.admin redrive`",
            "Value": ref(FORWARDER_QUEUE),
        }
    return fragment(Resources=resources, Outputs=outputs)


def stream_mappings(stack: Stack, forward_max_attempts: int) -> Fragment:
    return fragment(
        Resources={
            AGGREGATOR.logical_id: _mapping(AGGREGATOR, enabled=True, retries=None),
            # The ministry forwards nowhere: its forwarder stays deployed but never invoked.
            FORWARDER.logical_id: _mapping(
                FORWARDER, enabled=stack.is_province, retries=forward_max_attempts + 2
            ),
            EXPORTER.logical_id: _mapping(EXPORTER, enabled=True, retries=None),
            # Only provinces collect records: the ministry's importer is never invoked.
            IMPORTER.logical_id: _mapping(
                IMPORTER, enabled=stack.is_province, retries=None, only=IMPORT_CHUNK_FILTER
            ),
        }
    )


def _mapping(
    function: Function,
    *,
    enabled: bool,
    retries: int | None,
    only: dict[str, Any] | None = None,
) -> dict[str, Any]:
    assert function.stream_event is not None
    attempts = retries or RETRY_ATTEMPTS[function.logical_id]
    mapping = override(
        {
            "Events": {
                function.stream_event: {
                    "Properties": {
                        "Stream": get_att(RECORDS_TABLE, "StreamArn"),
                        "Enabled": enabled,
                        "FunctionResponseTypes": ["ReportBatchItemFailures"],
                        "BisectBatchOnFunctionError": True,
                        "MaximumRetryAttempts": attempts,
                        "MaximumRecordAgeInSeconds": ONE_DAY,
                        "MaximumBatchingWindowInSeconds": BATCHING_WINDOW_SECONDS[
                            function.logical_id
                        ],
                        "DestinationConfig": {
                            "OnFailure": {"Destination": get_att(STREAM_FAILURE_QUEUE, "Arn")}
                        },
                    }
                }
            }
        }
    )
    if only is not None:
        properties = mapping["Properties"]["Events"][function.stream_event]["Properties"]
        properties["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps(only)}]}
    return mapping


def _queue(name: Any) -> dict[str, Any]:
    if isinstance(name, str) and "${" in name:
        name = {"Fn::Sub": name}
    return {
        "Type": "AWS::SQS::Queue",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "QueueName": name,
            "MessageRetentionPeriod": FOURTEEN_DAYS,
            "SqsManagedSseEnabled": True,
        },
    }


def _tls_only(queue: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [ref(queue)],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyWithoutTls",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sqs:*",
                        "Resource": get_att(queue, "Arn"),
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            },
        },
    }
