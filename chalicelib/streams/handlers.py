"""Stream handler bodies: Lambda's event in, `{"batchItemFailures": [...]}` out.

Why: `app.py` stays a thin wiring module; these functions are what the Chalice handlers call
on AWS and what the local stream poller calls through those same handlers. Both return the
partial-failure answer Lambda expects once the mapping has ReportBatchItemFailures.

A DynamoDB stream serves about two concurrent readers per shard, so a stack reads its table's
stream through two mappings only: `record_changes_batch` (statistics, then forwarding to the
ministry) sees every change, and `jobs_batch` (export jobs, import chunks) sees only the new
job items its mapping's filter passes. Each runs its parts on the whole batch and answers the
union of their failures: Lambda resumes from the lowest failed record, so a part that
succeeded sees some records again, which every part tolerates (each is replay-safe).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.bootstrap import change_forwarder, statistics_aggregator
from chalicelib.config import get_settings
from chalicelib.observability import metrics, subsegment


def _answer(failed: list[str]) -> dict[str, Any]:
    if metrics.metric_set:
        metrics.flush_metrics()
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


def record_changes_batch(event: dict[str, Any]) -> dict[str, Any]:
    """Every change of the table → statistics, then (province) the ministry."""
    return _together(event, aggregate_batch, forward_batch)


def jobs_batch(event: dict[str, Any]) -> dict[str, Any]:
    """New export jobs → CSV files; new import chunks → uploads (province)."""
    return _together(event, export_batch, import_batch)


def _together(
    event: dict[str, Any], *parts: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Run every part on the batch; answer the union of their failures, ordered.

    A part that raises does not stop the others; the first error is raised afterwards, so
    Lambda retries (and bisects) the batch as it would for that part alone.
    """
    failed: set[str] = set()
    error: Exception | None = None
    for part in parts:
        try:
            with subsegment(part.__name__):
                answer = part(event)
        except Exception as exc:
            error = error or exc
            continue
        failed.update(f["itemIdentifier"] for f in answer["batchItemFailures"])
    if error is not None:
        raise error
    ordered = sorted(failed, key=lambda sequence: (len(sequence), sequence))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in ordered]}


def aggregate_batch(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.streams.stream_records import statistics_changes

    changes = statistics_changes(event.get("Records", []))
    return _answer(statistics_aggregator().handle(changes))


def forward_batch(event: dict[str, Any]) -> dict[str, Any]:
    """Record versions and registry changes → the ministry (province only).

    A province without MINISTRY_URL forwards nothing: a stand-alone local stack or test. The
    deployment template always sets it on a province (tests/unit/test_deploy_template.py).
    """
    from chalicelib.streams.stream_records import forwardable_changes

    settings = get_settings()
    if settings.stack_role != "province" or not settings.ministry_url:
        return _answer([])
    return _answer(change_forwarder().handle(forwardable_changes(event.get("Records", []))))


def export_batch(event: dict[str, Any]) -> dict[str, Any]:
    """New export jobs -> CSV files; a failed job is reported and retried by the stream."""
    from chalicelib.bootstrap import export_service
    from chalicelib.streams.stream_records import export_requests

    requests = export_requests(event.get("Records", []))
    if not requests:
        return _answer([])
    return _answer(export_service().run_requested(requests))


def import_batch(event: dict[str, Any]) -> dict[str, Any]:
    """New import chunks → their rows uploaded as the shop (province only), in stream order."""
    from chalicelib.bootstrap import record_import_service
    from chalicelib.streams.stream_records import import_chunks

    if get_settings().stack_role != "province":
        return _answer([])
    chunks = import_chunks(event.get("Records", []))
    if not chunks:
        return _answer([])
    return _answer(record_import_service().process_delivered(chunks))
