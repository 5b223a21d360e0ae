"""The fragments of each stage's merge template, in one list per stage.

Why: the one place that says what a province stack and the ministry stack consist of beyond
what Chalice generates. To add a resource, write a builder `(Stack) -> Fragment` and append
it to the stage's list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.cfn.alarms import alarms
from infra.cfn.api import rest_api
from infra.cfn.audit_digests import audit_digest_bucket
from infra.cfn.dashboard import dashboard
from infra.cfn.fragment import Fragment, combine
from infra.cfn.functions import functions
from infra.cfn.names import Stack
from infra.cfn.parameters import parameters
from infra.cfn.photos import photo_bucket
from infra.cfn.streams import DEFAULT_FORWARD_MAX_ATTEMPTS, stream_mappings, stream_queues
from infra.cfn.tables import tables

Builder = Callable[[Stack], Fragment]

COMMON: list[Builder] = [
    parameters,
    tables,
    stream_queues,
    functions,
    rest_api,
    alarms,
    dashboard,
    audit_digest_bucket,
]
# The ministry's bucket holds national exports only (it receives no complaint photos).
BUILDERS: dict[str, list[Builder]] = {
    "province": [*COMMON, photo_bucket],
    "ministry": [*COMMON, photo_bucket],
}

DESCRIPTION = {
    "province": "汽车维修电子健康档案系统 province stack: records API, statistics, forwarding",
    "ministry": "汽车维修电子健康档案系统 ministry stack: national exchange, history, statistics",
}


def merge_template(
    stack: Stack, forward_max_attempts: int = DEFAULT_FORWARD_MAX_ATTEMPTS
) -> dict[str, Any]:
    """The template `chalice package --merge-template` merges into Chalice's own."""
    pieces = [build(stack) for build in BUILDERS[stack.stage]]
    pieces.append(stream_mappings(stack, forward_max_attempts))
    return {"Description": DESCRIPTION[stack.stage], **combine(pieces)}
