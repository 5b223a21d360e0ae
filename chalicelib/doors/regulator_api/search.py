"""`/v1/search/records` and its exports: record search and its CSV export, on a province and
at the ministry.

Why: regulators search records by VIN, plate, shop, district, dates and flag (digest §3.4
`query4manager`) and export the result. Every search reads cross-shop data, so each is
audited with its criteria; an export is a job whose file is fetched by a short-lived link.
At the ministry the search is national (digest §1.6): over every connected province, or the
one named by `province`. Pages follow each other by an opaque `cursor` (the previous page's
`next_cursor`); a page that would read beyond its budget answers 400 `search_too_broad`.
The criteria are read as the console reads them (`kit/search_criteria.py`).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import audit_trail, export_service, record_search_service
from chalicelib.domain.principal import Principal
from chalicelib.domain.shop import COMPANYCODE_PATTERN, DIVISION_PATTERN
from chalicelib.doors.kit.auth import (
    Permission,
    Scope,
    actor_of,
    authorize_here,
    require_permission,
)
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    require_object,
    source_ip,
)
from chalicelib.doors.kit.operations import BODY, BUSY, Doc, path_param, query_param
from chalicelib.doors.kit.search_criteria import (
    criteria_from_params,
    search_details,
    search_provinces,
)
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import ExportOut, ExportRequest, SearchPage
from chalicelib.doors.regulator_api.views import export_view, search_page_view
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.record_search import SearchCriteria

PAGE_SIZE = 50
SEARCH = Doc(
    "Search records (audited)",
    "search",
    {200: SearchPage},
    (400, 401, 403, 404, *BUSY),
    auth="regulator",
    params=(
        query_param("from", {"type": "string", "format": "date"}, "default: 30 days ago"),
        query_param("to", {"type": "string", "format": "date"}, "default: today"),
        query_param("vin", {"type": "string"}),
        query_param("plate", {"type": "string"}),
        query_param("companycode", {"type": "string"}),
        query_param("flag", {"type": "string"}, "a quality flag code, e.g. mileage_rollback"),
        query_param(
            "division", {"type": "string", "pattern": "^[0-9]{6}$"}, "one district (6 digits)"
        ),
        query_param(
            "limit", {"type": "integer", "minimum": 1, "maximum": 50}, "page size (default 50)"
        ),
        query_param(
            "cursor",
            {"type": "string", "maxLength": 2048},
            "`next_cursor` of the previous page of the same search (other "
            "criteria: 400 `valid_cursor`)",
        ),
        query_param(
            "province",
            {"type": "string"},
            "ministry only: one province (default: every connected one)",
        ),
    ),
    description="Newest settlement first. One page reads at most SEARCH_READ_ITEMS "
    "index items in SEARCH_READ_REQUESTS queries (defaults 10,000 and "
    "400); a search that would read more before its page is full "
    "answers 400 `search_too_broad`, whose errors name the criteria "
    "that narrow it: `from`/`to` (date range), `companycode` (shop), "
    "`division` (district).",
)
EXPORT = Doc(
    "Export a search as CSV (a job)",
    "search",
    {202: ExportOut},
    (*BODY, 401, 403, 404, *BUSY),
    auth="regulator",
    body=ExportRequest,
)
EXPORT_STATUS = Doc(
    "An export job; its link when done",
    "search",
    {200: ExportOut},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(path_param("job_id"),),
)


@door.route("/v1/search/records", methods=["GET"], doc=SEARCH)
def search_records() -> Response:
    principal = require_permission(door.request, Permission.RECORDS_SEARCH)
    params = query_params(door.request)
    criteria, covered = _criteria(principal, params, paging=True)
    scope, cursor = Scope.of(principal).divisions, params.get("cursor") or None
    page = record_search_service().page(criteria, scope, _limit(params), cursor, provinces=covered)
    _audit_search(principal, criteria, covered)
    return json_response(search_page_view(page))


@door.route(
    "/v1/search/records/exports", methods=["POST"], content_types=ANY_CONTENT_TYPE, doc=EXPORT
)
def request_export() -> Response:
    principal = require_permission(door.request, Permission.RECORDS_SEARCH)
    params = {k: str(v) for k, v in require_object(read_json(door.request)).items()}
    criteria, provinces = _criteria(principal, params)
    who, scope, ip = _requester(principal), Scope.of(principal).divisions, source_ip(door.request)
    job = export_service().request(who, criteria, scope, source_ip=ip, provinces=provinces)
    return json_response(export_view(job, None), 202)


@door.route("/v1/search/records/exports/{job_id}", methods=["GET"], doc=EXPORT_STATUS)
def export_status(job_id: str) -> Response:
    principal = require_permission(door.request, Permission.RECORDS_SEARCH)
    job, link = export_service().status(_requester(principal), job_id)
    return json_response(export_view(job, link))


def _criteria(
    principal: Principal, params: dict[str, str], *, paging: bool = False
) -> tuple[SearchCriteria, tuple[str, ...] | None]:
    """The search's criteria, checked against the caller's scope, and the provinces it covers.

    A named shop must lie in the searcher's scope (404 otherwise, as if it did not exist),
    and a named district too (403 `out_of_scope`, as for every district filter). The caller
    is authenticated before its criteria are read, so a caller without a token is answered
    401 whatever it sends, never a 400 about its parameters.
    """
    criteria = criteria_from_params(params, paging=paging)
    if COMPANYCODE_PATTERN.match(criteria.companycode):
        authorize_here(principal, Permission.RECORDS_SEARCH, companycode=criteria.companycode)
    if DIVISION_PATTERN.match(criteria.division):
        authorize_here(principal, Permission.RECORDS_SEARCH, division=criteria.division)
    return criteria, search_provinces(params)


def _audit_search(
    principal: Principal, criteria: SearchCriteria, provinces: tuple[str, ...] | None
) -> None:
    """Every search reads cross-shop data: its criteria go to the audit trail."""
    details = search_details(criteria, provinces)
    audit_trail().record(actor_of(door.request, principal), "records.search", "records", details)


def _requester(principal: Principal) -> str:
    """Whose export a job is: only its requester reads its status and link."""
    return f"regulator:{principal.principal_id}"


def _limit(params: dict[str, str]) -> int:
    limit = int_param(params, "limit", PAGE_SIZE)
    if limit > PAGE_SIZE:
        raise ValidationFailedError([FieldError("limit", "range", f"limit must be 1–{PAGE_SIZE}")])
    return limit
