"""Token route of regulators: username, password and TOTP code for a short-lived bearer token."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import RegulatorTokenResponse, conform
from chalicelib.api.schemas import RegulatorTokenRequest, parse
from chalicelib.bootstrap import auth_service
from chalicelib.doors.kit.auth import origin_of, token_body
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json

bp = Blueprint(__name__)


@bp.route("/v1/admin/token", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def regulator_token() -> Any:
    request = bp.current_request
    body: RegulatorTokenRequest = parse(RegulatorTokenRequest, read_json(request))
    token, principal = auth_service().regulator_token(
        body.username, body.password, body.totp, origin=origin_of(request)
    )
    answer = {
        **token_body(token, principal),
        "role": principal.role,
        "divisions": list(principal.divisions),
    }
    return json_response(conform(RegulatorTokenResponse, answer))
