"""The maintenance record as the JSON doors receive it (REST, the portal's form and import,
the OEM feed), and its normalisation into the domain's RecordContent.

Why: several doors take a record; its fields, limits and the normalisation (trimmed, VIN
upper-cased, plate separators removed) must be one definition.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, StrictInt, field_validator
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.plate import PLATE_COLORS, normalize_plate
from chalicelib.domain.record import Part, RecordContent, RepairItem
from chalicelib.domain.vin import normalize_vin
from chalicelib.doors.kit.models import (
    DecimalText,
    Out,
    RecordId,
    Sha256Hex,
    Strict,
    Timestamp,
)

MAX_LIST_ITEMS = 200
MAX_BATCH = 100
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RepairItemIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    labour_hours: Decimal = Field(ge=0, le=999, decimal_places=2, allow_inf_nan=False)


class PartIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, le=99999, decimal_places=3, allow_inf_nan=False)


class RecordIn(Strict):
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


class FlagOut(Out):
    code: str = Field(description="e.g. vin_check_digit, mileage_rollback")
    field: str
    detail: dict[str, str]


class ChainOut(Out):
    """The version's link in its vehicle's chain, and the province's HMAC of it."""

    vin: str
    seq: int = Field(ge=1)
    prev_hash: str
    hash: Sha256Hex
    signature: str | None


class ReceiptOut(Out):
    record_id: RecordId
    version: int = Field(ge=1)
    result: Literal["created", "unchanged", "corrected", "voided"]
    status: Literal["active", "void"]
    flags: list[FlagOut]
    content_hash: Sha256Hex
    received_at: Timestamp
    chain: ChainOut | SkipJsonSchema[None] = None


class RepairItemOut(Out):
    name: str
    labour_hours: DecimalText


class PartOut(Out):
    name: str
    code: str
    quantity: DecimalText
