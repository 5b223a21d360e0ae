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

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.portal_common import (
    FORM_TYPES,
    PORTAL,
    SIGN_IN,
    page,
    page_language,
    portal_view,
    posted_form,
    read_form,
    see_other,
    signed_in,
    texts_for,
)
from chalicelib.api.portal_messages import unread_messages
from chalicelib.api.portal_views import china_time
from chalicelib.bootstrap import auth_service, record_service, shop_scorecard
from chalicelib.domain.china_time import china_date
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.cookies import clear_cookie, read_cookie, set_cookie
from chalicelib.doors.kit.csrf import CSRF_FIELD, csrf_token, csrf_valid
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import end_session, session_cookie, web_session
from chalicelib.errors import (
    AuthenticationError,
    DomainError,
    LockedOutError,
    ServiceUnavailableError,
)

bp = Blueprint(__name__)
LOGIN_COOKIE = "vmehr_login"
LOGIN_COOKIE_SECONDS = 1800


@bp.route(SIGN_IN, methods=["GET"])
@portal_view(bp)
def login_page() -> Response:
    request = bp.current_request
    require_role("province")
    if _has_session(request):
        return see_other(PORTAL)
    signed_out = query_params(request).get("signed_out") == "1"
    lang, _ = page_language(request)
    return _login_form(request, 200, notice=texts_for(lang)["signed_out"] if signed_out else "")


@bp.route(SIGN_IN, methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def login() -> Response:
    request = bp.current_request
    require_role("province")
    form = read_form(request)
    lang, _ = page_language(request)
    texts = texts_for(lang)
    companycode = form.get("companycode")[:15]
    if not csrf_valid(read_cookie(request, LOGIN_COOKIE), form.get(CSRF_FIELD)):
        return _login_form(request, 403, texts["error_csrf"], "csrf", companycode)
    try:
        token, principal = auth_service().shop_token(
            companycode, form.get("secret")[:256], source=source_ip(request)
        )
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


@bp.route(f"{PORTAL}/logout", methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def logout() -> Response:
    request = bp.current_request
    posted_form(request, signed_in(request))
    return redirect(SIGN_IN, cookies=[end_session(request, "shop")], query={"signed_out": "1"})


@bp.route(PORTAL, methods=["GET"])
@portal_view(bp)
def home() -> Response:
    request = bp.current_request
    who = signed_in(request)
    today = china_date(record_service().now())
    card = shop_scorecard().scorecard(who.shop.companycode, today - timedelta(days=29), today)
    lang, _ = page_language(request)
    return page(
        request,
        "portal/home.html",
        who,
        heading=texts_for(lang)["home_title"],
        total=card.total,
        last_upload=china_time(card.last_upload_at) if card.last_upload_at else "",
        unread=unread_messages(who),
    )


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
    lang, _ = page_language(request)
    return page(
        request,
        "portal/login.html",
        status=status,
        cookies=[set_cookie(nonce, LOGIN_COOKIE_SECONDS, LOGIN_COOKIE)],
        heading=texts_for(lang)["login_title"],
        login_csrf=csrf_token(nonce),
        problem=problem,
        problem_code=code,
        companycode=companycode,
        notice=notice,
    )
