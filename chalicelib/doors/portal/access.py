"""Shop portal: sign-in, sign-out and the home page.

Why: shops without a DMS sign in with the companycode and secret the province issued (the
same credentials, lockout and token as the API: `auth_service().shop_token`). The session
lives in an HttpOnly, SameSite=Strict cookie. The sign-in form itself carries a CSRF token
bound to a short-lived pre-session cookie, so no other site can sign a browser into a shop
account of its choosing (login CSRF).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import auth_service, record_service, shop_scorecard
from chalicelib.domain.china_time import china_date
from chalicelib.doors.kit.cookies import clear_cookie, read_cookie, set_cookie
from chalicelib.doors.kit.csrf import CSRF_FIELD, csrf_token, csrf_valid
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import end_session, session_cookie, web_session
from chalicelib.doors.portal.door import door
from chalicelib.doors.portal.messages import unread_messages
from chalicelib.doors.portal.pages import (
    FORM_TYPES,
    PORTAL,
    SIGN_IN,
    page,
    see_other,
    texts_of,
)
from chalicelib.doors.portal.session import posted_form, read_form, signed_in
from chalicelib.doors.portal.views import home_view
from chalicelib.errors import (
    AuthenticationError,
    DomainError,
    LockedOutError,
    ServiceUnavailableError,
)

LOGIN_COOKIE = "vmehr_login"
LOGIN_COOKIE_SECONDS = 1800


@door.route(SIGN_IN, methods=["GET"], page=True)
def login_page() -> Response:
    request = door.request
    if _has_session(request):
        return see_other(PORTAL)
    signed_out = query_params(request).get("signed_out") == "1"
    return _login_form(request, 200, notice=texts_of(request)["signed_out"] if signed_out else "")


@door.route(SIGN_IN, methods=["POST"], content_types=FORM_TYPES, page=True)
def login() -> Response:
    request = door.request
    form = read_form(request)
    companycode = form.get("companycode")[:15]
    if not csrf_valid(read_cookie(request, LOGIN_COOKIE), form.get(CSRF_FIELD)):
        return _login_form(request, 403, texts_of(request)["error_csrf"], "csrf", companycode)
    return _sign_in(request, companycode, form.get("secret")[:256])


@door.route(f"{PORTAL}/logout", methods=["POST"], content_types=FORM_TYPES, page=True)
def logout() -> Response:
    request = door.request
    posted_form(request, signed_in(request))
    return redirect(SIGN_IN, cookies=[end_session(request, "shop")], query={"signed_out": "1"})


@door.route(PORTAL, methods=["GET"], page=True)
def home() -> Response:
    who = signed_in(door.request)
    today = china_date(record_service().now())
    card = shop_scorecard().scorecard(who.shop.companycode, today - timedelta(days=29), today)
    view = home_view(card, unread_messages(who))
    return page(door.request, "portal/home.html", who, title="home_title", **view)


def _sign_in(request: Request, companycode: str, secret: str) -> Response:
    """The session cookie, or the sign-in form again saying why not (beside the form)."""
    texts = texts_of(request)
    try:
        token, principal = auth_service().shop_token(companycode, secret, source=source_ip(request))
    except LockedOutError as exc:
        minutes = -(-exc.retry_after // 60)  # rounded up: never "try again in 0 minutes"
        problem = texts["locked_out"].format(minutes=minutes)
        return _login_form(request, 429, problem, exc.code, companycode)
    except AuthenticationError:
        return _login_form(request, 401, texts["login_failed"], "unauthorized", companycode)
    except ServiceUnavailableError:
        return _login_form(request, 503, texts["service_busy"], "service_unavailable")
    cookies = [session_cookie(token, principal), clear_cookie(LOGIN_COOKIE)]
    return redirect(PORTAL, cookies=cookies)


def _has_session(request: Request) -> bool:
    try:
        web_session(request, "shop")
    except DomainError:
        return False
    return True


def _login_form(
    request: Request,
    status: int,
    problem: str = "",
    code: str = "",
    companycode: str = "",
    notice: str = "",
) -> Response:
    """The sign-in form with a fresh pre-session token in its cookie and hidden field."""
    nonce = secrets.token_urlsafe(32)
    return page(
        request,
        "portal/login.html",
        status=status,
        cookies=[set_cookie(nonce, LOGIN_COOKIE_SECONDS, LOGIN_COOKIE)],
        title="login_title",
        login_csrf=csrf_token(nonce),
        problem=problem,
        problem_code=code,
        companycode=companycode,
        notice=notice,
    )
