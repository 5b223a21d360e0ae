"""Request and response models of the shops' door (REST and the national interface).

Why: what a DMS sends and gets back is the contract its vendor codes against; the served
OpenAPI document is built from these models and every answer passes through them (`conform`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.complaint import REPLY_MAX_LENGTH
from chalicelib.doors.kit.feedback_models import ComplaintShopOut, EvaluationOut
from chalicelib.doors.kit.models import (
    Cursor,
    Day,
    ErrorResponse,
    FieldErrorOut,
    Out,
    RecordId,
    Sha256Hex,
    Strict,
    Timestamp,
)
from chalicelib.doors.kit.record_models import (
    MAX_BATCH,
    FlagOut,
    PartOut,
    ReceiptOut,
    RecordIn,
    RepairItemOut,
)


class TokenRequest(Strict):
    companycode: str = Field(min_length=1, max_length=32)
    secret: str = Field(min_length=1, max_length=256)


class VoidRequest(Strict):
    reason: str = Field(min_length=1, max_length=250)


class RecordBatchRequest(BaseModel):
    """`POST /v1/records/batch`: each item is validated alone (a bad item fails only itself)."""

    model_config = ConfigDict(extra="forbid")
    records: list[RecordIn] = Field(min_length=1, max_length=MAX_BATCH)


class RecordOut(Out):
    """A shop's view of one of its records (the current state, or one version)."""

    record_id: RecordId
    version: int = Field(ge=1)
    status: Literal["active", "void"]
    reason: str | None
    received_at: Timestamp
    updated_at: Timestamp
    content_hash: Sha256Hex
    flags: list[FlagOut]
    vin: str
    plate_number: str
    plate_color: str | None
    company_name: str
    repair_date: Day
    repair_mileage: int = Field(ge=0)
    settlement_date: Day
    fault_description: str
    settlement_list_code: str
    repair_items: list[RepairItemOut]
    parts: list[PartOut]
    source: str = Field(
        pattern=r"^(shop|oem:.+)$",
        description="who uploaded it: `shop` itself, or `oem:<id>` through an OEM's feed (总对总)",
    )


class RecordPage(Out):
    records: list[RecordOut]
    next_cursor: Cursor


class RecordVersions(Out):
    versions: list[RecordOut]


class BatchItemAccepted(ReceiptOut):
    index: int = Field(ge=0)
    status_code: Literal[200, 201]


class BatchItemRefused(ErrorResponse):
    index: int = Field(ge=0)
    status_code: int = Field(ge=400, le=599)


class BatchResults(Out):
    results: list[BatchItemAccepted | BatchItemRefused]


CompatCode = Literal["1", "-1", "-2", "-10", "-11", "-99"]


class CompatAnswer(Out):
    """Every answer of the national interface; failures carry only these fields."""

    code: CompatCode = Field(description='"1" success; negative codes as the national interface')
    status: str = Field(description="Chinese text, e.g. 获取成功, 参数格式不对：basicInfo.vin")
    errors: list[FieldErrorOut] | SkipJsonSchema[None] = None
    error: str | SkipJsonSchema[None] = Field(default=None, description="our error code")


class CompatTokenAnswer(CompatAnswer):
    access_token: str | SkipJsonSchema[None] = None
    expires_at: Timestamp | SkipJsonSchema[None] = None


class CompatUploadAnswer(CompatAnswer):
    receipt: ReceiptOut | SkipJsonSchema[None] = Field(default=None, description="our receipt")


class ShopReplyIn(Strict):
    text: str = Field(min_length=1, max_length=REPLY_MAX_LENGTH)
    link_correction: bool = False


class EvaluationReplyIn(Strict):
    text: str = Field(min_length=1, max_length=REPLY_MAX_LENGTH)


class EvaluationPage(Out):
    evaluations: list[EvaluationOut]
    next_cursor: Cursor


class ShopComplaintPage(Out):
    complaints: list[ComplaintShopOut]
    next_cursor: Cursor


class DeliveryOut(Out):
    reminder_id: str
    title: str
    body: str
    created_at: Timestamp
    read_at: Timestamp | None


class ShopReminders(Out):
    reminders: list[DeliveryOut]
    unread: int = Field(ge=0)
    next_cursor: Cursor
