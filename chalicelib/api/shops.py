"""Regulator routes for the shop registry: register, read, list, edit, rotate secret, suspend.

Each route asks the access policy with the object it touches: a district officer registers,
reads and changes only shops of its own divisions, and roles without `registry.contacts` see
the contact person and phone masked.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import ShopPage, ShopWithSecret, conform
from chalicelib.api.views import shop_view
from chalicelib.bootstrap import shop_registry
from chalicelib.config import get_settings
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.auth import (
    Permission,
    Scope,
    actor_of,
    may_here,
    require_permission,
    require_role,
)
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, query_params, read_json
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.registry_models import EditShopRequest, RegisterShopRequest
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.audit import Actor
from chalicelib.services.shop_registry import ShopApplication, ShopEdit

bp = Blueprint(__name__)


def _allowed(permission: Permission, companycode: str | None = None) -> tuple[Principal, Actor]:
    require_role("province")
    request = bp.current_request
    principal = require_permission(request, permission, companycode=companycode)
    return principal, actor_of(request, principal)


@bp.route("/v1/shops", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def register_shop() -> Any:
    require_role("province")
    request = bp.current_request
    body: RegisterShopRequest = parse(RegisterShopRequest, read_json(request))
    # A division of another province is bad input (400 from the registry), not a scope matter.
    own = body.division_code[:2] == get_settings().province_prefix
    principal = require_permission(
        request, Permission.REGISTRY_WRITE, division=body.division_code if own else None
    )
    application = ShopApplication(**body.model_dump())
    shop, secret = shop_registry().register(application, actor_of(request, principal))
    return json_response(conform(ShopWithSecret, {**shop_view(shop), "secret": secret}), 201)


@bp.route("/v1/shops", methods=["GET"])
@rest_errors
def list_shops() -> Any:
    principal, actor = _allowed(Permission.REGISTRY_READ)
    params = query_params(bp.current_request)
    limit = params.get("limit", "50")
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= 100:
        raise ValidationFailedError([FieldError("limit", "range", "limit must be 1 to 100")])
    scope = Scope.of(principal)
    shops, cursor = shop_registry().list(actor, int(limit), params.get("cursor"), scope.divisions)
    contacts = may_here(principal, Permission.REGISTRY_CONTACTS)
    body = {"shops": [shop_view(s, contacts=contacts) for s in shops], "next_cursor": cursor}
    return json_response(conform(ShopPage, body))


@bp.route("/v1/shops/{companycode}", methods=["GET"])
@rest_errors
def get_shop(companycode: str) -> Any:
    principal, actor = _allowed(Permission.REGISTRY_READ, companycode)
    contacts = may_here(principal, Permission.REGISTRY_CONTACTS)
    return json_response(shop_view(shop_registry().read(companycode, actor), contacts=contacts))


@bp.route("/v1/shops/{companycode}", methods=["PATCH"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def edit_shop(companycode: str) -> Any:
    """Change name, address, class or contacts over `version` (409 `shop_changed` if stale)."""
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    body: EditShopRequest = parse(EditShopRequest, read_json(bp.current_request))
    shop = shop_registry().edit(companycode, ShopEdit(**body.model_dump()), actor)
    return json_response(shop_view(shop))


@bp.route("/v1/shops/{companycode}/secret", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def rotate_secret(companycode: str) -> Any:
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    shop, secret = shop_registry().rotate_secret(companycode, actor)
    return json_response(conform(ShopWithSecret, {**shop_view(shop), "secret": secret}))


@bp.route("/v1/shops/{companycode}/suspend", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def suspend_shop(companycode: str) -> Any:
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    return json_response(shop_view(shop_registry().set_status(companycode, "suspended", actor)))


@bp.route("/v1/shops/{companycode}/reinstate", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def reinstate_shop(companycode: str) -> Any:
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    return json_response(shop_view(shop_registry().set_status(companycode, "active", actor)))
