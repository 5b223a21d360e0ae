"""`/v1/exchange/token` and `/v1/exchange/batch` (ministry): a province forwards its changes.

Why: every province stack forwards each new record version and each registry change of its
shops to the ministry (部省联网, docs/exchange.md). The province trades its exchange
credential for a token, from its registered networks only, then sends batches in the
exchange/v1 contract (`chalicelib/exchange/`), each item answered alone. A batch body may be
up to 6 MiB (what Lambda takes synchronously), every other body of the API 1 MiB.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import auth_service, exchange_service
from chalicelib.doors.exchange.callers import require_province
from chalicelib.doors.exchange.door import door
from chalicelib.doors.exchange.models import (
    ExchangeBatchRequest,
    ExchangeResults,
    ProvinceTokenRequest,
)
from chalicelib.doors.exchange.views import exchange_results_view
from chalicelib.doors.kit.auth import token_body
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json, source_ip
from chalicelib.doors.kit.models import TokenResponse, conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, MINISTRY, Doc
from chalicelib.exchange.requests import MAX_BODY_BYTES

TOKEN = Doc(
    "A province's exchange token",
    "exchange",
    {200: TokenResponse},
    (*BODY, 401, 403, 404, 429, *BUSY),
    body=ProvinceTokenRequest,
    description="403 `source_not_allowed` from outside the province's registered "
    "networks (nothing read or counted); 429 after 5 failures from one address.",
)
BATCH = Doc(
    "Apply a province's changes (newest wins)",
    "exchange",
    {200: ExchangeResults},
    (*BODY, 401, 403, 404, *BUSY),
    auth="province",
    body=ExchangeBatchRequest,
)


@door.route(
    "/v1/exchange/token",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=TOKEN,
)
def exchange_token() -> Response:
    body: ProvinceTokenRequest = parse(ProvinceTokenRequest, read_json(door.request))
    token, principal = auth_service().province_token(
        body.province_code, body.secret, source=source_ip(door.request)
    )
    return json_response(conform(TokenResponse, token_body(token, principal)))


@door.route(
    "/v1/exchange/batch",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=BATCH,
)
def exchange_batch() -> Response:
    """A province's changes in the exchange/v1 contract (docs/exchange.md), each answered."""
    from chalicelib.exchange.v1 import parse_batch  # the contract's models: only here

    province_code = require_province(door.request)
    batch = parse_batch(read_json(door.request, MAX_BODY_BYTES))
    results = exchange_service().apply_batch(province_code, batch.items)
    return json_response(exchange_results_view(results))
