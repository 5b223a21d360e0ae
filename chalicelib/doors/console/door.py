"""The regulators' door: the console's pages on both stacks, and its one error mapper.

Why: regulators work in a browser, at a province's stack or at the ministry's, signed in with
the console's own session cookie. Most sections exist on one stack kind only (a province's
registry, monitoring, complaints and reminders; the ministry's provinces): those routes say
so (`stacks=`) and answer 404 on the other stack. Every page's errors are mapped here once:
not signed in -> the sign-in page (the console's cookie cleared), forbidden -> 403, not found
-> 404, anything else -> 500, each as the console's error page in the request's language.
Routes say `@page(path)` or `@form(path)`: every console route is a page or a form's post.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chalice import Response

from chalicelib.config import get_settings
from chalicelib.doors.console.pages import (
    CONSOLE_HOME,
    CONSOLE_LOGIN,
    FORM_TYPES,
    console_lang,
    console_texts,
)
from chalicelib.doors.kit.door import Door, View
from chalicelib.doors.kit.operations import BOTH, Stack
from chalicelib.doors.kit.respond import html_page
from chalicelib.doors.kit.session import page_errors


def error_page(status: int, code: str) -> Response:
    """The console's error page in the request's language, with a way back."""
    from chalicelib.doors.console.texts import error_message

    try:
        lang = console_lang(door.request)
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


console_errors = page_errors(CONSOLE_LOGIN, error_page, "regulator")
"""Every console view's errors: not signed in -> sign-in page; 403/404/500 error pages."""

door = Door(
    "console",
    stacks=BOTH,
    page_errors=console_errors,
    templates=Path(__file__).with_name("templates"),
    template_prefix="console",
)


def page(path: str, *, stacks: tuple[Stack, ...] | None = None) -> Callable[[View], View]:
    """A console page (GET); `stacks` when only one stack kind has it."""
    return door.route(path, methods=["GET"], page=True, stacks=stacks)


def form(path: str, *, stacks: tuple[Stack, ...] | None = None) -> Callable[[View], View]:
    """A console form's post, in either encoding a browser sends; `stacks` as for `page`."""
    return door.route(path, methods=["POST"], content_types=FORM_TYPES, page=True, stacks=stacks)
