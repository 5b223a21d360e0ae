"""`/v1/oem/token` and `/v1/oem/records/batch` (province): an OEM uploads its dealers' records.

Why: the OEM bulk feed (总对总): an OEM exchanges its id and secret for a bearer token (like a
shop) and uploads up to 100 records per batch, each naming its dealer. Each item is answered
on its own, exactly like a shop's batch, plus `companycode`; `services/oem_feed.py` decides
which dealers and which corrections an OEM may send. Its accounts are administered at the
regulators' door.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.bootstrap import auth_service, oem_feed
from chalicelib.domain.record import RecordContent
from chalicelib.doors.exchange.callers import require_oem
from chalicelib.doors.exchange.door import door
from chalicelib.doors.exchange.models import OemBatchRequest, OemBatchResults, OemTokenRequest
from chalicelib.doors.exchange.views import oem_results_view
from chalicelib.doors.kit.auth import token_body
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    json_response,
    read_json,
    require_list,
    source_ip,
)
from chalicelib.doors.kit.models import TokenResponse, conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, PROVINCE, Doc
from chalicelib.doors.kit.record_models import MAX_BATCH, RecordIn
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.audit import Actor

TOKEN = Doc(
    "An OEM account's bearer token",
    "oem",
    {200: TokenResponse},
    (*BODY, 401, 404, 429, *BUSY),
    body=OemTokenRequest,
)
BATCH = Doc(
    "Upload up to 100 records for the OEM's dealers",
    "oem",
    {200: OemBatchResults},
    (*BODY, 401, 404, *BUSY),
    auth="oem",
    body=OemBatchRequest,
    description="Each item is answered alone; a dealer the OEM does not represent "
    "is refused per item (dealer_not_represented), and so is a correction of a "
    "version the OEM did not send (oem_may_not_correct).",
)


@door.route(
    "/v1/oem/token", methods=["POST"], content_types=ANY_CONTENT_TYPE, stacks=PROVINCE, doc=TOKEN
)
def oem_token() -> Response:
    body: OemTokenRequest = parse(OemTokenRequest, read_json(door.request))
    token, principal = auth_service().oem_token(
        body.oem_id, body.secret, source=source_ip(door.request)
    )
    return json_response(conform(TokenResponse, token_body(token, principal)))


@door.route(
    "/v1/oem/records/batch",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=BATCH,
)
def oem_batch() -> Response:
    account = require_oem(door.request)
    items = require_list(read_json(door.request), "records", MAX_BATCH)
    actor = Actor(f"oem:{account.oem_id}", source_ip(door.request), "oem")
    outcomes = oem_feed().upload_batch(account, items, _parse_item, actor)
    return json_response(oem_results_view(outcomes))


def _parse_item(item: Any, index: int) -> tuple[RecordContent, str | None]:
    """An item is a REST record plus its dealer's `companycode`."""
    if not isinstance(item, dict):
        raise ValidationFailedError(
            [FieldError(f"records.{index}", "object", "each item must be a JSON object")]
        )
    record: RecordIn = parse(
        RecordIn,
        {k: v for k, v in item.items() if k != "companycode"},
        prefix=f"records.{index}.",
    )
    return record.to_content(), record.correction_reason
