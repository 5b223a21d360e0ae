"""Building blocks of every console page: the signed-in regulator, its layout and its errors.

Why: the console's sections are written by several engineers; each page should need three
lines to be signed in, authorised by the one access policy, rendered in the console layout
(with the navigation its role may use) and mapped to the right error page:

    @bp.route("/console/shops", methods=["GET"])
    @console_errors
    def shops_page() -> Response:
        session = console_session(bp.current_request, Permission.REGISTRY_READ)
        return console_page("console/shops.html", session, console_lang(bp.current_request),
                            active="registry", shops=...)

Forms post with `csrf_token` = `session.csrf`; a POST view calls `require_csrf(session, form)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import auth_service
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import Permission, Scope, authorize, permissions_of
from chalicelib.domain.china_time import CST
from chalicelib.doors.kit.forms import Form, parse_form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import html_page, language
from chalicelib.doors.kit.session import WebSession, page_errors, web_session
from chalicelib.errors import ForbiddenError
from chalicelib.web.console_nav import sections_for

CONSOLE_HOME = "/console"
CONSOLE_LOGIN = "/console/login"
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]


def console_session(
    request: Request,
    permission: Permission | None = None,
    *,
    companycode: str | None = None,
    division: str | None = None,
    province: str | None = None,
) -> WebSession:
    """The signed-in regulator (account still current), allowed `permission` on the object.

    Raises SignInRequiredError / AuthenticationError (the page redirects to sign-in),
    ForbiddenError (403 page) or NotFoundError (404 page, for a shop outside the scope).
    """
    session = web_session(request, "regulator")
    auth_service().regulator_of(session.principal)
    stack = get_settings().stack_role
    if not permissions_of(session.principal, stack):
        raise ForbiddenError("this role has no console on this stack")
    if permission is not None:
        authorize(
            session.principal,
            permission,
            stack=stack,
            companycode=companycode,
            division=division,
            province=province,
        )
    return session


def console_lang(request: Request, form_lang: str | None = None) -> str:
    return language(form_lang or query_params(request).get("lang"))


def console_texts(lang: str) -> dict[str, str]:
    from chalicelib.web.console_texts import TEXTS

    texts = dict(TEXTS[lang])
    if get_settings().stack_role == "ministry":
        texts["title"] = texts["title_ministry"]
    return texts


def console_page(
    template: str,
    session: WebSession | None,
    lang: str,
    *,
    status: int = 200,
    active: str = "",
    switch_path: str | None = None,
    cookies: list[str] | None = None,
    **context: Any,
) -> Response:
    """A page in the console layout; `session` None for the sign-in page."""
    from chalicelib.web.console_texts import FLAG_NAMES, SECTION_NAMES, SHOP_CLASS_NAMES

    nav: list[dict[str, Any]] = []
    user = None
    if session is not None:
        principal = session.principal
        nav = [
            {"key": s.key, "path": s.path, "ready": s.ready, "name": SECTION_NAMES[lang][s.key]}
            for s in sections_for(principal, get_settings().stack_role)
        ]
        user = {"username": principal.principal_id, "role": principal.role}
    return html_page(
        template,
        lang=lang,
        texts=console_texts(lang),
        status=status,
        switch_path=switch_path or CONSOLE_HOME,
        cookies=cookies,
        nav=nav,
        user=user,
        csrf=session.csrf if session is not None else context.pop("csrf", ""),
        active=active,
        class_names=SHOP_CLASS_NAMES[lang],
        flag_names=FLAG_NAMES[lang],
        **context,
    )


def console_error_page(status: int, code: str) -> Response:
    """The console's error page in the request's language, with a way back."""
    from chalicelib.web.console_texts import error_message

    lang = "zh-CN"
    try:
        from chalicelib.api import console

        lang = console_lang(console.bp.current_request)
    except Exception:  # outside a request (or before routing): the default language
        lang = "zh-CN"
    texts = console_texts(lang)
    return html_page(
        "error.html",
        lang=lang,
        texts={**texts, "privacy": texts["footer"]},
        status=status,
        switch_path=CONSOLE_HOME,
        heading=texts["error_heading"],
        message=error_message(lang, code),
        code=code,
        back_url=f"{get_settings().base_path}{CONSOLE_HOME}?lang={lang}",
        back_label=texts["back_home"],
    )


console_errors = page_errors(CONSOLE_LOGIN, console_error_page, "regulator")
"""Decorator of every console view: not signed in -> sign-in page; 403/404/500 pages."""


def china_time(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def console_form(request: Request, max_bytes: int = 16384) -> Form:
    """A console form post (URL-encoded or multipart), bounded in size."""
    return parse_form(request.raw_body, request.headers.get("content-type") or "", max_bytes)


def scope_of(session: WebSession) -> tuple[str, ...] | None:
    """The districts the signed-in regulator sees (None: the whole province), for services."""
    return Scope.of(session.principal).divisions


def may_do(session: WebSession, permission: Permission) -> bool:
    """Whether the role may use `permission` here at all (to show or hide a form or link)."""
    return permission in permissions_of(session.principal, get_settings().stack_role)
