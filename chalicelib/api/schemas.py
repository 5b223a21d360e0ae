"""Request schemas of the REST door not yet moved into their doors (chalicelib/doors/).

Why: the bases, `parse` and the record model live in doors/kit/; what is left here moves with
the routes that use it.
"""

from __future__ import annotations

from pydantic import Field

from chalicelib.doors.kit.models import Strict as _Strict
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


class ProvinceTokenRequest(_Strict):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    secret: str = Field(min_length=1, max_length=256)
