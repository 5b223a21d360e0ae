"""Regulator routes for the shop registry: register, read, list, rotate secret, suspend."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.auth import require_regulator, require_role
from chalicelib.api.errors import rest_errors
from chalicelib.api.http import ANY_CONTENT_TYPE, json_response, query_params, read_json, source_ip
from chalicelib.api.schemas import RegisterShopRequest, parse
from chalicelib.api.views import shop_view
from chalicelib.bootstrap import shop_registry
from chalicelib.services.shop_registry import Actor, ShopApplication

bp = Blueprint(__name__)


def _actor(write: bool) -> Actor:
    require_role("province")
    request = bp.current_request
    principal = require_regulator(request, write=write)
    return Actor(actor_id=f"regulator:{principal.principal_id}", source_ip=source_ip(request))


@bp.route("/v1/shops", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def register_shop() -> Any:
    actor = _actor(write=True)
    body: RegisterShopRequest = parse(RegisterShopRequest, read_json(bp.current_request))
    shop, secret = shop_registry().register(ShopApplication(**body.model_dump()), actor)
    return json_response({**shop_view(shop), "secret": secret}, 201)


@bp.route("/v1/shops", methods=["GET"])
@rest_errors
def list_shops() -> Any:
    _actor(write=False)
    params = query_params(bp.current_request)
    shops, cursor = shop_registry().list(50, params.get("cursor"))
    return json_response({"shops": [shop_view(s) for s in shops], "next_cursor": cursor})


@bp.route("/v1/shops/{companycode}", methods=["GET"])
@rest_errors
def get_shop(companycode: str) -> Any:
    _actor(write=False)
    return json_response(shop_view(shop_registry().get(companycode)))


@bp.route("/v1/shops/{companycode}/secret", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def rotate_secret(companycode: str) -> Any:
    shop, secret = shop_registry().rotate_secret(companycode, _actor(write=True))
    return json_response({**shop_view(shop), "secret": secret})


@bp.route("/v1/shops/{companycode}/suspend", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def suspend_shop(companycode: str) -> Any:
    return json_response(
        shop_view(shop_registry().set_status(companycode, "suspended", _actor(write=True)))
    )


@bp.route("/v1/shops/{companycode}/reinstate", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def reinstate_shop(companycode: str) -> Any:
    return json_response(
        shop_view(shop_registry().set_status(companycode, "active", _actor(write=True)))
    )
