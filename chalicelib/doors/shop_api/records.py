"""`/v1/records`: a shop uploads its records (one, or a batch), lists, reads and voids them.

Every route answers only the calling shop's own records: another shop's record id answers
404 exactly like a missing one (services/records.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalice import Response

from chalicelib.bootstrap import record_service
from chalicelib.domain.china_time import china_date
from chalicelib.domain.shop import Shop
from chalicelib.doors.kit.auth import require_shop
from chalicelib.doors.kit.errors import error_body, status_for
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    date_param,
    int_param,
    json_response,
    query_params,
    read_json,
    require_list,
)
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, PAGE, Doc, path_param, query_param
from chalicelib.doors.kit.record_models import MAX_BATCH, ReceiptOut, RecordIn
from chalicelib.doors.shop_api.door import door
from chalicelib.doors.shop_api.models import (
    BatchResults,
    RecordBatchRequest,
    RecordOut,
    RecordPage,
    RecordVersions,
    VoidRequest,
)
from chalicelib.doors.shop_api.views import receipt_view, record_page_view, record_view
from chalicelib.errors import DomainError

_RECORD = path_param("record_id", "32 hex characters")
UPLOAD = Doc(
    "Upload one record: created, unchanged or corrected",
    "records",
    {201: ReceiptOut, 200: ReceiptOut},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="shop",
    body=RecordIn,
)
UPLOAD_BATCH = Doc(
    "Upload up to 100 records, a result per item",
    "records",
    {200: BatchResults},
    (*BODY, 401, 404, *BUSY),
    auth="shop",
    body=RecordBatchRequest,
)
LIST = Doc(
    "The shop's own records by settlement date, newest first",
    "records",
    {200: RecordPage},
    (400, 401, 404, *BUSY),
    auth="shop",
    params=(
        query_param("from", {"type": "string", "format": "date"}),
        query_param("to", {"type": "string", "format": "date"}),
        *PAGE,
    ),
)
READ = Doc(
    "One of the shop's records",
    "records",
    {200: RecordOut},
    (401, 404, *BUSY),
    auth="shop",
    params=(_RECORD,),
)
VERSIONS = Doc(
    "Every version of one record",
    "records",
    {200: RecordVersions},
    (401, 404, *BUSY),
    auth="shop",
    params=(_RECORD,),
)
VOID = Doc(
    "Void a record (never deleted)",
    "records",
    {200: ReceiptOut},
    (*BODY, 401, 403, 404, *BUSY),
    auth="shop",
    body=VoidRequest,
    params=(_RECORD,),
)


@door.route("/v1/records", methods=["POST"], content_types=ANY_CONTENT_TYPE, doc=UPLOAD)
def upload_record() -> Response:
    shop = require_shop(door.request)
    record: RecordIn = parse(RecordIn, read_json(door.request))
    receipt = record_service().upload(shop, record.to_content(), record.correction_reason)
    return json_response(receipt_view(receipt), 201 if receipt.result == "created" else 200)


@door.route("/v1/records/batch", methods=["POST"], content_types=ANY_CONTENT_TYPE, doc=UPLOAD_BATCH)
def upload_batch() -> Response:
    shop = require_shop(door.request)
    items = require_list(read_json(door.request), "records", MAX_BATCH)
    results = [_batch_item(shop, index, item) for index, item in enumerate(items)]
    return json_response(conform(BatchResults, {"results": results}))


@door.route("/v1/records", methods=["GET"], doc=LIST)
def list_records() -> Response:
    shop = require_shop(door.request)
    params = query_params(door.request)
    date_to = date_param(params, "to", china_date(record_service().now()))
    date_from = date_param(params, "from", date_to - timedelta(days=30))
    limit, cursor = int_param(params, "limit", 50), params.get("cursor")
    page = record_service().list_own(shop, date_from, date_to, limit, cursor)
    return json_response(record_page_view(page.items, page.cursor))


@door.route("/v1/records/{record_id}", methods=["GET"], doc=READ)
def get_record(record_id: str) -> Response:
    shop = require_shop(door.request)
    return json_response(record_view(record_service().own(shop, record_id)))


@door.route("/v1/records/{record_id}/versions", methods=["GET"], doc=VERSIONS)
def get_record_versions(record_id: str) -> Response:
    shop = require_shop(door.request)
    versions = record_service().own_versions(shop, record_id)
    return json_response(conform(RecordVersions, {"versions": [record_view(v) for v in versions]}))


@door.route(
    "/v1/records/{record_id}/void", methods=["POST"], content_types=ANY_CONTENT_TYPE, doc=VOID
)
def void_record(record_id: str) -> Response:
    shop = require_shop(door.request)
    body: VoidRequest = parse(VoidRequest, read_json(door.request))
    return json_response(receipt_view(record_service().void(shop, record_id, body.reason)))


def _batch_item(shop: Shop, index: int, item: Any) -> dict[str, Any]:
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
