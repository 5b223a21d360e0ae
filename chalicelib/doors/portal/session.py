"""The signed-in shop of a portal page, and the forms it posts.

Why: `signed_in` is the only way a portal view gets its shop (a shop session whose secret was
not rotated since), and `posted_form` the only way it reads a form, which checks the session's
CSRF token; keeping both here makes the security checks impossible to forget. The stack check
is the door's (`door.py`): on the ministry stack no portal page exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Request

from chalicelib.bootstrap import auth_service
from chalicelib.domain.shop import Shop
from chalicelib.doors.kit.forms import MAX_FIELDS, MAX_FORM_BYTES, Form, check_size, parse_form
from chalicelib.doors.kit.session import WebSession, require_csrf, web_session
from chalicelib.observability import logger


@dataclass(frozen=True)
class SignedIn:
    """A signed-in shop: its session (for the CSRF token) and its registry entry."""

    session: WebSession
    shop: Shop


def signed_in(request: Request) -> SignedIn:
    """The calling shop. Raises SignInRequiredError / AuthenticationError (→ sign-in page)."""
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
