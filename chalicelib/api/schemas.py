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
from chalicelib.doors.kit.registry_models import EditShopRequest, RegisterShopRequest

__all__ = [
    "EditShopRequest",
    "MAX_BATCH",
    "MAX_LIST_ITEMS",
    "PartIn",
    "RecordIn",
    "RegisterShopRequest",
    "RepairItemIn",
    "parse",
    "validation_errors",
]


class RegulatorTokenRequest(_Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    # Missing or wrong, the code answers the same 401 as a wrong password (not a 400).
    totp: str = Field(default="", max_length=16)


class CreateAccountRequest(_Strict):
    username: str = Field(min_length=2, max_length=64)
    role: str = Field(min_length=1, max_length=32)
    divisions: list[str] = Field(default_factory=list, max_length=50)


class ProvinceTokenRequest(_Strict):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    secret: str = Field(min_length=1, max_length=256)
