"""Chalice application: wires blueprints and middleware; no logic, no AWS calls at import.

Handlers and their triggers are listed in README.md (Architecture).
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib.api import access, compat, records, shops, vehicles
from chalicelib.observability import logger, metrics

app = Chalice(app_name="vmehr")
app.api.binary_types = []

for blueprint in (access, records, vehicles, shops, compat):
    app.register_blueprint(blueprint.bp)


@app.middleware("http")
def observe_request(event: Any, get_response: Any) -> Any:
    """Structured request keys on every log line, and metrics flushed once per request."""
    logger.append_keys(
        route=event.path,
        method=event.method,
        request_id=(event.context or {}).get("requestId"),
    )
    try:
        return get_response(event)
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()
        logger.remove_keys(["route", "method", "request_id", "companycode", "regulator"])
