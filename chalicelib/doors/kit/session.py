"""Signed-in pages: the cookie session, its CSRF check and the answers to page errors.

Why: the regulator console and the shop portal are server-rendered pages signed in with a
cookie, one cookie name per audience (doors/kit/cookies.py), so the two sessions live side by side.
The cookie holds a bearer token of the same kind the JSON API uses (stored hashed, with the
same lifetime and revocation), so a page and an API call are authorised by one mechanism.
Every POST of a signed-in page must carry the session's CSRF token. `page_errors` turns domain
errors into pages: not signed in -> the sign-in page, forbidden -> 403, not found -> 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import auth_service
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.cookies import clear_cookie, read_cookie, session_cookie_name, set_cookie
from chalicelib.doors.kit.csrf import CSRF_FIELD, csrf_token, csrf_valid
from chalicelib.doors.kit.forms import Form
from chalicelib.errors import AuthenticationError, DomainError, ForbiddenError
from chalicelib.observability import logger


class SignInRequiredError(AuthenticationError):
    """No valid session cookie: the page sends the browser to its sign-in page."""

    code = "sign_in_required"


@dataclass(frozen=True)
class WebSession:
    token: str
    principal: Principal

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


def web_session(request: Request, kind: str) -> WebSession:
    """The signed-in principal of `kind` ("shop" or "regulator"), from that kind's cookie, or
    SignInRequiredError."""
    token = read_cookie(request, session_cookie_name(kind))
    try:
        principal = auth_service().resolve(token)
    except AuthenticationError as exc:
        raise SignInRequiredError("sign in first") from exc
    if principal.kind != kind:
        raise SignInRequiredError("sign in first")
    return WebSession(token, principal)


def require_csrf(session: WebSession, form: Form) -> None:
    if not csrf_valid(session.token, form.get(CSRF_FIELD)):
        raise ForbiddenError("the form has expired or did not come from this site", code="csrf")


def session_cookie(token: str, principal: Principal) -> str:
    from chalicelib.bootstrap import record_service

    remaining = int((principal.expires_at - record_service().now()).total_seconds())
    return set_cookie(token, max(remaining, 0), session_cookie_name(principal.kind))


def end_session(request: Request, kind: str) -> str:
    """Revoke the session of `kind` and answer the header that clears its cookie."""
    name = session_cookie_name(kind)
    auth_service().revoke(read_cookie(request, name))
    return clear_cookie(name)


def page_errors(
    sign_in_path: str, error_page: Callable[[int, str], Response], kind: str
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Map domain errors of a signed-in page to the sign-in redirect or an error page.

    Only the page's own session cookie (`kind`) is cleared on the way to its sign-in page.
    """
    cookie_name = session_cookie_name(kind)

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            from chalicelib.doors.kit.respond import redirect

            try:
                return view(*args, **kwargs)
            except AuthenticationError:  # SignInRequiredError included
                return redirect(sign_in_path, cookies=[clear_cookie(cookie_name)])
            except DomainError as exc:
                from chalicelib.doors.kit.errors import status_for

                return error_page(status_for(exc), exc.code)
            except Exception:
                logger.exception("page failed")
                return error_page(500, "internal_error")

        return wrapper

    return decorate


__all__ = [
    "CSRF_FIELD",
    "SignInRequiredError",
    "WebSession",
    "end_session",
    "page_errors",
    "require_csrf",
    "session_cookie",
    "web_session",
]
