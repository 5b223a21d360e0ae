"""Ministry routes: agencies and their API keys (regulators), and an agency's reads (export).

Why: the ministry issues and withdraws agencies' access (digest §1.11) and the regulator can
see, for any agency, every read it made. Writes need `agencies.manage` (the ministry's
administrators); lists and the reads export need `agencies.reads` (administrators and
analysts). Province stacks have none of these routes (404).

The reads export is a direct CSV answer of at most `CSV_ROWS` reads of at most 31 days; when
more remain, the answer's `Link: <…>; rel="next"` (and `X-Next-Cursor`) fetches the next part.
Reads are stored per agency and China day, so each part is a few queries, never a scan; see
docs/assumptions.md for why this is not an export job.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import conform
from chalicelib.api.schemas import parse
from chalicelib.api.sharing_responses import (
    Agencies,
    AgencyKeyOut,
    AgencyKeyWithSecret,
    AgencyOut,
    AgencyReadPage,
)
from chalicelib.api.sharing_schemas import IssueKeyRequest, RegisterAgencyRequest, agency_view
from chalicelib.bootstrap import agency_read_service, agency_service
from chalicelib.doors.kit.agency_reads import csv_part, period
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission, require_role
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
)

bp = Blueprint(__name__)


@bp.route("/v1/agencies", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def register_agency() -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.AGENCIES_MANAGE)
    body: RegisterAgencyRequest = parse(RegisterAgencyRequest, read_json(request))
    agency, created = agency_service().register(actor_of(request, principal), body.name, body.kind)
    return json_response(conform(AgencyOut, agency_view(agency, [])), 201 if created else 200)


@bp.route("/v1/agencies", methods=["GET"])
@rest_errors
def list_agencies() -> Any:
    require_role("ministry")
    require_permission(bp.current_request, Permission.AGENCIES_READS)
    listed = agency_service().agencies()
    return json_response(
        conform(Agencies, {"agencies": [agency_view(a, keys) for a, keys in listed]})
    )


@bp.route("/v1/agencies/{agency_id}", methods=["GET"])
@rest_errors
def get_agency(agency_id: str) -> Any:
    require_role("ministry")
    require_permission(bp.current_request, Permission.AGENCIES_READS)
    return json_response(conform(AgencyOut, agency_view(*agency_service().agency(agency_id))))


@bp.route("/v1/agencies/{agency_id}/keys", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def issue_key(agency_id: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.AGENCIES_MANAGE)
    body: IssueKeyRequest = parse(IssueKeyRequest, read_json(request))
    issued = agency_service().issue_key(
        actor_of(request, principal),
        agency_id,
        body.purpose,
        body.field_scope,
        body.quota_per_day,
        body.burst_per_minute,
    )
    answer = {**issued.key.public_view(), "key": issued.secret}
    return json_response(conform(AgencyKeyWithSecret, answer), 201)


@bp.route(
    "/v1/agencies/{agency_id}/keys/{key_id}/rotate",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
)
@rest_errors
def rotate_key(agency_id: str, key_id: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.AGENCIES_MANAGE)
    issued = agency_service().rotate_key(actor_of(request, principal), agency_id, key_id)
    answer = {**issued.key.public_view(), "key": issued.secret}
    return json_response(conform(AgencyKeyWithSecret, answer))


@bp.route(
    "/v1/agencies/{agency_id}/keys/{key_id}/revoke",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
)
@rest_errors
def revoke_key(agency_id: str, key_id: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.AGENCIES_MANAGE)
    key = agency_service().revoke_key(actor_of(request, principal), agency_id, key_id)
    return json_response(conform(AgencyKeyOut, key.public_view()))


@bp.route("/v1/agencies/{agency_id}/reads", methods=["GET"])
@rest_errors
def agency_reads(agency_id: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.AGENCIES_READS)
    params = query_params(request)
    first, last = period(params)
    reads, cursor = agency_read_service().reads_of_agency(
        actor_of(request, principal),
        agency_id,
        first,
        last,
        params.get("cursor") or None,
        int_param(params, "limit", 100),
    )
    body = {"reads": [r.view() for r in reads], "next_cursor": cursor}
    return json_response(conform(AgencyReadPage, body))


@bp.route("/v1/agencies/{agency_id}/reads/csv", methods=["GET"])
@rest_errors
def agency_reads_csv(agency_id: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.AGENCIES_READS)
    params = query_params(request)
    next_path = f"/v1/agencies/{agency_id}/reads/csv"
    return csv_part(actor_of(request, principal), agency_id, params, next_path)
