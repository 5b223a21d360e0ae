"""The single Logger, Metrics and Tracer of the application.

Why: one module owns observability so every layer logs with the same structured keys and
metrics land in one namespace. Powertools reads POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE from the environment, so a stack switches them in its stage
configuration, not in code; the defaults below only keep a bare checkout working. Never log a
secret, a token or personal data here: that is what the audit log is for.

Tracing is switched by environment only: POWERTOOLS_TRACE_DISABLED is "false" in the deployed
functions (with X-Ray active tracing, infra/cfn/functions.py) and "true" locally and in the
tests. The Tracer is built on the first traced invocation, not at import: building it imports
the X-Ray SDK, which a disabled run (and every cold start's import phase) never pays for. Once
built it patches botocore, so every DynamoDB, S3 and SQS call shows as a subsegment; responses
and errors are not copied into traces (POWERTOOLS_TRACER_CAPTURE_RESPONSE/_ERROR "false").
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:  # pragma: no cover - imported where the Tracer is first built
    from aws_lambda_powertools import Tracer

logger = Logger(service=os.getenv("POWERTOOLS_SERVICE_NAME", "vmehr"))
metrics = Metrics(
    namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "VehicleMaintenanceRecords"),
    service=os.getenv("POWERTOOLS_SERVICE_NAME", "vmehr"),
)
TRACE_DISABLED_ENV = "POWERTOOLS_TRACE_DISABLED"
# The AWS clients are the calls worth seeing; the ministry exchange shows as the handler's
# remaining time (patching http.client too would trace every AWS call twice).
TRACED_MODULES = ("botocore",)
Handler = Callable[[Any, Any], Any]


def tracing_enabled() -> bool:
    """Whether this process traces, from POWERTOOLS_TRACE_DISABLED (Powertools' own switch)."""
    return os.getenv(TRACE_DISABLED_ENV, "false").strip().lower() not in ("1", "true", "yes", "on")


@functools.cache
def tracer() -> Tracer:
    """The process's Tracer, built (and botocore patched) on first use."""
    from aws_lambda_powertools import Tracer

    return Tracer(
        service=os.getenv("POWERTOOLS_SERVICE_NAME", "vmehr"), patch_modules=TRACED_MODULES
    )


def capture_lambda_handler(handler: Handler) -> Handler:
    """A Lambda handler traced as one subsegment named after the function; itself if disabled.

    Registered once as Chalice middleware (`ConvertToMiddleware`), so it wraps the API handler
    and every stream handler alike, on each invocation.
    """
    if not tracing_enabled():
        return handler

    def traced(event: Any, context: Any) -> Any:
        return handler(event, context)

    traced.__name__ = os.getenv("AWS_LAMBDA_FUNCTION_NAME", getattr(handler, "__name__", "handler"))
    return tracer().capture_lambda_handler(traced)


@contextlib.contextmanager
def subsegment(name: str) -> Iterator[None]:
    """A named part of an invocation (e.g. statistics vs. forwarding); nothing if disabled."""
    if not tracing_enabled():
        yield
        return
    with tracer().provider.in_subsegment(name=f"## {name}"):
        yield
