"""Small request/response helpers shared by every blueprint.

Why: all JSON answers use one shape (UTF-8, Chinese left readable) and every body is checked
the same way (content type, size, well-formed JSON nested at most 64 levels) before a schema
sees it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.domain.json_limits import MAX_DEPTH, JsonInputError, loads_bounded
from chalicelib.errors import FieldError, ValidationFailedError

MAX_BODY_BYTES = 1024 * 1024
JSON_TYPE = "application/json; charset=utf-8"
ANY_CONTENT_TYPE = ["*/*"]


class PayloadError(Exception):
    """The body cannot be read as JSON at all: wrong type, too large or malformed."""

    def __init__(self, status: int, code: str, error: FieldError) -> None:
        super().__init__(error.message)
        self.status = status
        self.code = code
        self.error = error


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer that no cache stores (most carry personal data) and no browser sniffs."""
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        headers={
            "Content-Type": JSON_TYPE,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )


def read_json(request: Request, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The parsed JSON body, or PayloadError naming what is wrong with it."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise PayloadError(
            415,
            "unsupported_media_type",
            FieldError("Content-Type", "application_json", "send the body as application/json"),
        )
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > max_bytes:
        raise PayloadError(
            413,
            "payload_too_large",
            FieldError("body", "max_bytes", f"the body must be at most {max_bytes} bytes"),
        )
    try:
        return loads_bounded(raw)
    except JsonInputError as exc:
        message = (
            f"the body nests deeper than {MAX_DEPTH} levels"
            if exc.rule == "max_depth"
            else f"the body is not valid UTF-8 JSON: {exc.__cause__ or exc}"
        )
        raise PayloadError(400, "malformed_json", FieldError("body", exc.rule, message)) from exc


def require_object(value: Any, field: str = "body") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailedError([FieldError(field, "object", f"{field} must be a JSON object")])
    return value


def source_ip(request: Request) -> str:
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def query_params(request: Request) -> dict[str, str]:
    """The query string as a plain dict (the last value wins for repeated names)."""
    return {str(k): str(v) for k, v in (request.query_params or {}).items()}


def int_param(params: dict[str, str], name: str, default: int) -> int:
    """A page-size style query parameter: 1–100, or a 400 naming the parameter."""
    value = params.get(name)
    if value is None:
        return default
    # isascii: str.isdigit() also accepts "²" or "①", which int() cannot read (a 500 before).
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 100:
        raise ValidationFailedError([FieldError(name, "range", f"{name} must be 1–100")])
    return int(value)


def date_param(params: dict[str, str], name: str, default: date) -> date:
    """A YYYY-MM-DD query parameter, or `default` when absent; a 400 naming it otherwise."""
    if name not in params:
        return default
    try:
        return date.fromisoformat(params[name])
    except ValueError as exc:
        raise ValidationFailedError(
            [FieldError(name, "date", f"{name} must be a date written YYYY-MM-DD")]
        ) from exc


def date_or_default(params: dict[str, str], name: str, default: date) -> date:
    """`date_param` where a blank value also means `default` (the regulators' search and reads
    filters, whose forms send their empty fields)."""
    return date_param(params, name, default) if params.get(name) else default


def require_list(body: Any, field: str, maximum: int, noun: str = "items") -> list[Any]:
    """`body[field]` as a list of 1 to `maximum` entries (a batch), or a 400 naming it."""
    items = require_object(body).get(field)
    if not isinstance(items, list) or not 1 <= len(items) <= maximum:
        raise ValidationFailedError(
            [FieldError(field, "batch_size", f"{field} must be a list of 1–{maximum} {noun}")]
        )
    return items
