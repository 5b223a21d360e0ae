"""The functions' names, environment, tracing and logs, and one least-privilege role each.

Why: Chalice's stage configuration holds literal values (table names, one policy file for
every function). In the template, every value that depends on the deployment comes from a
generated resource or a parameter: table and queue names, the stream ARN, the province code
and the ministry URL; secrets come from Secrets Manager through dynamic references and only
the function that needs one gets it. Powertools tracing, logging and metrics are switched on
here, through environment variables, with X-Ray active tracing on every function.

Each function's role is replaced by its own policy: the API handler reads and writes the
records table and reads statistics; the record-changes handler reads the stream, writes
statistics and (province) counts delivery attempts there and parks changes in its queue, but
never touches record items; the jobs handler reads records (and their indexes) for exports,
marks its export jobs, writes export files below `exports/` only and (province) uploads an
import chunk's records as the API does (record items of the table); the audit digest handler
queries audit entries only (`AUDIT#` keys), writes nothing to the table and is the one role
that may put objects in the digest bucket, below `audit-digests/`, with the one key that
signs them. No statement grants a `*` action, and table statements name their table (and
its indexes) only.
`tests/functional/test_role_permissions.py` checks every call each function makes against
these policies.
"""

from __future__ import annotations

from typing import Any

from infra.cfn.fragment import Fragment, arn_below, fragment, get_att, override, ref, sub
from infra.cfn.names import (
    API_HANDLER,
    AUDIT_DIGEST,
    AUDIT_DIGEST_BUCKET,
    FORWARDER_QUEUE,
    FUNCTIONS,
    JOBS,
    PHOTO_BUCKET,
    RECORD_CHANGES,
    RECORDS_TABLE,
    STATS_TABLE,
    STREAM_FAILURE_QUEUE,
    STREAM_FUNCTIONS,
    Function,
    Stack,
)
from infra.cfn.parameters import secret

AUDIT_KEY_PATTERN = "AUDIT#*"  # adapters/keys.py audit_pk: AUDIT#<day>#<shard>
REGISTRY_KEY_PATTERN = "SHOP#*"  # adapters/keys.py shop_pk: SHOP#<companycode>
RECORD_ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    # The shop portal stores a spreadsheet's chunks 25 at a time (adapters/dynamo_imports.py).
    "dynamodb:BatchWriteItem",
]
# What an upload does (RecordService): read the head and the vehicle's entries, then one
# transaction of puts and a delete; the importer also reads the shop and stores outcomes.
IMPORT_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"]
STATS_READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query"]
STATS_WRITE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
]
STREAM_READ_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]

POWERTOOLS_ENV = {
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_METRICS_DISABLED": "false",
    "POWERTOOLS_TRACE_DISABLED": "false",
    # Responses and errors carry plates, VINs and names: never copy them into traces.
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
}


def functions(stack: Stack) -> Fragment:
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for function in FUNCTIONS:
        resources[function.logical_id] = override(
            {
                "FunctionName": stack.function_name(function),
                "Tracing": "Active",
                "Environment": {"Variables": _environment(stack, function)},
            }
        )
        resources[function.log_group_id] = {
            "Type": "AWS::Logs::LogGroup",
            # Operational logs go with the stack (the audit log is in the table, retained).
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": _log_group_name(stack, function),
                "RetentionInDays": ref("LogRetentionDays"),
            },
        }
        resources[function.role_id] = override(
            {
                "Policies": [
                    {"PolicyName": "least-privilege", "PolicyDocument": _policy(stack, function)}
                ]
            }
        )
        if function != API_HANDLER:  # Chalice outputs APIHandlerName itself
            outputs[f"{function.logical_id}FunctionName"] = {"Value": ref(function.logical_id)}
    return fragment(Resources=resources, Outputs=outputs)


def _log_group_name(stack: Stack, function: Function) -> Any:
    name = stack.function_name(function)
    text = name["Fn::Sub"] if isinstance(name, dict) else name
    return sub("/aws/lambda/" + text) if "${" in text else "/aws/lambda/" + text


def _environment(stack: Stack, function: Function) -> dict[str, Any]:
    env: dict[str, Any] = {
        "STACK_ROLE": stack.stage,
        "TABLE_NAME": ref(RECORDS_TABLE),
        "STATS_TABLE_NAME": ref(STATS_TABLE),
        # Read by app.py at import; the mapping itself is wired in streams.py.
        "STREAM_ARN": get_att(RECORDS_TABLE, "StreamArn"),
        **POWERTOOLS_ENV,
    }
    if stack.is_province:
        env["PROVINCE_CODE"] = ref("ProvinceCode")
    if function == API_HANDLER:
        env["BASE_PATH"] = ref("BasePath")
        env["COOKIE_SECURE"] = "true"
        env["PHOTO_BUCKET"] = ref(PHOTO_BUCKET)  # photos (province) and exports (both)
        env["TOTP_KEY"] = secret(stack, "TotpKeySecretName")  # regulators' second factor
        if not stack.is_province:
            env["EXCHANGE_SOURCE_RANGES"] = ref("ExchangeSourceRanges")
    if function in (API_HANDLER, JOBS) and stack.is_province:
        # Chain links and receipts are signed the same whichever door a record came in by.
        env["SIGNING_KEY"] = secret(stack, "SigningKeySecretName")
    if function == JOBS:
        env["PHOTO_BUCKET"] = ref(PHOTO_BUCKET)  # export files
    if function == AUDIT_DIGEST:
        env["AUDIT_DIGEST_BUCKET"] = ref(AUDIT_DIGEST_BUCKET)
        env["AUDIT_DIGEST_KEY"] = secret(stack, "AuditDigestKeySecretName")
    if function == RECORD_CHANGES and stack.is_province:
        env["MINISTRY_URL"] = ref("MinistryUrl")
        env["EXCHANGE_SECRET"] = secret(stack, "ExchangeSecretName")
        env["DEAD_LETTER_QUEUE_URL"] = ref(FORWARDER_QUEUE)
    return env


