"""Ministry routes: provinces exchange their changes (token, batches). The ministry's reports
on the exchange and its management of the provinces' credentials are the regulators' door
(`chalicelib/doors/regulator_api/provinces.py`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import (
    ExchangeResults,
    TokenResponse,
    conform,
)
from chalicelib.api.schemas import ProvinceTokenRequest, parse
from chalicelib.bootstrap import (
    auth_service,
    exchange_service,
)
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    bearer_token,
    json_response,
    read_json,
    source_ip,
)
from chalicelib.exchange.requests import MAX_BODY_BYTES

bp = Blueprint(__name__)


@bp.route("/v1/exchange/token", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def exchange_token() -> Any:
    require_role("ministry")
    request = bp.current_request
    body: ProvinceTokenRequest = parse(ProvinceTokenRequest, read_json(request))
    token, principal = auth_service().province_token(
        body.province_code, body.secret, source=source_ip(request)
    )
    answer = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_at": principal.expires_at.isoformat(),
    }
    return json_response(conform(TokenResponse, answer))


@bp.route("/v1/exchange/batch", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def exchange_batch() -> Any:
    """A province's changes in the exchange/v1 contract (docs/exchange.md), each answered."""
    from chalicelib.exchange.v1 import parse_batch  # the contract's models: only here

    require_role("ministry")
    request = bp.current_request
    auth = auth_service()
    principal = auth.resolve(bearer_token(request))
    province_code = auth.province_of(principal, source=source_ip(request))
    batch = parse_batch(read_json(request, MAX_BODY_BYTES))
    results = exchange_service().apply_batch(province_code, batch.items)
    body = {"results": [{"index": i, **r} for i, r in enumerate(results)]}
    return json_response(conform(ExchangeResults, body))
