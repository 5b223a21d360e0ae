"""Province routes administering the OEM bulk feed (总对总): OEM accounts and their dealers.

Why: a province administrator registers an OEM with the dealers it represents (`oem.manage`),
changes them and rotates its secret. The feed itself (the OEM's token, its batches) is the
partners' door (`chalicelib/doors/exchange/oem_feed.py`).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import conform
from chalicelib.api.schemas import parse
from chalicelib.api.sharing_responses import OemOut, Oems, OemWithSecret
from chalicelib.api.sharing_schemas import DealersRequest, RegisterOemRequest
from chalicelib.bootstrap import oem_accounts
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission, require_role
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json

bp = Blueprint(__name__)


@bp.route("/v1/oem/accounts", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def register_oem() -> Any:
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, Permission.OEM_MANAGE)
    body: RegisterOemRequest = parse(RegisterOemRequest, read_json(request))
    account, secret = oem_accounts().register(
        actor_of(request, principal), body.name, body.uscc, body.dealers
    )
    return json_response(conform(OemWithSecret, {**account.public_view(), "secret": secret}), 201)


@bp.route("/v1/oem/accounts", methods=["GET"])
@rest_errors
def list_oems() -> Any:
    require_role("province")
    require_permission(bp.current_request, Permission.OEM_MANAGE)
    body = {"oems": [a.public_view() for a in oem_accounts().accounts()]}
    return json_response(conform(Oems, body))


@bp.route("/v1/oem/accounts/{oem_id}", methods=["GET"])
@rest_errors
def get_oem(oem_id: str) -> Any:
    require_role("province")
    require_permission(bp.current_request, Permission.OEM_MANAGE)
    return json_response(conform(OemOut, oem_accounts().get(oem_id).public_view()))


@bp.route("/v1/oem/accounts/{oem_id}/dealers", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def set_oem_dealers(oem_id: str) -> Any:
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, Permission.OEM_MANAGE)
    body: DealersRequest = parse(DealersRequest, read_json(request))
    account = oem_accounts().set_dealers(actor_of(request, principal), oem_id, body.dealers)
    return json_response(conform(OemOut, account.public_view()))


@bp.route("/v1/oem/accounts/{oem_id}/secret", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def rotate_oem_secret(oem_id: str) -> Any:
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, Permission.OEM_MANAGE)
    account, secret = oem_accounts().rotate_secret(actor_of(request, principal), oem_id)
    return json_response(conform(OemWithSecret, {**account.public_view(), "secret": secret}))
