"""Request schemas and views of agency sharing (ministry) and OEM accounts (province).

Why: the HTTP contract of issue 5's routes, apart from the record schemas; the views decide
what each audience sees (a key's terms but never its hash; an OEM's dealers but never its
secret hash).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from chalicelib.domain.agency import Agency, AgencyKey


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )


class RegisterAgencyRequest(_Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(min_length=1, max_length=20)


class IssueKeyRequest(_Strict):
    purpose: str = Field(min_length=1, max_length=40)
    field_scope: str = Field(default="summary", max_length=10)
    quota_per_day: StrictInt = 1000
    burst_per_minute: StrictInt = 60


class RegisterOemRequest(_Strict):
    name: str = Field(min_length=1, max_length=100)
    uscc: str = Field(min_length=18, max_length=18)
    dealers: list[str] = Field(min_length=1, max_length=2000)


class DealersRequest(_Strict):
    dealers: list[str] = Field(min_length=1, max_length=2000)


def agency_view(agency: Agency, keys: list[AgencyKey]) -> dict[str, Any]:
    return {
        "agency_id": agency.agency_id,
        "name": agency.name,
        "kind": agency.kind,
        "purposes": [
            {"purpose": p.code, "label": p.label, "needs_grant": p.needs_grant}
            for p in agency.purposes()
        ],
        "created_at": agency.created_at.isoformat(),
        "keys": [k.public_view() for k in keys],
    }
