"""The regulator console's sign-in, sign-out and home page (server-rendered, zh-CN / English).

Why: regulators work in a browser. Sign-in takes username, password and the 6-digit TOTP code
and answers one message whatever was wrong; it sets the session cookie (a regulator token with
the shorter CONSOLE_SESSION_SECONDS lifetime). Every POST carries a CSRF token: the sign-in form
one derived from a short-lived pre-session cookie (so no other site can sign a browser in to an
account of its choosing), every signed-in form one derived from the session. The same code
serves the province and the ministry stacks; the navigation follows the role.
"""

from __future__ import annotations

import secrets

from chalice import Response

from chalicelib.bootstrap import audit_trail, auth_service
from chalicelib.config import get_settings
from chalicelib.domain.principal import Principal
from chalicelib.doors.console import views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import (
    CONSOLE_HOME,
    CONSOLE_LOGIN,
    console_form,
    console_lang,
    console_page,
    signed_in,
)
from chalicelib.doors.kit.auth import actor_of, origin_of
from chalicelib.doors.kit.cookies import clear_cookie, read_cookie, set_cookie
from chalicelib.doors.kit.csrf import CSRF_FIELD, csrf_token, csrf_valid
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import end_session, require_csrf, session_cookie, web_session
from chalicelib.errors import AuthenticationError, DomainError, ForbiddenError

LOGIN_COOKIE = "vmehr_console_login"
LOGIN_FORM_SECONDS = 1800
MAX_LOGIN_FORM_BYTES = 4096


@page(CONSOLE_LOGIN)
def login_page() -> Response:
    lang = console_lang(door.request)
    try:  # already signed in: straight to the home page
        web_session(door.request, "regulator")
    except AuthenticationError:
        return _login_form(lang, status=200)
    return redirect(CONSOLE_HOME, query={"lang": lang})


@form(CONSOLE_LOGIN)
def sign_in() -> Response:
    form = _login_post()
    lang = console_lang(door.request, form.get("lang"))
    try:  # wrong anything, locked out or malformed: the form again, with one message
        token, principal = _regulator_token(form)
    except DomainError:
        return _login_form(lang, status=401, failed=True, username=form.get("username")[:64])
    cookies = [session_cookie(token, principal), clear_cookie(LOGIN_COOKIE)]
    return redirect(CONSOLE_HOME, cookies=cookies, query={"lang": lang})


@form("/console/logout")
def sign_out() -> Response:
    session = web_session(door.request, "regulator")
    form = console_form(door.request, MAX_LOGIN_FORM_BYTES)
    require_csrf(session, form)
    actor = actor_of(door.request, session.principal)
    audit_trail().record(actor, "auth.sign_out", actor.actor_id)
    query = {"lang": console_lang(door.request, form.get("lang"))}
    return redirect(CONSOLE_LOGIN, cookies=[end_session(door.request, "regulator")], query=query)


@page(CONSOLE_HOME)
def home() -> Response:
    session, lang = signed_in(door.request)
    view = views.home(session.principal, lang, get_settings().stack_role)
    return console_page("console/home.html", session, lang, active="home", **view)


def _login_post() -> Form:
    """The sign-in form as posted. Its token is derived from the pre-session cookie (there is
    no session yet): a form posted from elsewhere answers the 403 page."""
    form = console_form(door.request, MAX_LOGIN_FORM_BYTES)
    if not csrf_valid(read_cookie(door.request, LOGIN_COOKIE), form.get(CSRF_FIELD)):
        raise ForbiddenError("the form has expired or did not come from this site", code="csrf")
    return form


def _regulator_token(form: Form) -> tuple[str, Principal]:
    return auth_service().regulator_token(
        form.get("username")[:64],
        form.get("password")[:256],
        form.get("totp")[:16],
        origin=origin_of(door.request),
        ttl_seconds=get_settings().console_session_seconds,
    )


def _login_form(lang: str, *, status: int, failed: bool = False, username: str = "") -> Response:
    nonce = secrets.token_urlsafe(24)
    return console_page(
        "console/login.html",
        None,
        lang,
        status=status,
        switch_path=CONSOLE_LOGIN,
        cookies=[set_cookie(nonce, LOGIN_FORM_SECONDS, LOGIN_COOKIE)],
        csrf=csrf_token(nonce),
        failed=failed,
        username=username,
    )
