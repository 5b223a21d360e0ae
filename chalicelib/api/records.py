"""REST routes for a shop's records: upload one or a batch, read, list, void."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import BatchResults, RecordPage, RecordVersions, conform
from chalicelib.api.schemas import MAX_BATCH, RecordIn, VoidRequest, parse
from chalicelib.api.views import receipt_view, record_view
from chalicelib.bootstrap import record_service
from chalicelib.domain.china_time import china_date
from chalicelib.doors.kit.auth import require_shop
from chalicelib.doors.kit.errors import error_body, rest_errors, status_for
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    int_param,
    json_response,
    query_params,
    read_json,
    require_object,
)
from chalicelib.errors import DomainError, FieldError, ValidationFailedError

bp = Blueprint(__name__)


@bp.route("/v1/records", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def upload_record() -> Any:
    request = bp.current_request
    shop = require_shop(request)
    record: RecordIn = parse(RecordIn, read_json(request))
    receipt = record_service().upload(shop, record.to_content(), record.correction_reason)
    return json_response(receipt_view(receipt), 201 if receipt.result == "created" else 200)


@bp.route("/v1/records/batch", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def upload_batch() -> Any:
    request = bp.current_request
    shop = require_shop(request)
    items = require_object(read_json(request)).get("records")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise ValidationFailedError(
            [FieldError("records", "batch_size", f"records must be a list of 1–{MAX_BATCH} items")]
        )
    results = [_batch_item(shop, index, item) for index, item in enumerate(items)]
    return json_response(conform(BatchResults, {"results": results}))


def _batch_item(shop: Any, index: int, item: Any) -> dict[str, Any]:
    """One item's outcome; a bad item never fails the others."""
    try:
        record: RecordIn = parse(RecordIn, item, prefix=f"records.{index}.")
        receipt = record_service().upload(shop, record.to_content(), record.correction_reason)
    except DomainError as exc:
        return {"index": index, "status_code": status_for(exc), **error_body(exc)}
    return {
        "index": index,
        "status_code": 201 if receipt.result == "created" else 200,
        **receipt_view(receipt),
    }


@bp.route("/v1/records", methods=["GET"])
@rest_errors
def list_records() -> Any:
    request = bp.current_request
    shop = require_shop(request)
    params = query_params(request)
    today = china_date(record_service().now())
    date_to = _date_param(params, "to", today)
    date_from = _date_param(params, "from", date_to - timedelta(days=30))
    limit = int_param(params, "limit", 50)
    page = record_service().list_own(shop, date_from, date_to, limit, params.get("cursor"))
    body = {"records": [record_view(r) for r in page.items], "next_cursor": page.cursor}
    return json_response(conform(RecordPage, body))


@bp.route("/v1/records/{record_id}", methods=["GET"])
@rest_errors
def get_record(record_id: str) -> Any:
    shop = require_shop(bp.current_request)
    return json_response(record_view(record_service().own(shop, record_id)))


@bp.route("/v1/records/{record_id}/versions", methods=["GET"])
@rest_errors
def get_record_versions(record_id: str) -> Any:
    shop = require_shop(bp.current_request)
    versions = record_service().own_versions(shop, record_id)
    return json_response(conform(RecordVersions, {"versions": [record_view(v) for v in versions]}))


@bp.route("/v1/records/{record_id}/void", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def void_record(record_id: str) -> Any:
    request = bp.current_request
    shop = require_shop(request)
    body: VoidRequest = parse(VoidRequest, read_json(request))
    return json_response(receipt_view(record_service().void(shop, record_id, body.reason)))


def _date_param(params: dict[str, str], name: str, default: date) -> date:
    if name not in params:
        return default
    try:
        return date.fromisoformat(params[name])
    except ValueError as exc:
        raise ValidationFailedError(
            [FieldError(name, "date", f"{name} must be a date written YYYY-MM-DD")]
        ) from exc
