"""Response models of what agencies (ministry) and OEMs (province) get back themselves.

Why: like `api/responses.py` for the other routes: the OpenAPI document is built from these
models and the routes pass every body through them (`conform`), so the document and the
answers cannot drift. Kept apart because these are issue 5's audiences (agencies, OEMs); the
regulators' administration of them is in `doors/regulator_api/models.py`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from chalicelib.api.responses import (
    Day,
    DecimalText,
    ErrorResponse,
    ProvinceCode,
    ReceiptOut,
    Timestamp,
    _Out,
)


class ScopedShopOut(_Out):
    name: str
    shop_class: str
    shop_class_label: str
    province_code: ProvinceCode


class ScopedItemOut(_Out):
    name: str
    labour_hours: DecimalText | SkipJsonSchema[None] = Field(
        default=None, description="full scope only"
    )


class ScopedPartOut(_Out):
    name: str
    code: str | SkipJsonSchema[None] = Field(default=None, description="full scope only")
    quantity: DecimalText | SkipJsonSchema[None] = Field(
        default=None, description="full scope only"
    )


class ScopedEntryOut(_Out):
    settlement_date: Day
    repair_date: Day
    mileage: int = Field(ge=0)
    shop: ScopedShopOut
    repair_items: list[ScopedItemOut]
    parts: list[ScopedPartOut]
    fault_description: str | SkipJsonSchema[None] = Field(
        default=None, description="full scope only"
    )
    version: int | SkipJsonSchema[None] = Field(default=None, ge=1, description="full only")
    flags: list[str] | SkipJsonSchema[None] = Field(default=None, description="full only")


class GrantRefOut(_Out):
    grant_id: str
    expires_at: Timestamp


class AgencyHistoryOut(_Out):
    vin: str
    agency_id: str
    agency_name: str
    key_id: str
    purpose: str
    field_scope: Literal["summary", "full"]
    grant: GrantRefOut | None = Field(description="the owner's grant the read relied on")
    records: list[ScopedEntryOut]


class OemItemAccepted(ReceiptOut):
    index: int = Field(ge=0)
    companycode: str
    status_code: Literal[200, 201]


class OemItemRefused(ErrorResponse):
    index: int = Field(ge=0)
    companycode: str | None
    status_code: int = Field(ge=400, le=599)


class OemBatchResults(_Out):
    results: list[OemItemAccepted | OemItemRefused]
