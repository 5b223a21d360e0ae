"""Every JSON operation of the API, for the OpenAPI document: who calls it, with what, and
every status it can answer.

Why: routes stay three to eight lines; what a client needs to know about them (request model,
response model per status, auth, parameters, which stack serves it) is stated here once, next
to the others, and `tests/unit/test_openapi_document.py` fails when a JSON route of `app.py`
is missing from this table (or the table names a route that does not exist). Models are the
ones the routes parse with (`api/schemas.py`, `api/feedback_schemas.py`) and answer through
(`api/responses.py`), so the document cannot drift from the code.
"""

from __future__ import annotations

from chalicelib.api import responses as r
from chalicelib.api.feedback_schemas import (
    ComplaintIn,
    EvaluationIn,
    FollowComplaintIn,
)
from chalicelib.doors.kit.operations import (
    BODY,
    BOTH,
    BUSY,
    PROVINCE,
    Operation,
)
from chalicelib.doors.kit.operations import path_param as _path
from chalicelib.doors.kit.operations import query_param as _query

# fmt: off
OPERATIONS: tuple[Operation, ...] = (
    # --- consumers ------------------------------------------------------------------------
    Operation("GET", "/v1/vehicles/{vin}/history", "A vehicle's history (proof: its plate)",
              "vehicles", BOTH, {200: r.VehicleHistory}, (404, 429, *BUSY),
              params=(_path("vin"), _query("plate", {"type": "string"}, "the current plate")),
              description="Wrong plate, no plate and unknown VIN answer the same 404. The "
              "ministry answers the national (cross-province) history."),
    Operation("GET", "/v1/health", "Liveness", "vehicles", BOTH, {200: r.Health}, ()),
    # --- feedback (public) ----------------------------------------------------------------
    Operation("POST", "/v1/evaluations", "Rate a repair (proof: VIN + plate + settlement no.)",
              "feedback", PROVINCE, {201: r.EvaluationOut, 200: r.EvaluationOut},
              (*BODY, 404, 409, 429, *BUSY), body=EvaluationIn),
    Operation("POST", "/v1/complaints", "File a complaint", "feedback", PROVINCE,
              {201: r.ComplaintPublicOut, 200: r.ComplaintPublicOut},
              (*BODY, 404, 409, 429, *BUSY), body=ComplaintIn),
    Operation("POST", "/v1/complaints/follow", "Follow a complaint by its code", "feedback",
              PROVINCE, {200: r.ComplaintPublicOut}, (*BODY, 404, 429, *BUSY),
              body=FollowComplaintIn),
    Operation("GET", "/v1/directory/divisions", "The province's districts", "feedback",
              PROVINCE, {200: r.Divisions}, (404, *BUSY)),
    Operation("GET", "/v1/directory/shops", "A district's shops by shrunk rating", "feedback",
              PROVINCE, {200: r.DirectoryShops}, (400, 404, 429, *BUSY),
              params=(_query("division", {"type": "string"}, "6-digit district code"),)),
    # --- agency sharing (ministry) ----------------------------------------------------------
    # --- OEM bulk feed, 总对总 (province) ------------------------------------------------------
)
# fmt: on
