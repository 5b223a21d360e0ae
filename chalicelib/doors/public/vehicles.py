"""Public consumer routes: a vehicle's history, given proof of possession (the plate), and
liveness."""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import history_service, public_gate, report_verifier
from chalicelib.doors.kit.http import json_response, query_params, source_ip
from chalicelib.doors.kit.models import conform
from chalicelib.doors.kit.operations import BUSY, Doc, path_param, query_param
from chalicelib.doors.public.door import door
from chalicelib.doors.public.models import Health, VehicleHistory
from chalicelib.doors.public.views import vehicle_history_view

HISTORY = Doc(
    "A vehicle's history (proof: its plate)",
    "vehicles",
    {200: VehicleHistory},
    (404, 429, *BUSY),
    params=(path_param("vin"), query_param("plate", {"type": "string"}, "the current plate")),
    description="Wrong plate, no plate and unknown VIN answer the same 404. The "
    "ministry answers the national (cross-province) history.",
)
HEALTH = Doc("Liveness", "vehicles", {200: Health}, ())


@door.route("/v1/vehicles/{vin}/history", methods=["GET"], doc=HISTORY)
def vehicle_history(vin: str) -> Response:
    request = door.request
    plate = query_params(request).get("plate", "")
    public_gate().admit(source_ip(request), vin)
    records = history_service().history(vin, plate, source_ip=source_ip(request))
    stored_vin = records[0].content.vin
    # As on the page: only entries that still hash to their chain link are served.
    served = report_verifier().served(stored_vin, records)
    return json_response(vehicle_history_view(stored_vin, served))


@door.route("/v1/health", methods=["GET"], doc=HEALTH)
def health() -> Response:
    return json_response(conform(Health, {"status": "ok"}))
