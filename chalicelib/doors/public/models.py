"""Request and response models of the consumers' door: the history, feedback, the directory.

Why: owners and used-car buyers call these without an account; what they send is bounded and
checked here (the JSON API and the HTML forms parse into the same models, so a rule such as a
score's range or a known tag is stated once), and every answer passes through its model
(`conform`), from which the served OpenAPI document is built. Models the shops' door also
answers with (evaluations, complaints) are the kit's (`kit/feedback_models.py`).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Literal

from pydantic import Field, StrictInt, field_validator

from chalicelib.domain.complaint import PHOTO_MAX_BYTES, TEXT_MAX_LENGTH
from chalicelib.domain.evaluation import ALL_TAGS, MAX_SCORE, MIN_SCORE
from chalicelib.domain.evaluation import TEXT_MAX_LENGTH as EVAL_TEXT
from chalicelib.doors.kit.models import (
    Companycode,
    Day,
    DecimalText,
    Out,
    ProvinceCode,
    Strict,
)
from chalicelib.doors.kit.record_models import FlagOut, PartOut, RepairItemOut
from chalicelib.services.complaints import ComplaintSubmission
from chalicelib.services.evaluations import EvaluationRequest

# --- the vehicle's history -------------------------------------------------------------------


class HistoryShopOut(Out):
    name: str
    shop_class: str
    shop_class_label: str


class HistoryEntryOut(Out):
    settlement_date: Day
    repair_date: Day
    mileage: int = Field(ge=0)
    fault_description: str
    repair_items: list[RepairItemOut]
    parts: list[PartOut]
    shop: HistoryShopOut
    province_code: ProvinceCode
    version: int = Field(ge=1)
    corrected: bool
    flags: list[FlagOut]


class VehicleHistory(Out):
    vin: str
    records: list[HistoryEntryOut]
    withheld: int = Field(
        default=0,
        ge=0,
        description="entries left out because they no longer match the vehicle's chain "
        "(a province stack checks every entry it serves; 0 at the ministry)",
    )


class Health(Out):
    status: Literal["ok"]


# --- evaluations and complaints (what an owner sends) ----------------------------------------

Score = StrictInt


class ScoresIn(Strict):
    """The five scores of the provincial platform, each 1–5 stars."""

    appointment: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    attitude: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    quality: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    speed: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)
    price: Score = Field(ge=MIN_SCORE, le=MAX_SCORE)


class EvaluationIn(Strict):
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


class ComplaintIn(Strict):
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


class FollowComplaintIn(Strict):
    code: str = Field(min_length=1, max_length=32)


# --- the shop directory ----------------------------------------------------------------------


class DivisionOut(Out):
    code: str = Field(pattern=r"^\d{6}$")
    name: str


class Divisions(Out):
    divisions: list[DivisionOut]


class DimensionsOut(Out):
    appointment: DecimalText
    attitude: DecimalText
    quality: DecimalText
    speed: DecimalText
    price: DecimalText


class RankedShopOut(Out):
    companycode: Companycode
    name: str
    shop_class: str
    shop_class_label: str
    rating: DecimalText = Field(description="shrunk mean (docs/assumptions.md)")
    raw_mean: DecimalText | None
    count: int = Field(ge=0)
    dimensions: DimensionsOut
    top_tags: list[str]


class DirectoryShops(Out):
    division: str
    shops: list[RankedShopOut]
