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

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api import responses as r
from chalicelib.api import sharing_responses as sr
from chalicelib.api.feedback_schemas import (
    ComplaintIn,
    EvaluationIn,
    FollowComplaintIn,
)
from chalicelib.api.schemas import MAX_BATCH, ProvinceTokenRequest
from chalicelib.api.sharing_schemas import OemTokenRequest
from chalicelib.doors.kit.operations import (
    BODY,
    BOTH,
    BUSY,
    MINISTRY,
    PROVINCE,
    Operation,
)
from chalicelib.doors.kit.operations import path_param as _path
from chalicelib.doors.kit.operations import query_param as _query


class ExchangeBatchRequest(BaseModel):
    """`POST /v1/exchange/batch`: the province forwarder's changes in the exchange/v1 contract
    (docs/exchange.md), each validated and answered alone; bodies up to 6 MiB."""

    model_config = ConfigDict(extra="forbid")
    contract: Literal["exchange/v1"]
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=100,
        description="`{type: record_version, record: {...}}` or `{type: shop, shop: {...}}`",
    )


class OemBatchRequest(BaseModel):
    """`POST /v1/oem/records/batch`: REST records, each naming the dealer it is for."""

    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="a record of `POST /v1/records` plus `companycode`: the dealer's",
    )


# fmt: off
OPERATIONS: tuple[Operation, ...] = (
    # --- consumers ------------------------------------------------------------------------
    Operation("GET", "/v1/vehicles/{vin}/history", "A vehicle's history (proof: its plate)",
              "vehicles", BOTH, {200: r.VehicleHistory}, (404, 429, *BUSY),
              params=(_path("vin"), _query("plate", {"type": "string"}, "the current plate")),
              description="Wrong plate, no plate and unknown VIN answer the same 404. The "
              "ministry answers the national (cross-province) history."),
    Operation("GET", "/v1/health", "Liveness", "vehicles", BOTH, {200: r.Health}, ()),
    # --- ministry exchange ----------------------------------------------------------------
    Operation("POST", "/v1/exchange/token", "A province's exchange token", "exchange",
              MINISTRY, {200: r.TokenResponse}, (*BODY, 401, 403, 404, 429, *BUSY),
              body=ProvinceTokenRequest,
              description="403 `source_not_allowed` from outside the province's registered "
              "networks (nothing read or counted); 429 after 5 failures from one address."),
    Operation("POST", "/v1/exchange/batch", "Apply a province's changes (newest wins)",
              "exchange", MINISTRY, {200: r.ExchangeResults}, (*BODY, 401, 403, 404, *BUSY),
              auth="province", body=ExchangeBatchRequest),
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
    Operation("GET", "/v1/agency/vehicles/{vin}/history",
              "An agency reads a vehicle's national file, in its key's field scope",
              "agencies", MINISTRY, {200: sr.AgencyHistoryOut}, (400, 401, 403, 404, 429, *BUSY),
              auth="agency", params=(_path("vin"),),
              description="Refusals carry a typed code: key_invalid, key_revoked (401); "
              "no_grant, grant_expired, grant_revoked, purpose_not_allowed (403); "
              "burst_exceeded, quota_exceeded (429, Retry-After); vehicle_not_found (404)."),
    # --- OEM bulk feed, 总对总 (province) ------------------------------------------------------
    Operation("POST", "/v1/oem/token", "An OEM account's bearer token", "oem", PROVINCE,
              {200: r.TokenResponse}, (*BODY, 401, 404, 429, *BUSY), body=OemTokenRequest),
    Operation("POST", "/v1/oem/records/batch", "Upload up to 100 records for the OEM's dealers",
              "oem", PROVINCE, {200: sr.OemBatchResults}, (*BODY, 401, 404, *BUSY), auth="oem",
              body=OemBatchRequest,
              description="Each item is answered alone; a dealer the OEM does not represent "
              "is refused per item (dealer_not_represented), and so is a correction of a "
              "version the OEM did not send (oem_may_not_correct)."),
)
# fmt: on
