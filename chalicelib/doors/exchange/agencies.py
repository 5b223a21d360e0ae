"""`GET /v1/agency/vehicles/{vin}/history` (ministry): an agency reads a vehicle's national file.

Why: insurers, used-car platforms, I/M stations and recall investigators call this one route
(digest §1.11). The key travels in the `Authorization: Bearer <key>` header only: a URL ends
up in access logs, proxies and browser history, so a request with any query parameter is
refused before the key is even looked at. The service decides everything else and logs every
read; the answer's `code` says why a read was refused (see README, agency errors).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import agency_read_service
from chalicelib.doors.exchange.door import door
from chalicelib.doors.exchange.models import AgencyHistoryOut
from chalicelib.doors.kit.auth import origin_of
from chalicelib.doors.kit.http import bearer_token, json_response, query_params
from chalicelib.doors.kit.models import conform
from chalicelib.doors.kit.operations import BUSY, MINISTRY, Doc, path_param
from chalicelib.errors import FieldError, ValidationFailedError

HISTORY = Doc(
    "An agency reads a vehicle's national file, in its key's field scope",
    "agencies",
    {200: AgencyHistoryOut},
    (400, 401, 403, 404, 429, *BUSY),
    auth="agency",
    params=(path_param("vin"),),
    description="Refusals carry a typed code: key_invalid, key_revoked (401); "
    "no_grant, grant_expired, grant_revoked, purpose_not_allowed (403); "
    "burst_exceeded, quota_exceeded (429, Retry-After); vehicle_not_found (404).",
)


@door.route("/v1/agency/vehicles/{vin}/history", methods=["GET"], stacks=MINISTRY, doc=HISTORY)
def agency_vehicle_history(vin: str) -> Response:
    _refuse_query_parameters(query_params(door.request))
    history = agency_read_service().read(
        bearer_token(door.request), vin, origin=origin_of(door.request)
    )
    return json_response(conform(AgencyHistoryOut, history.view()))


def _refuse_query_parameters(params: dict[str, str]) -> None:
    """Any query parameter is refused (400, each named): a key must never be in a URL."""
    if params:
        message = (
            "this route takes no query parameters; the key goes in the "
            "Authorization header, never in the URL"
        )
        raise ValidationFailedError(
            [FieldError(name, "not_in_url", message) for name in sorted(params)]
        )
