"""Regulator routes for record search and its CSV export, on a province and at the ministry.

Why: regulators search records by VIN, plate, shop, district, dates and flag (digest §3.4
`query4manager`) and export the result. Every search reads cross-shop data, so each is
audited with its criteria; an export is a job whose file is fetched by a short-lived link.
At the ministry the search is national (digest §1.6): over every connected province, or the
one named by `province`. Pages follow each other by an opaque `cursor` (the previous page's
`next_cursor`); a page that would read beyond its budget answers 400 `search_too_broad`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.api.auth import Permission, Scope, actor_of, authorize_here, require_permission
from chalicelib.api.errors import rest_errors
from chalicelib.api.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    require_object,
    source_ip,
)
from chalicelib.api.responses import ExportOut, SearchPage, conform
from chalicelib.bootstrap import (
    audit_trail,
    exchange_store,
    export_service,
    record_search_service,
)
from chalicelib.config import get_settings
from chalicelib.domain.china_time import china_date
from chalicelib.domain.principal import Principal
from chalicelib.domain.provinces import is_province_code
from chalicelib.domain.shop import COMPANYCODE_PATTERN, DIVISION_PATTERN
from chalicelib.errors import FieldError, SearchTooBroadError, ValidationFailedError
from chalicelib.services.record_export import ExportJob, criteria_to
from chalicelib.services.record_search import SearchCriteria

bp = Blueprint(__name__)
PAGE_SIZE = 50
CRITERIA = frozenset({"from", "to", "vin", "plate", "companycode", "flag", "division"})
PAGING = frozenset({"cursor", "limit"})


@bp.route("/v1/search/records", methods=["GET"])
@rest_errors
def search_records() -> Any:
    request = bp.current_request
    principal = require_permission(request, Permission.RECORDS_SEARCH)
    params = query_params(request)
    criteria = criteria_from_params(params, paging=True)
    _check_scope(principal, criteria)
    provinces = search_provinces(params)
    page = record_search_service().page(
        criteria,
        Scope.of(principal).divisions,
        _limit(params),
        params.get("cursor") or None,
        provinces=provinces,
    )
    audit_trail().record(
        actor_of(request, principal),
        "records.search",
        "records",
        search_details(criteria, provinces),
    )
    body = {"records": page.records, "next_cursor": page.next_cursor}
    return json_response(conform(SearchPage, body))


@bp.route("/v1/search/records/exports", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def request_export() -> Any:
    request = bp.current_request
    principal = require_permission(request, Permission.RECORDS_SEARCH)
    params = {k: str(v) for k, v in require_object(read_json(request)).items()}
    criteria = criteria_from_params(params)
    _check_scope(principal, criteria)
    job = export_service().request(
        f"regulator:{principal.principal_id}",
        criteria,
        Scope.of(principal).divisions,
        source_ip=source_ip(request),
        provinces=search_provinces(params),
    )
    return json_response(export_view(job, None), 202)


@bp.route("/v1/search/records/exports/{job_id}", methods=["GET"])
@rest_errors
def export_status(job_id: str) -> Any:
    principal = require_permission(bp.current_request, Permission.RECORDS_SEARCH)
    job, link = export_service().status(f"regulator:{principal.principal_id}", job_id)
    return json_response(export_view(job, link))


def criteria_from_params(params: dict[str, str], *, paging: bool = False) -> SearchCriteria:
    """Search criteria from query parameters or a JSON body (dates default to the last 30
    days). `paging`: a page's `cursor` and `limit` are known too (an export has neither)."""
    known = set(CRITERIA | PAGING) if paging else set(CRITERIA)
    if _national():
        known.add("province")
    unknown = set(params) - known
    if unknown:
        raise ValidationFailedError(
            [
                FieldError(name, "unknown_field", f"unknown parameter {name}")
                for name in sorted(unknown)
            ]
        )
    today = china_date(_now())
    return SearchCriteria(
        date_from=_date(params, "from", today - timedelta(days=30)),
        date_to=_date(params, "to", today),
        vin=params.get("vin", ""),
        plate=params.get("plate", ""),
        companycode=params.get("companycode", ""),
        flag=params.get("flag", ""),
        division=params.get("division", ""),
    )


def search_provinces(params: dict[str, str]) -> tuple[str, ...] | None:
    """The provinces a search covers: None on a province stack (its own); at the ministry,
    the one named by `province`, or every province that has exchanged (national search)."""
    if not _national():
        return None
    named = params.get("province", "").strip()
    if named:
        if not is_province_code(named):
            raise ValidationFailedError(
                [FieldError("province", "gb_t_2260_province", "province: a code like 320000")]
            )
        return (named,)
    return tuple(sorted(s.province_code for s in exchange_store().provinces()))


def search_details(criteria: SearchCriteria, provinces: tuple[str, ...] | None) -> dict[str, Any]:
    """What the audit log keeps of a search: its criteria and, at the ministry, its provinces."""
    details: dict[str, Any] = dict(criteria_to(criteria))
    if provinces is not None:
        details["provinces"] = list(provinces)
    return details


def _national() -> bool:
    return get_settings().stack_role == "ministry"


def export_view(job: ExportJob, link: str | None) -> dict[str, Any]:
    body = {
        "job_id": job.job_id,
        "status": job.status,
        "rows": job.rows,
        "criteria": criteria_to(job.criteria),
        "created_at": job.created_at.isoformat(),
        "download_url": link,
        "error": job.error if job.error == SearchTooBroadError.code else None,
    }
    return conform(ExportOut, body)


def _check_scope(principal: Principal, criteria: SearchCriteria) -> None:
    """A named shop must lie in the searcher's scope (404 otherwise, as if it did not exist),
    and a named district too (403 `out_of_scope`, as for every district filter).

    The caller is authenticated before its criteria are read, so a caller without a token is
    answered 401 whatever it sends, never a 400 about its parameters.
    """
    if COMPANYCODE_PATTERN.match(criteria.companycode):
        authorize_here(principal, Permission.RECORDS_SEARCH, companycode=criteria.companycode)
    if DIVISION_PATTERN.match(criteria.division):
        authorize_here(principal, Permission.RECORDS_SEARCH, division=criteria.division)


def _now() -> Any:
    from chalicelib.bootstrap import record_service

    return record_service().now()


def _date(params: dict[str, str], name: str, default: date) -> date:
    value = params.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailedError(
            [FieldError(name, "date", f"{name} must be a date written YYYY-MM-DD")]
        ) from exc


def _limit(params: dict[str, str]) -> int:
    limit = int_param(params, "limit", PAGE_SIZE)
    if limit > PAGE_SIZE:
        raise ValidationFailedError([FieldError("limit", "range", f"limit must be 1–{PAGE_SIZE}")])
    return limit
