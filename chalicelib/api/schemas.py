"""Request schemas of the REST door not yet moved into their doors (chalicelib/doors/).

Why: the bases, `parse` and the record model live in doors/kit/; what is left here moves with
the routes that use it.
"""

from __future__ import annotations

from pydantic import Field, StrictInt, field_validator

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


class RegulatorTokenRequest(_Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    # Missing or wrong, the code answers the same 401 as a wrong password (not a 400).
    totp: str = Field(default="", max_length=16)


class CreateAccountRequest(_Strict):
    username: str = Field(min_length=2, max_length=64)
    role: str = Field(min_length=1, max_length=32)
    divisions: list[str] = Field(default_factory=list, max_length=50)


class RegisterShopRequest(_Strict):
    name: str = Field(min_length=1, max_length=100)
    uscc: str = Field(min_length=18, max_length=18)
    division_code: str = Field(pattern=r"^\d{6}$")
    shop_class: str = Field(min_length=1, max_length=20)
    address: str = Field(min_length=1, max_length=200)
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: str = Field(pattern=r"^[0-9+\- ]{5,20}$")

    @field_validator("uscc")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class EditShopRequest(_Strict):
    """A change of a registry entry: the version it was made from, and the fields to change.
    Identity (companycode, USCC, division) is not editable: naming it is an unknown field."""

    version: StrictInt = Field(ge=1)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    address: str | None = Field(default=None, min_length=1, max_length=200)
    shop_class: str | None = Field(default=None, min_length=1, max_length=20)
    contact_name: str | None = Field(default=None, min_length=1, max_length=50)
    contact_phone: str | None = Field(default=None, pattern=r"^[0-9+\- ]{5,20}$")
