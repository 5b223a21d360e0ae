"""Query parameters the regulators' listings read alike.

Why: the registry and the audit trail page by a `limit` whose bound differs (100 and 200) but
whose refusal must name the parameter and the rule the same way.
"""

from __future__ import annotations

from chalicelib.errors import FieldError, ValidationFailedError


def limit_param(value: str, maximum: int) -> int:
    """A page size as written in the query string: 1 to `maximum`, or a 400 naming `limit`."""
    # isascii: str.isdigit() also accepts "²" or "①", which int() cannot read.
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise ValidationFailedError([FieldError("limit", "range", f"limit must be 1 to {maximum}")])
    return int(value)
