"""botocore `ClientError` -> domain errors, translated once at the adapter edge.

Why: services and routes never see botocore. Throttling and 5xx become
`ServiceUnavailableError` (the API answers 503 with Retry-After); anything else unexpected is
re-raised untouched so it is logged as a bug, not hidden behind a friendly message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from chalicelib.errors import ServiceUnavailableError

_RETRYABLE = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
}


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def cancellation_reasons(exc: Exception) -> list[str]:
    """The per-action codes of a cancelled transaction ('None' for actions that were fine)."""
    response = getattr(exc, "response", None) or {}
    return [str(r.get("Code", "None")) for r in response.get("CancellationReasons", [])]


def is_retryable(exc: Exception) -> bool:
    code = error_code(exc)
    if code in _RETRYABLE:
        return True
    status = (
        (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    )
    if isinstance(status, int) and status >= 500:
        return True
    reasons = cancellation_reasons(exc)
    return code == "TransactionCanceledException" and any(
        r in ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded")
        for r in reasons
    )


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn retryable DynamoDB failures into ServiceUnavailableError; leave the rest alone."""
    from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

    try:
        yield
    except ClientError as exc:
        if is_retryable(exc):
            raise ServiceUnavailableError("storage is busy, retry shortly", 1) from exc
        raise
    except (ConnectionError, ReadTimeoutError) as exc:
        raise ServiceUnavailableError("storage is unreachable, retry shortly", 2) from exc
