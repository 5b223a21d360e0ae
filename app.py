"""Chalice application: registers the doors, middleware and stream handlers; no logic here.

One codebase serves both stack kinds (STACK_ROLE = province | ministry); each door declares
the stacks its routes serve, and a route of the other kind answers 404.

Where to look (README.md "Layout" has the longer map):
- an HTTP route: its audience's door, `chalicelib/doors/<door>/` (the table of doors is in
  `chalicelib/doors/__init__.py`, each door's `__init__.py` lists its modules and routes);
  a route calls one service of `chalicelib/services/`, which applies `chalicelib/domain/`.
- a record's checks (VIN, plate, odometer, shop name): `chalicelib/domain/record.py`
  (`quality_flags`), the VIN's check digit in `chalicelib/domain/vin.py`.
- a record's way to the ministry: `apply_record_changes` below → `chalicelib/streams/handlers.py`
  (the forwarder, `services/forward_changes.py`) → the ministry's `POST /v1/exchange/batch`
  (`doors/exchange/provinces.py` → `services/exchange.py`); the contract: docs/exchange.md.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, ConvertToMiddleware, Cron

from chalicelib.config import stream_arn
from chalicelib.doors import load
from chalicelib.doors.kit import openapi
from chalicelib.observability import capture_lambda_handler, logger, metrics
from chalicelib.scheduled.audit_digest import digest_audit_log
from chalicelib.streams.handlers import jobs_batch, record_changes_batch

app = Chalice(app_name="vmehr")
# Photo vouchers travel as bytes: multipart form posts in, JPEG/PNG out to regulators.
app.api.binary_types = ["multipart/form-data", "image/jpeg", "image/png"]
# The vehicle report download (POST /vehicle/report.pdf) answers PDF bytes.
app.api.binary_types.append("application/pdf")
# The shop portal hands out its import template as an Excel workbook.
app.api.binary_types.append("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

app.register_blueprint(openapi.bp)  # GET /openapi.json, built on first request
# The doors (chalicelib/doors/): each audience's routes, stacks, models, texts and templates.
for door in load():
    app.register_blueprint(door.blueprint)

# Lambda context (request id, cold start, function name) on every log line of every handler.
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context))
# X-Ray: every invocation (API and stream handlers) is a subsegment, AWS calls inside it too.
app.register_middleware(ConvertToMiddleware(capture_lambda_handler))


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


# The table's stream has two readers (DynamoDB Streams serves about two per shard): every
# change, and new jobs only (the mapping's filter, infra/cfn/streams.py).
@app.on_dynamodb_record(stream_arn=stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def apply_record_changes(event: Any) -> dict[str, Any]:
    """Table stream → statistics, and (province) the changes to the ministry's exchange."""
    return record_changes_batch(event.to_dict())


# One job per invocation: an export may take minutes, a chunk holds up to 50 row uploads.
@app.on_dynamodb_record(stream_arn=stream_arn(), batch_size=1, starting_position="TRIM_HORIZON")
def run_jobs(event: Any) -> dict[str, Any]:
    """Table stream → CSV exports of record searches, and (province) spreadsheet import chunks."""
    return jobs_batch(event.to_dict())


# Ten minutes after the UTC day ends (08:10 China time): audit partitions are UTC days.
@app.schedule(Cron(10, 0, "*", "*", "?", "*"))
def write_audit_digest(event: Any) -> dict[str, Any]:
    """Daily → the signed digest of yesterday's audit log, kept in the Object Lock bucket."""
    return digest_audit_log(event.to_dict())
