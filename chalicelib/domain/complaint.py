"""Complaints (投诉): their two kinds, their workflow and the rules of each step.

Why: a complaint moves through the hands of the owner, the regulator and the shop, and each
may act only at its step: submitted -> accepted or rejected (reason ≤ 250 characters) by the
regulator -> the shop replies -> the regulator closes it as resolved or unresolved (digest
§2.3, §1.7). Keeping the transitions in one pure table makes the workflow reviewable and lets
every adapter and page rely on it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from chalicelib.errors import ConflictError, FieldError, ValidationFailedError

ComplaintKind = Literal["not_uploaded", "incorrect"]
ComplaintStatus = Literal["submitted", "accepted", "rejected", "replied", "resolved", "unresolved"]

KINDS: tuple[ComplaintKind, ...] = ("not_uploaded", "incorrect")
TEXT_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 250
REPLY_MAX_LENGTH = 1000
PHOTO_MAX_BYTES = 2 * 1024 * 1024

# Which step may follow which, and who takes it.
_TRANSITIONS: dict[str, tuple[str, set[str]]] = {
    "accept": ("regulator", {"submitted"}),
    "reject": ("regulator", {"submitted"}),
    "reply": ("shop", {"accepted", "replied"}),
    "close": ("regulator", {"accepted", "replied"}),
}
VISIBLE_TO_SHOP = ("accepted", "replied", "resolved", "unresolved")
OPEN_STATUSES = ("submitted", "accepted", "replied")
# How many complaints one contact may file about one subject, one after another (each one
# after the previous was rejected or closed): a bound on the lookup, far above real use.
MAX_GENERATIONS = 20
_COUNTRY_PREFIXES = ("0086", "86")


@dataclass(frozen=True)
class Correction:
    """A record version the shop points to as its answer (the correction that fixes it)."""

    record_id: str
    version: int
    corrected_at: str
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Complaint:
    complaint_id: str
    kind: ComplaintKind
    status: ComplaintStatus
    companycode: str
    vin: str
    plate_number: str
    settlement_list_code: str
    settlement_date: date | None
    text: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    record_id: str | None = None
    record_version: int | None = None
    photo_key: str | None = None
    photo_type: str | None = None
    contact_phone: str | None = None
    regulator_reason: str | None = None
    regulator_actor: str | None = None
    shop_read_at: datetime | None = None
    shop_reply: str | None = None
    shop_replied_at: datetime | None = None
    correction: Correction | None = None
    outcome_note: str | None = None
    closed_at: datetime | None = None

    @property
    def division_code(self) -> str:
        return self.companycode[:6]

    @property
    def has_photo(self) -> bool:
        return self.photo_key is not None


def step(complaint: Complaint, action: str, actor_kind: str) -> None:
    """Refuse an action the workflow does not allow now (409 with a stable code)."""
    who, allowed_from = _TRANSITIONS[action]
    if who != actor_kind or complaint.status not in allowed_from:
        raise ConflictError(
            f"a {complaint.status} complaint cannot be {action}ed by the {actor_kind}",
            code="complaint_state",
        )


def normalize_contact(phone: str) -> str:
    """The contact phone as one submitter is known by: digits only, without China's country
    code before an 11-digit mobile number ("+86 138-0000-0000" is "13800000000").

    Two spellings of one number are one submitter, so the same person cannot hold two open
    complaints about one record by reformatting the number; "" for no contact.
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    for prefix in _COUNTRY_PREFIXES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def is_open(complaint: Complaint) -> bool:
    """Still in the regulator's or the shop's hands (not rejected, resolved or unresolved)."""
    return complaint.status in OPEN_STATUSES


def check_text(field: str, value: str, maximum: int, *, required: bool = True) -> str:
    value = value.strip()
    if (required and not value) or len(value) > maximum:
        low = 1 if required else 0
        raise ValidationFailedError(
            [FieldError(field, "length", f"{field} must be {low}–{maximum} characters")]
        )
    return value


def photo_type(data: bytes) -> str | None:
    """The image type judged by content (not by name or declared type): JPEG or PNG, else None.

    A JPEG starts with SOI + a marker (FF D8 FF) and ends with EOI (FF D9, trailing padding
    allowed); a PNG starts with its 8-byte signature, then the IHDR chunk, and ends with IEND.
    """
    if len(data) > PHOTO_MAX_BYTES or len(data) < 32:
        return None
    if data[:3] == b"\xff\xd8\xff" and b"\xff\xd9" in data[-64:]:
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and b"IEND" in data[-16:]:
        return "image/png"
    return None
