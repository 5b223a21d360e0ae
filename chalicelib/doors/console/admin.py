"""Console pages of the stack's administrator: regulator accounts and the audit log.

Why: the account management and audit APIs have a page each, so an administrator needs no
command line: create an account (the password and TOTP secret are shown once, on the answer
page), reset a password or a second factor, disable or enable an account, and read the audit
log by day and account. Every POST carries the session's CSRF token; every action is audited
by the services, exactly as through the API.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from chalice import Response

from chalicelib.bootstrap import audit_trail, record_service, regulator_accounts
from chalicelib.config import get_settings
from chalicelib.domain.china_time import CST, china_date
from chalicelib.doors.console import views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import console_page, signed_form, signed_in
from chalicelib.doors.kit.auth import Permission, actor_of
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.audit import Actor
from chalicelib.services.regulator_accounts import Enrolment

MANAGE, AUDIT = Permission.ACCOUNTS_MANAGE, Permission.AUDIT_READ
ACCOUNT_ACTIONS = ("password", "totp", "disable", "enable")
MAX_FORM_BYTES = 8192
AUDIT_PAGE_SIZE = 50


@page("/console/accounts")
def accounts_page() -> Response:
    session, lang = signed_in(door.request, MANAGE)
    return _accounts(session, lang)


@form("/console/accounts")
def create_account() -> Response:
    session, form, lang = signed_form(door.request, MANAGE, max_bytes=MAX_FORM_BYTES)
    actor = actor_of(door.request, session.principal)
    try:  # the form again, each error beside its field
        shown = regulator_accounts().create(actor, form.get("username"), *_role_divisions(form))
    except ValidationFailedError as exc:
        return _accounts(session, lang, status=400, errors=exc.errors, form=form.fields)
    return console_page("console/enrolment.html", session, lang, status=201, **views.shown(shown))


@form("/console/accounts/{username}/{action}")
def account_action(username: str, action: str) -> Response:
    session, _, lang = signed_form(door.request, MANAGE, max_bytes=MAX_FORM_BYTES)
    if action not in ACCOUNT_ACTIONS:
        raise NotFoundError("no such action")
    shown = _apply(actor_of(door.request, session.principal), username, action)
    if shown is None:
        return redirect("/console/accounts", query={"lang": lang})
    return console_page("console/enrolment.html", session, lang, **views.shown(shown))


@page("/console/audit")
def audit_page() -> Response:
    session, lang = signed_in(door.request, AUDIT)
    params = query_params(door.request)
    day = _day(params.get("day"), china_date(record_service().now()))
    actor = params.get("actor", "").strip()[:80]
    entries, cursor = _audit_entries(session, day, actor, params.get("cursor") or None)
    view = views.audit(entries, cursor, day, actor)
    return console_page("console/audit.html", session, lang, **view)


def _accounts(
    session: WebSession,
    lang: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The accounts page (again, after a refused form: its errors and values beside it)."""
    accounts = regulator_accounts().list(actor_of(door.request, session.principal))
    view = views.accounts(accounts, lang, get_settings().stack_role, session.principal)
    return console_page(
        "console/accounts.html",
        session,
        lang,
        status=status,
        errors=errors or [],
        form=form or {},
        **view,
    )


def _role_divisions(form: Form) -> tuple[str, list[str]]:
    """The new account's role, and its districts as typed (commas, full-width commas or
    spaces between them)."""
    divisions = form.get("divisions").replace("，", ",").replace(" ", ",").split(",")
    return form.get("role"), [d for d in divisions if d]


def _apply(actor: Actor, username: str, action: str) -> Enrolment | None:
    """An account action; the new credentials to show once, or None (disable, enable)."""
    service = regulator_accounts()
    if action == "password":
        return service.reset_password(actor, username)
    if action == "totp":
        return service.reset_totp(actor, username)
    service.set_disabled(actor, username, action == "disable")
    return None


def _audit_entries(
    session: WebSession, day: date, actor: str, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a China day's audit entries, optionally of one actor (the read is audited)."""
    since = datetime(day.year, day.month, day.day, tzinfo=CST)
    return audit_trail().search(
        actor_of(door.request, session.principal),
        since,
        since + timedelta(days=1),
        actor=actor or None,
        limit=AUDIT_PAGE_SIZE,
        cursor=cursor,
    )


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return datetime.fromisoformat(value).date()
    except ValueError as exc:
        raise ValidationFailedError(
            [FieldError("day", "iso_8601", "day must be YYYY-MM-DD")]
        ) from exc
