"""Console pages of record search (档案查询) and its CSV export, provincial and national.

Why: a regulator searches the province's records by VIN, plate, shop, district, settlement
dates and flag (digest §3.4, §1.7), pages through them, and exports the whole result as CSV.
At the ministry the same page searches nationally, over every connected province or the one
picked (digest §1.6).
The search runs through `services.record_search` within the caller's districts (a named shop
outside them answers 404, like a shop that does not exist) and is audited with its criteria,
as through the API. Pages follow by the search's opaque cursor ("next page" carries it;
"previous" is the browser's back button, and "first page" drops the cursor); a search too
broad for one page's read budget is answered 400 naming the criteria that narrow it. An
export is a job run by the `run_jobs` stream handler: its page refreshes itself (no script)
until the file is written, then offers a short-lived link.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.record_search import criteria_from_params, search_details, search_provinces
from chalicelib.bootstrap import audit_trail, export_service, record_search_service
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.provinces import provinces
from chalicelib.domain.shop import COMPANYCODE_PATTERN, DIVISION_PATTERN
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_form,
    console_lang,
    console_page,
    console_session,
    scope_of,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import FieldError, SearchTooBroadError, ValidationFailedError
from chalicelib.services.record_export import criteria_to
from chalicelib.services.record_search import SearchCriteria

PAGE_SIZE = 50
CRITERIA = ("from", "to", "vin", "plate", "companycode", "flag", "division", "province")
REFRESH_SECONDS = 3


@door.route("/console/records", methods=["GET"], page=True)
def records_page() -> Response:
    request = door.request
    params = query_params(request)
    lang = console_lang(request)
    given = {name: params.get(name, "").strip()[:64] for name in CRITERIA}
    if not any(given.values()):
        session = console_session(request, Permission.RECORDS_SEARCH)
        return _page(session, lang, given)
    session = _searcher(given)
    cursor = params.get("cursor", "").strip() or None
    try:
        criteria = _criteria(given)
        provinces = search_provinces(given)
        page = record_search_service().page(
            criteria, scope_of(session), PAGE_SIZE, cursor, provinces=provinces
        )
    except ValidationFailedError as exc:
        return _page(session, lang, given, status=400, errors=exc.errors)
    audit_trail().record(
        actor_of(request, session.principal),
        "records.search",
        "records",
        search_details(criteria, provinces),
    )
    return _page(
        session,
        lang,
        given,
        searched=True,
        results=[_row(r) for r in page.records],
        paged=cursor is not None,
        next_cursor=page.next_cursor,
    )


@door.route("/console/records/exports", methods=["POST"], content_types=FORM_TYPES, page=True)
def request_export() -> Response:
    request = door.request
    form = console_form(request)
    given = {name: form.get(name)[:64] for name in CRITERIA}
    session = _searcher(given)
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    try:
        criteria = _criteria(given)
        provinces = search_provinces(given)
    except ValidationFailedError as exc:
        return _page(session, lang, given, status=400, errors=exc.errors)
    job = export_service().request(
        f"regulator:{session.principal.principal_id}",
        criteria,
        scope_of(session),
        source_ip=source_ip(request),
        provinces=provinces,
    )
    from chalicelib.doors.kit.respond import redirect

    return redirect(f"/console/records/exports/{job.job_id}", query={"lang": lang})


@door.route("/console/records/exports/{job_id}", methods=["GET"], page=True)
def export_page(job_id: str) -> Response:
    request = door.request
    session = console_session(request, Permission.RECORDS_SEARCH)
    lang = console_lang(request)
    job, link = export_service().status(f"regulator:{session.principal.principal_id}", job_id)
    running = job.status not in ("done", "failed")
    return console_page(
        "console/export.html",
        session,
        lang,
        active="records",
        switch_path=f"/console/records/exports/{job.job_id}",
        refresh_seconds=REFRESH_SECONDS if running else None,
        job={
            "job_id": job.job_id,
            "status": job.status,
            "rows": job.rows,
            "created_local": china_time(job.created_at),
            "criteria": criteria_to(job.criteria),
            "too_broad": job.error == SearchTooBroadError.code,
        },
        link=link,
        running=running,
    )


def _searcher(given: dict[str, str]) -> WebSession:
    """A regulator allowed to search; a named shop must lie in its districts (404 otherwise),
    and so must a named district (403)."""
    named = given["companycode"] if COMPANYCODE_PATTERN.match(given["companycode"]) else None
    district = given["division"] if DIVISION_PATTERN.match(given["division"]) else None
    return console_session(
        door.request, Permission.RECORDS_SEARCH, companycode=named, division=district
    )


def _criteria(given: dict[str, str]) -> SearchCriteria:
    named = {name: value for name, value in given.items() if value and name != "province"}
    return criteria_from_params(named).checked()


def _page(
    session: WebSession,
    lang: str,
    given: dict[str, str],
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    searched: bool = False,
    results: list[dict[str, Any]] | None = None,
    paged: bool = False,
    next_cursor: str | None = None,
) -> Response:
    from chalicelib.doors.console.national_texts import province_label
    from chalicelib.doors.console.texts import FLAG_NAMES

    query = {name: value for name, value in given.items() if value}
    national = get_settings().stack_role == "ministry"
    return console_page(
        "console/records.html",
        session,
        lang,
        status=status,
        active="records",
        switch_path="/console/records",
        form=given,
        query=query,
        flags=list(FLAG_NAMES[lang].items()),
        provinces=[(code, province_label(code, lang)) for code, _ in provinces()]
        if national
        else [],
        errors=errors or [],
        searched=searched,
        results=results or [],
        paged=paged,
        next_cursor=next_cursor,
        too_broad=any(e.rule == "narrow_search" for e in errors or []),
    )


def _row(summary: dict[str, Any]) -> dict[str, Any]:
    from datetime import datetime

    received = summary.get("received_at")
    return {
        **summary,
        "flag_codes": list(summary.get("flag_codes") or []),
        "received_local": china_time(datetime.fromisoformat(str(received))) if received else "",
    }
