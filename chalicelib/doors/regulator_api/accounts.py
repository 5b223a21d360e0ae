"""`/v1/admin/accounts`: regulator account management (province_admin on a province,
ministry_admin on the ministry).

Create an account (its password and TOTP secret are answered once), reset its password or its
TOTP secret (the new one answered once), disable or enable it. Every action is audited by the
service; the tokens of a changed account stop at once.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import regulator_accounts
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json
from chalicelib.doors.kit.models import conform, parse
from chalicelib.doors.kit.operations import BODY, BUSY, Doc, path_param
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import (
    AccountOut,
    Accounts,
    AccountWithCredentials,
    CreateAccountRequest,
)
from chalicelib.services.audit import Actor

_ACCOUNT = path_param("username")
LIST = Doc(
    "The stack's regulator accounts",
    "accounts",
    {200: Accounts},
    (401, 403, *BUSY),
    auth="regulator",
)
CREATE = Doc(
    "Create an account (credentials shown once)",
    "accounts",
    {201: AccountWithCredentials},
    (*BODY, 401, 403, 409, *BUSY),
    auth="regulator",
    body=CreateAccountRequest,
)
READ = Doc(
    "One account",
    "accounts",
    {200: AccountOut},
    (401, 403, 404, *BUSY),
    auth="regulator",
    params=(_ACCOUNT,),
)
RESET_PASSWORD = Doc(
    "Reset the password",
    "accounts",
    {200: AccountWithCredentials},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_ACCOUNT,),
)
RESET_TOTP = Doc(
    "Reset the TOTP secret",
    "accounts",
    {200: AccountWithCredentials},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_ACCOUNT,),
)
DISABLE = Doc(
    "Disable an account",
    "accounts",
    {200: AccountOut},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_ACCOUNT,),
)
ENABLE = Doc(
    "Enable an account",
    "accounts",
    {200: AccountOut},
    (401, 403, 404, 409, *BUSY),
    auth="regulator",
    params=(_ACCOUNT,),
)


@door.route("/v1/admin/accounts", methods=["GET"], doc=LIST)
def list_accounts() -> Response:
    accounts = regulator_accounts().list(_manager())
    return json_response(conform(Accounts, {"accounts": [a.public_view() for a in accounts]}))


@door.route("/v1/admin/accounts", methods=["POST"], content_types=ANY_CONTENT_TYPE, doc=CREATE)
def create_account() -> Response:
    actor = _manager()
    body: CreateAccountRequest = parse(CreateAccountRequest, read_json(door.request))
    enrolment = regulator_accounts().create(actor, body.username, body.role, body.divisions)
    return json_response(conform(AccountWithCredentials, enrolment.view()), 201)


@door.route("/v1/admin/accounts/{username}", methods=["GET"], doc=READ)
def get_account(username: str) -> Response:
    account = regulator_accounts().get(_manager(), username)
    return json_response(conform(AccountOut, account.public_view()))


@door.route(
    "/v1/admin/accounts/{username}/password",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=RESET_PASSWORD,
)
def reset_password(username: str) -> Response:
    enrolment = regulator_accounts().reset_password(_manager(), username)
    return json_response(conform(AccountWithCredentials, enrolment.view()))


@door.route(
    "/v1/admin/accounts/{username}/totp",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=RESET_TOTP,
)
def reset_totp(username: str) -> Response:
    enrolment = regulator_accounts().reset_totp(_manager(), username)
    return json_response(conform(AccountWithCredentials, enrolment.view()))


@door.route(
    "/v1/admin/accounts/{username}/disable",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=DISABLE,
)
def disable_account(username: str) -> Response:
    account = regulator_accounts().set_disabled(_manager(), username, True)
    return json_response(conform(AccountOut, account.public_view()))


@door.route(
    "/v1/admin/accounts/{username}/enable",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=ENABLE,
)
def enable_account(username: str) -> Response:
    account = regulator_accounts().set_disabled(_manager(), username, False)
    return json_response(conform(AccountOut, account.public_view()))


def _manager() -> Actor:
    """The calling administrator, if its role may manage this stack's accounts."""
    return actor_of(door.request, require_permission(door.request, Permission.ACCOUNTS_MANAGE))
