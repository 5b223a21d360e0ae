"""Models of evaluations and complaints that more than one door answers with or reads.

Why: a complaint is seen by three audiences (the complainant following its code, the shop it
is about, the regulator handling it), each view a superset of the one before; stating them as
one chain of models keeps the rule reviewable that the shop never sees the complainant's phone.
The consumers' door answers evaluations and follow-ups, the shops' door reads and answers
them, the regulators' API handles complaints (its request models are here too until its door
takes them).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.domain.complaint import REASON_MAX_LENGTH
from chalicelib.doors.kit.models import Day, DecimalText, Out, RecordId, Strict, Timestamp


class ScoresOut(Out):
    appointment: int = Field(ge=1, le=5)
    attitude: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    speed: int = Field(ge=1, le=5)
    price: int = Field(ge=1, le=5)


class TagOut(Out):
    code: str
    label: str


class EvaluationOut(Out):
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


class CorrectionOut(Out):
    record_id: RecordId
    version: int = Field(ge=1)
    corrected_at: str
    reason: str | None


ComplaintStatus = Literal["submitted", "accepted", "rejected", "replied", "resolved", "unresolved"]


class ComplaintPublicOut(Out):
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


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=REASON_MAX_LENGTH)


class CloseIn(Strict):
    outcome: Literal["resolved", "unresolved"]
    note: str = Field(default="", max_length=REASON_MAX_LENGTH)
