"""Request schemas of the REST door not yet moved into their doors (chalicelib/doors/).

Why: the bases, `parse` and the record model live in doors/kit/; what is left here moves with
the routes that use it.
"""

from __future__ import annotations

from chalicelib.doors.kit.models import parse, validation_errors
from chalicelib.doors.kit.record_models import (
    MAX_BATCH,
    MAX_LIST_ITEMS,
    PartIn,
    RecordIn,
    RepairItemIn,
)

__all__ = [
    "MAX_BATCH",
    "MAX_LIST_ITEMS",
    "PartIn",
    "RecordIn",
    "RepairItemIn",
    "parse",
    "validation_errors",
]
