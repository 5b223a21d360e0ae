"""Response models of the JSON API: what each route answers, as pydantic models.

Why: the served OpenAPI document (`api/openapi.py`) is built from these models, and the views
(`api/views.py`, `api/feedback_views.py`, ...) pass every body through them (`conform`), so the
document and the code cannot drift: a view that adds, drops or mistypes a field fails its own
tests instead of silently breaking clients. Every model forbids undeclared fields, and values
the API writes as text (timestamps, dates, decimals) carry a pattern that both pydantic and a
schema-driven client check.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, Field

from chalicelib.doors.kit.models import (
    Companycode,
    Day,
    DecimalText,
    ErrorResponse,
    FieldErrorOut,
    ProvinceCode,
    RecordId,
    Timestamp,
    TokenResponse,
    conform,
)
from chalicelib.doors.kit.models import Out as _Out
from chalicelib.doors.kit.record_models import ChainOut, FlagOut, PartOut, ReceiptOut, RepairItemOut

__all__ = [
    "ChainOut",
    "ErrorResponse",
    "FieldErrorOut",
    "FlagOut",
    "ReceiptOut",
    "TokenResponse",
    "conform",
]

M = TypeVar("M", bound=BaseModel)


# --- tokens ----------------------------------------------------------------------------------


# --- records ---------------------------------------------------------------------------------


# --- consumers -------------------------------------------------------------------------------


class HistoryShopOut(_Out):
    name: str
    shop_class: str
    shop_class_label: str


class HistoryEntryOut(_Out):
    settlement_date: Day
    repair_date: Day
    mileage: int = Field(ge=0)
    fault_description: str
    repair_items: list[RepairItemOut]
    parts: list[PartOut]
    shop: HistoryShopOut
    province_code: ProvinceCode
    version: int = Field(ge=1)
    corrected: bool
    flags: list[FlagOut]


class VehicleHistory(_Out):
    vin: str
    records: list[HistoryEntryOut]
    withheld: int = Field(
        default=0,
        ge=0,
        description="entries left out because they no longer match the vehicle's chain "
        "(a province stack checks every entry it serves; 0 at the ministry)",
    )


class Health(_Out):
    status: Literal["ok"]


# --- shop registry ---------------------------------------------------------------------------


# --- national interface (always HTTP 200, the outcome is in `code`) --------------------------


# --- ministry exchange -----------------------------------------------------------------------


# --- evaluations and complaints --------------------------------------------------------------


class ScoresOut(_Out):
    appointment: int = Field(ge=1, le=5)
    attitude: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    speed: int = Field(ge=1, le=5)
    price: int = Field(ge=1, le=5)


class TagOut(_Out):
    code: str
    label: str


class EvaluationOut(_Out):
    record_id: RecordId
    settlement_date: Day
    scores: ScoresOut
    overall: DecimalText
    level: Literal["good", "bad"]
    tags: list[TagOut]
    text: str
    created_at: Timestamp
    reply: str | None
    replied_at: Timestamp | None


class CorrectionOut(_Out):
    record_id: RecordId
    version: int = Field(ge=1)
    corrected_at: str
    reason: str | None


ComplaintStatus = Literal["submitted", "accepted", "rejected", "replied", "resolved", "unresolved"]


class ComplaintPublicOut(_Out):
    """What the complainant sees when following the code: the workflow, not the parties."""

    code: str
    kind: Literal["not_uploaded", "incorrect"]
    status: ComplaintStatus
    settlement_list_code: str
    created_at: Timestamp
    updated_at: Timestamp
    rejection_reason: str | None
    shop_read: bool
    shop_reply: str | None
    shop_replied_at: Timestamp | None
    correction: CorrectionOut | None
    outcome_note: str | None
    closed_at: Timestamp | None


class ComplaintShopOut(ComplaintPublicOut):
    """The shop's view: what the complaint is about, never the complainant's phone."""

    vin: str
    plate_number: str
    settlement_date: Day | None
    text: str
    record_id: RecordId | None
    record_version: int | None
    has_photo: bool
    shop_read_at: Timestamp | None


class ComplaintRegulatorOut(ComplaintShopOut):
    companycode: str
    contact_phone: str | None
    regulator_reason: str | None
    regulator_actor: str | None
    version: int = Field(ge=1)


class DivisionOut(_Out):
    code: str = Field(pattern=r"^\d{6}$")
    name: str


class Divisions(_Out):
    divisions: list[DivisionOut]


class DimensionsOut(_Out):
    appointment: DecimalText
    attitude: DecimalText
    quality: DecimalText
    speed: DecimalText
    price: DecimalText


class RankedShopOut(_Out):
    companycode: Companycode
    name: str
    shop_class: str
    shop_class_label: str
    rating: DecimalText = Field(description="shrunk mean (docs/assumptions.md)")
    raw_mean: DecimalText | None
    count: int = Field(ge=0)
    dimensions: DimensionsOut
    top_tags: list[str]


class DirectoryShops(_Out):
    division: str
    shops: list[RankedShopOut]


# --- regulator accounts and the audit trail ---------------------------------------------------


# --- reminders -------------------------------------------------------------------------------


# --- record search and export ----------------------------------------------------------------
