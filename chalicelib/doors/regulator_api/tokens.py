"""`POST /v1/admin/token`: a regulator's username, password and TOTP code for a bearer token
(1 h), on either stack; a missing or wrong code answers the same 401 as a wrong password."""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import auth_service
from chalicelib.doors.kit.auth import origin_of
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.operations import BODY, BUSY, Doc
from chalicelib.doors.regulator_api.door import door
from chalicelib.doors.regulator_api.models import RegulatorTokenRequest, RegulatorTokenResponse
from chalicelib.doors.regulator_api.views import regulator_token_view

TOKEN = Doc(
    "A regulator's bearer token (1 h)",
    "tokens",
    {200: RegulatorTokenResponse},
    (*BODY, 401, 429, *BUSY),
    body=RegulatorTokenRequest,
)


@door.route("/v1/admin/token", methods=["POST"], content_types=ANY_CONTENT_TYPE, doc=TOKEN)
def regulator_token() -> Response:
    body: RegulatorTokenRequest = parse(RegulatorTokenRequest, read_json(door.request))
    token, principal = auth_service().regulator_token(
        body.username, body.password, body.totp, origin=origin_of(door.request)
    )
    return json_response(regulator_token_view(token, principal))
