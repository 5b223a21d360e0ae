"""`/v1/reminders`: regulators send notices to shops (提醒通知) and see the sent/read counts
(province stacks only; a shop reads its notices at its own door, `doors/shop_api`).

Why: the reminder is how a regulator nudges shops that stopped uploading or upload with errors
(digest §1.7). Sending is a regulator action (audited by the service); a district officer
reminds only shops of its districts and sees only the reminders it sent.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import reminder_service
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.auth import Permission, Scope, authorize_here, require_permission
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    source_ip,
)
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.operations import BODY, BUSY, PAGE, PROVINCE, Doc
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import ReminderOut, ReminderPage, SendReminderIn
from chalicelib.doors.regulator_api.views import reminder_page_view, reminder_view

SEND = Doc(
    "Remind shops (提醒通知)",
    "reminders",
    {201: ReminderOut},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    body=SendReminderIn,
)
SENT = Doc(
    "Reminders sent, with read counts",
    "reminders",
    {200: ReminderPage},
    (400, 401, 403, 404, *BUSY),
    auth="regulator",
    params=PAGE,
)


@door.route(
    "/v1/reminders", methods=["POST"], content_types=ANY_CONTENT_TYPE, stacks=PROVINCE, doc=SEND
)
def send_reminder() -> Response:
    principal = require_permission(door.request, Permission.REMINDERS_SEND)
    body: SendReminderIn = parse(SendReminderIn, read_json(door.request))
    _authorize_recipients(principal, body.companycodes)
    sender, ip = _sender(principal), source_ip(door.request)
    sent = reminder_service().send(sender, body.companycodes, body.title, body.body, source_ip=ip)
    return json_response(reminder_view(sent), 201)


@door.route("/v1/reminders", methods=["GET"], stacks=PROVINCE, doc=SENT)
def sent_reminders() -> Response:
    principal = require_permission(door.request, Permission.STATS_READ)
    params = query_params(door.request)
    # A district officer sees the reminders it sent; the whole province's, everyone else.
    sender = None if Scope.of(principal).whole_province else _sender(principal)
    limit = int_param(params, "limit", 50)
    items, cursor = reminder_service().sent(limit, params.get("cursor"), sender=sender)
    return json_response(reminder_page_view(items, cursor))


def _authorize_recipients(principal: Principal, companycodes: list[str]) -> None:
    """A district officer reminds its own shops only."""
    for companycode in companycodes:
        authorize_here(principal, Permission.REMINDERS_SEND, companycode=companycode.strip())


def _sender(principal: Principal) -> str:
    return f"regulator:{principal.principal_id}"
