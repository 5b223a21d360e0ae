"""The two stream mappings' wiring: parts run together, and the local poller's event filter."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.streams.handlers import _together
from infra.local.stream_poller import mapping_filters, matches


def _record(sequence: str, event: str = "INSERT", kind: str = "record_version") -> dict[str, Any]:
    return {
        "eventName": event,
        "dynamodb": {"SequenceNumber": sequence, "NewImage": {"kind": {"S": kind}}},
    }


def _failing(*sequences: str) -> Any:
    def part(event: dict[str, Any]) -> dict[str, Any]:
        part.seen = event  # type: ignore[attr-defined]
        return {"batchItemFailures": [{"itemIdentifier": s} for s in sequences]}

    return part


def test_parts_answer_the_union_of_their_failures_lowest_first():
    # Given two parts that each fail different records of one batch
    event = {"Records": [_record("9"), _record("10"), _record("100")]}
    statistics, forwarding = _failing("100"), _failing("9", "100")
    # When they run together
    answer = _together(event, statistics, forwarding)
    # Then both saw the whole batch, and Lambda is told every failure in stream order
    assert statistics.seen is event and forwarding.seen is event
    assert answer == {"batchItemFailures": [{"itemIdentifier": "9"}, {"itemIdentifier": "100"}]}


def test_a_part_that_raises_does_not_keep_the_other_from_running():
    # Given a first part that crashes (DynamoDB busy) and a second that works
    def crashing(event: dict[str, Any]) -> dict[str, Any]:
        raise TimeoutError("busy")

    second = _failing()
    # When they run together / Then the error reaches Lambda (which retries and bisects the
    # batch) only after the second part has run
    with pytest.raises(TimeoutError):
        _together({"Records": [_record("1")]}, crashing, second)
    assert second.seen == {"Records": [_record("1")]}


def test_the_local_poller_passes_the_jobs_handler_only_new_jobs():
    # Given the filters of the province's and the ministry's mappings, as deployed
    province, ministry = mapping_filters("province"), mapping_filters("ministry")
    # When records are held against the jobs handler's patterns
    (jobs,) = province["run_jobs"]

    def passes(record: dict[str, Any]) -> bool:
        return matches(jobs, record)

    # Then new export jobs and import chunks pass; other kinds, updates and removals do not
    assert passes(_record("1", kind="export_job")) and passes(_record("2", kind="import_chunk"))
    assert not passes(_record("3", kind="record_version"))
    assert not passes(_record("4", event="MODIFY", kind="export_job"))
    assert not passes({"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "5"}})
    # and every change reaches the record-changes handler; the ministry has no import chunks
    assert "apply_record_changes" not in province
    assert not matches(ministry["run_jobs"][0], _record("6", kind="import_chunk"))
