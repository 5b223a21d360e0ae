"""The daily audit digest run: yesterday's digest (UTC day), or the day an operator names.

Why: a thin edge like the stream handlers: it reads the event, calls one service and logs the
outcome. The schedule fires just after the UTC day ends; an operator re-runs a missed day by
invoking the function with `{"detail": {"day": "YYYY-MM-DD"}}` in a scheduled event's shape
(docs/deploy.md). When the day's chains were already broken as they were digested, the digest
is stored with what was found and the run then fails, so the function's errors alarm reaches
the operators; a retry finds the digest stored and ends quietly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.observability import logger


class AuditLogFindingsError(Exception):
    """The day's audit log was already not what its chains say when it was digested."""


def digest_audit_log(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.bootstrap import audit_digests

    requested = (event.get("detail") or {}).get("day")
    service = audit_digests()
    outcome = (
        service.write(date.fromisoformat(requested)) if requested else service.write_yesterday()
    )
    summary = {
        "day": outcome.day.isoformat(),
        "written": outcome.written,
        "entries": outcome.entries,
        "findings": len(outcome.findings),
    }
    logger.info("audit digest", extra=summary)
    if outcome.findings:
        for finding in outcome.findings:
            logger.error("audit log finding", extra={"finding": str(finding)})
        raise AuditLogFindingsError(
            f"{len(outcome.findings)} findings in the audit log of {summary['day']}: "
            "run `python -m infra.admin audit-verify --day` (docs/deploy.md)"
        )
    return summary
