"""`GET /v1/provinces` and `/v1/exchange/credentials`: the ministry reports on the provinces'
exchange and manages each province's exchange credential (issue, rotate, revoke; the secret
shown once). Ministry stack only; the exchange itself is the partners' door.

Why: the ministry watches every province's last exchange, lag and records held (部省联网), and
only its administrators may hand a province the secret its forwarder signs in with, or stop it.
Each read and each change is audited.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.bootstrap import audit_trail, exchange_credentials, exchange_store, stats_store
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response
from chalicelib.doors.kit.models import conform
from chalicelib.doors.kit.operations import BUSY, MINISTRY, Doc, path_param
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import (
    CredentialOut,
    Credentials,
    IssuedCredentialOut,
    Provinces,
)
from chalicelib.doors.regulator_api.views import credential_view, issued_credential_view
from chalicelib.services.ports import ProvinceExchange

_PROVINCE = path_param("province_code")
PROVINCES = Doc(
    "Each province's last exchange, lag and records",
    "exchange",
    {200: Provinces},
    (401, 404, *BUSY),
    auth="regulator",
)
CREDENTIALS = Doc(
    "Every province's exchange credential status",
    "exchange",
    {200: Credentials},
    (401, 403, 404, *BUSY),
    auth="regulator",
)
ISSUE = Doc(
    "Issue or rotate a province's exchange credential (secret shown once)",
    "exchange",
    {201: IssuedCredentialOut, 200: IssuedCredentialOut},
    (400, 401, 403, 404, *BUSY),
    auth="regulator",
    params=(_PROVINCE,),
)
REVOKE = Doc(
    "Revoke a province's exchange credential (its tokens stop at once)",
    "exchange",
    {200: CredentialOut},
    (400, 401, 403, 404, *BUSY),
    auth="regulator",
    params=(_PROVINCE,),
)


@door.route("/v1/provinces", methods=["GET"], stacks=MINISTRY, doc=PROVINCES)
def provinces() -> Response:
    principal = require_permission(door.request, Permission.EXCHANGE_STATUS)
    audit_trail().record(actor_of(door.request, principal), "provinces.read", "*")
    rows = [_province_row(status) for status in exchange_store().provinces()]
    return json_response(conform(Provinces, {"provinces": rows}))


@door.route("/v1/exchange/credentials", methods=["GET"], stacks=MINISTRY, doc=CREDENTIALS)
def credentials() -> Response:
    principal = require_permission(door.request, Permission.EXCHANGE_STATUS)
    audit_trail().record(actor_of(door.request, principal), "exchange.credentials_read", "*")
    rows = [credential_view(s) for s in exchange_credentials().statuses().values()]
    return json_response(conform(Credentials, {"credentials": rows}))


@door.route(
    "/v1/exchange/credentials/{province_code}",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=ISSUE,
)
def issue_credential(province_code: str) -> Response:
    """Issue a province's credential, or rotate it: the secret is in this answer only."""
    principal = require_permission(door.request, Permission.EXCHANGE_CREDENTIALS)
    issued = exchange_credentials().issue(actor_of(door.request, principal), province_code)
    return json_response(issued_credential_view(issued), 200 if issued.rotated else 201)


@door.route(
    "/v1/exchange/credentials/{province_code}/revoke",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=MINISTRY,
    doc=REVOKE,
)
def revoke_credential(province_code: str) -> Response:
    principal = require_permission(door.request, Permission.EXCHANGE_CREDENTIALS)
    status = exchange_credentials().revoke(actor_of(door.request, principal), province_code)
    return json_response(conform(CredentialOut, credential_view(status)))


def _province_row(status: ProvinceExchange) -> dict[str, Any]:
    """One province's exchange status, with the records its statistics say it holds."""
    counters = stats_store().counters("province", status.province_code)
    return {
        "province_code": status.province_code,
        "last_exchange_at": status.last_exchange_at,
        "exchange_lag_seconds": status.last_lag_seconds,
        "records_held": sum(c.counts.get("uploads", 0) for c in counters),
        "batches": status.batches,
    }
