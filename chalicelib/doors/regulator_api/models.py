"""Request and response models of the regulators' JSON API (province and ministry stacks).

Why: what a regulator's tool sends and gets back is a contract; the served OpenAPI document is
built from these models (their class names are its component names) and every answer passes
through them (`conform`), so the document and the answers cannot drift. The shop registry's
request models are the console's too (`kit/registry_models.py`); a complaint as a regulator
sees it is built beside the other audiences' views (`doors/kit/feedback_views.py`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.reminder import BODY_MAX_LENGTH, MAX_RECIPIENTS, TITLE_MAX_LENGTH
from chalicelib.doors.kit.feedback_models import ComplaintRegulatorOut
from chalicelib.doors.kit.models import (
    Companycode,
    Cursor,
    Day,
    Out,
    ProvinceCode,
    RecordId,
    Strict,
    Timestamp,
    TokenResponse,
)

# --- tokens and accounts ---------------------------------------------------------------------


class RegulatorTokenRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    # Missing or wrong, the code answers the same 401 as a wrong password (not a 400).
    totp: str = Field(default="", max_length=16)


class CreateAccountRequest(Strict):
    username: str = Field(min_length=2, max_length=64)
    role: str = Field(min_length=1, max_length=32)
    divisions: list[str] = Field(default_factory=list, max_length=50)


class RegulatorTokenResponse(TokenResponse):
    role: str
    divisions: list[str] = Field(description="the districts a district officer covers; empty: all")


class AccountOut(Out):
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


class Accounts(Out):
    accounts: list[AccountOut]


class AuditEntryOut(Out):
    at: Timestamp
    actor: str
    role: str | None
    action: str
    target: str
    source_ip: str | None
    user_agent: str | None
    details: dict[str, Any] | None = Field(description="what the action concerned; varies")


class AuditPage(Out):
    entries: list[AuditEntryOut]
    next_cursor: Cursor


# --- shop registry ---------------------------------------------------------------------------


class ShopOut(Out):
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


class ShopPage(Out):
    shops: list[ShopOut]
    next_cursor: Cursor


# --- complaints ------------------------------------------------------------------------------


class RegulatorComplaintPage(Out):
    complaints: list[ComplaintRegulatorOut]
    next_cursor: Cursor


# --- reminders -------------------------------------------------------------------------------


class SendReminderIn(Strict):
    companycodes: list[str] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    body: str = Field(min_length=1, max_length=BODY_MAX_LENGTH)


class ReminderOut(Out):
    reminder_id: str
    title: str
    body: str
    sender: str
    recipients: int = Field(ge=0)
    read: int = Field(ge=0)
    created_at: Timestamp


class ReminderPage(Out):
    reminders: list[ReminderOut]
    next_cursor: Cursor


# --- record search and export ----------------------------------------------------------------


class ExportRequest(BaseModel):
    """`POST /v1/search/records/exports`: the search's criteria (dates default to 30 days)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date_from: str = Field(default="", alias="from", description="YYYY-MM-DD")
    date_to: str = Field(default="", alias="to", description="YYYY-MM-DD")
    vin: str = ""
    plate: str = ""
    companycode: str = ""
    flag: str = ""
    division: str = Field(default="", description="one district: a 6-digit division code")
    province: str = Field(default="", description="ministry only: one province, e.g. 320000")


class SearchHitOut(Out):
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


class SearchPage(Out):
    records: list[SearchHitOut]
    next_cursor: str | None = Field(
        description="the `cursor` of the next page of this search; null when it is complete"
    )


class CriteriaOut(Out):
    date_from: Day
    date_to: Day
    vin: str
    plate: str
    companycode: str
    flag: str
    division: str = ""


class ExportOut(Out):
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


# --- the provinces and their exchange credentials (ministry) ---------------------------------


class ProvinceStatus(Out):
    province_code: ProvinceCode
    last_exchange_at: Timestamp | None
    exchange_lag_seconds: int | None
    records_held: int = Field(ge=0)
    batches: int = Field(ge=0)


class Provinces(Out):
    provinces: list[ProvinceStatus]


class CredentialOut(Out):
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


class Credentials(Out):
    credentials: list[CredentialOut]


# --- agencies (ministry) ---------------------------------------------------------------------


class RegisterAgencyRequest(Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(min_length=1, max_length=20)


class IssueKeyRequest(Strict):
    purpose: str = Field(min_length=1, max_length=40)
    field_scope: str = Field(default="summary", max_length=10)
    quota_per_day: StrictInt = 1000
    burst_per_minute: StrictInt = 60


class PurposeOut(Out):
    purpose: str
    label: str
    needs_grant: bool = Field(description="whether a read needs the owner's grant")


class AgencyKeyOut(Out):
    key_id: str
    agency_id: str
    purpose: str
    needs_grant: bool
    field_scope: Literal["summary", "full"]
    quota_per_day: int = Field(ge=1)
    burst_per_minute: int = Field(ge=1)
    status: str
    created_at: Timestamp
    rotated_at: Timestamp | None
    revoked_at: Timestamp | None


class AgencyKeyWithSecret(AgencyKeyOut):
    key: str = Field(description="the key itself: shown this once, stored only as a digest")


class AgencyOut(Out):
    agency_id: str
    name: str
    kind: str
    purposes: list[PurposeOut]
    created_at: Timestamp
    keys: list[AgencyKeyOut]


class Agencies(Out):
    agencies: list[AgencyOut]


class AgencyReadOut(Out):
    read_id: str
    at: Timestamp
    vin: str
    agency_id: str
    agency_name: str
    key_id: str
    purpose: str
    outcome: str = Field(description="ok, or refused")
    code: str = Field(description="why a read was refused (the error code the agency got)")
    grant_id: str | None
    records: int = Field(ge=0)


class AgencyReadPage(Out):
    reads: list[AgencyReadOut]
    next_cursor: Cursor


# --- OEM accounts (province) -----------------------------------------------------------------


class RegisterOemRequest(Strict):
    name: str = Field(min_length=1, max_length=100)
    uscc: str = Field(min_length=18, max_length=18)
    dealers: list[str] = Field(min_length=1, max_length=2000)


class DealersRequest(Strict):
    dealers: list[str] = Field(min_length=1, max_length=2000)


class OemOut(Out):
    oem_id: str
    name: str
    uscc: str
    dealers: list[Companycode]
    status: str
    created_at: Timestamp
    updated_at: Timestamp


class OemWithSecret(OemOut):
    secret: str = Field(description="shown this once, stored only as a slow hash")


class Oems(Out):
    oems: list[OemOut]
