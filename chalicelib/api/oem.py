"""Province routes of the OEM bulk feed (总对总): an OEM's token and its batches.

Why: an OEM exchanges its id and secret for a bearer token (like a shop) and uploads up to 100
records per batch, each naming its dealer. Each item is answered on its own, exactly like a
shop's batch, plus `companycode`; see `services/oem_feed.py` for where and why. A province
administrator registers the OEM and its dealers at the regulators' door
(`chalicelib/doors/regulator_api/oems.py`).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import TokenResponse, conform
from chalicelib.api.schemas import MAX_BATCH, RecordIn, parse
from chalicelib.api.sharing_responses import OemBatchResults
from chalicelib.api.sharing_schemas import OemTokenRequest
from chalicelib.bootstrap import auth_service, oem_feed
from chalicelib.domain.record import RecordContent
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.errors import error_body, rest_errors, status_for
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    bearer_token,
    json_response,
    read_json,
    require_object,
    source_ip,
)
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.observability import logger
from chalicelib.services.audit import Actor
from chalicelib.services.oem_feed import ItemOutcome

bp = Blueprint(__name__)


@bp.route("/v1/oem/token", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def oem_token() -> Any:
    require_role("province")
    request = bp.current_request
    body: OemTokenRequest = parse(OemTokenRequest, read_json(request))
    token, principal = auth_service().oem_token(body.oem_id, body.secret, source=source_ip(request))
    answer = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_at": principal.expires_at.isoformat(),
    }
    return json_response(conform(TokenResponse, answer))


@bp.route("/v1/oem/records/batch", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def oem_batch() -> Any:
    require_role("province")
    request = bp.current_request
    service = auth_service()
    account = service.oem_of(service.resolve(bearer_token(request)))
    logger.append_keys(companycode=account.oem_id)
    items = require_object(read_json(request)).get("records")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise ValidationFailedError(
            [FieldError("records", "batch_size", f"records must be a list of 1–{MAX_BATCH} items")]
        )
    actor = Actor(f"oem:{account.oem_id}", source_ip(request), "oem")
    outcomes = oem_feed().upload_batch(account, items, _parse_item, actor)
    return json_response(conform(OemBatchResults, {"results": [_result(o) for o in outcomes]}))


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


def _result(outcome: ItemOutcome) -> dict[str, Any]:
    head = {"index": outcome.index, "companycode": outcome.companycode}
    if outcome.error is not None:
        return {**head, "status_code": status_for(outcome.error), **error_body(outcome.error)}
    assert outcome.receipt is not None
    status = 201 if outcome.receipt.result == "created" else 200
    return {**head, "status_code": status, **outcome.receipt.to_dict()}
