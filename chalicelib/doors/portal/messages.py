"""Shop portal: messages, that is complaints about the shop and the regulator's reminders.

Why: a shop must see and answer what owners complain about (digest §1.7: view and mark-read
complaints; §2.3: the shop's reply) and read what its regulator tells it (提醒通知). The
portal calls the same ComplaintService and ReminderService as the shop's JSON API: the shop
sees only complaints the regulator accepted, never the complainant's phone; opening a
complaint or a reminder is its read receipt (counted once); a reply may point to the
correction that answers the complaint.
"""

from __future__ import annotations

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import complaint_service, reminder_service
from chalicelib.domain.complaint import REPLY_MAX_LENGTH, Complaint
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.portal.door import door
from chalicelib.doors.portal.pages import FORM_TYPES, MESSAGES, error_text, page, texts_of
from chalicelib.doors.portal.session import SignedIn, posted_form, signed_in
from chalicelib.doors.portal.views import complaint_view, messages_view, reminder_view
from chalicelib.errors import ConflictError, ValidationFailedError

PAGE_SIZE = 50


@door.route(MESSAGES, methods=["GET"], page=True)
def messages_page() -> Response:
    request = door.request
    who = signed_in(request)
    params = query_params(request)
    complaints = complaint_service().for_shop(who.shop, PAGE_SIZE, params.get("complaints") or None)
    reminders = reminder_service().for_shop(who.shop, PAGE_SIZE, params.get("reminders") or None)
    view = messages_view(complaints, reminders)
    return page(request, "portal/messages.html", who, title="messages_title", **view)


@door.route(MESSAGES + "/reminders/{reminder_id}", methods=["GET"], page=True)
def reminder_page(reminder_id: str) -> Response:
    who = signed_in(door.request)
    # Opening a reminder is the shop's read receipt (the service counts it once).
    reminder = reminder_view(reminder_service().read(who.shop, reminder_id))
    return page(
        door.request, "portal/reminder.html", who, title="reminder_title", reminder=reminder
    )


@door.route(MESSAGES + "/complaints/{complaint_id}", methods=["GET"], page=True)
def complaint_page(complaint_id: str) -> Response:
    request = door.request
    who = signed_in(request)
    # Opening a complaint is the shop's read receipt (the first reading time is kept).
    complaint = complaint_service().mark_read(who.shop, complaint_id, source_ip(request))
    return _complaint_page(request, who, complaint, 200)


@door.route(
    MESSAGES + "/complaints/{complaint_id}/reply",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
)
def reply_to_complaint(complaint_id: str) -> Response:
    request = door.request
    who = signed_in(request)
    return _reply(request, who, complaint_id, posted_form(request, who))


def unread_messages(who: SignedIn) -> int:
    """Unread complaints and reminders on the first page of each (the home page's count)."""
    complaints, _ = complaint_service().for_shop(who.shop, PAGE_SIZE, None)
    reminders, _ = reminder_service().for_shop(who.shop, PAGE_SIZE, None)
    return sum(c.shop_read_at is None for c in complaints) + sum(
        r.read_at is None for r in reminders
    )


def _reply(request: Request, who: SignedIn, complaint_id: str, form: Form) -> Response:
    """The complaint with the shop's reply, or with why the reply was refused beside its form."""
    texts = texts_of(request)
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
    return page(
        request,
        "portal/complaint.html",
        who,
        status=status,
        title="complaint_title",
        complaint=complaint_view(complaint),
        problem=problem,
        reply_max=REPLY_MAX_LENGTH,
    )
