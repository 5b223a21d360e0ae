"""`GET /v1/audit?from=&to=&actor=&limit=&cursor=`: the audit trail for administrators.

`from` and `to` are ISO dates (China calendar days, both included) or ISO date-times (a time
without an offset is China time); the default is the last 24 hours. Reading the trail is itself
written to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalice import Response

from chalicelib.bootstrap import audit_trail, record_service
from chalicelib.domain.china_time import CST
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.http import json_response, query_params
from chalicelib.doors.kit.models import conform
from chalicelib.doors.kit.operations import BUSY, CURSOR, Doc, query_param
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import AuditPage
from chalicelib.doors.regulator_api.params import limit_param
from chalicelib.errors import FieldError, ValidationFailedError

_DAY_OR_TIME = {"type": "string"}
AUDIT = Doc(
    "The audit trail, newest first",
    "accounts",
    {200: AuditPage},
    (400, 401, 403, *BUSY),
    auth="regulator",
    params=(
        query_param("from", _DAY_OR_TIME, "YYYY-MM-DD or ISO date-time"),
        query_param("to", _DAY_OR_TIME, "YYYY-MM-DD or ISO date-time"),
        query_param("actor", {"type": "string"}),
        query_param("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
        CURSOR,
    ),
)


@door.route("/v1/audit", methods=["GET"], doc=AUDIT)
def audit_entries() -> Response:
    principal = require_permission(door.request, Permission.AUDIT_READ)
    params = query_params(door.request)
    window = _window(params)
    limit, cursor = limit_param(params.get("limit") or "50", 200), params.get("cursor") or None
    reader, actor = actor_of(door.request, principal), params.get("actor") or None
    entries, cursor = audit_trail().search(reader, *window, actor=actor, limit=limit, cursor=cursor)
    return json_response(conform(AuditPage, {"entries": entries, "next_cursor": cursor}))


def _window(params: dict[str, str]) -> tuple[datetime, datetime]:
    """`from` and `to` as instants; by default the last 24 hours."""
    now = record_service().now()
    since = _instant(params.get("from"), "from", end=False) or now - timedelta(days=1)
    until = _instant(params.get("to"), "to", end=True) or now + timedelta(seconds=1)
    return since, until


def _instant(value: str | None, field: str, *, end: bool) -> datetime | None:
    """A date means the whole China calendar day (`to` includes it); a naive time is China's."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).replace(tzinfo=CST)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailedError(
            [FieldError(field, "iso_8601", f"{field} must be YYYY-MM-DD or an ISO date-time")]
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)
