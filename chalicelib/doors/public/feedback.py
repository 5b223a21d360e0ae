"""Public feedback routes: evaluate a repair, file and follow a complaint, browse shops.

Why: owners need no account; what stands in for one is the proof (VIN + plate + settlement
number) and the limits per client address and per VIN (`PublicGate`). Every failed proof gets
the same 404, and no route lists VINs. Province stacks only (404 on the ministry).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import complaint_service, evaluation_service, public_gate, shop_directory
from chalicelib.doors.kit.feedback_models import ComplaintPublicOut, EvaluationOut
from chalicelib.doors.kit.feedback_views import complaint_public_view, evaluation_view
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    json_response,
    query_params,
    read_json,
    source_ip,
)
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, PROVINCE, Doc, query_param
from chalicelib.doors.public.door import door
from chalicelib.doors.public.models import (
    ComplaintIn,
    DirectoryShops,
    Divisions,
    EvaluationIn,
    FollowComplaintIn,
)

COMPLAINT_BODY_BYTES = 3 * 1024 * 1024  # a 2 MB photo, base64-encoded, plus the fields
EVALUATE = Doc(
    "Rate a repair (proof: VIN + plate + settlement no.)",
    "feedback",
    {201: EvaluationOut, 200: EvaluationOut},
    (*BODY, 404, 409, 429, *BUSY),
    body=EvaluationIn,
)
COMPLAIN = Doc(
    "File a complaint",
    "feedback",
    {201: ComplaintPublicOut, 200: ComplaintPublicOut},
    (*BODY, 404, 409, 429, *BUSY),
    body=ComplaintIn,
)
FOLLOW = Doc(
    "Follow a complaint by its code",
    "feedback",
    {200: ComplaintPublicOut},
    (*BODY, 404, 429, *BUSY),
    body=FollowComplaintIn,
)
DIVISIONS = Doc("The province's districts", "feedback", {200: Divisions}, (404, *BUSY))
DIRECTORY = Doc(
    "A district's shops by shrunk rating",
    "feedback",
    {200: DirectoryShops},
    (400, 404, 429, *BUSY),
    params=(query_param("division", {"type": "string"}, "6-digit district code"),),
)


@door.route(
    "/v1/evaluations",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=EVALUATE,
)
def evaluate() -> Response:
    request = door.request
    body: EvaluationIn = parse(EvaluationIn, read_json(request))
    public_gate().admit(source_ip(request), body.vin, submission=True)
    evaluation, created = evaluation_service().evaluate(
        body.to_request(), source_ip=source_ip(request)
    )
    return json_response(evaluation_view(evaluation), 201 if created else 200)


@door.route(
    "/v1/complaints",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=COMPLAIN,
)
def file_complaint() -> Response:
    request = door.request
    body: ComplaintIn = parse(ComplaintIn, read_json(request, COMPLAINT_BODY_BYTES))
    public_gate().admit(source_ip(request), body.vin, submission=True)
    complaint, created = complaint_service().submit(
        body.to_submission(), source_ip=source_ip(request)
    )
    return json_response(complaint_public_view(complaint), 201 if created else 200)


@door.route(
    "/v1/complaints/follow",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=FOLLOW,
)
def follow_complaint() -> Response:
    """POST, not GET: the code is the complainant's key and stays out of URLs and logs."""
    request = door.request
    body: FollowComplaintIn = parse(FollowComplaintIn, read_json(request))
    public_gate().admit(source_ip(request))
    return json_response(complaint_public_view(complaint_service().follow(body.code)))


@door.route("/v1/directory/divisions", methods=["GET"], stacks=PROVINCE, doc=DIVISIONS)
def directory_divisions() -> Response:
    body = {"divisions": [{"code": c, "name": n} for c, n in shop_directory().divisions()]}
    return json_response(conform(Divisions, body))


@door.route("/v1/directory/shops", methods=["GET"], stacks=PROVINCE, doc=DIRECTORY)
def directory_shops() -> Response:
    request = door.request
    public_gate().admit(source_ip(request))
    division = query_params(request).get("division", "")
    body = {"division": division, "shops": shop_directory().ranked(division)}
    return json_response(conform(DirectoryShops, body))
