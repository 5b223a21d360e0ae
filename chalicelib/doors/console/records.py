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

from chalicelib.bootstrap import audit_trail, export_service, record_search_service
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.shop import COMPANYCODE_PATTERN, DIVISION_PATTERN
from chalicelib.doors.console import views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import (
    console_form,
    console_lang,
    console_page,
    console_session,
    scope_of,
    signed_in,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.search_criteria import (
    criteria_from_params,
    search_details,
    search_provinces,
)
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.record_export import ExportJob
from chalicelib.services.record_search import SearchCriteria

SEARCH = Permission.RECORDS_SEARCH
PAGE_SIZE = 50
CRITERIA = ("from", "to", "vin", "plate", "companycode", "flag", "division", "province")
REFRESH_SECONDS = 3


@page("/console/records")
def records_page() -> Response:
    params = query_params(door.request)
    given = {name: params.get(name, "").strip()[:64] for name in CRITERIA}
    session = _searcher(given)
    lang = console_lang(door.request)
    if not any(given.values()):  # the empty search form
        return _page(session, lang, given)
    return _results(session, lang, given, params.get("cursor", "").strip() or None)


@form("/console/records/exports")
def request_export() -> Response:
    session, lang, given = _export_form()
    try:  # refused criteria: the search form again, each error beside its field
        criteria, provinces = _criteria(given), search_provinces(given)
    except ValidationFailedError as exc:
        return _page(session, lang, given, status=400, errors=exc.errors)
    job = _request_export(session, criteria, provinces)
    return redirect(f"/console/records/exports/{job.job_id}", query={"lang": lang})


@page("/console/records/exports/{job_id}")
def export_page(job_id: str) -> Response:
    session, lang = signed_in(door.request, SEARCH)
    owner = f"regulator:{session.principal.principal_id}"
    job, link = export_service().status(owner, job_id)
    view = views.export(job, link, REFRESH_SECONDS)
    return console_page("console/export.html", session, lang, **view)


def _searcher(given: dict[str, str]) -> WebSession:
    """A regulator allowed to search; a named shop must lie in its districts (404 otherwise),
    and so must a named district (403)."""
    named = given["companycode"] if COMPANYCODE_PATTERN.match(given["companycode"]) else None
    district = given["division"] if DIVISION_PATTERN.match(given["division"]) else None
    return console_session(door.request, SEARCH, companycode=named, division=district)


def _results(session: WebSession, lang: str, given: dict[str, str], cursor: str | None) -> Response:
    """One page of a search's results; the search is audited with its criteria. Refused
    criteria (or a search too broad for one page) show the form again with the errors."""
    try:
        criteria, provinces = _criteria(given), search_provinces(given)
        page = record_search_service().page(
            criteria, scope_of(session), PAGE_SIZE, cursor, provinces=provinces
        )
    except ValidationFailedError as exc:
        return _page(session, lang, given, status=400, errors=exc.errors)
    audit_trail().record(
        actor_of(door.request, session.principal),
        "records.search",
        "records",
        search_details(criteria, provinces),
    )
    return _page(session, lang, given, **views.search_results(page, cursor))


def _export_form() -> tuple[WebSession, str, dict[str, str]]:
    """The export form's searcher (its criteria name the shop and district it must be allowed),
    its CSRF-checked form, its language and its criteria."""
    form = console_form(door.request)
    given = {name: form.get(name)[:64] for name in CRITERIA}
    session = _searcher(given)
    require_csrf(session, form)
    return session, console_lang(door.request, form.get("lang")), given


def _request_export(
    session: WebSession, criteria: SearchCriteria, provinces: tuple[str, ...] | None
) -> ExportJob:
    return export_service().request(
        f"regulator:{session.principal.principal_id}",
        criteria,
        scope_of(session),
        source_ip=source_ip(door.request),
        provinces=provinces,
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
    **results: Any,
) -> Response:
    """The search form (with its errors, or the results of the search it made)."""
    national = get_settings().stack_role == "ministry"
    view = {**views.record_search(given, errors or [], national, lang), **results}
    return console_page("console/records.html", session, lang, status=status, **view)
