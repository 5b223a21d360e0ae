"""`/v1/complaints` (GET) and `/v1/complaints/{id}/...`: the complaint queue, a complaint with
its photo, and each decision (province stacks only).

Why: handling a complaint reads personal data (the complainant's plate, phone and photo), so
every read and every decision is made by an authenticated regulator and lands in the audit
log (the service writes it). Reads need `complaints.read`, decisions `complaints.handle`; a
district officer reaches only complaints about shops of its districts (others answer the very
404 of a complaint that does not exist), and its queue shows only those.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import complaint_service
from chalicelib.doors.kit.auth import Permission, Scope, actor_of, require_permission
from chalicelib.doors.kit.complaint_scope import authorize_complaint
from chalicelib.doors.kit.feedback_models import CloseIn, ComplaintRegulatorOut, RejectIn
from chalicelib.doors.kit.feedback_views import complaint_regulator_view
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
)
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.operations import (
    BODY,
    BUSY,
    PAGE,
    PROVINCE,
    Doc,
    path_param,
    query_param,
)
from chalicelib.doors.kit.respond import inline_image
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import RegulatorComplaintPage
from chalicelib.doors.regulator_api.views import complaint_page_view
from chalicelib.services.audit import Actor

READ, HANDLE = Permission.COMPLAINTS_READ, Permission.COMPLAINTS_HANDLE
_COMPLAINT = path_param("complaint_id", "the complaint's code (TS + 16 characters)")
QUEUE = Doc(
    "The complaint queue, oldest first",
    "complaints",
    {200: RegulatorComplaintPage},
    (400, 401, 404, *BUSY),
    auth="regulator",
    params=(query_param("status", {"type": "string"}), *PAGE),
)
DETAIL = Doc(
    "One complaint, with the phone",
    "complaints",
    {200: ComplaintRegulatorOut},
    (401, 404, *BUSY),
    auth="regulator",
    params=(_COMPLAINT,),
)
PHOTO = Doc(
    "The complaint's photo",
    "complaints",
    {},
    (401, 404, *BUSY),
    auth="regulator",
    params=(_COMPLAINT,),
    binary_ok=("image/jpeg", "image/png"),
)
ACCEPT = Doc(
    "Accept a complaint",
    "complaints",
    {200: ComplaintRegulatorOut},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_COMPLAINT,),
)
REJECT = Doc(
    "Reject a complaint",
    "complaints",
    {200: ComplaintRegulatorOut},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    body=RejectIn,
    params=(_COMPLAINT,),
)
CLOSE = Doc(
    "Close a complaint",
    "complaints",
    {200: ComplaintRegulatorOut},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    body=CloseIn,
    params=(_COMPLAINT,),
)


@door.route("/v1/complaints", methods=["GET"], stacks=PROVINCE, doc=QUEUE)
def complaint_queue() -> Response:
    principal = require_permission(door.request, READ)
    params = query_params(door.request)
    status, limit = params.get("status", "submitted"), int_param(params, "limit", 50)
    items, cursor = complaint_service().queue(status, limit, params.get("cursor"))
    # A district officer's page holds only its districts' complaints (it may come out short).
    items = Scope.of(principal).filter(items, lambda c: c.companycode)
    return json_response(complaint_page_view(items, cursor))


@door.route("/v1/complaints/{complaint_id}", methods=["GET"], stacks=PROVINCE, doc=DETAIL)
def complaint_detail(complaint_id: str) -> Response:
    actor = _actor(READ, complaint_id)
    complaint = complaint_service().for_regulator(complaint_id, actor)
    return json_response(complaint_regulator_view(complaint))


@door.route("/v1/complaints/{complaint_id}/photo", methods=["GET"], stacks=PROVINCE, doc=PHOTO)
def complaint_photo(complaint_id: str) -> Response:
    actor = _actor(READ, complaint_id)
    data, content_type = complaint_service().photo(complaint_id, actor)
    return inline_image(complaint_id, data, content_type)


@door.route(
    "/v1/complaints/{complaint_id}/accept",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=ACCEPT,
)
def accept_complaint(complaint_id: str) -> Response:
    actor = _actor(HANDLE, complaint_id)
    return json_response(complaint_regulator_view(complaint_service().accept(complaint_id, actor)))


@door.route(
    "/v1/complaints/{complaint_id}/reject",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=REJECT,
)
def reject_complaint(complaint_id: str) -> Response:
    actor = _actor(HANDLE, complaint_id)
    body: RejectIn = parse(RejectIn, read_json(door.request))
    complaint = complaint_service().reject(complaint_id, body.reason, actor)
    return json_response(complaint_regulator_view(complaint))


@door.route(
    "/v1/complaints/{complaint_id}/close",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=CLOSE,
)
def close_complaint(complaint_id: str) -> Response:
    actor = _actor(HANDLE, complaint_id)
    body: CloseIn = parse(CloseIn, read_json(door.request))
    complaint = complaint_service().close(complaint_id, body.outcome, body.note, actor)
    return json_response(complaint_regulator_view(complaint))


def _actor(permission: Permission, complaint_id: str) -> Actor:
    """The regulator, if it may use `permission` on this complaint's shop."""
    principal = require_permission(door.request, permission)
    authorize_complaint(principal, permission, complaint_id)
    return actor_of(door.request, principal)
