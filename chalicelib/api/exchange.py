"""Ministry routes: provinces exchange their changes, and the ministry reports on them."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.auth import Permission, actor_of, require_permission, require_role
from chalicelib.api.errors import rest_errors
from chalicelib.api.http import ANY_CONTENT_TYPE, bearer_token, json_response, read_json
from chalicelib.api.responses import ExchangeResults, Provinces, TokenResponse, conform
from chalicelib.api.schemas import ProvinceTokenRequest, parse
from chalicelib.bootstrap import (
    audit_trail,
    auth_service,
    exchange_service,
    exchange_store,
    stats_store,
)
from chalicelib.errors import AuthenticationError, FieldError, ValidationFailedError
from chalicelib.services.exchange import MAX_BATCH

bp = Blueprint(__name__)


@bp.route("/v1/exchange/token", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def exchange_token() -> Any:
    require_role("ministry")
    body: ProvinceTokenRequest = parse(ProvinceTokenRequest, read_json(bp.current_request))
    token, principal = auth_service().province_token(body.province_code, body.secret)
    answer = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_at": principal.expires_at.isoformat(),
    }
    return json_response(conform(TokenResponse, answer))


@bp.route("/v1/exchange/batch", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def exchange_batch() -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = auth_service().resolve(bearer_token(request))
    if principal.kind != "province":
        raise AuthenticationError("missing or invalid token")
    body = read_json(request)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise ValidationFailedError(
            [FieldError("items", "batch_size", f"items must be a list of 1–{MAX_BATCH} changes")]
        )
    results = exchange_service().apply_batch(principal.principal_id, items)
    body = {"results": [{"index": i, **r} for i, r in enumerate(results)]}
    return json_response(conform(ExchangeResults, body))


@bp.route("/v1/provinces", methods=["GET"])
@rest_errors
def provinces() -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.EXCHANGE_STATUS)
    audit_trail().record(actor_of(request, principal), "provinces.read", "*")
    rows = []
    for status in exchange_store().provinces():
        code = status["SK"]
        counters = stats_store().counters("province", code)
        rows.append(
            {
                "province_code": code,
                "last_exchange_at": status.get("last_exchange_at"),
                "exchange_lag_seconds": status.get("last_lag_seconds"),
                "records_held": sum(int(c.get("uploads", 0)) for c in counters),
                "batches": status.get("batches", 0),
            }
        )
    return json_response(conform(Provinces, {"provinces": rows}))
