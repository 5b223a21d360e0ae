"""Response models of the JSON API: what each route answers, as pydantic models.

Why: the served OpenAPI document (`api/openapi.py`) is built from these models, and the views
(`api/views.py`, ...) pass every body through them (`conform`), so the
document and the code cannot drift: a view that adds, drops or mistypes a field fails its own
tests instead of silently breaking clients. Every model forbids undeclared fields, and values
the API writes as text (timestamps, dates, decimals) carry a pattern that both pydantic and a
schema-driven client check.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from chalicelib.doors.kit.feedback_models import ComplaintRegulatorOut
from chalicelib.doors.kit.models import (
    Companycode,
    Cursor,
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
from chalicelib.doors.kit.record_models import ChainOut, FlagOut, ReceiptOut

__all__ = [
    "ChainOut",
    "DecimalText",
    "ErrorResponse",
    "FieldErrorOut",
    "FlagOut",
    "ReceiptOut",
    "TokenResponse",
    "conform",
]

M = TypeVar("M", bound=BaseModel)


# --- tokens ----------------------------------------------------------------------------------


class RegulatorTokenResponse(TokenResponse):
    role: str
    divisions: list[str] = Field(description="the districts a district officer covers; empty: all")


# --- records ---------------------------------------------------------------------------------


# --- shop registry ---------------------------------------------------------------------------


class ShopOut(_Out):
    companycode: Companycode
    name: str
    uscc: str
    division_code: str
    shop_class: str
    shop_class_label: str
    address: str
    contact_name: str
    contact_phone: str
    status: Literal["active", "suspended"]
    created_at: Timestamp
    updated_at: Timestamp
    version: int = Field(ge=1, description="the entry's version: send it back with an edit")


class ShopWithSecret(ShopOut):
    secret: str = Field(min_length=1, description="shown once: store it in the shop's DMS")


class ShopPage(_Out):
    shops: list[ShopOut]
    next_cursor: Cursor


# --- national interface (always HTTP 200, the outcome is in `code`) --------------------------


# --- ministry exchange -----------------------------------------------------------------------


class ExchangeResult(_Out):
    index: int = Field(ge=0)
    result: Literal["applied", "stale", "duplicate", "rejected", "busy"]
    reason: str | SkipJsonSchema[None] = None
    field: str | SkipJsonSchema[None] = Field(
        default=None, description="rejected: the failing field, e.g. `record.companycode`"
    )
    rule: str | SkipJsonSchema[None] = Field(
        default=None, description="rejected: the rule it breaks, e.g. `own_province`"
    )


class ExchangeResults(_Out):
    results: list[ExchangeResult]


class ProvinceStatus(_Out):
    province_code: ProvinceCode
    last_exchange_at: Timestamp | None
    exchange_lag_seconds: int | None
    records_held: int = Field(ge=0)
    batches: int = Field(ge=0)


class Provinces(_Out):
    provinces: list[ProvinceStatus]


class CredentialOut(_Out):
    """A province's exchange credential as the ministry shows it (never the secret's hash)."""

    province_code: ProvinceCode
    name: str
    status: Literal["none", "active", "revoked"]
    generation: int = Field(ge=0, description="moves on every issue, rotation and revocation")
    issued_at: Timestamp | None = None
    revoked_at: Timestamp | None = None


class IssuedCredentialOut(CredentialOut):
    secret: str = Field(description="shown once: configure it as the province's EXCHANGE_SECRET")
    rotated: bool = Field(description="true if an earlier secret was replaced (and stopped)")


class Credentials(_Out):
    credentials: list[CredentialOut]


# --- evaluations and complaints --------------------------------------------------------------


class RegulatorComplaintPage(_Out):
    complaints: list[ComplaintRegulatorOut]
    next_cursor: Cursor


# --- regulator accounts and the audit trail ---------------------------------------------------


class AccountOut(_Out):
    username: str
    role: str
    divisions: list[str]
    disabled: bool
    created_at: Timestamp
    updated_at: Timestamp
    created_by: str


class AccountWithCredentials(AccountOut):
    """An account as created or reset: its new credentials, shown this once."""

    password: str | SkipJsonSchema[None] = None
    totp_secret: str | SkipJsonSchema[None] = None
    totp_uri: str | SkipJsonSchema[None] = None


class Accounts(_Out):
    accounts: list[AccountOut]


class AuditEntryOut(_Out):
    at: Timestamp
    actor: str
    role: str | None
    action: str
    target: str
    source_ip: str | None
    user_agent: str | None
    details: dict[str, Any] | None = Field(description="what the action concerned; varies")


class AuditPage(_Out):
    entries: list[AuditEntryOut]
    next_cursor: Cursor


# --- reminders -------------------------------------------------------------------------------


class ReminderOut(_Out):
    reminder_id: str
    title: str
    body: str
    sender: str
    recipients: int = Field(ge=0)
    read: int = Field(ge=0)
    created_at: Timestamp


class ReminderPage(_Out):
    reminders: list[ReminderOut]
    next_cursor: Cursor


# --- record search and export ----------------------------------------------------------------


class SearchHitOut(_Out):
    record_id: RecordId
    companycode: Companycode
    version: int = Field(ge=1)
    status: Literal["active", "void"]
    vin: str
    settlement_date: Day
    settlement_list_code: str
    plate_number: str | None
    flag_codes: list[str] | None
    received_at: Timestamp
    mileage: int = Field(ge=0)
    shop_name: str


class SearchPage(_Out):
    records: list[SearchHitOut]
    next_cursor: str | None = Field(
        description="the `cursor` of the next page of this search; null when it is complete"
    )


class CriteriaOut(_Out):
    date_from: Day
    date_to: Day
    vin: str
    plate: str
    companycode: str
    flag: str
    division: str = ""


class ExportOut(_Out):
    job_id: str
    status: Literal["pending", "running", "done", "failed"]
    rows: int = Field(ge=0)
    criteria: CriteriaOut
    created_at: Timestamp
    download_url: str | None = Field(description="a short-lived link once the job is done")
    error: Literal["search_too_broad"] | None = Field(
        default=None,
        description="why a failed job failed, when the requester can act on it: "
        "`search_too_broad` (it would read beyond an export's budget: narrow the search)",
    )
