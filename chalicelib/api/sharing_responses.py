"""Response models of administering agencies (ministry) and OEM accounts (province).

Why: like `api/responses.py` for the other routes: the OpenAPI document is built from these
models and the routes pass every body through them (`conform`), so the document and the
answers cannot drift. Kept apart because these are issue 5's audiences (agencies, OEMs); what
the agencies and OEMs themselves get back is in the partners' door (`doors/exchange/`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.api.responses import (
    Companycode,
    Cursor,
    Timestamp,
    _Out,
)


class PurposeOut(_Out):
    purpose: str
    label: str
    needs_grant: bool = Field(description="whether a read needs the owner's grant")


class AgencyKeyOut(_Out):
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


class AgencyOut(_Out):
    agency_id: str
    name: str
    kind: str
    purposes: list[PurposeOut]
    created_at: Timestamp
    keys: list[AgencyKeyOut]


class Agencies(_Out):
    agencies: list[AgencyOut]


class AgencyReadOut(_Out):
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


class AgencyReadPage(_Out):
    reads: list[AgencyReadOut]
    next_cursor: Cursor


class OemOut(_Out):
    oem_id: str
    name: str
    uscc: str
    dealers: list[Companycode]
    status: str
    created_at: Timestamp
    updated_at: Timestamp


class OemWithSecret(OemOut):
    secret: str = Field(description="shown this once, stored only as a slow hash")


class Oems(_Out):
    oems: list[OemOut]
