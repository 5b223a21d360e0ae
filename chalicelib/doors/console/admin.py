"""Console pages of the stack's administrator: regulator accounts and the audit log.

Why: the account management and audit APIs have a page each, so an administrator needs no
command line: create an account (the password and TOTP secret are shown once, on the answer
page), reset a password or a second factor, disable or enable an account, and read the audit
log by day and account. Every POST carries the session's CSRF token; every action is audited
by the services, exactly as through the API.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from chalice import Response

from chalicelib.bootstrap import audit_trail, record_service, regulator_accounts
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import CREATABLE_ROLES
from chalicelib.domain.china_time import CST, china_date
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_lang,
    console_page,
    console_session,
)
from chalicelib.doors.kit.auth import Permission, actor_of
from chalicelib.doors.kit.forms import Form, parse_form
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError

ACCOUNT_ACTIONS = ("password", "totp", "disable", "enable")
MAX_FORM_BYTES = 8192


@door.route("/console/accounts", methods=["GET"], page=True)
def accounts_page() -> Response:
    request = door.request
    session = console_session(request, Permission.ACCOUNTS_MANAGE)
    lang = console_lang(request)
    return _accounts(session, lang)


@door.route("/console/accounts", methods=["POST"], content_types=FORM_TYPES, page=True)
def create_account() -> Response:
    request = door.request
    session = console_session(request, Permission.ACCOUNTS_MANAGE)
    form = _form()
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    divisions = form.get("divisions").replace("，", ",").replace(" ", ",").split(",")
    try:
        enrolment = regulator_accounts().create(
            actor_of(request, session.principal),
            form.get("username"),
            form.get("role"),
            [d for d in divisions if d],
        )
    except ValidationFailedError as exc:
        return _accounts(session, lang, status=400, errors=exc.errors, form=form.fields)
    return console_page(
        "console/enrolment.html", session, lang, status=201, active="accounts", shown=enrolment
    )


@door.route(
    "/console/accounts/{username}/{action}", methods=["POST"], content_types=FORM_TYPES, page=True
)
def account_action(username: str, action: str) -> Response:
    request = door.request
    session = console_session(request, Permission.ACCOUNTS_MANAGE)
    form = _form()
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    if action not in ACCOUNT_ACTIONS:
        raise NotFoundError("no such action")
    service, actor = regulator_accounts(), actor_of(request, session.principal)
    if action in ("disable", "enable"):
        service.set_disabled(actor, username, action == "disable")
        return redirect("/console/accounts", query={"lang": lang})
    shown = service.reset_password(actor, username) if action == "password" else None
    shown = shown or service.reset_totp(actor, username)
    return console_page("console/enrolment.html", session, lang, active="accounts", shown=shown)


@door.route("/console/audit", methods=["GET"], page=True)
def audit_page() -> Response:
    from chalicelib.doors.kit.http import query_params

    request = door.request
    session = console_session(request, Permission.AUDIT_READ)
    lang = console_lang(request)
    params = query_params(request)
    today = china_date(record_service().now())
    day = _day(params.get("day"), today)
    since = datetime(day.year, day.month, day.day, tzinfo=CST)
    actor = params.get("actor", "").strip()[:80]
    entries, cursor = audit_trail().search(
        actor_of(request, session.principal),
        since,
        since + timedelta(days=1),
        actor=actor or None,
        limit=50,
        cursor=params.get("cursor") or None,
    )
    for entry in entries:
        entry["at_local"] = china_time(datetime.fromisoformat(entry["at"]))
    return console_page(
        "console/audit.html",
        session,
        lang,
        active="audit",
        switch_path="/console/audit",
        entries=entries,
        next_cursor=cursor,
        day=day.isoformat(),
        actor=actor,
    )


def _accounts(
    web: WebSession,
    lang: str,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    from chalicelib.doors.console.texts import ROLE_NAMES

    accounts = regulator_accounts().list(actor_of(door.request, web.principal))
    roles = [
        (r.value, ROLE_NAMES[lang][r.value]) for r in CREATABLE_ROLES[get_settings().stack_role]
    ]
    return console_page(
        "console/accounts.html",
        web,
        lang,
        status=status,
        active="accounts",
        switch_path="/console/accounts",
        accounts=[a.public_view() for a in accounts],
        role_names=ROLE_NAMES[lang],
        roles=roles,
        me=web.principal.principal_id,
        errors=errors or [],
        form=form or {},
    )


def _form() -> Form:
    request = door.request
    return parse_form(request.raw_body, request.headers.get("content-type") or "", MAX_FORM_BYTES)


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return datetime.fromisoformat(value).date()
    except ValueError as exc:
        raise ValidationFailedError(
            [FieldError("day", "iso_8601", "day must be YYYY-MM-DD")]
        ) from exc
