"""JSON views of evaluations and complaints for each audience: owner, shop, regulator.

Why: a complaint carries the complainant's phone and photo; the shop must never see the phone,
the public follow-up shows only the workflow, and the regulator sees everything. Stating the
three views side by side keeps that rule reviewable, so they stay together in the kit: the
consumers' door answers the first, the shops' door the second, the regulators' API the third
(and an evaluation is answered alike to its owner and to its shop).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.domain.complaint import Complaint
from chalicelib.domain.evaluation import ALL_TAGS, Evaluation
from chalicelib.doors.kit.feedback_models import (
    ComplaintPublicOut,
    ComplaintRegulatorOut,
    ComplaintShopOut,
    EvaluationOut,
)
from chalicelib.doors.kit.models import conform

_CENT = Decimal("0.01")


def evaluation_view(evaluation: Evaluation) -> dict[str, Any]:
    body = {
        "record_id": evaluation.record_id,
        "settlement_date": evaluation.settlement_date,
        "scores": dict(evaluation.scores),
        "overall": str(evaluation.overall.quantize(_CENT)),
        "level": evaluation.level,
        "tags": [{"code": t, "label": ALL_TAGS.get(t, t)} for t in evaluation.tags],
        "text": evaluation.text,
        "created_at": evaluation.created_at.isoformat(),
        "reply": evaluation.reply,
        "replied_at": evaluation.replied_at.isoformat() if evaluation.replied_at else None,
    }
    return conform(EvaluationOut, body)


def complaint_public_view(c: Complaint) -> dict[str, Any]:
    """What the complainant sees when following the code: the workflow, not the parties."""
    return conform(ComplaintPublicOut, _public(c))


def _public(c: Complaint) -> dict[str, Any]:
    return {
        "code": c.complaint_id,
        "kind": c.kind,
        "status": c.status,
        "settlement_list_code": c.settlement_list_code,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "rejection_reason": c.regulator_reason if c.status == "rejected" else None,
        "shop_read": c.shop_read_at is not None,
        "shop_reply": c.shop_reply,
        "shop_replied_at": _iso(c.shop_replied_at),
        "correction": c.correction.to_dict() if c.correction else None,
        "outcome_note": c.outcome_note,
        "closed_at": _iso(c.closed_at),
    }


def complaint_shop_view(c: Complaint) -> dict[str, Any]:
    """The shop's view: what the complaint is about, never the complainant's phone."""
    return conform(ComplaintShopOut, _shop(c))


def _shop(c: Complaint) -> dict[str, Any]:
    return {
        **_public(c),
        "vin": c.vin,
        "plate_number": c.plate_number,
        "settlement_date": c.settlement_date.isoformat() if c.settlement_date else None,
        "text": c.text,
        "record_id": c.record_id,
        "record_version": c.record_version,
        "has_photo": c.has_photo,
        "shop_read_at": _iso(c.shop_read_at),
    }


def complaint_regulator_view(c: Complaint) -> dict[str, Any]:
    body = {
        **_shop(c),
        "companycode": c.companycode,
        "contact_phone": c.contact_phone,
        "regulator_reason": c.regulator_reason,
        "regulator_actor": c.regulator_actor,
        "version": c.version,
    }
    return conform(ComplaintRegulatorOut, body)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
