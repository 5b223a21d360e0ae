"""Shop portal: messages, that is the complaints about the shop (read receipts, one reply).

Why: a shop must see and answer what owners complain about (digest §1.7: view and mark-read
complaints; §2.3: the shop's reply). The portal calls the same ComplaintService as the shop's
JSON API: the shop sees only complaints the regulator accepted, never the complainant's
phone; opening a complaint is its read receipt; the reply may point to the correction that
answers it. Regulator reminders (提醒通知) are not built yet: the page says so.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.http import query_params, source_ip
from chalicelib.api.portal_common import (
    FORM_TYPES,
    PORTAL,
    SignedIn,
    error_text,
    page,
    page_language,
    portal_view,
    posted_form,
    signed_in,
    texts_for,
)
from chalicelib.api.portal_views import china_time
from chalicelib.bootstrap import complaint_service
from chalicelib.domain.complaint import REPLY_MAX_LENGTH, Complaint
from chalicelib.errors import ConflictError, ValidationFailedError

bp = Blueprint(__name__)
MESSAGES = f"{PORTAL}/messages"
PAGE_SIZE = 50


@bp.route(MESSAGES, methods=["GET"])
@portal_view(bp)
def messages_page() -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    cursor = query_params(request).get("cursor") or None
    complaints, next_cursor = complaint_service().for_shop(who.shop, PAGE_SIZE, cursor)
    next_url = f"{MESSAGES}?cursor={next_cursor}" if next_cursor else ""
    return page(
        request,
        "portal/messages.html",
        who,
        heading=texts_for(lang)["messages_title"],
        complaints=[_view(c) for c in complaints],
        next_url=next_url,
    )


@bp.route(MESSAGES + "/complaints/{complaint_id}", methods=["GET"])
@portal_view(bp)
def complaint_page(complaint_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    # Opening a complaint is the shop's read receipt (the first reading time is kept).
    complaint = complaint_service().mark_read(who.shop, complaint_id, source_ip(request))
    return _complaint_page(request, who, complaint, 200)


@bp.route(MESSAGES + "/complaints/{complaint_id}/reply", methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def reply_to_complaint(complaint_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    form = posted_form(request, who)
    lang, _ = page_language(request)
    texts = texts_for(lang)
    service = complaint_service()
    try:
        complaint = service.reply(
            who.shop,
            complaint_id,
            form.get("text")[:REPLY_MAX_LENGTH],
            form.get("link_correction") == "yes",
            source_ip(request),
        )
    except ValidationFailedError:
        complaint = service.shop_complaint(who.shop, complaint_id)
        return _complaint_page(request, who, complaint, 400, texts["reply_required"])
    except ConflictError as exc:
        complaint = service.shop_complaint(who.shop, complaint_id)
        return _complaint_page(request, who, complaint, 409, error_text(exc.code, texts))
    return _complaint_page(request, who, complaint, 200)


def _complaint_page(
    request: Request, who: SignedIn, complaint: Complaint, status: int, problem: str = ""
) -> Response:
    lang, _ = page_language(request)
    return page(
        request,
        "portal/complaint.html",
        who,
        status=status,
        heading=texts_for(lang)["complaint_title"],
        complaint=_view(complaint),
        problem=problem,
        reply_max=REPLY_MAX_LENGTH,
    )


def _view(complaint: Complaint) -> dict[str, Any]:
    """What the shop may see of a complaint: never the complainant's phone or photo."""
    return {
        "code": complaint.complaint_id,
        "kind": complaint.kind,
        "status": complaint.status,
        "created_at": china_time(complaint.created_at),
        "vin": complaint.vin,
        "plate_number": complaint.plate_number,
        "settlement_list_code": complaint.settlement_list_code,
        "settlement_date": complaint.settlement_date.isoformat()
        if complaint.settlement_date
        else "",
        "text": complaint.text,
        "record_id": complaint.record_id,
        "read_at": china_time(complaint.shop_read_at) if complaint.shop_read_at else "",
        "reply": complaint.shop_reply or "",
        "replied_at": china_time(complaint.shop_replied_at) if complaint.shop_replied_at else "",
        "correction": complaint.correction,
        "outcome_note": complaint.outcome_note or "",
        "can_reply": complaint.status == "accepted",
    }
