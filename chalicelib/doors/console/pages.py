"""Building blocks of every console page: the signed-in regulator and the console layout.

Why: each page should need one line to be signed in and authorised by the one access policy,
and one to be rendered in the console layout (with the navigation its role may use); its
errors are the door's to map (`door.py`):

    @door.route("/console/shops", methods=["GET"], page=True, stacks=PROVINCE)
    def shops_page() -> Response:
        session, lang = signed_in(door.request, Permission.REGISTRY_READ)
        return console_page("console/shops.html", session, lang, **views.registry(...))

Forms post with `csrf_token` = `session.csrf`; a POST view reads its form with `signed_form`,
which checks that token (or, where it must read the form first, calls `require_csrf` itself).
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
from chalicelib.doors.console.nav import sections_for
from chalicelib.doors.kit.forms import Form, parse_form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import html_page, language
from chalicelib.doors.kit.session import WebSession, require_csrf, web_session
from chalicelib.errors import ConflictError, ForbiddenError, ValidationFailedError

CONSOLE_HOME = "/console"
CONSOLE_LOGIN = "/console/login"
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
MAX_FORM_BYTES = 16384


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


def signed_in(
    request: Request,
    permission: Permission | None = None,
    *,
    companycode: str | None = None,
    division: str | None = None,
) -> tuple[WebSession, str]:
    """A page's signed-in regulator, allowed `permission` (`console_session`), and the page's
    language (asked for in the query)."""
    session = console_session(request, permission, companycode=companycode, division=division)
    return session, console_lang(request)


def signed_form(
    request: Request,
    permission: Permission,
    *,
    max_bytes: int = MAX_FORM_BYTES,
    companycode: str | None = None,
) -> tuple[WebSession, Form, str]:
    """A form post's signed-in regulator, allowed `permission`; its form, whose CSRF token is
    checked before anything else is read from it; and the language the form asks for."""
    session = console_session(request, permission, companycode=companycode)
    form = console_form(request, max_bytes)
    require_csrf(session, form)
    return session, form, console_lang(request, form.get("lang"))


def console_lang(request: Request, form_lang: str | None = None) -> str:
    return language(form_lang or query_params(request).get("lang"))


def console_texts(lang: str) -> dict[str, str]:
    from chalicelib.doors.console.texts import TEXTS

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
    from chalicelib.doors.console.texts import FLAG_NAMES, SECTION_NAMES, SHOP_CLASS_NAMES

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


def refusal(exc: ValidationFailedError | ConflictError, fields: dict[str, Any]) -> dict[str, Any]:
    """How a form page shows a refused post: 400 with each error beside its field and the
    values as posted, or 409 naming the conflict (someone changed the object first), with the
    values as they now stand."""
    if isinstance(exc, ValidationFailedError):
        return {"status": 400, "errors": exc.errors, "form": fields}
    return {"status": 409, "conflict": exc.code}


def china_time(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def console_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> Form:
    """A console form post (URL-encoded or multipart), bounded in size."""
    return parse_form(request.raw_body, request.headers.get("content-type") or "", max_bytes)


def scope_of(session: WebSession) -> tuple[str, ...] | None:
    """The districts the signed-in regulator sees (None: the whole province), for services."""
    return Scope.of(session.principal).divisions


def may_do(session: WebSession, permission: Permission) -> bool:
    """Whether the role may use `permission` here at all (to show or hide a form or link)."""
    return permission in permissions_of(session.principal, get_settings().stack_role)
