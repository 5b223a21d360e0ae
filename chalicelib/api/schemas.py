"""Request schemas of the REST door: the HTTP contract, separate from the domain types.

Why: pydantic gives every failing field at once; `validation_errors` turns its errors into our
{field, rule, message} entries, and `to_content` hands the domain a normalised RecordContent
(trimmed, VIN upper-cased, plate separators removed) before anything is checked or stored.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from chalicelib.domain.plate import PLATE_COLORS, normalize_plate
from chalicelib.domain.record import Part, RecordContent, RepairItem
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import FieldError, ValidationFailedError

MAX_LIST_ITEMS = 200
MAX_BATCH = 100
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )


class RepairItemIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    labour_hours: Decimal = Field(ge=0, le=999, decimal_places=2, allow_inf_nan=False)


class PartIn(_Strict):
    name: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, le=99999, decimal_places=3, allow_inf_nan=False)


class RecordIn(_Strict):
    """One maintenance record, the 13 data elements of JT/T 1132 in English snake_case."""

    vin: str = Field(min_length=1, max_length=32)
    plate_number: str = Field(default="", max_length=16)
    plate_color: str | None = None
    company_name: str = Field(min_length=1, max_length=100)
    repair_date: date
    repair_mileage: StrictInt = Field(ge=0, le=9_999_999)
    settlement_date: date
    fault_description: str = Field(min_length=1, max_length=500)
    settlement_list_code: str = Field(min_length=1, max_length=50, pattern=r"^[^\x00-\x1f]+$")
    repair_items: list[RepairItemIn] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    parts: list[PartIn] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    correction_reason: str | None = Field(default=None, max_length=250)

    @field_validator("repair_date", "settlement_date", mode="before")
    @classmethod
    def _iso_date_text(cls, value: Any) -> Any:
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value

    @field_validator("plate_color")
    @classmethod
    def _known_color(cls, value: str | None) -> str | None:
        if value is not None and value not in PLATE_COLORS:
            raise ValueError(f"must be one of {', '.join(PLATE_COLORS)}")
        return value or None

    def to_content(self) -> RecordContent:
        return RecordContent(
            vin=normalize_vin(self.vin),
            plate_number=normalize_plate(self.plate_number),
            plate_color=self.plate_color,
            company_name=self.company_name,
            repair_date=self.repair_date,
            repair_mileage=self.repair_mileage,
            settlement_date=self.settlement_date,
            fault_description=self.fault_description,
            settlement_list_code=self.settlement_list_code,
            repair_items=tuple(
                RepairItem(name=i.name, labour_hours=i.labour_hours) for i in self.repair_items
            ),
            parts=tuple(Part(name=p.name, code=p.code, quantity=p.quantity) for p in self.parts),
        )


class TokenRequest(_Strict):
    companycode: str = Field(min_length=1, max_length=32)
    secret: str = Field(min_length=1, max_length=256)


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


class VoidRequest(_Strict):
    reason: str = Field(min_length=1, max_length=250)


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


_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_items",
    "too_long": "max_items",
    "greater_than": "exclusive_minimum",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
    "decimal_max_places": "decimal_places",
    "string_pattern_mismatch": "pattern",
    "date_from_datetime_parsing": "date",
    "date_parsing": "date",
    "value_error": "format",
}


def parse(model: type[BaseModel], data: Any, *, prefix: str = "") -> Any:
    """Validate `data` against `model`, raising ValidationFailedError with every failing field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailedError(validation_errors(exc, prefix=prefix)) from exc


def validation_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    errors = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        kind = str(error["type"])
        rule = _RULES.get(kind, "type" if kind.endswith("_type") else kind)
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.append(FieldError(f"{prefix}{path}", rule, message))
    return errors
