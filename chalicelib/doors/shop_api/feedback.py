"""`/v1/shop/evaluations` and `/v1/shop/complaints`: a shop reads and answers its feedback.

Why: a shop answers what owners say about it (digest §1.7: "view and mark-read complaints",
"reply"). Everything is scoped to the calling shop: another shop's evaluation or complaint
answers 404 exactly like a missing one.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import complaint_service, evaluation_service
from chalicelib.doors.kit.auth import require_shop
from chalicelib.doors.kit.feedback_models import ComplaintShopOut, EvaluationOut
from chalicelib.doors.kit.feedback_views import complaint_shop_view, evaluation_view
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    source_ip,
)
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, PAGE, Doc, path_param
from chalicelib.doors.shop_api.door import door
from chalicelib.doors.shop_api.models import (
    EvaluationPage,
    EvaluationReplyIn,
    ShopComplaintPage,
    ShopReplyIn,
)

_RECORD = path_param("record_id", "32 hex characters")
_COMPLAINT = path_param("complaint_id", "the complaint's code (TS + 16 characters)")
EVALUATIONS = Doc(
    "The shop's evaluations",
    "shop feedback",
    {200: EvaluationPage},
    (400, 401, 404, *BUSY),
    auth="shop",
    params=PAGE,
)
REPLY_EVALUATION = Doc(
    "Reply to an evaluation",
    "shop feedback",
    {200: EvaluationOut},
    (*BODY, 401, 404, 409, *BUSY),
    auth="shop",
    body=EvaluationReplyIn,
    params=(_RECORD,),
)
COMPLAINTS = Doc(
    "Accepted complaints about the shop",
    "shop feedback",
    {200: ShopComplaintPage},
    (400, 401, 404, *BUSY),
    auth="shop",
    params=PAGE,
)
COMPLAINT = Doc(
    "One complaint about the shop",
    "shop feedback",
    {200: ComplaintShopOut},
    (401, 404, *BUSY),
    auth="shop",
    params=(_COMPLAINT,),
)
READ_COMPLAINT = Doc(
    "Mark a complaint read",
    "shop feedback",
    {200: ComplaintShopOut},
    (401, 404, *BUSY),
    auth="shop",
    params=(_COMPLAINT,),
)
REPLY_COMPLAINT = Doc(
    "Reply to a complaint",
    "shop feedback",
    {200: ComplaintShopOut},
    (*BODY, 401, 404, 409, *BUSY),
    auth="shop",
    body=ShopReplyIn,
    params=(_COMPLAINT,),
)


@door.route("/v1/shop/evaluations", methods=["GET"], doc=EVALUATIONS)
def shop_evaluations() -> Response:
    shop = require_shop(door.request)
    params = query_params(door.request)
    items, cursor = evaluation_service().for_shop(
        shop, int_param(params, "limit", 50), params.get("cursor")
    )
    body = {"evaluations": [evaluation_view(e) for e in items], "next_cursor": cursor}
    return json_response(conform(EvaluationPage, body))


@door.route(
    "/v1/shop/evaluations/{record_id}/reply",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=REPLY_EVALUATION,
)
def reply_to_evaluation(record_id: str) -> Response:
    shop = require_shop(door.request)
    body: EvaluationReplyIn = parse(EvaluationReplyIn, read_json(door.request))
    return json_response(evaluation_view(evaluation_service().reply(shop, record_id, body.text)))


@door.route("/v1/shop/complaints", methods=["GET"], doc=COMPLAINTS)
def shop_complaints() -> Response:
    shop = require_shop(door.request)
    params = query_params(door.request)
    items, cursor = complaint_service().for_shop(
        shop, int_param(params, "limit", 50), params.get("cursor")
    )
    body = {"complaints": [complaint_shop_view(c) for c in items], "next_cursor": cursor}
    return json_response(conform(ShopComplaintPage, body))


@door.route("/v1/shop/complaints/{complaint_id}", methods=["GET"], doc=COMPLAINT)
def shop_complaint(complaint_id: str) -> Response:
    shop = require_shop(door.request)
    complaint = complaint_service().shop_complaint(shop, complaint_id)
    return json_response(complaint_shop_view(complaint))


@door.route(
    "/v1/shop/complaints/{complaint_id}/read",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=READ_COMPLAINT,
)
def mark_complaint_read(complaint_id: str) -> Response:
    shop = require_shop(door.request)
    complaint = complaint_service().mark_read(shop, complaint_id, source_ip(door.request))
    return json_response(complaint_shop_view(complaint))


@door.route(
    "/v1/shop/complaints/{complaint_id}/reply",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=REPLY_COMPLAINT,
)
def reply_to_complaint(complaint_id: str) -> Response:
    shop = require_shop(door.request)
    body: ShopReplyIn = parse(ShopReplyIn, read_json(door.request))
    complaint = complaint_service().reply(
        shop, complaint_id, body.text, body.link_correction, source_ip(door.request)
    )
    return json_response(complaint_shop_view(complaint))
