"""Domain errors of the consumer pages -> the message page, in the page's language, once.

Why: an owner holds no account, so a refusal is a page, never a stack trace or a JSON body:
a public limit (429), a failed proof (404, one sentence whatever was wrong, and the same for
a route of the other stack), input the page cannot take (400, each field named) and anything
else the services refuse (503, "try again later"; logged). The page answers in the language
the owner chose, read from the request as the page itself reads it, so even a refusal that
comes before the view (the other stack's route) speaks it. Forms that come back with the
error beside its field catch that error in the view; the JSON routes of the door answer
through `kit.errors.rest_errors`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.doors.public.forms import FORM_BYTES, consumer_page, query_language, read_form
from chalicelib.errors import DomainError, NotFoundError, RateLimitedError, ValidationFailedError
from chalicelib.observability import logger

LanguageOf = Callable[[Request], str]
ErrorMapper = Callable[[Callable[..., Response]], Callable[..., Response]]


def page_language(form_bytes: int = FORM_BYTES) -> LanguageOf:
    """The language of a page whose form is read within `form_bytes`: `?lang=` for a GET,
    the form's `lang` for a POST (a form over the limit reads as empty: the default)."""

    def language_of(request: Request) -> str:
        if request.method == "GET":
            return query_language(request)
        return read_form(request, form_bytes)[1]

    return language_of


def message_errors(language_of: LanguageOf) -> ErrorMapper:
    """Map the domain errors of a consumer page to the message page in its language."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            from chalicelib.doors.public.door import door  # door.py builds its mapper here

            try:
                return view(*args, **kwargs)
            except DomainError as exc:
                return _message(exc, language_of(door.request))

        return wrapper

    return decorate


def _message(error: DomainError, lang: str) -> Response:
    if isinstance(error, RateLimitedError):
        return consumer_page("message.html", lang, 429, message_key="rate_limited")
    if isinstance(error, NotFoundError):
        return consumer_page("message.html", lang, 404, message_key="no_match")
    if isinstance(error, ValidationFailedError):
        errors = error.errors
        return consumer_page("message.html", lang, 400, message_key="fix_errors", errors=errors)
    logger.exception("consumer page refused")
    return consumer_page("message.html", lang, 503, message_key="rate_limited")
