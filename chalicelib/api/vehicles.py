"""Public consumer route: a vehicle's history, given proof of possession (the plate)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import Health, VehicleHistory, conform
from chalicelib.api.views import history_entry_view
from chalicelib.bootstrap import history_service, public_gate, report_verifier
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.http import json_response, query_params, source_ip

bp = Blueprint(__name__)


@bp.route("/v1/vehicles/{vin}/history", methods=["GET"])
@rest_errors
def vehicle_history(vin: str) -> Any:
    request = bp.current_request
    plate = query_params(request).get("plate", "")
    public_gate().admit(source_ip(request), vin)
    records = history_service().history(vin, plate, source_ip=source_ip(request))
    # As on the page: only entries that still hash to their chain link are served.
    served = report_verifier().served(records[0].content.vin, records)
    body = {
        "vin": records[0].content.vin,
        "records": [history_entry_view(r) for r in served.records],
        "withheld": served.withheld,
    }
    return json_response(conform(VehicleHistory, body))


@bp.route("/v1/health", methods=["GET"])
def health() -> Any:
    return json_response(conform(Health, {"status": "ok"}))
