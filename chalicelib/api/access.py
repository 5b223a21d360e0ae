"""Token routes: shops and regulators exchange their secret for a short-lived bearer token."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import RegulatorTokenResponse, TokenResponse, conform
from chalicelib.api.schemas import RegulatorTokenRequest, TokenRequest, parse
from chalicelib.bootstrap import auth_service
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.auth import origin_of
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json, source_ip

bp = Blueprint(__name__)


@bp.route("/v1/auth/token", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def shop_token() -> Any:
    request = bp.current_request
    body: TokenRequest = parse(TokenRequest, read_json(request))
    token, principal = auth_service().shop_token(
        body.companycode, body.secret, source=source_ip(request)
    )
    return json_response(conform(TokenResponse, _token_body(token, principal)))


@bp.route("/v1/admin/token", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@rest_errors
def regulator_token() -> Any:
    request = bp.current_request
    body: RegulatorTokenRequest = parse(RegulatorTokenRequest, read_json(request))
    token, principal = auth_service().regulator_token(
        body.username, body.password, body.totp, origin=origin_of(request)
    )
    answer = {
        **_token_body(token, principal),
        "role": principal.role,
        "divisions": list(principal.divisions),
    }
    return json_response(conform(RegulatorTokenResponse, answer))


def _token_body(token: str, principal: Principal) -> dict[str, Any]:
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_at": principal.expires_at.isoformat(),
    }
