"""Console section "agencies" (ministry): register agencies, issue, rotate and revoke their
keys, and download an agency's reads as CSV.

Why: the agencies API has a page so a ministry administrator needs no command line; analysts
see the list and export the reads (`agencies.reads`) but get no write forms. A new or rotated
key is shown once, on the answer page. Every POST carries the session's CSRF token; the
services audit every change exactly as through the API.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import agency_service
from chalicelib.doors.console import national_views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import console_page, signed_form, signed_in
from chalicelib.doors.kit.agency_reads import csv_part
from chalicelib.doors.kit.auth import Permission, actor_of, may_here
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.agencies import IssuedKey

READS, MANAGE = Permission.AGENCIES_READS, Permission.AGENCIES_MANAGE
KEY_ACTIONS = ("rotate", "revoke")
MAX_FORM_BYTES = 4096


@page("/console/agencies")
def agencies_page() -> Response:
    session, lang = signed_in(door.request, READS)
    return _agencies(session, lang)


@form("/console/agencies")
def register_agency() -> Response:
    session, form, lang = signed_form(door.request, MANAGE, max_bytes=MAX_FORM_BYTES)
    actor = actor_of(door.request, session.principal)
    try:  # the form again, each error beside its field
        agency_service().register(actor, form.get("name"), form.get("kind"))
    except ValidationFailedError as exc:
        return _agencies(session, lang, status=400, errors=exc.errors, form=form)
    return redirect("/console/agencies", query={"lang": lang})


@form("/console/agencies/{agency_id}/keys")
def issue_key(agency_id: str) -> Response:
    session, form, lang = signed_form(door.request, MANAGE, max_bytes=MAX_FORM_BYTES)
    actor = actor_of(door.request, session.principal)
    try:  # the form again, each error beside its field
        issued = agency_service().issue_key(actor, agency_id, *_key_terms(form))
    except ValidationFailedError as exc:
        return _agencies(session, lang, status=400, errors=exc.errors, form=form)
    return _shown(session, lang, issued, 201)


@form("/console/agencies/{agency_id}/keys/{key_id}/{key_action}")
def key_action(agency_id: str, key_id: str, key_action: str) -> Response:
    session, _, lang = signed_form(door.request, MANAGE, max_bytes=MAX_FORM_BYTES)
    if key_action not in KEY_ACTIONS:
        raise NotFoundError("no such action")
    actor = actor_of(door.request, session.principal)
    if key_action == "revoke":
        agency_service().revoke_key(actor, agency_id, key_id)
        return redirect("/console/agencies", query={"lang": lang})
    return _shown(session, lang, agency_service().rotate_key(actor, agency_id, key_id), 200)


@page("/console/agencies/{agency_id}/reads")
def reads_csv(agency_id: str) -> Response:
    session, _ = signed_in(door.request, READS)
    actor = actor_of(door.request, session.principal)
    next_path = f"/console/agencies/{agency_id}/reads"
    return csv_part(actor, agency_id, query_params(door.request), next_path)


def _agencies(
    session: WebSession,
    lang: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: Form | None = None,
) -> Response:
    """The agencies page (again, after a refused form: its errors and values beside it)."""
    view = national_views.agencies(
        agency_service().agencies(), lang, may_here(session.principal, MANAGE)
    )
    return console_page(
        "console/agencies.html",
        session,
        lang,
        status=status,
        errors=errors or [],
        form=form or Form(),
        **view,
    )


def _shown(session: WebSession, lang: str, issued: IssuedKey, status: int) -> Response:
    """The page that shows a new or rotated key's secret once."""
    view = national_views.agency_key(issued, lang)
    return console_page("console/agency_key.html", session, lang, status=status, **view)


def _key_terms(form: Form) -> tuple[str, str, int, int]:
    """A key's purpose, field scope, daily quota and burst per minute, as posted."""
    return (
        form.get("purpose"),
        form.get("field_scope"),
        _number(form, "quota_per_day"),
        _number(form, "burst_per_minute"),
    )


def _number(form: Form, name: str) -> int:
    value = form.get(name)
    if not value.isdigit() or len(value) > 9:
        raise ValidationFailedError([FieldError(name, "integer", f"{name} must be a number")])
    return int(value)
