"""Shop portal: messages, that is complaints about the shop and the regulator's reminders.

Why: a shop must see and answer what owners complain about (digest §1.7: view and mark-read
complaints; §2.3: the shop's reply) and read what its regulator tells it (提醒通知). The
portal calls the same ComplaintService and ReminderService as the shop's JSON API: the shop
sees only complaints the regulator accepted, never the complainant's phone; opening a
complaint or a reminder is its read receipt (counted once); a reply may point to the
correction that answers the complaint.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

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
from chalicelib.bootstrap import complaint_service, reminder_service
from chalicelib.domain.complaint import REPLY_MAX_LENGTH, Complaint
from chalicelib.domain.reminder import Delivery
from chalicelib.doors.kit.http import query_params, source_ip
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
    params = query_params(request)
    complaints, next_complaints = complaint_service().for_shop(
        who.shop, PAGE_SIZE, params.get("complaints") or None
    )
    reminders, next_reminders = reminder_service().for_shop(
        who.shop, PAGE_SIZE, params.get("reminders") or None
    )
    return page(
        request,
        "portal/messages.html",
        who,
        heading=texts_for(lang)["messages_title"],
        complaints=[_view(c) for c in complaints],
        more_complaints=f"{MESSAGES}?complaints={next_complaints}" if next_complaints else "",
        reminders=[_reminder_view(r) for r in reminders],
        more_reminders=f"{MESSAGES}?reminders={next_reminders}" if next_reminders else "",
    )


@bp.route(MESSAGES + "/reminders/{reminder_id}", methods=["GET"])
@portal_view(bp)
def reminder_page(reminder_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    # Opening a reminder is the shop's read receipt (the service counts it once).
    delivery = reminder_service().read(who.shop, reminder_id)
    return page(
        request,
        "portal/reminder.html",
        who,
        heading=texts_for(lang)["reminder_title"],
        reminder=_reminder_view(delivery),
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


def _reminder_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.reminder_id,
        "title": delivery.title,
        "body": delivery.body,
        "sender": delivery.sender,
        "sent_at": china_time(delivery.created_at),
        "read_at": china_time(delivery.read_at) if delivery.read_at else "",
    }


def unread_messages(who: SignedIn) -> int:
    """Unread complaints and reminders on the first page of each (the home page's count)."""
    complaints, _ = complaint_service().for_shop(who.shop, PAGE_SIZE, None)
    reminders, _ = reminder_service().for_shop(who.shop, PAGE_SIZE, None)
    return sum(c.shop_read_at is None for c in complaints) + sum(
        r.read_at is None for r in reminders
    )
