"""Lazily created, cached boto3 clients that honour a local endpoint override.

Why: importing boto3 and building a client costs about half a second on a cold Lambda, so it
happens on first use, once per process. Locally (and in e2e tests) DYNAMODB_ENDPOINT_URL
points the same code at moto's server; on AWS it is unset.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient


@functools.cache
def dynamodb_client() -> BaseClient:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    kwargs: dict[str, Any] = {
        "region_name": settings.aws_region,
        "config": Config(
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=2,
            read_timeout=5,
        ),
    }
    if settings.dynamodb_endpoint_url:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint_url
    return boto3.client("dynamodb", **kwargs)


def reset_clients() -> None:
    """Forget cached clients (tests switch endpoints between suites)."""
    dynamodb_client.cache_clear()
