"""JSON views of what partners get back: the exchange's results, the OEM batch's results.

Why: a province's forwarder and an OEM read one result per item, in order, and act on each
(retry, report, fix); building those bodies here keeps their shape reviewable beside the
models they pass through.
"""

from __future__ import annotations

from typing import Any

from chalicelib.doors.exchange.models import ExchangeResults, OemBatchResults
from chalicelib.doors.kit.errors import error_body, status_for
from chalicelib.doors.kit.models import conform
from chalicelib.services.oem_feed import ItemOutcome


def exchange_results_view(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The exchange's answer: each item's result, with its index in the batch."""
    return conform(ExchangeResults, {"results": [{"index": i, **r} for i, r in enumerate(results)]})


def oem_results_view(outcomes: list[ItemOutcome]) -> dict[str, Any]:
    """The OEM batch's answer: each item's receipt or error, with its dealer."""
    return conform(OemBatchResults, {"results": [_oem_result(o) for o in outcomes]})


def _oem_result(outcome: ItemOutcome) -> dict[str, Any]:
    head = {"index": outcome.index, "companycode": outcome.companycode}
    if outcome.error is not None:
        return {**head, "status_code": status_for(outcome.error), **error_body(outcome.error)}
    assert outcome.receipt is not None
    status = 201 if outcome.receipt.result == "created" else 200
    return {**head, "status_code": status, **outcome.receipt.to_dict()}
