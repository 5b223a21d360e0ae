"""Which stack is being packaged, and the names of its resources and Chalice's.

Why: the logical ids Chalice generates (`APIHandler`, `ApplyRecordChangesRole`, ...) and the
physical names we give (tables, functions, queues) are spelled once, here. `infra/package.py`
checks that the functions Chalice generated are exactly the ones listed in FUNCTIONS, so a new
handler in `app.py` fails packaging until it gets a role, settings and alarms here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from infra.cfn.fragment import sub

Stage = Literal["province", "ministry"]

# Logical ids of the resources this template adds (Chalice's own ids are in FUNCTIONS).
RECORDS_TABLE = "RecordsTable"
STATS_TABLE = "StatsTable"
STREAM_FAILURE_QUEUE = "StreamFailureQueue"
FORWARDER_QUEUE = "ForwarderDeadLetterQueue"
PHOTO_BUCKET = "PhotoBucket"
AUDIT_DIGEST_BUCKET = "AuditDigestBucket"
REST_API = "RestAPI"  # Chalice's
DASHBOARD = "Dashboard"


@dataclass(frozen=True)
class Function:
    """One Lambda function as Chalice names it, and the short name we deploy it under."""

    logical_id: str
    role_id: str
    short_name: str
    stream_event: str | None = None

    @property
    def log_group_id(self) -> str:
        return f"{self.logical_id}LogGroup"


API_HANDLER = Function("APIHandler", "ApiHandlerRole", "api")
# One table stream allows about two concurrent readers per shard, so the stack reads it with
# two mappings: every change (statistics, forwarding) and new jobs (exports, imports).
RECORD_CHANGES = Function(
    "ApplyRecordChanges",
    "ApplyRecordChangesRole",
    "apply-record-changes",
    "ApplyRecordChangesDynamodbEventSource",
)
JOBS = Function("RunJobs", "RunJobsRole", "run-jobs", "RunJobsDynamodbEventSource")
# Daily, just after the UTC day ends: the audit log's signed digest of that day.
AUDIT_DIGEST = Function("WriteAuditDigest", "WriteAuditDigestRole", "audit-digest")
FUNCTIONS = (API_HANDLER, RECORD_CHANGES, JOBS, AUDIT_DIGEST)
STREAM_FUNCTIONS = tuple(f for f in FUNCTIONS if f.stream_event)


@dataclass(frozen=True)
class Stack:
    """The stack being packaged: its stage and the defaults its parameters get."""

    stage: Stage
    province_code: str = "320000"

    @property
    def is_province(self) -> bool:
        return self.stage == "province"

    @property
    def prefix(self) -> str:
        """Name prefix of every named resource, with CloudFormation `${...}` parameters."""
        return "vmehr-province-${ProvinceCode}" if self.is_province else "vmehr-ministry"

    def name(self, suffix: str = "") -> dict[str, str] | str:
        """A physical name; a plain string where it needs no parameter (cfn-lint W1020)."""
        text = self.prefix + suffix
        return sub(text) if "${" in text else text

    def function_name(self, function: Function) -> dict[str, str] | str:
        return self.name(f"-{function.short_name}")