def _policy(stack: Stack, function: Function) -> dict[str, Any]:
    statements = [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            get_att(function.log_group_id, "Arn"),
        ),
        # X-Ray has no resource-level permissions: these two actions take "*" as resource.
        _allow("Tracing", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    ]
    if function == API_HANDLER:
        statements += [
            _allow("RecordsTable", RECORD_ITEM_ACTIONS, _table_and_indexes(RECORDS_TABLE)),
            _allow("StatsTableRead", STATS_READ_ACTIONS, [get_att(STATS_TABLE, "Arn")]),
            # Public rate-limit windows and sign-in attempt counters live in the statistics
            # table (it has no stream).
            _allow("RateWindows", ["dynamodb:UpdateItem"], [get_att(STATS_TABLE, "Arn")]),
        ]
        statements.append(
            _allow(
                "PhotosAndExports",
                ["s3:GetObject", "s3:PutObject"],
                arn_below(PHOTO_BUCKET, "/*"),
            )
        )
    elif function in STREAM_FUNCTIONS:
        statements += [
            _allow("TableStream", STREAM_READ_ACTIONS, get_att(RECORDS_TABLE, "StreamArn")),
            _allow("StreamFailures", ["sqs:SendMessage"], get_att(STREAM_FAILURE_QUEUE, "Arn")),
        ]
    if function == RECORD_CHANGES:
        # Counters with their exactly-once markers, and the forwarder's delivery attempts.
        statements.append(
            _allow("StatsTableWrite", STATS_WRITE_ACTIONS, [get_att(STATS_TABLE, "Arn")])
        )
        # A shop's registry entry (SHOP#<companycode>), read once when the shop is docked
        # (its current class and status); no other item of the table.
        registry = _allow(
            "RegistryEntryRead", ["dynamodb:GetItem"], [get_att(RECORDS_TABLE, "Arn")]
        )
        registry["Condition"] = {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [REGISTRY_KEY_PATTERN]}
        }
        statements.append(registry)
        if stack.is_province:
            statements.append(
                _allow("ParkChanges", ["sqs:SendMessage"], get_att(FORWARDER_QUEUE, "Arn"))
            )
    if function == JOBS:
        statements += [
            _allow(
                "SearchRecords",
                ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
                _table_and_indexes(RECORDS_TABLE),
            ),
            _allow("ExportJobs", ["dynamodb:UpdateItem"], [get_att(RECORDS_TABLE, "Arn")]),
            _allow(
                "ExportFiles",
                ["s3:PutObject", "s3:AbortMultipartUpload"],
                arn_below(PHOTO_BUCKET, "/exports/*"),
            ),
        ]
    if function == JOBS and stack.is_province:
        statements.append(_allow("ImportUploads", IMPORT_ACTIONS, [get_att(RECORDS_TABLE, "Arn")]))
    if function in (API_HANDLER, JOBS):
        statements.append(_audit_append_only())
    if function == AUDIT_DIGEST:
        statements += _audit_digest_statements()
    return {"Version": "2012-10-17", "Statement": statements}


def _audit_digest_statements() -> list[dict[str, Any]]:
    """Read the day's audit entries, and store (and find) digests; nothing else."""
    entries = _allow("AuditLogRead", ["dynamodb:Query"], [get_att(RECORDS_TABLE, "Arn")])
    entries["Condition"] = {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [AUDIT_KEY_PATTERN]}
    }
    return [
        entries,
        _allow(
            "AuditDigests",
            ["s3:GetObject", "s3:PutObject"],
            arn_below(AUDIT_DIGEST_BUCKET, "/audit-digests/*"),
        ),
        # Without ListBucket, S3 answers a digest not written yet with 403 instead of 404.
        _allow("AuditDigestNames", ["s3:ListBucket"], get_att(AUDIT_DIGEST_BUCKET, "Arn")),
    ]


def _audit_append_only() -> dict[str, Any]:
    """The audit log is append-only by policy, not only by code: no function that may write
    the table may update, delete or batch-write an item whose partition key is an audit
    day (`AUDIT#…`); new entries are conditional puts (adapters/dynamo_audit.py), and
    entries leave only through TTL, after 400 days (等保: at least 180)."""
    return {
        "Sid": "AuditLogAppendOnly",
        "Effect": "Deny",
        "Action": ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
        "Resource": [get_att(RECORDS_TABLE, "Arn")],
        "Condition": {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": [AUDIT_KEY_PATTERN]}},
    }


def _allow(sid: str, actions: list[str], resource: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _table_and_indexes(table: str) -> list[Any]:
    return [get_att(table, "Arn"), arn_below(table, "/index/*")]
