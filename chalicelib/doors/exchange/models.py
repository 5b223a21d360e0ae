"""Request and response models of the partners' door: provinces, agencies and OEMs.

Why: what a province's forwarder, an agency or an OEM sends and gets back is the contract
its developers code against; the served OpenAPI document is built from these models and
every answer passes through them (`conform`). The exchange/v1 items themselves are the
wire contract shared with the province's forwarder (`chalicelib/exchange/v1.py`): the
batch's model here only describes the envelope, for the document.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from chalicelib.doors.kit.models import (
    Day,
    DecimalText,
    ErrorResponse,
    Out,
    ProvinceCode,
    Strict,
    Timestamp,
)
from chalicelib.doors.kit.record_models import MAX_BATCH, ReceiptOut

# --- province <-> ministry exchange ----------------------------------------------------------


class ProvinceTokenRequest(Strict):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    secret: str = Field(min_length=1, max_length=256)


class ExchangeBatchRequest(BaseModel):
    """`POST /v1/exchange/batch`: the province forwarder's changes in the exchange/v1 contract
    (docs/exchange.md), each validated and answered alone; bodies up to 6 MiB."""

    model_config = ConfigDict(extra="forbid")
    contract: Literal["exchange/v1"]
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=100,
        description="`{type: record_version, record: {...}}` or `{type: shop, shop: {...}}`",
    )


class ExchangeResult(Out):
    index: int = Field(ge=0)
    result: Literal["applied", "stale", "duplicate", "rejected", "busy"]
    reason: str | SkipJsonSchema[None] = None
    field: str | SkipJsonSchema[None] = Field(
        default=None, description="rejected: the failing field, e.g. `record.companycode`"
    )
    rule: str | SkipJsonSchema[None] = Field(
        default=None, description="rejected: the rule it breaks, e.g. `own_province`"
    )


class ExchangeResults(Out):
    results: list[ExchangeResult]


# --- agencies' reads -------------------------------------------------------------------------


class ScopedShopOut(Out):
    name: str
    shop_class: str
    shop_class_label: str
    province_code: ProvinceCode


class ScopedItemOut(Out):
    name: str
    labour_hours: DecimalText | SkipJsonSchema[None] = Field(
        default=None, description="full scope only"
    )


class ScopedPartOut(Out):
    name: str
    code: str | SkipJsonSchema[None] = Field(default=None, description="full scope only")
    quantity: DecimalText | SkipJsonSchema[None] = Field(
        default=None, description="full scope only"
    )


class ScopedEntryOut(Out):
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


class GrantRefOut(Out):
    grant_id: str
    expires_at: Timestamp


class AgencyHistoryOut(Out):
    vin: str
    agency_id: str
    agency_name: str
    key_id: str
    purpose: str
    field_scope: Literal["summary", "full"]
    grant: GrantRefOut | None = Field(description="the owner's grant the read relied on")
    records: list[ScopedEntryOut]


# --- the OEM bulk feed (总对总) ----------------------------------------------------------------


class OemTokenRequest(Strict):
    oem_id: str = Field(min_length=1, max_length=32)
    secret: str = Field(min_length=1, max_length=256)


class OemBatchRequest(BaseModel):
    """`POST /v1/oem/records/batch`: REST records, each naming the dealer it is for."""

    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="a record of `POST /v1/records` plus `companycode`: the dealer's",
    )


class OemItemAccepted(ReceiptOut):
    index: int = Field(ge=0)
    companycode: str
    status_code: Literal[200, 201]


class OemItemRefused(ErrorResponse):
    index: int = Field(ge=0)
    companycode: str | None
    status_code: int = Field(ge=400, le=599)


class OemBatchResults(Out):
    results: list[OemItemAccepted | OemItemRefused]
