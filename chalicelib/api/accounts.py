"""Regulator account management (province_admin on a province, ministry_admin on the ministry).

Create an account (its password and TOTP secret are answered once), reset its password or its
TOTP secret (the new one answered once), disable or enable it. Every action is audited by the
service; the tokens of a changed account stop at once.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import AccountOut, Accounts, AccountWithCredentials, conform
from chalicelib.api.schemas import CreateAccountRequest, parse
from chalicelib.bootstrap import regulator_accounts
from chalicelib.doors.kit.auth import Permission, actor_of, require_permission
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json
from chalicelib.services.audit import Actor

bp = Blueprint(__name__)


def _manager() -> Actor:
    request = bp.current_request
    return actor_of(request, require_permission(request, Permission.ACCOUNTS_MANAGE))


@bp.route("/v1/admin/accounts", methods=["GET"])
@rest_errors
def list_accounts() -> Any:
    accounts = regulator_accounts().list(_manager())
    body = {"accounts": [a.public_view() for a in accounts]}
    return json_response(conform(Accounts, body))


@bp.route("/v1/admin/accounts", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def create_account() -> Any:
    actor = _manager()
    body: CreateAccountRequest = parse(CreateAccountRequest, read_json(bp.current_request))
    enrolment = regulator_accounts().create(actor, body.username, body.role, body.divisions)
    return json_response(conform(AccountWithCredentials, enrolment.view()), 201)


@bp.route("/v1/admin/accounts/{username}", methods=["GET"])
@rest_errors
def get_account(username: str) -> Any:
    account = regulator_accounts().get(_manager(), username)
    return json_response(conform(AccountOut, account.public_view()))


@bp.route(
    "/v1/admin/accounts/{username}/password", methods=["POST"], content_types=ANY_CONTENT_TYPE
)
@rest_errors
def reset_password(username: str) -> Any:
    enrolment = regulator_accounts().reset_password(_manager(), username)
    return json_response(conform(AccountWithCredentials, enrolment.view()))


@bp.route("/v1/admin/accounts/{username}/totp", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def reset_totp(username: str) -> Any:
    enrolment = regulator_accounts().reset_totp(_manager(), username)
    return json_response(conform(AccountWithCredentials, enrolment.view()))


@bp.route("/v1/admin/accounts/{username}/disable", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def disable_account(username: str) -> Any:
    account = regulator_accounts().set_disabled(_manager(), username, True)
    return json_response(conform(AccountOut, account.public_view()))


@bp.route("/v1/admin/accounts/{username}/enable", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def enable_account(username: str) -> Any:
    account = regulator_accounts().set_disabled(_manager(), username, False)
    return json_response(conform(AccountOut, account.public_view()))
