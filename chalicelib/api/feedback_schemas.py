"""Request schemas of the feedback endpoints: evaluations, complaints and their handling.

Why: the JSON API and the HTML forms accept the same evaluation and complaint, so both parse
into these models and a rule (score range, known tags, text length) is stated once.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Literal

from pydantic import Field, StrictInt, field_validator

from chalicelib.domain.complaint import (
    PHOTO_MAX_BYTES,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
)
from chalicelib.domain.evaluation import (
    ALL_TAGS,
    MAX_SCORE,
    MIN_SCORE,
)
from chalicelib.domain.evaluation import (
    TEXT_MAX_LENGTH as EVAL_TEXT,
)
from chalicelib.doors.kit.models import Strict as _Strict
from chalicelib.services.complaints import ComplaintSubmission
from chalicelib.services.evaluations import EvaluationRequest

Score = StrictInt


class ScoresIn(_Strict):
    """The five scores of the provincial platform, each 1–5 stars."""

    appointment: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    attitude: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    quality: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    speed: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    price: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)


class EvaluationIn(_Strict):
    vin: str = Field(min_length=1, max_length=32)
    plate: str = Field(min_length=1, max_length=16)
    settlement_list_code: str = Field(min_length=1, max_length=50)
    scores: ScoresIn
    tags: list[str] = Field(default_factory=list, max_length=len(ALL_TAGS))
    text: str = Field(default="", max_length=EVAL_TEXT)

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in ALL_TAGS]
        if unknown:
            raise ValueError(f"unknown tags: {', '.join(unknown)}")
        return value

    def to_request(self) -> EvaluationRequest:
        return EvaluationRequest(
            vin=self.vin,
            plate=self.plate,
            settlement_list_code=self.settlement_list_code,
            scores=self.scores.model_dump(),
            tags=tuple(self.tags),
            text=self.text,
        )


class ComplaintIn(_Strict):
    kind: Literal["not_uploaded", "incorrect"]
    vin: str = Field(min_length=1, max_length=32)
    plate: str = Field(min_length=1, max_length=16)
    settlement_list_code: str = Field(min_length=1, max_length=50)
    text: str = Field(min_length=1, max_length=TEXT_MAX_LENGTH)
    companycode: str = Field(default="", max_length=15)
    settlement_date: date | None = None
    contact_phone: str = Field(default="", pattern=r"^[0-9+\- ]{0,20}$")
    # Loose bound here; the service names the real rule (2 MB of image) on the decoded bytes.
    photo_base64: str | None = Field(default=None, max_length=2 * PHOTO_MAX_BYTES)

    @field_validator("photo_base64")
    @classmethod
    def _base64(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("must be standard base64") from exc
        return value

    def to_submission(self) -> ComplaintSubmission:
        photo = base64.b64decode(self.photo_base64) if self.photo_base64 else None
        return ComplaintSubmission(
            kind=self.kind,
            vin=self.vin,
            plate=self.plate,
            settlement_list_code=self.settlement_list_code,
            text=self.text,
            companycode=self.companycode,
            settlement_date=self.settlement_date,
            contact_phone=self.contact_phone,
            photo=photo,
        )


class FollowComplaintIn(_Strict):
    code: str = Field(min_length=1, max_length=32)


class RejectIn(_Strict):
    reason: str = Field(min_length=1, max_length=REASON_MAX_LENGTH)


class CloseIn(_Strict):
    outcome: Literal["resolved", "unresolved"]
    note: str = Field(default="", max_length=REASON_MAX_LENGTH)


class ShopReplyIn(_Strict):
    text: str = Field(min_length=1, max_length=REPLY_MAX_LENGTH)
    link_correction: bool = False


class EvaluationReplyIn(_Strict):
    text: str = Field(min_length=1, max_length=REPLY_MAX_LENGTH)
