"""Shop routes for feedback: the shop's evaluations and complaints, read receipts and replies.

Why: a shop answers what owners say about it (digest §1.7: "view and mark-read complaints",
"reply"). Everything is scoped to the calling shop: another shop's evaluation or complaint
answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.feedback_schemas import EvaluationReplyIn, ShopReplyIn
from chalicelib.api.feedback_views import complaint_shop_view, evaluation_view
from chalicelib.api.responses import EvaluationPage, ShopComplaintPage, conform
from chalicelib.api.schemas import parse
from chalicelib.bootstrap import complaint_service, evaluation_service
from chalicelib.doors.kit.auth import require_shop
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


@bp.route("/v1/shop/evaluations", methods=["GET"])
@rest_errors
def shop_evaluations() -> Any:
    shop = require_shop(bp.current_request)
    params = query_params(bp.current_request)
    items, cursor = evaluation_service().for_shop(
        shop, int_param(params, "limit", 50), params.get("cursor")
    )
    body = {"evaluations": [evaluation_view(e) for e in items], "next_cursor": cursor}
    return json_response(conform(EvaluationPage, body))


@bp.route(
    "/v1/shop/evaluations/{record_id}/reply", methods=["POST"], content_types=ANY_CONTENT_TYPE
)
@rest_errors
def reply_to_evaluation(record_id: str) -> Any:
    shop = require_shop(bp.current_request)
    body: EvaluationReplyIn = parse(EvaluationReplyIn, read_json(bp.current_request))
    return json_response(evaluation_view(evaluation_service().reply(shop, record_id, body.text)))


@bp.route("/v1/shop/complaints", methods=["GET"])
@rest_errors
def shop_complaints() -> Any:
    shop = require_shop(bp.current_request)
    params = query_params(bp.current_request)
    items, cursor = complaint_service().for_shop(
        shop, int_param(params, "limit", 50), params.get("cursor")
    )
    body = {"complaints": [complaint_shop_view(c) for c in items], "next_cursor": cursor}
    return json_response(conform(ShopComplaintPage, body))


@bp.route("/v1/shop/complaints/{complaint_id}", methods=["GET"])
@rest_errors
def shop_complaint(complaint_id: str) -> Any:
    shop = require_shop(bp.current_request)
    return json_response(
        complaint_shop_view(complaint_service().shop_complaint(shop, complaint_id))
    )


@bp.route(
    "/v1/shop/complaints/{complaint_id}/read", methods=["POST"], content_types=ANY_CONTENT_TYPE
)
@rest_errors
def mark_complaint_read(complaint_id: str) -> Any:
    request = bp.current_request
    shop = require_shop(request)
    complaint = complaint_service().mark_read(shop, complaint_id, source_ip(request))
    return json_response(complaint_shop_view(complaint))


@bp.route(
    "/v1/shop/complaints/{complaint_id}/reply", methods=["POST"], content_types=ANY_CONTENT_TYPE
)
@rest_errors
def reply_to_complaint(complaint_id: str) -> Any:
    request = bp.current_request
    shop = require_shop(request)
    body: ShopReplyIn = parse(ShopReplyIn, read_json(request))
    complaint = complaint_service().reply(
        shop, complaint_id, body.text, body.link_correction, source_ip(request)
    )
    return json_response(complaint_shop_view(complaint))
