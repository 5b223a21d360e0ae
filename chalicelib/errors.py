"""Domain errors: what went wrong, in the domain's words, with no HTTP in sight.

Why: services and adapters raise these; the API layer maps them to status codes in exactly one
place (`doors/kit/errors.py`), so a rule is never matched by its message text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One failing field: where (`field`, a dotted path), which rule, and a readable message."""

    field: str
    rule: str
    message: str
    code: str = "invalid_field"

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "rule": self.rule, "message": self.message}


class DomainError(Exception):
    """Base of every error a caller can act on. `code` is stable and machine-readable."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


@dataclass
class ValidationFailedError(DomainError):
    """The input breaks one or more structural rules; nothing was written."""

    errors: list[FieldError] = field(default_factory=list)
    code = "validation_failed"

    def __post_init__(self) -> None:
        fields = ", ".join(e.field for e in self.errors)
        super().__init__(f"invalid input: {fields}")


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


class AuthenticationError(DomainError):
    """Credentials or token are missing, wrong or expired. The message never says which."""

    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


class LockedOutError(DomainError):
    """Too many failed sign-ins (for a principal from one source address, or from one
    source); retry after `retry_after` seconds."""

    code = "too_many_failed_logins"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLargeError(DomainError):
    """The input is over the size it is read within (bytes or fields); none of it was used."""

    code = "too_large"


class ServiceUnavailableError(DomainError):
    """A dependency is throttling or failing; the caller should retry after a pause."""

    code = "service_unavailable"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitedError(DomainError):
    """Too many requests from one client address or for one VIN; retry after `retry_after`."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class KeyRejectedError(DomainError):
    """An agency's API key is unknown or malformed (`key_invalid`) or revoked (`key_revoked`).

    Unlike AuthenticationError, the code is told: an agency's system must know whether to ask
    the ministry for a new key or to fix its configuration, and a key is never guessed."""

    code = "key_invalid"


NARROWING_CRITERIA = (
    ("from", "a later start date (a shorter date range)"),
    ("to", "an earlier end date (a shorter date range)"),
    ("companycode", "one shop"),
    ("division", "one district (6-digit division code)"),
)


class SearchTooBroadError(ValidationFailedError):
    """A search would read more than one request may before its page is full (400).

    Nothing is wrong with the input as such: the caller is asked to narrow the search, and
    `errors` names each criterion that narrows it (rule `narrow_search`)."""

    code = "search_too_broad"

    def __init__(self) -> None:
        super().__init__(
            [
                FieldError(name, "narrow_search", how, code="search_too_broad")
                for name, how in NARROWING_CRITERIA
            ]
        )

    def __post_init__(self) -> None:
        DomainError.__init__(
            self,
            "this search reads more records than one request may: narrow it by date range, "
            "shop (companycode) or district (division)",
        )
