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
from chalicelib.doors.console.door import door, error_page
from chalicelib.doors.console.pages import (
    CONSOLE_HOME,
    CONSOLE_LOGIN,
    FORM_TYPES,
    china_time,
    console_lang,
    console_page,
    console_session,
)
from chalicelib.doors.kit.auth import actor_of, origin_of
from chalicelib.doors.kit.cookies import clear_cookie, read_cookie, set_cookie
from chalicelib.doors.kit.csrf import CSRF_FIELD, csrf_token, csrf_valid
from chalicelib.doors.kit.forms import parse_form
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import end_session, require_csrf, session_cookie, web_session
from chalicelib.errors import AuthenticationError, DomainError

LOGIN_COOKIE = "vmehr_console_login"
LOGIN_FORM_SECONDS = 1800
MAX_LOGIN_FORM_BYTES = 4096


@door.route(CONSOLE_LOGIN, methods=["GET"], page=True)
def login_page() -> Response:
    request = door.request
    lang = console_lang(request)
    try:
        web_session(request, "regulator")
        return redirect(CONSOLE_HOME, query={"lang": lang})
    except AuthenticationError:
        return _login_form(lang, status=200)


@door.route(CONSOLE_LOGIN, methods=["POST"], content_types=FORM_TYPES, page=True)
def sign_in() -> Response:
    request = door.request
    form = parse_form(
        request.raw_body, request.headers.get("content-type") or "", MAX_LOGIN_FORM_BYTES
    )
    lang = console_lang(request, form.get("lang"))
    if not csrf_valid(read_cookie(request, LOGIN_COOKIE), form.get(CSRF_FIELD)):
        return error_page(403, "csrf")
    username = form.get("username")[:64]
    try:
        token, principal = auth_service().regulator_token(
            username,
            form.get("password")[:256],
            form.get("totp")[:16],
            origin=origin_of(request),
            ttl_seconds=get_settings().console_session_seconds,
        )
    except DomainError:  # wrong anything, locked out or malformed: one message
        return _login_form(lang, status=401, failed=True, username=username)
    cookies = [session_cookie(token, principal), clear_cookie(LOGIN_COOKIE)]
    return redirect(CONSOLE_HOME, cookies=cookies, query={"lang": lang})


@door.route("/console/logout", methods=["POST"], content_types=FORM_TYPES, page=True)
def sign_out() -> Response:
    request = door.request
    session = web_session(request, "regulator")
    form = parse_form(
        request.raw_body, request.headers.get("content-type") or "", MAX_LOGIN_FORM_BYTES
    )
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    actor = actor_of(request, session.principal)
    audit_trail().record(actor, "auth.sign_out", actor.actor_id)
    return redirect(
        CONSOLE_LOGIN, cookies=[end_session(request, "regulator")], query={"lang": lang}
    )


@door.route(CONSOLE_HOME, methods=["GET"], page=True)
def home() -> Response:
    from chalicelib.domain.shop import division_name
    from chalicelib.doors.console.texts import ROLE_NAMES, TEXTS

    request = door.request
    session = console_session(request)
    lang = console_lang(request)
    principal = session.principal
    texts = TEXTS[lang]
    ministry = get_settings().stack_role == "ministry"
    return console_page(
        "console/home.html",
        session,
        lang,
        active="home",
        welcome=texts["welcome"].format(username=principal.principal_id),
        role_name=ROLE_NAMES[lang].get(principal.role, principal.role),
        districts=[{"code": d, "name": division_name(d) or ""} for d in principal.divisions],
        area=texts["whole_country" if ministry else "whole_province"],
        session_ends=china_time(principal.expires_at),
        session_ends_iso=principal.expires_at.isoformat(),
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
