"""The agencies' door (ministry): a vehicle's national file, read with an agency API key.

Why: insurers, used-car platforms, I/M stations and recall investigators call this one route
(digest §1.11). The key travels in the `Authorization: Bearer <key>` header only: a URL ends
up in access logs, proxies and browser history, so a request with any query parameter is
refused before the key is even looked at. The service decides everything else and logs every
read; the answer's `code` says why a read was refused (see README, agency errors).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import conform
from chalicelib.api.sharing_responses import AgencyHistoryOut
from chalicelib.bootstrap import agency_read_service
from chalicelib.doors.kit.auth import origin_of, require_role
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import bearer_token, json_response, query_params
from chalicelib.errors import FieldError, ValidationFailedError

bp = Blueprint(__name__)


@bp.route("/v1/agency/vehicles/{vin}/history", methods=["GET"])
@rest_errors
def agency_vehicle_history(vin: str) -> Any:
    require_role("ministry")
    request = bp.current_request
    params = query_params(request)
    if params:
        raise ValidationFailedError(
            [
                FieldError(
                    name,
                    "not_in_url",
                    "this route takes no query parameters; the key goes in the "
                    "Authorization header, never in the URL",
                )
                for name in sorted(params)
            ]
        )
    history = agency_read_service().read(bearer_token(request), vin, origin=origin_of(request))
    return json_response(conform(AgencyHistoryOut, history.view()))
