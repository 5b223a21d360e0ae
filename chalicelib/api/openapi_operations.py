"""Every JSON operation of the API, for the OpenAPI document: who calls it, with what, and
every status it can answer.

Why: routes stay three to eight lines; what a client needs to know about them (request model,
response model per status, auth, parameters, which stack serves it) is stated here once, next
to the others, and `tests/unit/test_openapi_document.py` fails when a JSON route of `app.py`
is missing from this table (or the table names a route that does not exist). Models are the
ones the routes parse with (`api/schemas.py`, `doors/kit/feedback_models.py`) and answer through
(`api/responses.py`), so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api import responses as r
from chalicelib.api import sharing_responses as sr
from chalicelib.api.reminders import SendReminderIn
from chalicelib.api.schemas import (
    MAX_BATCH,
    CreateAccountRequest,
    EditShopRequest,
    ProvinceTokenRequest,
    RegisterShopRequest,
    RegulatorTokenRequest,
)
from chalicelib.api.sharing_schemas import (
    DealersRequest,
    IssueKeyRequest,
    OemTokenRequest,
    RegisterAgencyRequest,
    RegisterOemRequest,
)
from chalicelib.doors.kit.feedback_models import CloseIn, RejectIn
from chalicelib.doors.kit.operations import (
    BODY,
    BOTH,
    BUSY,
    CURSOR,
    MINISTRY,
    PAGE,
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


class ExportRequest(BaseModel):
    """`POST /v1/search/records/exports`: the search's criteria (dates default to 30 days)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date_from: str = Field(default="", alias="from", description="YYYY-MM-DD")
    date_to: str = Field(default="", alias="to", description="YYYY-MM-DD")
    vin: str = ""
    plate: str = ""
    companycode: str = ""
    flag: str = ""
    division: str = Field(default="", description="one district: a 6-digit division code")
    province: str = Field(default="", description="ministry only: one province, e.g. 320000")


_COMPLAINT = _path("complaint_id", "the complaint's code (TS + 16 characters)")
_RECORD = _path("record_id", "32 hex characters")
_ACCOUNT = _path("username")
_DAY_OR_TIME = {"type": "string"}
_SEARCH = (
    _query("from", {"type": "string", "format": "date"}, "default: 30 days ago"),
    _query("to", {"type": "string", "format": "date"}, "default: today"),
    _query("vin", {"type": "string"}),
    _query("plate", {"type": "string"}),
    _query("companycode", {"type": "string"}),
    _query("flag", {"type": "string"}, "a quality flag code, e.g. mileage_rollback"),
    _query("division", {"type": "string", "pattern": "^[0-9]{6}$"}, "one district (6 digits)"),
)
_SHOP = _path("companycode", "15 digits")
_AGENCY = _path("agency_id")
_KEY = _path("key_id")
_OEM = _path("oem_id")
_PERIOD = (
    _query("from", {"type": "string", "format": "date"}, "China day; default: 6 days before `to`"),
    _query("to", {"type": "string", "format": "date"}, "China day; default: today"),
)

