"""How every shop portal page answers: its language, its texts, the page, the error page.

Why: the portal's pages are many small views; each one renders through the shared page stack
(`kit/respond.py`) with the portal's texts, the signed-in shop, its CSRF token and the
navigation. Deciding that here once keeps each view a few lines and every page alike; the
door's error mapper (`door.py`) answers a domain error with `error_page` in the page language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response
from chalice.app import Request

from chalicelib.domain.shop import SHOP_CLASSES
from chalicelib.doors.kit.cookies import read_cookie, set_cookie
from chalicelib.doors.kit.forms import MAX_FORM_BYTES
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import current_path, html_page, language, redirect
from chalicelib.doors.portal.record_form import MAX_ROWS
from chalicelib.doors.portal.texts import FIELD_LABELS, PORTAL_TEXTS

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.doors.portal.session import SignedIn

PORTAL = "/portal"
SIGN_IN = f"{PORTAL}/login"
RECORDS = f"{PORTAL}/records"
IMPORTS = f"{PORTAL}/imports"
MESSAGES = f"{PORTAL}/messages"
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
LANG_COOKIE = "vmehr_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600
# What the "form too large" pages tell the clerk (record_form.MAX_ROWS rows of each list).
FORM_LIMITS = {"max_kb": MAX_FORM_BYTES // 1024, "max_rows": MAX_ROWS}


def page_language(request: Request) -> tuple[str, list[str]]:
    """The language (`?lang=` wins and is remembered in a cookie) and cookies to set."""
    asked = query_params(request).get("lang")
    if asked:
        lang = language(asked)
        return lang, [set_cookie(lang, LANG_COOKIE_SECONDS, LANG_COOKIE)]
    return language(read_cookie(request, LANG_COOKIE) or None), []


def texts_for(lang: str) -> dict[str, str]:
    return PORTAL_TEXTS[lang]


def texts_of(request: Request) -> dict[str, str]:
    """The portal's texts in the request's page language."""
    return texts_for(page_language(request)[0])


def page(
    request: Request,
    template: str,
    who: SignedIn | None = None,
    *,
    title: str = "",
    status: int = 200,
    cookies: list[str] | None = None,
    **context: Any,
) -> Response:
    """Render a portal page with the shop, its CSRF token and the navigation.

    `title` names the text of the page's heading (`heading=` may give it as words instead).
    """
    lang, lang_cookies = page_language(request)
    texts = texts_for(lang)
    if title:
        context["heading"] = texts[title]
    shop = who.shop if who else None
    return html_page(
        template,
        lang=lang,
        texts=texts,
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
    texts = texts_of(request)
    return page(
        request,
        "portal/error.html",
        status=status,
        title="error_title",
        message=error_text(code, texts),
        code=code,
        back_url=f"{PORTAL}",
        back_label=texts["back"],
    )


def error_text(code: str, texts: dict[str, str]) -> str:
    text = texts.get(f"error_{code}") or texts["error_default"]
    return text.format(**FORM_LIMITS) if code.endswith("too_large") else text


def see_other(path: str, query: dict[str, str] | None = None) -> Response:
    return redirect(path, query=query)


def download(body: str | bytes, content_type: str, filename: str) -> Response:
    """A file the browser saves (an import template, an import's results), never shows."""
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
