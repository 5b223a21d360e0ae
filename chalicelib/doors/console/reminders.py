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
from chalicelib.domain.reminder import MAX_RECIPIENTS
from chalicelib.domain.shop import COMPANYCODE_PATTERN
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_form,
    console_lang,
    console_page,
    console_session,
)
from chalicelib.doors.kit.auth import authorize_here
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import FieldError, ValidationFailedError

SEND = Permission.REMINDERS_SEND
PAGE_SIZE = 50
_SEPARATORS = re.compile(r"[\s,，;；]+")


@door.route("/console/reminders", methods=["GET"], page=True, stacks=PROVINCE)
def reminders_page() -> Response:
    request = door.request
    session = console_session(request, SEND)
    params = query_params(request)
    form = {"companycodes": params.get("to", "")[:32], "title": "", "body": ""}
    return _page(session, console_lang(request), form=form, sent=params.get("sent", "")[:32])


@door.route(
    "/console/reminders", methods=["POST"], content_types=FORM_TYPES, page=True, stacks=PROVINCE
)
def send_reminder() -> Response:
    request = door.request
    session = console_session(request, SEND)
    form = console_form(request, max_bytes=64 * 1024)
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    codes = [c for value in form.getlist("companycodes") for c in _SEPARATORS.split(value) if c]
    shown = {"companycodes": "\n".join(codes), "title": form.get("title"), "body": form.get("body")}
    malformed = [c for c in codes if not COMPANYCODE_PATTERN.match(c)]
    if malformed or len(codes) > MAX_RECIPIENTS:
        message = "companycodes are 15 digits: " + ", ".join(malformed[:20])
        error = FieldError("companycodes", "pattern" if malformed else "count", message)
        return _page(session, lang, form=shown, status=400, errors=[error])
    for companycode in codes:  # a district officer reminds its own shops only (404 otherwise)
        authorize_here(session.principal, SEND, companycode=companycode)
    try:
        reminder = reminder_service().send(
            f"regulator:{session.principal.principal_id}",
            codes,
            form.get("title"),
            form.get("body"),
            source_ip=source_ip(request),
        )
    except ValidationFailedError as exc:
        return _page(session, lang, form=shown, status=400, errors=exc.errors)
    return redirect("/console/reminders", query={"lang": lang, "sent": reminder.reminder_id})


def _page(
    session: WebSession,
    lang: str,
    *,
    form: dict[str, str],
    status: int = 200,
    errors: list[FieldError] | None = None,
    sent: str = "",
) -> Response:
    cursor = query_params(door.request).get("cursor") or None
    items, next_cursor = reminder_service().sent(PAGE_SIZE, cursor)
    if not Scope.of(session.principal).whole_province:  # a district officer: what it sent
        items = [r for r in items if r.sender == f"regulator:{session.principal.principal_id}"]
    return console_page(
        "console/reminders.html",
        session,
        lang,
        status=status,
        active="reminders",
        switch_path="/console/reminders",
        reminders=[
            {
                "reminder_id": r.reminder_id,
                "title": r.title,
                "body": r.body,
                "sender": r.sender.removeprefix("regulator:"),
                "recipients": r.recipients,
                "read": r.read,
                "rate": r.read / r.recipients if r.recipients else None,
                "created_local": china_time(r.created_at),
            }
            for r in items
        ],
        next_cursor=next_cursor,
        form=form,
        errors=errors or [],
        sent=sent,
    )
