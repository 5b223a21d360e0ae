"""Typed settings for one stack, read from the environment once.

Why: every layer needs a few values (table name, province code, token lifetime) and the
guide's habit is one validated place that names the environment variables, so that
`.chalice/config.json`, `infra/` and tests all use the same names and logic never reads
`os.environ` itself.
"""

from __future__ import annotations

import functools
import os
from typing import Literal

from pydantic import BaseModel, Field

ENV_STACK_ROLE = "STACK_ROLE"
ENV_PROVINCE_CODE = "PROVINCE_CODE"
ENV_TABLE_NAME = "TABLE_NAME"
ENV_DYNAMODB_ENDPOINT_URL = "DYNAMODB_ENDPOINT_URL"
ENV_AWS_REGION = "AWS_REGION"
ENV_TOKEN_TTL_SECONDS = "TOKEN_TTL_SECONDS"
ENV_CLOCK_SKEW_SECONDS = "CLOCK_SKEW_SECONDS"
ENV_LOGIN_MAX_FAILURES = "LOGIN_MAX_FAILURES"
ENV_LOGIN_LOCKOUT_SECONDS = "LOGIN_LOCKOUT_SECONDS"
ENV_SECURE_COOKIES = "SECURE_COOKIES"

DEFAULT_TABLE_NAME = "vmehr-province"
DEFAULT_PROVINCE_CODE = "320000"


class Settings(BaseModel):
    """The validated configuration of one deployed (or local) stack."""

    stack_role: Literal["province", "ministry"] = "province"
    province_code: str = Field(default=DEFAULT_PROVINCE_CODE, pattern=r"^\d{2}0000$")
    table_name: str = Field(default=DEFAULT_TABLE_NAME, min_length=3, max_length=255)
    dynamodb_endpoint_url: str | None = None
    aws_region: str = "cn-north-1"
    token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    clock_skew_seconds: int = Field(default=600, ge=0, le=86400)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_seconds: int = Field(default=900, ge=1, le=86400)

    @property
    def province_prefix(self) -> str:
        """The two digits every division code and companycode of this province starts with."""
        return self.province_code[:2]


_ENV_TO_FIELD = {
    ENV_STACK_ROLE: "stack_role",
    ENV_PROVINCE_CODE: "province_code",
    ENV_TABLE_NAME: "table_name",
    ENV_DYNAMODB_ENDPOINT_URL: "dynamodb_endpoint_url",
    ENV_AWS_REGION: "aws_region",
    ENV_TOKEN_TTL_SECONDS: "token_ttl_seconds",
    ENV_CLOCK_SKEW_SECONDS: "clock_skew_seconds",
    ENV_LOGIN_MAX_FAILURES: "login_max_failures",
    ENV_LOGIN_LOCKOUT_SECONDS: "login_lockout_seconds",
}


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (empty values count as unset)."""
    env = os.environ if environ is None else environ
    values = {field: env[name] for name, field in _ENV_TO_FIELD.items() if env.get(name)}
    return Settings.model_validate(values)


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use (not at import: cold start matters)."""
    return settings_from_env()