# fmt: off
OPERATIONS: tuple[Operation, ...] = (
    # --- tokens ---------------------------------------------------------------------------
    Operation("POST", "/v1/admin/token", "A regulator's bearer token (1 h)", "tokens", BOTH,
              {200: r.RegulatorTokenResponse}, (*BODY, 401, 429, *BUSY),
              body=RegulatorTokenRequest),
    # --- shop registry (regulators) -------------------------------------------------------
    Operation("POST", "/v1/shops", "Register a shop (its secret is shown once)", "registry",
              PROVINCE, {201: r.ShopWithSecret}, (*BODY, 401, 403, 404, 409, *BUSY),
              auth="regulator", body=RegisterShopRequest),
    Operation("GET", "/v1/shops", "The province's registry", "registry", PROVINCE,
              {200: r.ShopPage}, (400, 401, 404, *BUSY), auth="regulator", params=(CURSOR,)),
    Operation("GET", "/v1/shops/{companycode}", "One registry entry", "registry", PROVINCE,
              {200: r.ShopOut}, (401, 404, *BUSY), auth="regulator", params=(_SHOP,)),
    Operation("PATCH", "/v1/shops/{companycode}", "Edit a registry entry", "registry",
              PROVINCE, {200: r.ShopOut}, (*BODY, 401, 403, 404, 409, *BUSY),
              auth="regulator", params=(_SHOP,), body=EditShopRequest,
              description="Name, address, class and contacts, over the `version` read: 409 "
              "`shop_changed` if the entry changed since. Identity fields are refused."),
    Operation("POST", "/v1/shops/{companycode}/secret", "Rotate a shop's secret", "registry",
              PROVINCE, {200: r.ShopWithSecret}, (401, 403, 404, *BUSY), auth="regulator",
              params=(_SHOP,)),
    Operation("POST", "/v1/shops/{companycode}/suspend", "Suspend a shop's uploads",
              "registry", PROVINCE, {200: r.ShopOut}, (401, 403, 404, *BUSY),
              auth="regulator", params=(_SHOP,)),
    Operation("POST", "/v1/shops/{companycode}/reinstate", "Reinstate a suspended shop",
              "registry", PROVINCE, {200: r.ShopOut}, (401, 403, 404, *BUSY),
              auth="regulator", params=(_SHOP,)),
    # --- ministry exchange ----------------------------------------------------------------
    Operation("POST", "/v1/exchange/token", "A province's exchange token", "exchange",
              MINISTRY, {200: r.TokenResponse}, (*BODY, 401, 403, 404, 429, *BUSY),
              body=ProvinceTokenRequest,
              description="403 `source_not_allowed` from outside the province's registered "
              "networks (nothing read or counted); 429 after 5 failures from one address."),
    Operation("POST", "/v1/exchange/batch", "Apply a province's changes (newest wins)",
              "exchange", MINISTRY, {200: r.ExchangeResults}, (*BODY, 401, 403, 404, *BUSY),
              auth="province", body=ExchangeBatchRequest),
    Operation("GET", "/v1/provinces", "Each province's last exchange, lag and records",
              "exchange", MINISTRY, {200: r.Provinces}, (401, 404, *BUSY), auth="regulator"),
    Operation("GET", "/v1/exchange/credentials", "Every province's exchange credential status",
              "exchange", MINISTRY, {200: r.Credentials}, (401, 403, 404, *BUSY),
              auth="regulator"),
    Operation("POST", "/v1/exchange/credentials/{province_code}",
              "Issue or rotate a province's exchange credential (secret shown once)",
              "exchange", MINISTRY, {201: r.IssuedCredentialOut, 200: r.IssuedCredentialOut},
              (400, 401, 403, 404, *BUSY), auth="regulator", params=(_path("province_code"),)),
    Operation("POST", "/v1/exchange/credentials/{province_code}/revoke",
              "Revoke a province's exchange credential (its tokens stop at once)",
              "exchange", MINISTRY, {200: r.CredentialOut}, (400, 401, 403, 404, *BUSY),
              auth="regulator", params=(_path("province_code"),)),
    # --- complaints (regulators) ----------------------------------------------------------
    Operation("GET", "/v1/complaints", "The complaint queue, oldest first", "complaints",
              PROVINCE, {200: r.RegulatorComplaintPage}, (400, 401, 404, *BUSY),
              auth="regulator", params=(_query("status", {"type": "string"}), *PAGE)),
    Operation("GET", "/v1/complaints/{complaint_id}", "One complaint, with the phone",
              "complaints", PROVINCE, {200: r.ComplaintRegulatorOut}, (401, 404, *BUSY),
              auth="regulator", params=(_COMPLAINT,)),
    Operation("GET", "/v1/complaints/{complaint_id}/photo", "The complaint's photo",
              "complaints", PROVINCE, {}, (401, 404, *BUSY), auth="regulator",
              params=(_COMPLAINT,), binary_ok=("image/jpeg", "image/png")),
    Operation("POST", "/v1/complaints/{complaint_id}/accept", "Accept a complaint",
              "complaints", PROVINCE, {200: r.ComplaintRegulatorOut},
              (401, 403, 404, 409, *BUSY), auth="regulator", params=(_COMPLAINT,)),
    Operation("POST", "/v1/complaints/{complaint_id}/reject", "Reject a complaint",
              "complaints", PROVINCE, {200: r.ComplaintRegulatorOut},
              (*BODY, 401, 403, 404, 409, *BUSY), auth="regulator", body=RejectIn,
              params=(_COMPLAINT,)),
    Operation("POST", "/v1/complaints/{complaint_id}/close", "Close a complaint",
              "complaints", PROVINCE, {200: r.ComplaintRegulatorOut},
              (*BODY, 401, 403, 404, 409, *BUSY), auth="regulator", body=CloseIn,
              params=(_COMPLAINT,)),
    # --- regulator accounts (province_admin; ministry_admin on the ministry) --------------
    Operation("GET", "/v1/admin/accounts", "The stack's regulator accounts", "accounts", BOTH,
              {200: r.Accounts}, (401, 403, *BUSY), auth="regulator"),
    Operation("POST", "/v1/admin/accounts", "Create an account (credentials shown once)",
              "accounts", BOTH, {201: r.AccountWithCredentials},
              (*BODY, 401, 403, 409, *BUSY), auth="regulator", body=CreateAccountRequest),
    Operation("GET", "/v1/admin/accounts/{username}", "One account", "accounts", BOTH,
              {200: r.AccountOut}, (401, 403, 404, *BUSY), auth="regulator",
              params=(_ACCOUNT,)),
    Operation("POST", "/v1/admin/accounts/{username}/password", "Reset the password",
              "accounts", BOTH, {200: r.AccountWithCredentials}, (401, 403, 404, 409, *BUSY),
              auth="regulator", params=(_ACCOUNT,)),
    Operation("POST", "/v1/admin/accounts/{username}/totp", "Reset the TOTP secret",
              "accounts", BOTH, {200: r.AccountWithCredentials}, (401, 403, 404, 409, *BUSY),
              auth="regulator", params=(_ACCOUNT,)),
    Operation("POST", "/v1/admin/accounts/{username}/disable", "Disable an account",
              "accounts", BOTH, {200: r.AccountOut}, (401, 403, 404, 409, *BUSY),
              auth="regulator", params=(_ACCOUNT,)),
    Operation("POST", "/v1/admin/accounts/{username}/enable", "Enable an account",
              "accounts", BOTH, {200: r.AccountOut}, (401, 403, 404, 409, *BUSY),
              auth="regulator", params=(_ACCOUNT,)),
    Operation("GET", "/v1/audit", "The audit trail, newest first", "accounts", BOTH,
              {200: r.AuditPage}, (400, 401, 403, *BUSY), auth="regulator",
              params=(_query("from", _DAY_OR_TIME, "YYYY-MM-DD or ISO date-time"),
                      _query("to", _DAY_OR_TIME, "YYYY-MM-DD or ISO date-time"),
                      _query("actor", {"type": "string"}),
                      _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                      CURSOR)),
    # --- reminders ------------------------------------------------------------------------
    Operation("POST", "/v1/reminders", "Remind shops (提醒通知)", "reminders", PROVINCE,
              {201: r.ReminderOut}, (*BODY, 401, 403, 404, 409, *BUSY), auth="regulator",
              body=SendReminderIn),
    Operation("GET", "/v1/reminders", "Reminders sent, with read counts", "reminders",
              PROVINCE, {200: r.ReminderPage}, (400, 401, 403, 404, *BUSY), auth="regulator",
              params=PAGE),
    # --- record search ----------------------------------------------------------------------
    Operation("GET", "/v1/search/records", "Search records (audited)", "search", BOTH,
              {200: r.SearchPage}, (400, 401, 403, 404, *BUSY), auth="regulator",
              params=(*_SEARCH,
                      _query("limit", {"type": "integer", "minimum": 1, "maximum": 50},
                             "page size (default 50)"),
                      _query("cursor", {"type": "string", "maxLength": 2048},
                             "`next_cursor` of the previous page of the same search (other "
                             "criteria: 400 `valid_cursor`)"),
                      _query("province", {"type": "string"},
                             "ministry only: one province (default: every connected one)")),
              description="Newest settlement first. One page reads at most SEARCH_READ_ITEMS "
                          "index items in SEARCH_READ_REQUESTS queries (defaults 10,000 and "
                          "400); a search that would read more before its page is full "
                          "answers 400 `search_too_broad`, whose errors name the criteria "
                          "that narrow it: `from`/`to` (date range), `companycode` (shop), "
                          "`division` (district)."),
    Operation("POST", "/v1/search/records/exports", "Export a search as CSV (a job)",
              "search", BOTH, {202: r.ExportOut}, (*BODY, 401, 403, 404, *BUSY),
              auth="regulator", body=ExportRequest),
    Operation("GET", "/v1/search/records/exports/{job_id}", "An export job; its link when done",
              "search", BOTH, {200: r.ExportOut}, (401, 403, 404, *BUSY), auth="regulator",
              params=(_path("job_id"),)),
    # --- agency sharing (ministry) ----------------------------------------------------------
    Operation("POST", "/v1/agencies", "Register an agency (the same name again: the same one)",
              "agencies", MINISTRY, {201: sr.AgencyOut, 200: sr.AgencyOut},
              (*BODY, 401, 403, 404, 409, *BUSY), auth="regulator", body=RegisterAgencyRequest),
    Operation("GET", "/v1/agencies", "Agencies and their keys' terms", "agencies", MINISTRY,
              {200: sr.Agencies}, (401, 403, 404, *BUSY), auth="regulator"),
    Operation("GET", "/v1/agencies/{agency_id}", "One agency and its keys", "agencies",
              MINISTRY, {200: sr.AgencyOut}, (401, 403, 404, *BUSY), auth="regulator",
              params=(_AGENCY,)),
    Operation("POST", "/v1/agencies/{agency_id}/keys", "Issue a key (shown once)", "agencies",
              MINISTRY, {201: sr.AgencyKeyWithSecret}, (*BODY, 401, 403, 404, *BUSY),
              auth="regulator", body=IssueKeyRequest, params=(_AGENCY,)),
    Operation("POST", "/v1/agencies/{agency_id}/keys/{key_id}/rotate",
              "Rotate a key (the old one stops at once)", "agencies", MINISTRY,
              {200: sr.AgencyKeyWithSecret}, (401, 403, 404, 409, *BUSY), auth="regulator",
              params=(_AGENCY, _KEY)),
    Operation("POST", "/v1/agencies/{agency_id}/keys/{key_id}/revoke", "Revoke a key",
              "agencies", MINISTRY, {200: sr.AgencyKeyOut}, (401, 403, 404, 409, *BUSY),
              auth="regulator", params=(_AGENCY, _KEY)),
    Operation("GET", "/v1/agencies/{agency_id}/reads", "An agency's reads (audit)", "agencies",
              MINISTRY, {200: sr.AgencyReadPage}, (400, 401, 403, 404, *BUSY),
              auth="regulator", params=(_AGENCY, *_PERIOD, *PAGE)),
    Operation("GET", "/v1/agencies/{agency_id}/reads/csv", "An agency's reads as CSV parts",
              "agencies", MINISTRY, {}, (400, 401, 403, 404, *BUSY), auth="regulator",
              params=(_AGENCY, *_PERIOD, CURSOR), binary_ok=("text/csv",),
              description="At most 10,000 reads a part; a `Link: rel=next` header names the "
              "next part."),
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
    Operation("POST", "/v1/oem/accounts", "Register an OEM account (its secret shown once)",
              "oem", PROVINCE, {201: sr.OemWithSecret}, (*BODY, 401, 403, 404, 409, *BUSY),
              auth="regulator", body=RegisterOemRequest),
    Operation("GET", "/v1/oem/accounts", "The province's OEM accounts", "oem", PROVINCE,
              {200: sr.Oems}, (401, 403, 404, *BUSY), auth="regulator"),
    Operation("GET", "/v1/oem/accounts/{oem_id}", "One OEM account", "oem", PROVINCE,
              {200: sr.OemOut}, (401, 403, 404, *BUSY), auth="regulator", params=(_OEM,)),
    Operation("POST", "/v1/oem/accounts/{oem_id}/dealers", "Replace the dealers represented",
              "oem", PROVINCE, {200: sr.OemOut}, (*BODY, 401, 403, 404, *BUSY),
              auth="regulator", body=DealersRequest, params=(_OEM,)),
    Operation("POST", "/v1/oem/accounts/{oem_id}/secret", "Rotate an OEM's secret", "oem",
              PROVINCE, {200: sr.OemWithSecret}, (401, 403, 404, *BUSY), auth="regulator",
              params=(_OEM,)),
)
# fmt: on
