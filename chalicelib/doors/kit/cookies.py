"""The session cookies: read one from a request, set it and clear it with safe attributes.

Why: the regulator console and the shop portal keep their sign-in in a cookie. It is HttpOnly
(no script can read it), SameSite=Strict (no other site can make the browser send it), scoped
to the app's base path, and Secure everywhere except a local run over plain HTTP. Each audience
has its own cookie name (`SESSION_COOKIES`): one browser may be signed in to both, and signing
in to (or opening) one never replaces or clears the other's session.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from chalice.app import Request

from chalicelib.config import get_settings

SESSION_COOKIES = {"regulator": "vmehr_console_session", "shop": "vmehr_portal_session"}


def session_cookie_name(kind: str) -> str:
    """The session cookie of an audience: "regulator" (console) or "shop" (portal)."""
    return SESSION_COOKIES[kind]


def read_cookie(request: Request, name: str) -> str:
    header = request.headers.get("cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


def set_cookie(value: str, max_age: int, name: str) -> str:
    settings = get_settings()
    parts = [
        f"{name}={value}",
        f"Path={settings.base_path or '/'}",
        f"Max-Age={max_age}",
        "HttpOnly",
        "SameSite=Strict",
    ]
    if settings.cookie_secure:
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie(name: str) -> str:
    return set_cookie("", 0, name)
