"""What every consumer page reads and answers: its form, its language, its page.

Why: the consumer pages are plain HTML forms (no script, strict CSP) in zh-CN or English, as
the owner chose (the `lang` of the form, or of the query string for a GET); each page family
reads its form within its own size limit, and a form over it reads as empty. Rendering with
the consumer texts is stated once here for every page of the door.
"""

from __future__ import annotations

from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.doors.kit.forms import Form, parse_form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.respond import html_page, language

FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
# A feedback form: its fields, scores and tags (a complaint with its photo has its own limit).
FORM_BYTES = 64 * 1024


def read_form(request: Request, max_bytes: int = FORM_BYTES) -> tuple[Form, str]:
    """The posted form (URL-encoded or multipart) and the language it asks for."""
    content_type = request.headers.get("content-type") or ""
    form = parse_form(request.raw_body, content_type, max_bytes)
    return form, language(form.get("lang"))


def query_language(request: Request) -> str:
    """The language a GET page asks for (`?lang=`)."""
    return language(query_params(request).get("lang"))


def consumer_page(template: str, lang: str, status: int, **context: Any) -> Response:
    """A consumer page with the consumer texts (the query page's and the feedback pages')."""
    from chalicelib.doors.public.texts import consumer_texts

    return html_page(template, lang=lang, texts=consumer_texts(lang), status=status, **context)
