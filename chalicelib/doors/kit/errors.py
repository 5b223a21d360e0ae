"""Domain errors -> HTTP answers, in exactly one place for the REST door.

Why: Chalice's REST middleware never sees exceptions raised in a view, so each view is wrapped
by `rest_errors`. The body always names a stable `code`, and for field problems one entry per
failing field: {code, field, rule, message}. Unexpected errors answer 500 without internals.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalicelib.doors.kit.http import PayloadError, json_response
from chalicelib.doors.kit.models import ErrorResponse, conform
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    KeyRejectedError,
    LockedOutError,
    NotFoundError,
    RateLimitedError,
    ServiceUnavailableError,
    TooLargeError,
    ValidationFailedError,
)
from chalicelib.observability import logger, metrics

_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailedError, 400),
    (AuthenticationError, 401),
    (KeyRejectedError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (TooLargeError, 413),
    (LockedOutError, 429),
    (RateLimitedError, 429),
    (ServiceUnavailableError, 503),
]


def status_for(error: DomainError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 400)


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if isinstance(error, AuthenticationError):
        # One answer for every authentication failure: it must not tell which part was wrong.
        body = {"code": "unauthorized", "message": "authentication failed"}
    if isinstance(error, ValidationFailedError):
        body["errors"] = [e.as_dict() for e in error.errors]
    return conform(ErrorResponse, body)


def retry_headers(error: DomainError) -> dict[str, str]:
    if isinstance(error, LockedOutError | RateLimitedError | ServiceUnavailableError):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, AuthenticationError | KeyRejectedError):
        return {"WWW-Authenticate": 'Bearer realm="vmehr"'}
    return {}


def rest_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except PayloadError as exc:
            metrics.add_metric(name="RequestRejected", unit="Count", value=1)
            body = {"code": exc.code, "message": exc.error.message, "errors": [exc.error.as_dict()]}
            return json_response(conform(ErrorResponse, body), exc.status)
        except DomainError as exc:
            if isinstance(exc, ValidationFailedError):
                metrics.add_metric(name="RequestRejected", unit="Count", value=1)
            return json_response(error_body(exc), status_for(exc), retry_headers(exc))
        except Exception:
            logger.exception("unhandled error")
            return json_response({"code": "internal_error", "message": "internal error"}, 500)

    return wrapper
