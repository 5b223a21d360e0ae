"""Reminder routes: regulators send notices and see sent/read counts; shops read theirs.

Why: the reminder (提醒通知) is how a regulator nudges shops that stopped uploading or upload
with errors (digest §1.7). Sending is a regulator action (audited); reading is the shop's read
receipt, counted once.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import Field

from chalicelib.api.responses import (
    ReminderOut,
    ReminderPage,
    conform,
)
from chalicelib.api.schemas import _Strict, parse
from chalicelib.bootstrap import reminder_service
from chalicelib.domain.reminder import (
    BODY_MAX_LENGTH,
    MAX_RECIPIENTS,
    TITLE_MAX_LENGTH,
    Reminder,
)
from chalicelib.doors.kit.auth import (
    Permission,
    Scope,
    authorize_here,
    require_permission,
    require_role,
)
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    source_ip,
)

bp = Blueprint(__name__)


class SendReminderIn(_Strict):
    companycodes: list[str] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    body: str = Field(min_length=1, max_length=BODY_MAX_LENGTH)


@bp.route("/v1/reminders", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def send_reminder() -> Any:
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, Permission.REMINDERS_SEND)
    body: SendReminderIn = parse(SendReminderIn, read_json(request))
    for companycode in body.companycodes:  # a district officer reminds its own shops only
        authorize_here(principal, Permission.REMINDERS_SEND, companycode=companycode.strip())
    reminder = reminder_service().send(
        f"regulator:{principal.principal_id}",
        body.companycodes,
        body.title,
        body.body,
        source_ip=source_ip(request),
    )
    return json_response(reminder_view(reminder), 201)


@bp.route("/v1/reminders", methods=["GET"])
@rest_errors
def sent_reminders() -> Any:
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, Permission.STATS_READ)
    params = query_params(request)
    items, cursor = reminder_service().sent(int_param(params, "limit", 50), params.get("cursor"))
    if not Scope.of(principal).whole_province:  # a district officer: the reminders it sent
        items = [r for r in items if r.sender == f"regulator:{principal.principal_id}"]
    body = {"reminders": [reminder_view(r) for r in items], "next_cursor": cursor}
    return json_response(conform(ReminderPage, body))


def reminder_view(reminder: Reminder) -> dict[str, Any]:
    body = {
        "reminder_id": reminder.reminder_id,
        "title": reminder.title,
        "body": reminder.body,
        "sender": reminder.sender,
        "recipients": reminder.recipients,
        "read": reminder.read,
        "created_at": reminder.created_at.isoformat(),
    }
    return conform(ReminderOut, body)
