"""HTML answers of every server-rendered page: security headers, language, links, redirects.

Why: the consumer page, the regulator console and the shop portal share one template stack.
Rendering, the strict security headers (no script, no external asset), the zh-CN/English switch
and the base path of links are decided here once, so every page behaves the same way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from chalice import Response
from chalice.app import Request

from chalicelib.config import get_settings

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    # frame-ancestors is ignored by browsers that predate CSP 2; they honour this one.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def language(requested: str | None) -> str:
    """The page language: one of LANGUAGES, zh-CN unless English is asked for."""
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def base_path() -> str:
    """Prefix of every absolute link ("" behind a custom domain, "/api" on execute-api)."""
    return get_settings().base_path


def current_path(request: Request) -> str:
    """The path the browser asked for, without the base path (for the language switch)."""
    path = str((request.context or {}).get("path") or request.path or "/")
    base = base_path()
    if base and path.startswith(base):
        path = path[len(base) :] or "/"
    return path


def html_page(
    template: str,
    *,
    lang: str,
    texts: dict[str, str],
    status: int = 200,
    switch_path: str = "/",
    cookies: list[str] | None = None,
    **context: Any,
) -> Response:
    """Render a page with the shared layout context and the strict security headers."""
    from chalicelib.doors.kit.render import render

    other = "en" if lang == "zh-CN" else "zh-CN"
    base = base_path()
    html = render(
        template,
        lang=lang,
        other_lang=other,
        t=texts,
        base=base,
        switch_url=f"{base}{switch_path}?" + urlencode({"lang": other}),
        **context,
    )
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/html; charset=utf-8",
        **SECURITY_HEADERS,
    }
    if cookies:
        headers["Set-Cookie"] = cookies
    return Response(body=html, status_code=status, headers=headers)


def stylesheet(body: bytes | None) -> Response:
    """A stylesheet of kit/static, cached an hour; none by that name: a plain 404."""
    if body is None:
        plain = {"Content-Type": "text/plain", "X-Content-Type-Options": "nosniff"}
        return Response(body="not found", status_code=404, headers=dict(plain))
    return Response(
        body=body.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": "text/css; charset=utf-8",
            "Cache-Control": "max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


def inline_image(name: str, data: bytes, content_type: str, *, csp: str = "") -> Response:
    """A stored image (a complaint's photo voucher) shown inline, kept by no cache and never
    sniffed; `csp` adds a Content-Security-Policy (the console's pages send one)."""
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Cache-Control": "no-store",
        "Content-Disposition": f'inline; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
    }
    if csp:
        headers["Content-Security-Policy"] = csp
    return Response(body=data, status_code=200, headers=headers)


def redirect(
    path: str, *, cookies: list[str] | None = None, query: dict[str, str] | None = None
) -> Response:
    """303 See Other to a path of this app (after a POST, so a reload never re-submits)."""
    location = base_path() + path + ("?" + urlencode(query) if query else "")
    headers: dict[str, str | list[str]] = {"Location": location, "Cache-Control": "no-store"}
    if cookies:
        headers["Set-Cookie"] = cookies
    return Response(body="", status_code=303, headers=headers)


_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$")


def public_url(request: Request, path: str) -> str:
    """Absolute URL of a path of this app as the browser reached it (for printed links).

    The host is the request's own Host header (API Gateway passes the domain the client used)
    and the scheme its X-Forwarded-Proto; anything malformed falls back to a relative URL.
    """
    host = str(request.headers.get("host") or "")
    scheme = str(request.headers.get("x-forwarded-proto") or "http").lower()
    if scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return base_path() + path
    return f"{scheme}://{host}{base_path()}{path}"
