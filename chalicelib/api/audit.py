"""The audit trail for administrators: `GET /v1/audit?from=&to=&actor=&limit=&cursor=`.

`from` and `to` are ISO dates (China calendar days, both included) or ISO date-times (a time
without an offset is China time); the default is the last 24 hours. Reading the trail is itself
written to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import AuditPage, conform
from chalicelib.bootstrap import audit_trail, record_service
from chalicelib.domain.china_time import CST
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import json_response, query_params
from chalicelib.errors import FieldError, ValidationFailedError

bp = Blueprint(__name__)


@bp.route("/v1/audit", methods=["GET"])
@rest_errors
def audit_entries() -> Any:
    request = bp.current_request
    principal = require_permission(request, Permission.AUDIT_READ)
    params = query_params(request)
    now = record_service().now()
    since = _instant(params.get("from"), "from", end=False) or now - timedelta(days=1)
    until = _instant(params.get("to"), "to", end=True) or now + timedelta(seconds=1)
    limit = _limit(params.get("limit"))
    entries, cursor = audit_trail().search(
        actor_of(request, principal),
        since,
        until,
        actor=params.get("actor") or None,
        limit=limit,
        cursor=params.get("cursor") or None,
    )
    return json_response(conform(AuditPage, {"entries": entries, "next_cursor": cursor}))


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


def _limit(value: str | None) -> int:
    if not value:
        return 50
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 200:
        raise ValidationFailedError([FieldError("limit", "range", "limit must be 1 to 200")])
    return int(value)
