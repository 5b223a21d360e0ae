"""`/v1/shops`: the province's shop registry: register, read, list, edit, rotate the secret,
suspend and reinstate (province stacks only).

Each route asks the access policy with the object it touches: a district officer registers,
reads and changes only shops of its own divisions, and roles without `registry.contacts` see
the contact person and phone masked.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import shop_registry
from chalicelib.config import get_settings
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.auth import Permission, Scope, actor_of, may_here, require_permission
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, query_params, read_json
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, CURSOR, PROVINCE, Doc, path_param
from chalicelib.doors.kit.registry_models import EditShopRequest, RegisterShopRequest
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import ShopOut, ShopPage, ShopWithSecret
from chalicelib.doors.regulator_api.params import limit_param
from chalicelib.doors.regulator_api.views import shop_view, shop_with_secret_view
from chalicelib.services.audit import Actor
from chalicelib.services.shop_registry import ShopApplication, ShopEdit

_SHOP = path_param("companycode", "15 digits")
REGISTER = Doc(
    "Register a shop (its secret is shown once)",
    "registry",
    {201: ShopWithSecret},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    body=RegisterShopRequest,
)
LIST = Doc(
    "The province's registry",
    "registry",
    {200: ShopPage},
    (400, 401, 404, *BUSY),
    auth="regulator",
    params=(CURSOR,),
)
READ = Doc(
    "One registry entry",
    "registry",
    {200: ShopOut},
    (401, 404, *BUSY),
    auth="regulator",
    params=(_SHOP,),
)
EDIT = Doc(
    "Edit a registry entry",
    "registry",
    {200: ShopOut},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_SHOP,),
    body=EditShopRequest,
    description="Name, address, class and contacts, over the `version` read: 409 "
    "`shop_changed` if the entry changed since. Identity fields are refused.",
)
ROTATE = Doc(
    "Rotate a shop's secret",
    "registry",
    {200: ShopWithSecret},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_SHOP,),
)
SUSPEND = Doc(
    "Suspend a shop's uploads",
    "registry",
    {200: ShopOut},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_SHOP,),
)
REINSTATE = Doc(
    "Reinstate a suspended shop",
    "registry",
    {200: ShopOut},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_SHOP,),
)


@door.route(
    "/v1/shops",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=REGISTER,
)
def register_shop() -> Response:
    body: RegisterShopRequest = parse(RegisterShopRequest, read_json(door.request))
    division = _own_division(body.division_code)
    principal = require_permission(door.request, Permission.REGISTRY_WRITE, division=division)
    application = ShopApplication(**body.model_dump())
    shop, secret = shop_registry().register(application, actor_of(door.request, principal))
    return json_response(shop_with_secret_view(shop, secret), 201)


@door.route("/v1/shops", methods=["GET"], stacks=PROVINCE, doc=LIST)
def list_shops() -> Response:
    principal, actor = _allowed(Permission.REGISTRY_READ)
    params = query_params(door.request)
    limit, divisions = limit_param(params.get("limit", "50"), 100), Scope.of(principal).divisions
    shops, cursor = shop_registry().list(actor, limit, params.get("cursor"), divisions)
    contacts = may_here(principal, Permission.REGISTRY_CONTACTS)
    body = {"shops": [shop_view(s, contacts=contacts) for s in shops], "next_cursor": cursor}
    return json_response(conform(ShopPage, body))


@door.route("/v1/shops/{companycode}", methods=["GET"], stacks=PROVINCE, doc=READ)
def get_shop(companycode: str) -> Response:
    principal, actor = _allowed(Permission.REGISTRY_READ, companycode)
    contacts = may_here(principal, Permission.REGISTRY_CONTACTS)
    return json_response(shop_view(shop_registry().read(companycode, actor), contacts=contacts))


@door.route(
    "/v1/shops/{companycode}",
    methods=["PATCH"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=EDIT,
)
def edit_shop(companycode: str) -> Response:
    """Change name, address, class or contacts over `version` (409 `shop_changed` if stale)."""
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    body: EditShopRequest = parse(EditShopRequest, read_json(door.request))
    shop = shop_registry().edit(companycode, ShopEdit(**body.model_dump()), actor)
    return json_response(shop_view(shop))


@door.route(
    "/v1/shops/{companycode}/secret",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=ROTATE,
)
def rotate_secret(companycode: str) -> Response:
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    shop, secret = shop_registry().rotate_secret(companycode, actor)
    return json_response(shop_with_secret_view(shop, secret))


@door.route(
    "/v1/shops/{companycode}/suspend",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=SUSPEND,
)
def suspend_shop(companycode: str) -> Response:
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    return json_response(shop_view(shop_registry().set_status(companycode, "suspended", actor)))


@door.route(
    "/v1/shops/{companycode}/reinstate",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=REINSTATE,
)
def reinstate_shop(companycode: str) -> Response:
    _, actor = _allowed(Permission.REGISTRY_WRITE, companycode)
    return json_response(shop_view(shop_registry().set_status(companycode, "active", actor)))


def _allowed(permission: Permission, companycode: str | None = None) -> tuple[Principal, Actor]:
    principal = require_permission(door.request, permission, companycode=companycode)
    return principal, actor_of(door.request, principal)


def _own_division(division_code: str) -> str | None:
    """The division to check the caller's scope against: none for another province's, which
    is bad input (400 from the registry), not a scope matter."""
    return division_code if division_code[:2] == get_settings().province_prefix else None
