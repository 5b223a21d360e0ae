"""What every shop portal page shares: sign-in check, language, rendering, forms, errors.

Why: the portal's pages are many small views; each one starts the same way (a province stack,
a signed-in shop whose secret was not rotated since, the page language) and renders through the
shared page stack (web/respond.py) with the portal's texts and navigation. Keeping that here
keeps each view a few lines and makes the security checks impossible to forget: `signed_in`
is the only way a view gets its shop, and `posted_form` the only way it reads a form, which
checks the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.record_form import MAX_ROWS
from chalicelib.bootstrap import auth_service
from chalicelib.domain.shop import SHOP_CLASSES, Shop
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.cookies import read_cookie, set_cookie
from chalicelib.doors.kit.forms import MAX_FIELDS, MAX_FORM_BYTES, Form, check_size, parse_form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import current_path, html_page, language, redirect
from chalicelib.doors.kit.session import WebSession, page_errors, require_csrf, web_session
from chalicelib.observability import logger
from chalicelib.web.portal_texts import FIELD_LABELS, PORTAL_TEXTS

PORTAL = "/portal"
SIGN_IN = f"{PORTAL}/login"
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
LANG_COOKIE = "vmehr_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600
# What the "form too large" pages tell the clerk (record_form.MAX_ROWS rows of each list).
FORM_LIMITS = {"max_kb": MAX_FORM_BYTES // 1024, "max_rows": MAX_ROWS}


@dataclass(frozen=True)
class SignedIn:
    """A signed-in shop: its session (for the CSRF token) and its registry entry."""

    session: WebSession
    shop: Shop


def signed_in(request: Request) -> SignedIn:
    """The calling shop. Raises SignInRequiredError / AuthenticationError (→ sign-in page)."""
    require_role("province")
    session = web_session(request, "shop")
    shop = auth_service().shop_of(session.principal)
    logger.append_keys(companycode=shop.companycode)
    return SignedIn(session, shop)


def posted_form(
    request: Request,
    who: SignedIn,
    max_bytes: int = MAX_FORM_BYTES,
    *,
    max_fields: int = MAX_FIELDS,
    too_large: str = "form_too_large",
) -> Form:
    """The POSTed form, after its CSRF token was checked against the session.

    A form over the limits raises TooLargeError(`too_large`): a 413 page saying the form is too
    large (nothing of it read or stored), never an empty form refused as expired.
    """
    form = read_form(request, max_bytes, max_fields=max_fields, too_large=too_large)
    require_csrf(who.session, form)
    return form


def read_form(
    request: Request,
    max_bytes: int = MAX_FORM_BYTES,
    *,
    max_fields: int = MAX_FIELDS,
    too_large: str = "form_too_large",
) -> Form:
    content_type = request.headers.get("content-type") or ""
    check_size(request.raw_body, content_type, max_bytes, max_fields, too_large)
    return parse_form(request.raw_body, content_type, max_bytes, max_fields)


def page_language(request: Request) -> tuple[str, list[str]]:
    """The language (`?lang=` wins and is remembered in a cookie) and cookies to set."""
    asked = query_params(request).get("lang")
    if asked:
        lang = language(asked)
        return lang, [set_cookie(lang, LANG_COOKIE_SECONDS, LANG_COOKIE)]
    return language(read_cookie(request, LANG_COOKIE) or None), []


def texts_for(lang: str) -> dict[str, str]:
    return PORTAL_TEXTS[lang]


def page(
    request: Request,
    template: str,
    who: SignedIn | None = None,
    *,
    status: int = 200,
    cookies: list[str] | None = None,
    **context: Any,
) -> Response:
    """Render a portal page with the shop, its CSRF token and the navigation."""
    lang, lang_cookies = page_language(request)
    shop = who.shop if who else None
    return html_page(
        template,
        lang=lang,
        texts=texts_for(lang),
        status=status,
        switch_path=current_path(request),
        cookies=[*lang_cookies, *(cookies or [])],
        labels=FIELD_LABELS[lang],
        shop=shop,
        shop_class=SHOP_CLASSES.get(shop.shop_class, shop.shop_class) if shop else "",
        csrf=who.session.csrf if who else "",
        portal=PORTAL,
        **context,
    )


def error_page(request: Request, status: int, code: str) -> Response:
    lang, _ = page_language(request)
    texts = texts_for(lang)
    return page(
        request,
        "portal/error.html",
        status=status,
        heading=texts["error_title"],
        message=error_text(code, texts),
        code=code,
        back_url=f"{PORTAL}",
        back_label=texts["back"],
    )


def error_text(code: str, texts: dict[str, str]) -> str:
    text = texts.get(f"error_{code}") or texts["error_default"]
    return text.format(**FORM_LIMITS) if code.endswith("too_large") else text


def portal_view(bp: Blueprint) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Domain errors of a portal view → the sign-in page or an error page in the page language."""
    return page_errors(
        SIGN_IN, lambda status, code: error_page(bp.current_request, status, code), "shop"
    )


def see_other(path: str, query: dict[str, str] | None = None) -> Response:
    return redirect(path, query=query)
