"""Stream event source mappings (the settings Chalice cannot express) and their queues.

Why: `@app.on_dynamodb_record` only knows batch size, starting position and batching window.
Lambda's defaults would retry a failing batch until its records expire, so one poison record
stalls a shard for a day. Here each mapping gets ReportBatchItemFailures (our handlers answer
`batchItemFailures`), bisection on function errors, a retry cap, a maximum record age and an
SQS on-failure destination, and is wired to the generated table's stream.

DynamoDB Streams serves about two concurrent readers per shard (more are throttled and fall
behind), so each stack has exactly two mappings on its table's stream:
- `ApplyRecordChanges` reads every change: statistics, then (province) forwarding;
- `RunJobs` is handed only new job items (an event filter: INSERTs of `kind` export_job, and
  import_chunk on a province), one per invocation, so its batches count jobs, not writes.

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
    FORWARDER_QUEUE,
    JOBS,
    RECORD_CHANGES,
    RECORDS_TABLE,
    STREAM_FAILURE_QUEUE,
    Function,
    Stack,
)

FOURTEEN_DAYS = 14 * 24 * 3600
ONE_DAY = 24 * 3600  # the stream keeps a change 24 h; older records are gone anyway
DEFAULT_FORWARD_MAX_ATTEMPTS = 8

# The window bounds how late the ministry sees a change (statistics are not read in real
# time, and at a province's volume a batch holds about one upload's changes either way). A
# regulator waits for an export's file and a shop watches its import's result page: no wait.
BATCHING_WINDOW_SECONDS = {RECORD_CHANGES.logical_id: 2, JOBS.logical_id: 0}
# Statistics are replay-safe and fail mostly on throttling: retry long. An export marks itself
# failed after its own 3 attempts (services/record_export.py); a chunk is retried 10 times.
STATISTICS_RETRY_ATTEMPTS = 20
JOBS_RETRY_ATTEMPTS = 10
# Jobs of different items (an export, another import's chunks) run side by side on one shard,
# so a 15-minute export does not hold up the chunks behind it; one item's records stay in order.
JOBS_PARALLELIZATION = 4
JOB_KINDS = {"province": ["export_job", "import_chunk"], "ministry": ["export_job"]}


def jobs_filter(stage: str) -> dict[str, Any]:
    """The jobs mapping's event filter: new job items only (the local poller applies it too)."""
    return {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": JOB_KINDS[stage]}}}}


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
    changes_retries = max(STATISTICS_RETRY_ATTEMPTS, forward_max_attempts + 2)
    return fragment(
        Resources={
            RECORD_CHANGES.logical_id: _mapping(RECORD_CHANGES, retries=changes_retries),
            JOBS.logical_id: _mapping(
                JOBS,
                retries=JOBS_RETRY_ATTEMPTS,
                only=jobs_filter(stack.stage),
                parallel=JOBS_PARALLELIZATION,
            ),
        }
    )


def _mapping(
    function: Function,
    *,
    retries: int,
    only: dict[str, Any] | None = None,
    parallel: int = 1,
) -> dict[str, Any]:
    assert function.stream_event is not None
    properties: dict[str, Any] = {
        "Stream": get_att(RECORDS_TABLE, "StreamArn"),
        "Enabled": True,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": retries,
        "MaximumRecordAgeInSeconds": ONE_DAY,
        "MaximumBatchingWindowInSeconds": BATCHING_WINDOW_SECONDS[function.logical_id],
        "DestinationConfig": {"OnFailure": {"Destination": get_att(STREAM_FAILURE_QUEUE, "Arn")}},
    }
    if parallel > 1:
        properties["ParallelizationFactor"] = parallel
    if only is not None:
        properties["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps(only)}]}
    return override({"Events": {function.stream_event: {"Properties": properties}}})


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
