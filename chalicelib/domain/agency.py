"""Agencies that read vehicle files at the ministry: kinds, purposes, field scopes, grants.

Why: other authorities and industries (digest §1.11: I/M, recalls, used-car trading, credit,
insurance) read the national file through keyed API access. What a key may read is decided by
three pure rules kept here in one place, so the API, the owner's page and the tests agree:

- **Purpose.** Each key serves one purpose. Public-interest purposes (emissions inspection and
  maintenance, defect and recall investigation) read without the owner's consent, as their
  authorities do by law; commercial purposes (insurance, used-car trading, anything else) need
  an unexpired, unrevoked grant the owner gave that agency for that purpose.
- **Field scope.** `summary`: dates, mileage, the shop (name, class, province) and the names
  of the repair items and parts. `full`: the summary plus the fault description, labour hours,
  part codes and quantities, the record's version and its quality flags. Neither carries the
  plate, the settlement number or the shop's companycode: an agency reads a vehicle, not an
  owner or a shop's bookkeeping.
- **Grant decision.** From the grants of one vehicle, which one (if any) lets this agency read
  for this purpose now, or the typed reason it may not. Only grants given under the
  vehicle's current plate count (`grants_of_holder`): consent is the holder's, and ends when
  the file shows the vehicle under another plate (sold and re-registered).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import SHOP_CLASSES
from chalicelib.errors import FieldError, ForbiddenError, RateLimitedError, ValidationFailedError

AgencyKind = Literal["insurance", "used_car", "emissions_im", "recall", "other"]
FieldScope = Literal["summary", "full"]

AGENCY_KINDS: dict[str, str] = {
    "insurance": "保险",
    "used_car": "二手车交易",
    "emissions_im": "排放检验与维护（I/M）",
    "recall": "缺陷调查与召回",
    "other": "其他",
}
FIELD_SCOPES: tuple[FieldScope, ...] = ("summary", "full")
GRANT_DAYS: tuple[int, ...] = (7, 30, 90)
MAX_QUOTA_PER_DAY = 1_000_000
MAX_BURST_PER_MINUTE = 10_000


@dataclass(frozen=True)
class Purpose:
    """Why an agency reads: which agency kinds may hold a key for it, and whether the owner's
    grant is needed."""

    code: str
    label: str
    kinds: tuple[str, ...]
    needs_grant: bool


PURPOSES: dict[str, Purpose] = {
    p.code: p
    for p in (
        Purpose("claims_assessment", "保险理赔核定", ("insurance",), True),
        Purpose("underwriting", "保险承保定价", ("insurance",), True),
        Purpose("used_car_transparency", "二手车车况信息公开", ("used_car",), True),
        Purpose("emissions_inspection", "排放检验与维护（I/M）", ("emissions_im",), False),
        Purpose("recall_campaign", "缺陷调查与召回", ("recall",), False),
        Purpose("owner_authorised", "经车主授权的其他用途", ("other",), True),
    )
}


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    kind: str
    created_at: datetime
    created_by: str = ""

    def purposes(self) -> list[Purpose]:
        return [p for p in PURPOSES.values() if self.kind in p.kinds]


@dataclass(frozen=True)
class AgencyKey:
    """One API key of an agency (never its secret: only the hash is stored)."""

    key_id: str
    agency_id: str
    agency_name: str
    purpose: str
    field_scope: str
    quota_per_day: int
    burst_per_minute: int
    status: Literal["active", "revoked"]
    created_at: datetime
    generation: int = 1
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None

    def public_view(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "agency_id": self.agency_id,
            "purpose": self.purpose,
            "needs_grant": PURPOSES[self.purpose].needs_grant if self.purpose in PURPOSES else True,
            "field_scope": self.field_scope,
            "quota_per_day": self.quota_per_day,
            "burst_per_minute": self.burst_per_minute,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "rotated_at": self.rotated_at.isoformat() if self.rotated_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True)
class Grant:
    """An owner's consent that one agency may read the vehicle's file for one purpose."""

    grant_id: str
    vin: str
    agency_id: str
    agency_name: str
    purpose: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    # The vehicle's plate when the owner proved possession and consented ("" for grants
    # stored before plates were kept: they count for nobody).
    plate: str = ""

    def state(self, now: datetime) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"


class AgencyRefusedError(ForbiddenError):
    """The key is valid but may not read this vehicle now (code says why)."""


class QuotaExceededError(RateLimitedError):
    code = "quota_exceeded"


class BurstExceededError(RateLimitedError):
    code = "burst_exceeded"


def check_key_terms(
    agency: Agency, purpose: str, field_scope: str, quota_per_day: int, burst_per_minute: int
) -> None:
    """Refuse a key whose purpose the agency's kind may not hold, or whose limits are absurd.

    Raises ValidationFailedError naming each failing field.
    """
    errors: list[FieldError] = []
    allowed = [p.code for p in agency.purposes()]
    if purpose not in allowed:
        errors.append(
            FieldError(
                "purpose",
                "purpose_for_kind",
                f"an agency of kind {agency.kind} may hold keys for: {', '.join(allowed)}",
            )
        )
    if field_scope not in FIELD_SCOPES:
        errors.append(FieldError("field_scope", "enum", "field_scope must be summary or full"))
    if not 1 <= quota_per_day <= MAX_QUOTA_PER_DAY:
        errors.append(
            FieldError("quota_per_day", "range", f"quota_per_day must be 1–{MAX_QUOTA_PER_DAY}")
        )
    if not 1 <= burst_per_minute <= MAX_BURST_PER_MINUTE:
        errors.append(
            FieldError(
                "burst_per_minute", "range", f"burst_per_minute must be 1–{MAX_BURST_PER_MINUTE}"
            )
        )
    if errors:
        raise ValidationFailedError(errors)


def grants_of_holder(grants: Iterable[Grant], plate: str) -> list[Grant]:
    """The grants given under `plate`, the vehicle's current plate: an earlier holder's
    consent (given under another plate, or with none kept) does not pass to the next."""
    if not plate:
        return []
    return [g for g in grants if g.plate and hmac.compare_digest(g.plate.encode(), plate.encode())]


def grant_for_read(key: AgencyKey, grants: Iterable[Grant], now: datetime) -> Grant | None:
    """The grant that lets `key` read now: None if its purpose needs none.

    Raises AgencyRefusedError with code `purpose_not_allowed` (a purpose no longer offered),
    `no_grant`, `grant_expired`, `grant_revoked` (the owner's grants to this agency for this
    purpose have all expired, or the latest was revoked) or `purpose_not_allowed` (the owner
    granted this agency another purpose only).
    """
    purpose = PURPOSES.get(key.purpose)
    if purpose is None:
        raise AgencyRefusedError("this purpose is not offered", code="purpose_not_allowed")
    if not purpose.needs_grant:
        return None
    mine = [g for g in grants if g.agency_id == key.agency_id]
    same = sorted(
        (g for g in mine if g.purpose == key.purpose), key=lambda g: g.created_at, reverse=True
    )
    active = [g for g in same if g.state(now) == "active"]
    if active:
        return max(active, key=lambda g: g.expires_at)
    if same:
        latest = same[0].state(now)
        code = "grant_revoked" if latest == "revoked" else "grant_expired"
        raise AgencyRefusedError(f"the owner's grant for this purpose is {latest}", code=code)
    if mine:
        raise AgencyRefusedError(
            "the owner granted this agency another purpose only", code="purpose_not_allowed"
        )
    raise AgencyRefusedError("the owner has not authorised this agency", code="no_grant")


def entry_in_scope(record: StoredRecord, field_scope: str) -> dict[str, Any]:
    """One record of the national file as an agency with this field scope sees it."""
    content = record.content.to_dict()
    full = field_scope == "full"
    entry: dict[str, Any] = {
        "settlement_date": content["settlement_date"],
        "repair_date": content["repair_date"],
        "mileage": content["repair_mileage"],
        "shop": {
            "name": record.shop_name,
            "shop_class": record.shop_class,
            "shop_class_label": SHOP_CLASSES.get(record.shop_class, record.shop_class),
            "province_code": record.companycode[:2] + "0000",
        },
        "repair_items": [
            {"name": i["name"], **({"labour_hours": i["labour_hours"]} if full else {})}
            for i in content["repair_items"]
        ],
        "parts": [
            {"name": p["name"], **({"code": p["code"], "quantity": p["quantity"]} if full else {})}
            for p in content["parts"]
        ],
    }
    if full:
        entry["fault_description"] = content["fault_description"]
        entry["version"] = record.version
        entry["flags"] = [f.code for f in record.flags]
    return entry
