"""Console section "agencies" (ministry): register agencies, issue, rotate and revoke their
keys, and download an agency's reads as CSV.

Why: the agencies API has a page so a ministry administrator needs no command line; analysts
see the list and export the reads (`agencies.reads`) but get no write forms. A new or rotated
key is shown once, on the answer page. Every POST carries the session's CSRF token; the
services audit every change exactly as through the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Response

from chalicelib.api.agencies import csv_part
from chalicelib.bootstrap import agency_service
from chalicelib.domain.agency import AGENCY_KINDS, FIELD_SCOPES, PURPOSES
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_lang,
    console_page,
    console_session,
)
from chalicelib.doors.kit.auth import Permission, actor_of, may_here
from chalicelib.doors.kit.forms import Form, parse_form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.agencies import IssuedKey

KEY_ACTIONS = ("rotate", "revoke")
MAX_FORM_BYTES = 4096


@door.route("/console/agencies", methods=["GET"], page=True)
def agencies_page() -> Response:
    request = door.request
    session = console_session(request, Permission.AGENCIES_READS)
    return _agencies(session, console_lang(request))


@door.route("/console/agencies", methods=["POST"], content_types=FORM_TYPES, page=True)
def register_agency() -> Response:
    request = door.request
    session = console_session(request, Permission.AGENCIES_MANAGE)
    form = _form()
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    try:
        agency_service().register(
            actor_of(request, session.principal), form.get("name"), form.get("kind")
        )
    except ValidationFailedError as exc:
        return _agencies(session, lang, status=400, errors=exc.errors, form=form)
    return redirect("/console/agencies", query={"lang": lang})


@door.route(
    "/console/agencies/{agency_id}/keys", methods=["POST"], content_types=FORM_TYPES, page=True
)
def issue_key(agency_id: str) -> Response:
    request = door.request
    session = console_session(request, Permission.AGENCIES_MANAGE)
    form = _form()
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    try:
        issued = agency_service().issue_key(
            actor_of(request, session.principal),
            agency_id,
            form.get("purpose"),
            form.get("field_scope"),
            _number(form, "quota_per_day"),
            _number(form, "burst_per_minute"),
        )
    except ValidationFailedError as exc:
        return _agencies(session, lang, status=400, errors=exc.errors, form=form)
    return _shown(session, lang, issued, 201)


@door.route(
    "/console/agencies/{agency_id}/keys/{key_id}/{key_action}",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
)
def key_action(agency_id: str, key_id: str, key_action: str) -> Response:
    request = door.request
    session = console_session(request, Permission.AGENCIES_MANAGE)
    form = _form()
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    if key_action not in KEY_ACTIONS:
        raise NotFoundError("no such action")
    actor = actor_of(request, session.principal)
    if key_action == "revoke":
        agency_service().revoke_key(actor, agency_id, key_id)
        return redirect("/console/agencies", query={"lang": lang})
    return _shown(session, lang, agency_service().rotate_key(actor, agency_id, key_id), 200)


@door.route("/console/agencies/{agency_id}/reads", methods=["GET"], page=True)
def reads_csv(agency_id: str) -> Response:
    request = door.request
    session = console_session(request, Permission.AGENCIES_READS)
    actor = actor_of(request, session.principal)
    params = query_params(request)
    return csv_part(actor, agency_id, params, f"/console/agencies/{agency_id}/reads")


def _agencies(
    session: WebSession,
    lang: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: Form | None = None,
) -> Response:
    from chalicelib.web.sharing_texts import CONSOLE_TEXTS, KIND_LABELS, PURPOSE_LABELS

    listed = []
    for agency, keys in agency_service().agencies():
        listed.append(
            {
                "agency_id": agency.agency_id,
                "name": agency.name,
                "kind": KIND_LABELS[lang].get(agency.kind, agency.kind),
                "purposes": [(p.code, PURPOSE_LABELS[lang][p.code]) for p in agency.purposes()],
                "keys": [_key_row(k.public_view(), lang) for k in keys],
            }
        )
    return console_page(
        "console/agencies.html",
        session,
        lang,
        status=status,
        active="agencies",
        switch_path="/console/agencies",
        a=CONSOLE_TEXTS[lang],
        agencies=listed,
        kinds=[(k, KIND_LABELS[lang][k]) for k in AGENCY_KINDS],
        scopes=FIELD_SCOPES,
        manage=may_here(session.principal, Permission.AGENCIES_MANAGE),
        errors=errors or [],
        form=form or Form(),
    )


def _key_row(view: dict[str, Any], lang: str) -> dict[str, Any]:
    from chalicelib.web.sharing_texts import PURPOSE_LABELS

    purpose = PURPOSES.get(view["purpose"])
    return {
        **view,
        "purpose_label": PURPOSE_LABELS[lang].get(view["purpose"], view["purpose"]),
        "needs_grant": purpose.needs_grant if purpose else True,
        "created_local": china_time(datetime.fromisoformat(view["created_at"])),
    }


def _shown(session: WebSession, lang: str, issued: IssuedKey, status: int) -> Response:
    from chalicelib.web.sharing_texts import CONSOLE_TEXTS, PURPOSE_LABELS

    return console_page(
        "console/agency_key.html",
        session,
        lang,
        status=status,
        active="agencies",
        a=CONSOLE_TEXTS[lang],
        key=issued.key.public_view(),
        purpose_label=PURPOSE_LABELS[lang].get(issued.key.purpose, issued.key.purpose),
        agency_name=issued.key.agency_name,
        secret=issued.secret,
    )


def _number(form: Form, name: str) -> int:
    value = form.get(name)
    if not value.isdigit() or len(value) > 9:
        raise ValidationFailedError([FieldError(name, "integer", f"{name} must be a number")])
    return int(value)


def _form() -> Form:
    request = door.request
    return parse_form(request.raw_body, request.headers.get("content-type") or "", MAX_FORM_BYTES)
