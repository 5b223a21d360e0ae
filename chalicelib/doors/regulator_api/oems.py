"""`/v1/oem/accounts`: a province administers the OEM bulk feed's accounts (总对总): registers
an OEM with the dealers it represents, changes them and rotates its secret (province stacks
only; the feed itself, the OEM's token and batches, is the partners' door).

Why: an OEM uploads for its dealers only, so which dealers it represents is the province's
decision (`oem.manage`), audited by the service; its secret is shown once, in the answer that
made it.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import oem_accounts
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, PROVINCE, Doc, path_param
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import (
    DealersRequest,
    OemOut,
    Oems,
    OemWithSecret,
    RegisterOemRequest,
)
from chalicelib.doors.regulator_api.views import oem_with_secret_view
from chalicelib.services.audit import Actor

_OEM = path_param("oem_id")
REGISTER = Doc(
    "Register an OEM account (its secret shown once)",
    "oem",
    {201: OemWithSecret},
    (*BODY, 401, 403, 404, 409, *BUSY),
    auth="regulator",
    body=RegisterOemRequest,
)
LIST = Doc(
    "The province's OEM accounts",
    "oem",
    {200: Oems},
    (401, 403, 404, *BUSY),
    auth="regulator",
)
READ = Doc(
    "One OEM account",
    "oem",
    {200: OemOut},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_OEM,),
)
DEALERS = Doc(
    "Replace the dealers represented",
    "oem",
    {200: OemOut},
    (*BODY, 401, 403, 404, *BUSY),
    auth="regulator",
    body=DealersRequest,
    params=(_OEM,),
)
ROTATE = Doc(
    "Rotate an OEM's secret",
    "oem",
    {200: OemWithSecret},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_OEM,),
)


@door.route(
    "/v1/oem/accounts",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=REGISTER,
)
def register_oem() -> Response:
    actor = _manager()
    body: RegisterOemRequest = parse(RegisterOemRequest, read_json(door.request))
    account, secret = oem_accounts().register(actor, body.name, body.uscc, body.dealers)
    return json_response(oem_with_secret_view(account, secret), 201)


@door.route("/v1/oem/accounts", methods=["GET"], stacks=PROVINCE, doc=LIST)
def list_oems() -> Response:
    _manager()
    body = {"oems": [a.public_view() for a in oem_accounts().accounts()]}
    return json_response(conform(Oems, body))


@door.route("/v1/oem/accounts/{oem_id}", methods=["GET"], stacks=PROVINCE, doc=READ)
def get_oem(oem_id: str) -> Response:
    _manager()
    return json_response(conform(OemOut, oem_accounts().get(oem_id).public_view()))


@door.route(
    "/v1/oem/accounts/{oem_id}/dealers",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=DEALERS,
)
def set_oem_dealers(oem_id: str) -> Response:
    actor = _manager()
    body: DealersRequest = parse(DealersRequest, read_json(door.request))
    account = oem_accounts().set_dealers(actor, oem_id, body.dealers)
    return json_response(conform(OemOut, account.public_view()))


@door.route(
    "/v1/oem/accounts/{oem_id}/secret",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    stacks=PROVINCE,
    doc=ROTATE,
)
def rotate_oem_secret(oem_id: str) -> Response:
    actor = _manager()
    account, secret = oem_accounts().rotate_secret(actor, oem_id)
    return json_response(oem_with_secret_view(account, secret))


def _manager() -> Actor:
    """The calling administrator, if its role may manage OEM accounts (`oem.manage`)."""
    return actor_of(door.request, require_permission(door.request, Permission.OEM_MANAGE))
