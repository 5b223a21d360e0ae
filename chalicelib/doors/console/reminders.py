"""Console page of reminders (提醒通知): send to one shop or a list, and see sent/read counts.

Why: reminding is how a regulator acts on what monitoring shows (digest §1.7: 已提醒数 /
已读数). A reminder goes to the shops typed here (one or many companycodes) or to every shop
ticked on the not-uploading list, which posts here too. Each shop must lie in the sender's
districts (another district's shop answers 404, as through the API); sending is idempotent
for a day and audited by `services.reminders`. Shops read reminders through their API
(`GET /v1/shop/reminders`, `POST /v1/shop/reminders/{id}/read`) or portal, and the read
count here follows.
"""

from __future__ import annotations

import re

from chalice import Response

from chalicelib.bootstrap import reminder_service
from chalicelib.domain.access_policy import Permission, Scope
from chalicelib.domain.reminder import MAX_RECIPIENTS, Reminder
from chalicelib.domain.shop import COMPANYCODE_PATTERN
from chalicelib.doors.console import province_views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import console_page, signed_form, signed_in
from chalicelib.doors.kit.auth import authorize_here
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession
from chalicelib.errors import FieldError, ValidationFailedError

SEND = Permission.REMINDERS_SEND
PAGE_SIZE = 50
MAX_FORM_BYTES = 64 * 1024
_SEPARATORS = re.compile(r"[\s,，;；]+")


@page("/console/reminders", stacks=PROVINCE)
def reminders_page() -> Response:
    session, lang = signed_in(door.request, SEND)
    params = query_params(door.request)
    form = {"companycodes": params.get("to", "")[:32], "title": "", "body": ""}
    return _page(session, lang, form=form, sent=params.get("sent", "")[:32])


@form("/console/reminders", stacks=PROVINCE)
def send_reminder() -> Response:
    session, form, lang = signed_form(door.request, SEND, max_bytes=MAX_FORM_BYTES)
    codes = [c for value in form.getlist("companycodes") for c in _SEPARATORS.split(value) if c]
    shown = {"companycodes": "\n".join(codes), "title": form.get("title"), "body": form.get("body")}
    try:  # refused: the form again, each error beside its field
        reminder = _send(session, codes, form)
    except ValidationFailedError as exc:
        return _page(session, lang, form=shown, status=400, errors=exc.errors)
    return redirect("/console/reminders", query={"lang": lang, "sent": reminder.reminder_id})


def _send(session: WebSession, codes: list[str], form: Form) -> Reminder:
    """Send the reminder to shops that are each in the sender's districts (404 otherwise)."""
    malformed = [c for c in codes if not COMPANYCODE_PATTERN.match(c)]
    if malformed or len(codes) > MAX_RECIPIENTS:
        message = "companycodes are 15 digits: " + ", ".join(malformed[:20])
        rule = "pattern" if malformed else "count"
        raise ValidationFailedError([FieldError("companycodes", rule, message)])
    for companycode in codes:  # a district officer reminds its own shops only (404 otherwise)
        authorize_here(session.principal, SEND, companycode=companycode)
    return reminder_service().send(
        f"regulator:{session.principal.principal_id}",
        codes,
        form.get("title"),
        form.get("body"),
        source_ip=source_ip(door.request),
    )


def _page(
    session: WebSession,
    lang: str,
    *,
    form: dict[str, str],
    status: int = 200,
    errors: list[FieldError] | None = None,
    sent: str = "",
) -> Response:
    """The reminders sent (a district officer: its own), with their read counts, and the form."""
    cursor = query_params(door.request).get("cursor") or None
    items, next_cursor = reminder_service().sent(PAGE_SIZE, cursor)
    if not Scope.of(session.principal).whole_province:  # a district officer: what it sent
        items = [r for r in items if r.sender == f"regulator:{session.principal.principal_id}"]
    view = province_views.reminders(items, next_cursor)
    return console_page(
        "console/reminders.html",
        session,
        lang,
        status=status,
        form=form,
        errors=errors or [],
        sent=sent,
        **view,
    )
