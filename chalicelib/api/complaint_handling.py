"""Regulator routes for complaints: the queue, a complaint with its photo, and each decision.

Why: handling a complaint reads personal data (the complainant's plate, phone and photo), so
every read and every decision is made by an authenticated regulator and lands in the audit
log (the service writes it). Decisions need a regulator role that may change things.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.auth import require_regulator, require_role
from chalicelib.api.errors import rest_errors
from chalicelib.api.feedback_schemas import CloseIn, RejectIn
from chalicelib.api.feedback_views import complaint_regulator_view
from chalicelib.api.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    source_ip,
)
from chalicelib.api.schemas import parse
from chalicelib.bootstrap import complaint_service
from chalicelib.services.complaints import Actor

bp = Blueprint(__name__)


def _actor(write: bool) -> Actor:
    require_role("province")
    request = bp.current_request
    principal = require_regulator(request, write=write)
    return Actor(f"regulator:{principal.principal_id}", source_ip(request))


@bp.route("/v1/complaints", methods=["GET"])
@rest_errors
def complaint_queue() -> Any:
    _actor(write=False)
    params = query_params(bp.current_request)
    items, cursor = complaint_service().queue(
        params.get("status", "submitted"), int_param(params, "limit", 50), params.get("cursor")
    )
    return json_response(
        {"complaints": [complaint_regulator_view(c) for c in items], "next_cursor": cursor}
    )


@bp.route("/v1/complaints/{complaint_id}", methods=["GET"])
@rest_errors
def complaint_detail(complaint_id: str) -> Any:
    actor = _actor(write=False)
    return json_response(
        complaint_regulator_view(complaint_service().for_regulator(complaint_id, actor))
    )


@bp.route("/v1/complaints/{complaint_id}/photo", methods=["GET"])
@rest_errors
def complaint_photo(complaint_id: str) -> Any:
    actor = _actor(write=False)
    data, content_type = complaint_service().photo(complaint_id, actor)
    return Response(
        body=data,
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{complaint_id}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/v1/complaints/{complaint_id}/accept", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def accept_complaint(complaint_id: str) -> Any:
    actor = _actor(write=True)
    return json_response(complaint_regulator_view(complaint_service().accept(complaint_id, actor)))


@bp.route("/v1/complaints/{complaint_id}/reject", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def reject_complaint(complaint_id: str) -> Any:
    actor = _actor(write=True)
    body: RejectIn = parse(RejectIn, read_json(bp.current_request))
    complaint = complaint_service().reject(complaint_id, body.reason, actor)
    return json_response(complaint_regulator_view(complaint))


@bp.route("/v1/complaints/{complaint_id}/close", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def close_complaint(complaint_id: str) -> Any:
    actor = _actor(write=True)
    body: CloseIn = parse(CloseIn, read_json(bp.current_request))
    complaint = complaint_service().close(complaint_id, body.outcome, body.note, actor)
    return json_response(complaint_regulator_view(complaint))
