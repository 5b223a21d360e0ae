"""Public feedback routes: evaluate a repair, file and follow a complaint, browse shops.

Why: owners need no account; what stands in for one is the proof (VIN + plate + settlement
number) and the limits per client address and per VIN (`PublicGate`). Every failed proof gets
the same 404, and no route lists VINs. Province stacks only (404 on the ministry).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.feedback_schemas import ComplaintIn, EvaluationIn, FollowComplaintIn
from chalicelib.api.feedback_views import complaint_public_view, evaluation_view
from chalicelib.api.responses import DirectoryShops, Divisions, conform
from chalicelib.api.schemas import parse
from chalicelib.bootstrap import complaint_service, evaluation_service, public_gate, shop_directory
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    json_response,
    query_params,
    read_json,
    source_ip,
)

bp = Blueprint(__name__)
COMPLAINT_BODY_BYTES = 3 * 1024 * 1024  # a 2 MB photo, base64-encoded, plus the fields


@bp.route("/v1/evaluations", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def evaluate() -> Any:
    require_role("province")
    request = bp.current_request
    body: EvaluationIn = parse(EvaluationIn, read_json(request))
    public_gate().admit(source_ip(request), body.vin, submission=True)
    evaluation, created = evaluation_service().evaluate(
        body.to_request(), source_ip=source_ip(request)
    )
    return json_response(evaluation_view(evaluation), 201 if created else 200)


@bp.route("/v1/complaints", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def file_complaint() -> Any:
    require_role("province")
    request = bp.current_request
    body: ComplaintIn = parse(ComplaintIn, read_json(request, COMPLAINT_BODY_BYTES))
    public_gate().admit(source_ip(request), body.vin, submission=True)
    complaint, created = complaint_service().submit(
        body.to_submission(), source_ip=source_ip(request)
    )
    return json_response(complaint_public_view(complaint), 201 if created else 200)


@bp.route("/v1/complaints/follow", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def follow_complaint() -> Any:
    """POST, not GET: the code is the complainant's key and stays out of URLs and logs."""
    require_role("province")
    request = bp.current_request
    body: FollowComplaintIn = parse(FollowComplaintIn, read_json(request))
    public_gate().admit(source_ip(request))
    return json_response(complaint_public_view(complaint_service().follow(body.code)))


@bp.route("/v1/directory/divisions", methods=["GET"])
@rest_errors
def directory_divisions() -> Any:
    require_role("province")
    body = {"divisions": [{"code": c, "name": n} for c, n in shop_directory().divisions()]}
    return json_response(conform(Divisions, body))


@bp.route("/v1/directory/shops", methods=["GET"])
@rest_errors
def directory_shops() -> Any:
    require_role("province")
    request = bp.current_request
    public_gate().admit(source_ip(request))
    division = query_params(request).get("division", "")
    body = {"division": division, "shops": shop_directory().ranked(division)}
    return json_response(conform(DirectoryShops, body))
