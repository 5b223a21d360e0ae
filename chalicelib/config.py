"""Typed settings for one stack, read from the environment once.

Why: every layer needs a few values (table name, province code, token lifetime) and the
guide's habit is one validated place that names the environment variables, so that
`.chalice/config.json`, `infra/` and tests all use the same names and logic never reads
`os.environ` itself.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from chalicelib.domain.source_ranges import parse_source_ranges

ENV_STACK_ROLE = "STACK_ROLE"
ENV_PROVINCE_CODE = "PROVINCE_CODE"
ENV_TABLE_NAME = "TABLE_NAME"
ENV_DYNAMODB_ENDPOINT_URL = "DYNAMODB_ENDPOINT_URL"
ENV_AWS_REGION = "AWS_REGION"
ENV_TOKEN_TTL_SECONDS = "TOKEN_TTL_SECONDS"
ENV_CLOCK_SKEW_SECONDS = "CLOCK_SKEW_SECONDS"
ENV_LOGIN_MAX_FAILURES = "LOGIN_MAX_FAILURES"
ENV_LOGIN_LOCKOUT_SECONDS = "LOGIN_LOCKOUT_SECONDS"
ENV_LOGIN_SOURCE_MAX_FAILURES = "LOGIN_SOURCE_MAX_FAILURES"
ENV_STATS_TABLE_NAME = "STATS_TABLE_NAME"
ENV_STREAM_ARN = "STREAM_ARN"
ENV_MINISTRY_URL = "MINISTRY_URL"
ENV_EXCHANGE_SECRET = "EXCHANGE_SECRET"
ENV_DEAD_LETTER_QUEUE_URL = "DEAD_LETTER_QUEUE_URL"
ENV_SQS_ENDPOINT_URL = "SQS_ENDPOINT_URL"
ENV_FORWARD_MAX_ATTEMPTS = "FORWARD_MAX_ATTEMPTS"
ENV_EXCHANGE_TIMEOUT_SECONDS = "EXCHANGE_TIMEOUT_SECONDS"
ENV_SIGNING_KEY = "SIGNING_KEY"
ENV_COOKIE_SECURE = "COOKIE_SECURE"
ENV_BASE_PATH = "BASE_PATH"
ENV_PHOTO_BUCKET = "PHOTO_BUCKET"
ENV_S3_ENDPOINT_URL = "S3_ENDPOINT_URL"
ENV_PUBLIC_IP_LIMIT = "PUBLIC_IP_LIMIT"
ENV_PUBLIC_VIN_LIMIT = "PUBLIC_VIN_LIMIT"
ENV_PUBLIC_SUBMIT_LIMIT = "PUBLIC_SUBMIT_LIMIT"
ENV_TOTP_KEY = "TOTP_KEY"
ENV_CONSOLE_SESSION_SECONDS = "CONSOLE_SESSION_SECONDS"
ENV_AUDIT_DIGEST_BUCKET = "AUDIT_DIGEST_BUCKET"
ENV_AUDIT_DIGEST_KEY = "AUDIT_DIGEST_KEY"
ENV_EXCHANGE_SOURCE_RANGES = "EXCHANGE_SOURCE_RANGES"
ENV_SEARCH_READ_ITEMS = "SEARCH_READ_ITEMS"
ENV_SEARCH_READ_REQUESTS = "SEARCH_READ_REQUESTS"
ENV_EXPORT_READ_ITEMS = "EXPORT_READ_ITEMS"
ENV_EXPORT_READ_REQUESTS = "EXPORT_READ_REQUESTS"

# Chalice evaluates the stream ARN when app.py is imported (it is a decorator argument), so
# it needs a value even where no stream exists (packaging, tests, chalice local): this one.
LOCAL_STREAM_ARN = "arn:aws:dynamodb:cn-north-1:000000000000:table/local/stream/local"

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
    # Failed sign-ins from one source address across every principal and door, per lockout
    # window (services/sign_in_gate.py); successes do not count.
    login_source_max_failures: int = Field(default=20, ge=1, le=100_000)
    stats_table_name: str = Field(default="vmehr-stats", min_length=3, max_length=255)
    ministry_url: str | None = None
    exchange_secret: str | None = None
    dead_letter_queue_url: str | None = None
    sqs_endpoint_url: str | None = None
    forward_max_attempts: int = Field(default=8, ge=1, le=1000)
    exchange_timeout_seconds: float = Field(default=10.0, gt=0, le=25)
    signing_key: str | None = Field(default=None, min_length=32)
    cookie_secure: bool = True
    base_path: str = Field(default="", pattern=r"^(/[A-Za-z0-9_-]+)*$")
    photo_bucket: str | None = Field(default=None, min_length=3, max_length=63)
    s3_endpoint_url: str | None = None
    # Public endpoints: requests per client address per 10 minutes, per VIN per hour, and
    # evaluation/complaint submissions per client address per hour.
    public_ip_limit: int = Field(default=60, ge=1, le=100_000)
    public_vin_limit: int = Field(default=30, ge=1, le=100_000)
    public_submit_limit: int = Field(default=10, ge=1, le=100_000)
    # Seals the regulators' TOTP secrets at rest; from the stack's secret store like SIGNING_KEY.
    totp_key: str | None = Field(default=None, min_length=32)
    console_session_seconds: int = Field(default=1800, ge=60, le=86400)
    # The audit log's daily digests: the Object Lock bucket they are kept in, and the key that
    # signs them (from the stack's secret store; only the digest function holds it).
    audit_digest_bucket: str | None = Field(default=None, min_length=3, max_length=63)
    audit_digest_key: str | None = Field(default=None, min_length=32)
    # Ministry: province code -> the CIDR ranges its exchange requests may come from, as JSON
    # (domain/source_ranges.py); a province not listed is reachable from loopback only.
    exchange_source_ranges: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("exchange_source_ranges", mode="before")
    @classmethod
    def _ranges_from_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{ENV_EXCHANGE_SOURCE_RANGES} is not JSON: {exc}") from exc
        return value

    @field_validator("exchange_source_ranges")
    @classmethod
    def _ranges_are_networks(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        parse_source_ranges(value)  # raises ValueError naming the province or range
        return value

    # A record search page's read budget (index items, query requests): docs/deploy.md.
    search_read_items: int = Field(default=10_000, ge=10, le=200_000)
    search_read_requests: int = Field(default=400, ge=10, le=5_000)
    # The same for one export job (run_jobs: 1024 MB, 15 min).
    export_read_items: int = Field(default=300_000, ge=10, le=5_000_000)
    export_read_requests: int = Field(default=10_000, ge=10, le=100_000)

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
    ENV_LOGIN_SOURCE_MAX_FAILURES: "login_source_max_failures",
    ENV_STATS_TABLE_NAME: "stats_table_name",
    ENV_MINISTRY_URL: "ministry_url",
    ENV_EXCHANGE_SECRET: "exchange_secret",
    ENV_DEAD_LETTER_QUEUE_URL: "dead_letter_queue_url",
    ENV_SQS_ENDPOINT_URL: "sqs_endpoint_url",
    ENV_FORWARD_MAX_ATTEMPTS: "forward_max_attempts",
    ENV_EXCHANGE_TIMEOUT_SECONDS: "exchange_timeout_seconds",
    ENV_SIGNING_KEY: "signing_key",
    ENV_COOKIE_SECURE: "cookie_secure",
    ENV_BASE_PATH: "base_path",
    ENV_PHOTO_BUCKET: "photo_bucket",
    ENV_S3_ENDPOINT_URL: "s3_endpoint_url",
    ENV_PUBLIC_IP_LIMIT: "public_ip_limit",
    ENV_PUBLIC_VIN_LIMIT: "public_vin_limit",
    ENV_PUBLIC_SUBMIT_LIMIT: "public_submit_limit",
    ENV_TOTP_KEY: "totp_key",
    ENV_CONSOLE_SESSION_SECONDS: "console_session_seconds",
    ENV_AUDIT_DIGEST_BUCKET: "audit_digest_bucket",
    ENV_AUDIT_DIGEST_KEY: "audit_digest_key",
    ENV_EXCHANGE_SOURCE_RANGES: "exchange_source_ranges",
    ENV_SEARCH_READ_ITEMS: "search_read_items",
    ENV_SEARCH_READ_REQUESTS: "search_read_requests",
    ENV_EXPORT_READ_ITEMS: "export_read_items",
    ENV_EXPORT_READ_REQUESTS: "export_read_requests",
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


def stream_arn() -> str:
    """The table stream the event handlers subscribe to (read at import by Chalice)."""
    return os.environ.get(ENV_STREAM_ARN) or LOCAL_STREAM_ARN
