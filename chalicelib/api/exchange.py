"""Ministry routes: the ministry reports on the provinces' exchange and manages each
province's exchange credential (issue, rotate, revoke; the secret shown once). The exchange
itself (token, batches) is the partners' door (`chalicelib/doors/exchange/`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import (
    CredentialOut,
    Credentials,
    IssuedCredentialOut,
    Provinces,
    conform,
)
from chalicelib.bootstrap import (
    audit_trail,
    exchange_credentials,
    exchange_store,
    stats_store,
)
from chalicelib.domain.provinces import province_name
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission, require_role
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response
from chalicelib.services.exchange_credentials import CredentialStatus

bp = Blueprint(__name__)


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
