"""Regulator routes for complaints: the queue, a complaint with its photo, and each decision.

Why: handling a complaint reads personal data (the complainant's plate, phone and photo), so
every read and every decision is made by an authenticated regulator and lands in the audit
log (the service writes it). Reads need `complaints.read`, decisions `complaints.handle`; a
district officer reaches only complaints about shops of its districts (others answer the very
404 of a complaint that does not exist), and its queue shows only those.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.responses import RegulatorComplaintPage, conform
from chalicelib.api.schemas import parse
from chalicelib.bootstrap import complaint_service
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.auth import (
    Permission,
    Scope,
    actor_of,
    authorize_here,
    require_permission,
    require_role,
)
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.feedback_models import CloseIn, RejectIn
from chalicelib.doors.kit.feedback_views import complaint_regulator_view
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
)
from chalicelib.errors import NotFoundError
from chalicelib.services.audit import Actor

bp = Blueprint(__name__)
READ, HANDLE = Permission.COMPLAINTS_READ, Permission.COMPLAINTS_HANDLE


def _actor(permission: Permission, complaint_id: str) -> Actor:
    """The regulator, if it may use `permission` on this complaint's shop."""
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, permission)
    authorize_complaint(principal, permission, complaint_id)
    return actor_of(request, principal)


def authorize_complaint(principal: Principal, permission: Permission, complaint_id: str) -> None:
    """Refuse a complaint about a shop outside the caller's scope exactly like a missing one.

    The scope check answers "no such shop"; said of a complaint code, that would tell a
    district officer that a code it holds is another district's complaint.
    """
    owner = complaint_service().owner_of(complaint_id)
    try:
        authorize_here(principal, permission, companycode=owner)
    except NotFoundError as exc:
        raise NotFoundError("no such complaint") from exc


@bp.route("/v1/complaints", methods=["GET"])
@rest_errors
def complaint_queue() -> Any:
    require_role("province")
    principal = require_permission(bp.current_request, READ)
    params = query_params(bp.current_request)
    items, cursor = complaint_service().queue(
        params.get("status", "submitted"), int_param(params, "limit", 50), params.get("cursor")
    )
    # A district officer's page holds only its districts' complaints (it may come out short).
    items = Scope.of(principal).filter(items, lambda c: c.companycode)
    body = {"complaints": [complaint_regulator_view(c) for c in items], "next_cursor": cursor}
    return json_response(conform(RegulatorComplaintPage, body))


@bp.route("/v1/complaints/{complaint_id}", methods=["GET"])
@rest_errors
def complaint_detail(complaint_id: str) -> Any:
    actor = _actor(READ, complaint_id)
    return json_response(
        complaint_regulator_view(complaint_service().for_regulator(complaint_id, actor))
    )


@bp.route("/v1/complaints/{complaint_id}/photo", methods=["GET"])
@rest_errors
def complaint_photo(complaint_id: str) -> Any:
    actor = _actor(READ, complaint_id)
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
    actor = _actor(HANDLE, complaint_id)
    return json_response(complaint_regulator_view(complaint_service().accept(complaint_id, actor)))


@bp.route("/v1/complaints/{complaint_id}/reject", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def reject_complaint(complaint_id: str) -> Any:
    actor = _actor(HANDLE, complaint_id)
    body: RejectIn = parse(RejectIn, read_json(bp.current_request))
    complaint = complaint_service().reject(complaint_id, body.reason, actor)
    return json_response(complaint_regulator_view(complaint))


@bp.route("/v1/complaints/{complaint_id}/close", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def close_complaint(complaint_id: str) -> Any:
    actor = _actor(HANDLE, complaint_id)
    body: CloseIn = parse(CloseIn, read_json(bp.current_request))
    complaint = complaint_service().close(complaint_id, body.outcome, body.note, actor)
    return json_response(complaint_regulator_view(complaint))
