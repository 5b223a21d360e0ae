"""What every door's models share: strict request bases, error bodies and the checks.

Why: a request is parsed by pydantic into a strict model and every failing field is answered
at once as {field, rule, message}; a response body passes through its model (`conform`) so the
served OpenAPI document and the code cannot drift. Each door keeps its own models; these are
the bases, types and error shapes they all use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import SkipJsonSchema

from chalicelib.errors import FieldError, ValidationFailedError

_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"

Timestamp = Annotated[str, Field(pattern=_TIMESTAMP, json_schema_extra={"format": "date-time"})]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})]
DecimalText = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
RecordId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Companycode = Annotated[str, Field(pattern=r"^\d{15}$")]
ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}0000$")]
Cursor = Annotated[str | None, Field(description="pass as `cursor` for the next page")]


class Strict(BaseModel):
    """Base of every request model: unknown fields refused, strings trimmed."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )


class Out(BaseModel):
    """Base of every response model: undeclared fields refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def conform(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    """`body` checked against its response model, as JSON-ready values (omitted stay omitted)."""
    return model.model_validate(body).model_dump(mode="json", exclude_unset=True)


# --- errors ----------------------------------------------------------------------------------


class FieldErrorOut(Out):
    code: str
    field: str = Field(description="dotted path of the failing field, e.g. `repair_items.0.name`")
    rule: str = Field(description="the rule it breaks, e.g. `required`, `max_length`, `date`")
    message: str


class ErrorResponse(Out):
    """Every 4xx/5xx body of the REST door."""

    code: str = Field(description="stable, machine-readable, e.g. `validation_failed`")
    message: str
    errors: list[FieldErrorOut] | SkipJsonSchema[None] = Field(
        default=None, description="one entry per failing field (validation errors)"
    )


_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_items",
    "too_long": "max_items",
    "greater_than": "exclusive_minimum",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
    "decimal_max_places": "decimal_places",
    "string_pattern_mismatch": "pattern",
    "date_from_datetime_parsing": "date",
    "date_parsing": "date",
    "value_error": "format",
}


def parse(model: type[BaseModel], data: Any, *, prefix: str = "") -> Any:
    """Validate `data` against `model`, raising ValidationFailedError with every failing field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailedError(validation_errors(exc, prefix=prefix)) from exc


def validation_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    errors = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        kind = str(error["type"])
        rule = _RULES.get(kind, "type" if kind.endswith("_type") else kind)
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.append(FieldError(f"{prefix}{path}", rule, message))
    return errors


class TokenResponse(Out):
    access_token: str = Field(min_length=1)
    token_type: Literal["Bearer"]
    expires_at: Timestamp
