"""Ministry routes: provinces exchange their changes, the ministry reports on them and
manages each province's exchange credential (issue, rotate, revoke; the secret shown once)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.auth import Permission, actor_of, require_permission, require_role
from chalicelib.api.errors import rest_errors
from chalicelib.api.http import (
    ANY_CONTENT_TYPE,
    bearer_token,
    json_response,
    read_json,
    source_ip,
)
from chalicelib.api.responses import (
    CredentialOut,
    Credentials,
    ExchangeResults,
    IssuedCredentialOut,
    Provinces,
    TokenResponse,
    conform,
)
from chalicelib.api.schemas import ProvinceTokenRequest, parse
from chalicelib.bootstrap import (
    audit_trail,
    auth_service,
    exchange_credentials,
    exchange_service,
    exchange_store,
    stats_store,
)
from chalicelib.domain.provinces import province_name
from chalicelib.exchange.requests import MAX_BODY_BYTES
from chalicelib.services.exchange_credentials import CredentialStatus

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


@bp.route("/v1/provinces", methods=["GET"])
@rest_errors
def provinces() -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.EXCHANGE_STATUS)
    audit_trail().record(actor_of(request, principal), "provinces.read", "*")
    rows = []
    for status in exchange_store().provinces():
        counters = stats_store().counters("province", status.province_code)
        rows.append(
            {
                "province_code": status.province_code,
                "last_exchange_at": status.last_exchange_at,
                "exchange_lag_seconds": status.last_lag_seconds,
                "records_held": sum(c.counts.get("uploads", 0) for c in counters),
                "batches": status.batches,
            }
        )
    return json_response(conform(Provinces, {"provinces": rows}))


@bp.route("/v1/exchange/credentials", methods=["GET"])
@rest_errors
def credentials() -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.EXCHANGE_STATUS)
    audit_trail().record(actor_of(request, principal), "exchange.credentials_read", "*")
    rows = [credential_view(s) for s in exchange_credentials().statuses().values()]
    return json_response(conform(Credentials, {"credentials": rows}))


@bp.route(
    "/v1/exchange/credentials/{province_code}",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
)
@rest_errors
def issue_credential(province_code: str) -> Any:
    """Issue a province's credential, or rotate it: the secret is in this answer only."""
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.EXCHANGE_CREDENTIALS)
    issued = exchange_credentials().issue(actor_of(request, principal), province_code)
    body = {**credential_view(issued.status), "secret": issued.secret, "rotated": issued.rotated}
    return json_response(conform(IssuedCredentialOut, body), 200 if issued.rotated else 201)


@bp.route(
    "/v1/exchange/credentials/{province_code}/revoke",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
)
@rest_errors
def revoke_credential(province_code: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    principal = require_permission(request, Permission.EXCHANGE_CREDENTIALS)
    status = exchange_credentials().revoke(actor_of(request, principal), province_code)
    return json_response(conform(CredentialOut, credential_view(status)))


def credential_view(status: CredentialStatus) -> dict[str, Any]:
    return {
        "province_code": status.province_code,
        "name": province_name(status.province_code) or "",
        "status": status.status,
        "generation": status.generation,
        "issued_at": status.issued_at,
        "revoked_at": status.revoked_at,
    }
