"""`/v1/agencies`: the ministry administers agencies and their API keys, and reads what each
agency read (ministry stack only; an agency's own reads are the partners' door).

Why: the ministry issues and withdraws agencies' access (digest §1.11) and the regulator can
see, for any agency, every read it made. Writes need `agencies.manage` (the ministry's
administrators); lists and the reads (a page, or CSV parts: `kit/agency_reads.py`) need
`agencies.reads` (administrators and analysts).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import agency_read_service, agency_service
from chalicelib.doors.kit.agency_reads import csv_part, period
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
)
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import (
    BODY,
    BUSY,
    CURSOR,
    MINISTRY,
    PAGE,
    Doc,
    path_param,
    query_param,
)
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import (
    Agencies,
    AgencyKeyOut,
    AgencyKeyWithSecret,
    AgencyOut,
    AgencyReadPage,
    IssueKeyRequest,
    RegisterAgencyRequest,
)
from chalicelib.doors.regulator_api.views import agency_view, key_with_secret_view
from chalicelib.services.audit import Actor

_AGENCY = path_param("agency_id")
_KEY = path_param("key_id")
_PERIOD = (
    query_param(
        "from", {"type": "string", "format": "date"}, "China day; default: 6 days before `to`"
    ),
    query_param("to", {"type": "string", "format": "date"}, "China day; default: today"),
)
REGISTER = Doc(
    "Register an agency (the same name again: the same one)",
    "agencies",
    {201: AgencyOut, 200: AgencyOut},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    body=RegisterAgencyRequest,
)
LIST = Doc(
    "Agencies and their keys' terms",
    "agencies",
    {200: Agencies},
    (401, 403, 404, *BUSY),
    auth="regulator",
)
READ = Doc(
    "One agency and its keys",
    "agencies",
    {200: AgencyOut},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_AGENCY,),
)
ISSUE_KEY = Doc(
    "Issue a key (shown once)",
    "agencies",
    {201: AgencyKeyWithSecret},
    (*BODY, 401, 403, 404, *BUSY),
    auth="regulator",
    body=IssueKeyRequest,
    params=(_AGENCY,),
)
ROTATE_KEY = Doc(
    "Rotate a key (the old one stops at once)",
    "agencies",
    {200: AgencyKeyWithSecret},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_AGENCY, _KEY),
)
REVOKE_KEY = Doc(
    "Revoke a key",
    "agencies",
    {200: AgencyKeyOut},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_AGENCY, _KEY),
)
READS = Doc(
    "An agency's reads (audit)",
    "agencies",
    {200: AgencyReadPage},
    (400, 401, 403, 404, *BUSY),
    auth="regulator",
    params=(_AGENCY, *_PERIOD, *PAGE),
)
READS_CSV = Doc(
    "An agency's reads as CSV parts",
    "agencies",
    {},
    (400, 401, 403, 404, *BUSY),
    auth="regulator",
    params=(_AGENCY, *_PERIOD, CURSOR),
    binary_ok=("text/csv",),
    description="At most 10,000 reads a part; a `Link: rel=next` header names the next part.",
)


@door.route(
    "/v1/agencies",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=REGISTER,
)
def register_agency() -> Response:
    actor = _allowed(Permission.AGENCIES_MANAGE)
    body: RegisterAgencyRequest = parse(RegisterAgencyRequest, read_json(door.request))
    agency, created = agency_service().register(actor, body.name, body.kind)
    return json_response(conform(AgencyOut, agency_view(agency, [])), 201 if created else 200)


@door.route("/v1/agencies", methods=["GET"], stacks=MINISTRY, doc=LIST)
def list_agencies() -> Response:
    require_permission(door.request, Permission.AGENCIES_READS)
    listed = agency_service().agencies()
    body = {"agencies": [agency_view(a, keys) for a, keys in listed]}
    return json_response(conform(Agencies, body))


@door.route("/v1/agencies/{agency_id}", methods=["GET"], stacks=MINISTRY, doc=READ)
def get_agency(agency_id: str) -> Response:
    require_permission(door.request, Permission.AGENCIES_READS)
    return json_response(conform(AgencyOut, agency_view(*agency_service().agency(agency_id))))


@door.route(
    "/v1/agencies/{agency_id}/keys",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=ISSUE_KEY,
)
def issue_key(agency_id: str) -> Response:
    actor = _allowed(Permission.AGENCIES_MANAGE)
    body: IssueKeyRequest = parse(IssueKeyRequest, read_json(door.request))
    issued = agency_service().issue_key(
        actor, agency_id, body.purpose, body.field_scope, body.quota_per_day, body.burst_per_minute
    )
    return json_response(key_with_secret_view(issued), 201)


@door.route(
    "/v1/agencies/{agency_id}/keys/{key_id}/rotate",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=ROTATE_KEY,
)
def rotate_key(agency_id: str, key_id: str) -> Response:
    actor = _allowed(Permission.AGENCIES_MANAGE)
    return json_response(
        key_with_secret_view(agency_service().rotate_key(actor, agency_id, key_id))
    )


@door.route(
    "/v1/agencies/{agency_id}/keys/{key_id}/revoke",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=REVOKE_KEY,
)
def revoke_key(agency_id: str, key_id: str) -> Response:
    actor = _allowed(Permission.AGENCIES_MANAGE)
    key = agency_service().revoke_key(actor, agency_id, key_id)
    return json_response(conform(AgencyKeyOut, key.public_view()))


@door.route("/v1/agencies/{agency_id}/reads", methods=["GET"], stacks=MINISTRY, doc=READS)
def agency_reads(agency_id: str) -> Response:
    actor = _allowed(Permission.AGENCIES_READS)
    params = query_params(door.request)
    first, last = period(params)
    reads, cursor = agency_read_service().reads_of_agency(
        actor, agency_id, first, last, params.get("cursor") or None, int_param(params, "limit", 100)
    )
    body = {"reads": [r.view() for r in reads], "next_cursor": cursor}
    return json_response(conform(AgencyReadPage, body))


@door.route("/v1/agencies/{agency_id}/reads/csv", methods=["GET"], stacks=MINISTRY, doc=READS_CSV)
def agency_reads_csv(agency_id: str) -> Response:
    actor = _allowed(Permission.AGENCIES_READS)
    next_path = f"/v1/agencies/{agency_id}/reads/csv"
    return csv_part(actor, agency_id, query_params(door.request), next_path)


def _allowed(permission: Permission) -> Actor:
    """The calling regulator, if its role has `permission` here, as the audit trail's actor."""
    return actor_of(door.request, require_permission(door.request, permission))
