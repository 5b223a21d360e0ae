"""`POST /v1/auth/token`: a shop's companycode and secret for a bearer token (1 h)."""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import auth_service
from chalicelib.doors.kit.auth import token_body
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, json_response, read_json, source_ip
from chalicelib.doors.kit.models import TokenResponse, conform, parse
from chalicelib.doors.kit.operations import BODY, BOTH, BUSY, Doc
from chalicelib.doors.shop_api.door import door
from chalicelib.doors.shop_api.models import TokenRequest

# Served by both stacks, as it always was: the ministry holds no shops, so it answers 401.
TOKEN = Doc(
    "A shop's bearer token (1 h)",
    "tokens",
    {200: TokenResponse},
    (*BODY, 401, 429, *BUSY),
    body=TokenRequest,
)


@door.route(
    "/v1/auth/token", methods=["POST"], content_types=ANY_CONTENT_TYPE, stacks=BOTH, doc=TOKEN
)
def shop_token() -> Response:
    body: TokenRequest = parse(TokenRequest, read_json(door.request))
    token, principal = auth_service().shop_token(
        body.companycode, body.secret, source=source_ip(door.request)
    )
    return json_response(conform(TokenResponse, token_body(token, principal)))
