"""Authorisation matrix: every route of the app × every kind of caller × district and province.

Why: a route that forgets its check is a data leak, and nothing else would notice. This test
reads the app's route table (`app.routes`), so a route that is not in `EXPECTED` below fails
the test until its author states who may use it. For each route it calls the app, on two
province stacks (320000, 420000) and on the ministry stack, as: nobody, a shop, each regulator
role (province_admin, district_officer of one district, province_analyst, ministry_admin,
ministry_analyst; a role of the other stack kind is seeded by mistake on purpose), on a
province an OEM's token (总对总 feed), and on the ministry a province's exchange credential
and an agency's API key (sent as a bearer token, like every caller's). Where a route names a
shop (`{companycode}`) or a body names a division, it is tried with the officer's own
district, another district of the same province and (for shops) another province.

Expectations, per stack kind:
- PUBLIC: who calls makes no difference (every caller gets the anonymous caller's status);
- a mapping caller -> ALL | OWN: those callers are let in (ALL: anywhere in their province, or
  the whole country for ministry roles; OWN: only in the district officer's own district), and
  everyone else, everything else, is refused.
"Refused" means 401, 403 or 404, or for console pages a redirect to the sign-in page; "let in"
means anything else (200, 201, 303 elsewhere, 400 for a body the route then finds invalid...).

To add a route: add its line to EXPECTED (and, if it needs one, a path value to PATH_VALUES or
a body to `_body`).
"""

from __future__ import annotations

import base64
import itertools
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.config import get_settings
from chalicelib.doors.kit.cookies import SESSION_COOKIES
from chalicelib.doors.kit.csrf import csrf_token
from chalicelib.exchange.requests import envelope
from chalicelib.exchange.v1 import record_version_item
from infra.photo_bucket import create_photo_bucket
from infra.seed import create_exchange_credential, create_regulator
from infra.table_definition import create_stack_tables
from tests.builders import record_payload, shop_application, tiny_png, totp_code
from tests.exchange_items import shop_change, stored_version

ALL, OWN = "all", "own"
PUBLIC = "public"

PROVINCE_ROLES = ("province_admin", "district_officer", "province_analyst")
MINISTRY_ROLES = ("ministry_admin", "ministry_analyst")
REGULATORS = PROVINCE_ROLES + MINISTRY_ROLES

SHOP_ONLY = {"shop": ALL}
SHOP_OWN = {"shop": OWN}  # only what concerns the calling shop itself
PROVINCE_READ = {"province_admin": ALL, "district_officer": OWN, "province_analyst": ALL}
PROVINCE_WRITE = {"province_admin": ALL, "district_officer": OWN}
PROVINCE_HANDLE = {"province_admin": ALL, "district_officer": OWN}
PROVINCE_ANY = dict.fromkeys(PROVINCE_ROLES, ALL)  # district officers get their part only
PROVINCE_CONSOLE = dict.fromkeys(PROVINCE_ROLES, ALL)
MINISTRY_CONSOLE = dict.fromkeys(MINISTRY_ROLES, ALL)
ANY_REGULATOR_SESSION = dict.fromkeys(REGULATORS, ALL)  # signing out never hurts
PROVINCE_ADMIN = {"province_admin": ALL}
MINISTRY_ADMIN = {"ministry_admin": ALL}
MINISTRY_READ = {"ministry_admin": ALL, "ministry_analyst": ALL}
EXCHANGE = {"exchange": ALL}
OEM_ONLY = {"oem": ALL}
AGENCY_ONLY = {"agency": ALL}
AGENCY_READERS = {"ministry_admin": ALL, "ministry_analyst": ALL}  # agencies.reads
NOBODY: dict[str, str] = {}
# Callers acting on their own behalf go first: administrators later rotate or revoke what
# they act with (the OEM's secret, agency keys).
FIRST_CALLERS = ("shop", "oem", "agency")


@dataclass(frozen=True)
class Expect:
    province: str | dict[str, str]
    ministry: str | dict[str, str]


EXPECTED: dict[tuple[str, str], Expect] = {
    # Public pages and the public API
    ("GET", "/"): Expect(PUBLIC, PUBLIC),
    ("POST", "/vehicle"): Expect(PUBLIC, PUBLIC),
    ("POST", "/vehicle/report.pdf"): Expect(PUBLIC, PUBLIC),
    ("GET", "/verify/{code}"): Expect(PUBLIC, PUBLIC),
    ("GET", "/static/{name}"): Expect(PUBLIC, PUBLIC),
    ("GET", "/v1/health"): Expect(PUBLIC, PUBLIC),
    ("GET", "/openapi.json"): Expect(PUBLIC, PUBLIC),
    ("GET", "/v1/vehicles/{vin}/history"): Expect(PUBLIC, PUBLIC),
    # Sign-in doors (credentials in the body)
    ("POST", "/v1/auth/token"): Expect(PUBLIC, PUBLIC),
    ("POST", "/v1/admin/token"): Expect(PUBLIC, PUBLIC),
    ("POST", "/restservices/lcipprodatarest/lcipprogetaccesstoken/query"): Expect(PUBLIC, PUBLIC),
    ("POST", "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"): Expect(PUBLIC, PUBLIC),
    ("GET", "/console/login"): Expect(PUBLIC, PUBLIC),
    ("POST", "/console/login"): Expect(PUBLIC, PUBLIC),
    ("POST", "/v1/exchange/token"): Expect(PUBLIC, PUBLIC),
    # Consumers' feedback (public pages and API; rate limits are raised for this test)
    ("POST", "/v1/evaluations"): Expect(PUBLIC, PUBLIC),
    ("POST", "/v1/complaints"): Expect(PUBLIC, PUBLIC),
    ("POST", "/v1/complaints/follow"): Expect(PUBLIC, PUBLIC),
    ("GET", "/v1/directory/divisions"): Expect(PUBLIC, PUBLIC),
    ("GET", "/v1/directory/shops"): Expect(PUBLIC, PUBLIC),
    ("POST", "/evaluate"): Expect(PUBLIC, PUBLIC),
    ("POST", "/evaluate/submit"): Expect(PUBLIC, PUBLIC),
    ("POST", "/complain"): Expect(PUBLIC, PUBLIC),
    ("GET", "/complain/new"): Expect(PUBLIC, PUBLIC),
    ("POST", "/complain/submit"): Expect(PUBLIC, PUBLIC),
    ("GET", "/complaints/follow"): Expect(PUBLIC, PUBLIC),
    ("POST", "/complaints/follow"): Expect(PUBLIC, PUBLIC),
    ("GET", "/shops"): Expect(PUBLIC, PUBLIC),
    # A shop's own records
    ("POST", "/v1/records"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/v1/records"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/v1/records/batch"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/v1/records/{record_id}"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/v1/records/{record_id}/versions"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/v1/records/{record_id}/void"): Expect(SHOP_ONLY, NOBODY),
    # A shop's own feedback
    ("GET", "/v1/shop/evaluations"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/v1/shop/evaluations/{record_id}/reply"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/v1/shop/complaints"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/v1/shop/complaints/{complaint_id}"): Expect(SHOP_OWN, NOBODY),
    ("POST", "/v1/shop/complaints/{complaint_id}/read"): Expect(SHOP_OWN, NOBODY),
    ("POST", "/v1/shop/complaints/{complaint_id}/reply"): Expect(SHOP_OWN, NOBODY),
    # Complaint handling
    ("GET", "/v1/complaints"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/v1/complaints/{complaint_id}"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/v1/complaints/{complaint_id}/photo"): Expect(PROVINCE_READ, NOBODY),
    ("POST", "/v1/complaints/{complaint_id}/accept"): Expect(PROVINCE_HANDLE, NOBODY),
    ("POST", "/v1/complaints/{complaint_id}/reject"): Expect(PROVINCE_HANDLE, NOBODY),
    ("POST", "/v1/complaints/{complaint_id}/close"): Expect(PROVINCE_HANDLE, NOBODY),
    # The shop registry
    ("POST", "/v1/shops"): Expect(PROVINCE_WRITE, NOBODY),
    ("GET", "/v1/shops"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/v1/shops/{companycode}"): Expect(PROVINCE_READ, NOBODY),
    ("PATCH", "/v1/shops/{companycode}"): Expect(PROVINCE_WRITE, NOBODY),
    ("POST", "/v1/shops/{companycode}/secret"): Expect(PROVINCE_WRITE, NOBODY),
    ("POST", "/v1/shops/{companycode}/suspend"): Expect(PROVINCE_WRITE, NOBODY),
    ("POST", "/v1/shops/{companycode}/reinstate"): Expect(PROVINCE_WRITE, NOBODY),
    # Reminders
    ("POST", "/v1/reminders"): Expect(PROVINCE_HANDLE, NOBODY),
    ("GET", "/v1/reminders"): Expect(PROVINCE_ANY, NOBODY),
    ("GET", "/v1/shop/reminders"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/v1/shop/reminders/{reminder_id}/read"): Expect(SHOP_OWN, NOBODY),
    # Record search and export (a district officer's results are its districts' only; national
    # at the ministry)
    ("GET", "/v1/search/records"): Expect(PROVINCE_READ, MINISTRY_READ),
    ("POST", "/v1/search/records/exports"): Expect(PROVINCE_READ, MINISTRY_READ),
    # An export job is its requester's alone (the fixture's job is the administrator's).
    ("GET", "/v1/search/records/exports/{job_id}"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    # Accounts and audit (each stack's own administrator)
    ("GET", "/v1/admin/accounts"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/v1/admin/accounts"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("GET", "/v1/admin/accounts/{username}"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/v1/admin/accounts/{username}/password"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/v1/admin/accounts/{username}/totp"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/v1/admin/accounts/{username}/disable"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/v1/admin/accounts/{username}/enable"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("GET", "/v1/audit"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    # Ministry: provinces' link
    ("POST", "/v1/exchange/batch"): Expect(NOBODY, EXCHANGE),
    ("GET", "/v1/provinces"): Expect(NOBODY, MINISTRY_READ),
    ("GET", "/v1/exchange/credentials"): Expect(NOBODY, MINISTRY_READ),
    # Issued before it is revoked (PATH_VALUES' province is not the exchange caller's).
    ("POST", "/v1/exchange/credentials/{province_code}"): Expect(NOBODY, MINISTRY_ADMIN),
    ("POST", "/v1/exchange/credentials/{province_code}/revoke"): Expect(NOBODY, MINISTRY_ADMIN),
    # Console
    ("GET", "/console"): Expect(PROVINCE_CONSOLE, MINISTRY_CONSOLE),
    ("POST", "/console/logout"): Expect(ANY_REGULATOR_SESSION, ANY_REGULATOR_SESSION),
    ("GET", "/console/accounts"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/console/accounts"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("POST", "/console/accounts/{username}/{action}"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("GET", "/console/audit"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    # Ministry console: provinces' link, national monitoring, exchange credentials
    ("GET", "/console/provinces"): Expect(NOBODY, MINISTRY_READ),
    ("GET", "/console/provinces/{province_code}"): Expect(NOBODY, MINISTRY_READ),
    ("POST", "/console/provinces/{province_code}/credential/{credential_action}"): Expect(
        NOBODY, MINISTRY_ADMIN
    ),
    # Agency sharing (ministry): agencies and keys, the agencies' door, reads, owner grants
    ("POST", "/v1/agencies"): Expect(NOBODY, MINISTRY_ADMIN),
    ("GET", "/v1/agencies"): Expect(NOBODY, AGENCY_READERS),
    ("GET", "/v1/agencies/{agency_id}"): Expect(NOBODY, AGENCY_READERS),
    ("POST", "/v1/agencies/{agency_id}/keys"): Expect(NOBODY, MINISTRY_ADMIN),
    ("POST", "/v1/agencies/{agency_id}/keys/{key_id}/rotate"): Expect(NOBODY, MINISTRY_ADMIN),
    ("POST", "/v1/agencies/{agency_id}/keys/{key_id}/revoke"): Expect(NOBODY, MINISTRY_ADMIN),
    ("GET", "/v1/agencies/{agency_id}/reads"): Expect(NOBODY, AGENCY_READERS),
    ("GET", "/v1/agencies/{agency_id}/reads/csv"): Expect(NOBODY, AGENCY_READERS),
    ("GET", "/v1/agency/vehicles/{vin}/history"): Expect(NOBODY, AGENCY_ONLY),
    ("GET", "/console/agencies"): Expect(NOBODY, AGENCY_READERS),
    ("POST", "/console/agencies"): Expect(NOBODY, MINISTRY_ADMIN),
    ("POST", "/console/agencies/{agency_id}/keys"): Expect(NOBODY, MINISTRY_ADMIN),
    ("POST", "/console/agencies/{agency_id}/keys/{key_id}/{key_action}"): Expect(
        NOBODY, MINISTRY_ADMIN
    ),
    ("GET", "/console/agencies/{agency_id}/reads"): Expect(NOBODY, AGENCY_READERS),
    ("GET", "/grants"): Expect(PUBLIC, PUBLIC),
    ("POST", "/grants"): Expect(PUBLIC, PUBLIC),
    ("POST", "/grants/create"): Expect(PUBLIC, PUBLIC),
    ("POST", "/grants/revoke"): Expect(PUBLIC, PUBLIC),
    # OEM feed (province)
    ("POST", "/v1/oem/token"): Expect(PUBLIC, PUBLIC),
    ("POST", "/v1/oem/records/batch"): Expect(OEM_ONLY, NOBODY),
    ("POST", "/v1/oem/accounts"): Expect(PROVINCE_ADMIN, NOBODY),
    ("GET", "/v1/oem/accounts"): Expect(PROVINCE_ADMIN, NOBODY),
    ("GET", "/v1/oem/accounts/{oem_id}"): Expect(PROVINCE_ADMIN, NOBODY),
    ("POST", "/v1/oem/accounts/{oem_id}/dealers"): Expect(PROVINCE_ADMIN, NOBODY),
    ("POST", "/v1/oem/accounts/{oem_id}/secret"): Expect(PROVINCE_ADMIN, NOBODY),
    # Shop portal (a cookie session of a shop; the portal exists on province stacks only)
    ("GET", "/portal/login"): Expect(PUBLIC, PUBLIC),
    ("POST", "/portal/login"): Expect(PUBLIC, PUBLIC),
    ("POST", "/portal/logout"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/records"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/records/new"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/portal/records/new"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/records/{record_id}"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/records/{record_id}/edit"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/portal/records/{record_id}/edit"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/portal/records/{record_id}/void"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/imports"): Expect(SHOP_ONLY, NOBODY),
    ("POST", "/portal/imports"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/imports/{import_id}"): Expect(SHOP_OWN, NOBODY),
    ("GET", "/portal/imports/{import_id}/results.csv"): Expect(SHOP_OWN, NOBODY),
    ("GET", "/portal/templates/{template}"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/scorecard"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/messages"): Expect(SHOP_ONLY, NOBODY),
    ("GET", "/portal/messages/complaints/{complaint_id}"): Expect(SHOP_OWN, NOBODY),
    ("POST", "/portal/messages/complaints/{complaint_id}/reply"): Expect(SHOP_OWN, NOBODY),
    ("GET", "/portal/messages/reminders/{reminder_id}"): Expect(SHOP_OWN, NOBODY),
    # Provincial console (a district officer's lists hold its districts only; the monitoring
    # pages are tried narrowed to the officer's district and to another one)
    ("GET", "/console/coverage"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/console/coverage/idle"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/console/coverage/errors"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/console/shops"): Expect(PROVINCE_ANY, NOBODY),
    ("POST", "/console/shops"): Expect(PROVINCE_WRITE, NOBODY),
    ("GET", "/console/shops/{companycode}"): Expect(PROVINCE_READ, NOBODY),
    ("POST", "/console/shops/{companycode}"): Expect(PROVINCE_WRITE, NOBODY),
    ("POST", "/console/shops/{companycode}/secret"): Expect(PROVINCE_WRITE, NOBODY),
    ("POST", "/console/shops/{companycode}/suspend"): Expect(PROVINCE_WRITE, NOBODY),
    ("POST", "/console/shops/{companycode}/reinstate"): Expect(PROVINCE_WRITE, NOBODY),
    ("GET", "/console/records"): Expect(PROVINCE_READ, MINISTRY_READ),
    ("POST", "/console/records/exports"): Expect(PROVINCE_READ, MINISTRY_READ),
    ("GET", "/console/records/exports/{job_id}"): Expect(PROVINCE_ADMIN, MINISTRY_ADMIN),
    ("GET", "/console/complaints"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/console/complaints/{complaint_id}"): Expect(PROVINCE_READ, NOBODY),
    ("GET", "/console/complaints/{complaint_id}/photo"): Expect(PROVINCE_READ, NOBODY),
    ("POST", "/console/complaints/{complaint_id}/accept"): Expect(PROVINCE_HANDLE, NOBODY),
    ("POST", "/console/complaints/{complaint_id}/reject"): Expect(PROVINCE_HANDLE, NOBODY),
    ("POST", "/console/complaints/{complaint_id}/close"): Expect(PROVINCE_HANDLE, NOBODY),
    ("GET", "/console/reminders"): Expect(PROVINCE_HANDLE, NOBODY),
    ("POST", "/console/reminders"): Expect(PROVINCE_HANDLE, NOBODY),
}

# Values of path parameters that do not vary by scope (companycode and username are filled in
# by the fixture: the officer's district, another district, another province; a target account).
PATH_VALUES = {
    "vin": "LSVAU2180N2183294",
    "code": "LSVAU2180N2183294-1-deadbeef",
    "name": "app.css",
    "action": "password",
    "key_action": "revoke",
    "template": "records-zh-CN.csv",
    "province_code": "110000",
    "credential_action": "issue",
}
# Routes whose body or query names a shop: tried with each scope variant of it.
SHOP_IN_BODY = {
    ("POST", "/v1/reminders"),
    ("POST", "/v1/search/records/exports"),
    ("POST", "/console/reminders"),
    ("POST", "/console/records/exports"),
}
SHOP_IN_QUERY = {("GET", "/v1/search/records"), ("GET", "/console/records")}
# Routes whose body names a division: tried in the officer's own district and another.
DIVISION_IN_BODY = {("POST", "/v1/shops"), ("POST", "/console/shops")}
# Routes whose query names a division (`?division=`): tried the same way.
DIVISION_IN_QUERY = {
    ("GET", "/console/coverage"),
    ("GET", "/console/coverage/idle"),
    ("GET", "/console/coverage/errors"),
}
# Routes whose effect ends the caller's session: called last for each caller.
LAST = {("POST", "/console/logout"), ("POST", "/portal/logout")}


@dataclass(frozen=True)
class Province:
    code: str
    own_district: str
    other_district: str
    other_province_shop: str


PROVINCES = {
    "320000": Province("320000", "320102", "320106", "420102000000001"),
    "420000": Province("420000", "420102", "420104", "320102000000001"),
}


@dataclass
class Stack:
    """One configured stack with its callers' tokens and the objects the routes act on."""

    kind: str
    api: Client
    province: Province | None
    tokens: dict[str, str] = field(default_factory=dict)
    shops: dict[str, str] = field(default_factory=dict)  # variant -> companycode
    complaints: dict[str, str] = field(default_factory=dict)  # variant -> complaint code
    reminders: dict[str, str] = field(default_factory=dict)  # variant -> reminder id
    imports: dict[str, str] = field(default_factory=dict)  # variant -> portal import id
    export_job: str = "0" * 24
    record_id: str = ""
    target_account: str = "target"
    usernames: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    agency_id: str = "AG0000000000"
    key_id: str = "AK000000000000"  # a key administrators may rotate and revoke
    oem_id: str = "OEM000000000000"
    dealer: str = ""  # the OEM's dealer (the calling shop)


def test_every_route_is_in_the_expectation_table():
    # Given the app's routes
    from app import app

    routes = {(m, path) for path, methods in app.routes.items() for m in methods}
    # Then each is listed in EXPECTED, and EXPECTED lists no route that is gone
    assert routes - set(EXPECTED) == set(), "add these routes to EXPECTED (who may call them?)"
    assert set(EXPECTED) - routes == set(), "these routes are gone: remove them from EXPECTED"


@pytest.mark.parametrize("province_code", sorted(PROVINCES))
def test_province_stack_refuses_every_access_it_should(province_code, monkeypatch):
    # Given a province stack with every kind of caller
    with _stack(monkeypatch, "province", PROVINCES[province_code]) as stack:
        # When every route is called by every caller for every district and province
        # Then exactly the expected callers are let in
        _check_all_routes(stack)


def test_ministry_stack_refuses_every_access_it_should(monkeypatch):
    # Given the ministry stack with every kind of caller
    with _stack(monkeypatch, "ministry", None) as stack:
        # When every route is called by every caller
        # Then exactly the expected callers are let in
        _check_all_routes(stack)


def _check_all_routes(stack: Stack) -> None:
    wrong: list[str] = []
    ordered = sorted(EXPECTED, key=lambda route: route in LAST)
    # The shop first: regulators' decisions later change what a shop may still see.
    callers = ["anonymous", *sorted(stack.tokens, key=lambda name: name not in FIRST_CALLERS)]
    for caller in callers:
        for method, path in ordered:
            expect = getattr(EXPECTED[(method, path)], stack.kind)
            for variant, concrete, body in _variants(stack, method, path):
                status, refused = _call(stack, caller, method, concrete, body)
                if expect == PUBLIC:
                    baseline, _ = _call(stack, "anonymous", method, concrete, body)
                    if status != baseline:
                        wrong.append(f"{caller} {method} {concrete}: {status} != public {baseline}")
                    continue
                allowed = _allowed(expect, caller, variant, stack)
                if allowed == refused:
                    verdict = "refused" if refused else "let in"
                    wrong.append(f"{caller} {method} {concrete} ({variant}): {verdict} {status}")
    assert not wrong, "\n".join(wrong)


def _allowed(expect: dict[str, str], caller: str, variant: str, stack: Stack) -> bool:
    access = expect.get(caller)
    if access is None:
        return False
    if variant == "other_province":
        return stack.kind == "ministry"
    return access == ALL or variant in ("own", "none")


def _variants(stack: Stack, method: str, path: str) -> list[tuple[str, str, Any]]:
    """(scope variant, concrete path, body) for each way the route is tried."""
    scoped_ids = (
        ("companycode", stack.shops),
        ("complaint_id", stack.complaints),
        ("reminder_id", stack.reminders),
        ("import_id", stack.imports),
    )
    for name, values in scoped_ids:
        if "{" + name + "}" in path:
            return [
                (
                    variant,
                    _fill(stack, path.replace("{" + name + "}", value)),
                    _body(stack, method, path, variant),
                )
                for variant, value in (values or {"none": "TS" + "A" * 16}).items()
            ]
    if (method, path) in DIVISION_IN_BODY and stack.province is not None:
        return [
            (variant, path, _body(stack, method, path, variant))
            for variant in ("own", "other_district")
        ]
    if (method, path) in DIVISION_IN_QUERY and stack.province is not None:
        districts = {
            "own": stack.province.own_district,
            "other_district": stack.province.other_district,
        }
        return [(variant, f"{path}?division={code}", None) for variant, code in districts.items()]
    if (method, path) in SHOP_IN_BODY and stack.shops:
        return [
            (variant, path, _body(stack, method, path, variant))
            for variant in ("own", "other_district", "other_province")
        ]
    if (method, path) in SHOP_IN_QUERY and stack.shops:
        return [
            (variant, f"{path}?companycode={code}", None) for variant, code in stack.shops.items()
        ]
    return [("none", _fill(stack, path), _body(stack, method, path, "none"))]


def _fill(stack: Stack, path: str) -> str:
    values = {**PATH_VALUES, "record_id": stack.record_id or "0" * 32, "job_id": stack.export_job}
    values.update(agency_id=stack.agency_id, key_id=stack.key_id, oem_id=stack.oem_id)
    values["username"] = stack.target_account
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _body(stack: Stack, method: str, path: str, variant: str) -> Any:
    if method == "PATCH":
        return {"version": 1}  # an edit that changes nothing: the route's checks still run
    if method != "POST":
        return None
    if path in ("/v1/shops", "/console/shops") and stack.province is not None:
        division = {
            "own": stack.province.own_district,
            "other_district": stack.province.other_district,
        }[variant]
        return shop_application(division_code=division)
    shop = stack.shops.get(variant, "320102000000001")
    if path in ("/v1/reminders", "/console/reminders"):
        return {"companycodes": [shop], "title": "matrix", "body": "matrix"}
    if path in ("/v1/search/records/exports", "/console/records/exports"):
        return {"companycode": shop}
    if path == "/console/shops/{companycode}":
        return {"version": "1"}  # an edit the route finds incomplete (400) once let in
    if path == "/v1/admin/accounts":
        role = "province_analyst" if stack.kind == "province" else "ministry_analyst"
        return {"username": f"new{next(stack.usernames)}", "role": role}
    if path == "/v1/records":
        return record_payload()
    if path == "/v1/records/batch":
        return {"records": [record_payload()]}
    if path.endswith("/void"):
        return {"reason": "matrix"}
    if path.endswith("/reject"):
        return {"reason": "matrix"}
    if path.endswith("/close"):
        return {"outcome": "resolved", "note": "matrix"}
    if path.endswith("/reply"):
        return {"text": "matrix"}
    if path == "/v1/exchange/batch":
        return {"items": []}
    if path == "/v1/agencies":
        return {"name": f"matrix agency {next(stack.usernames)}", "kind": "recall"}
    if path == "/v1/agencies/{agency_id}/keys":
        return {"purpose": "recall_campaign"}
    if path == "/v1/oem/accounts":
        return {"name": "matrix oem", "uscc": shop_application()["uscc"], "dealers": [stack.dealer]}
    if path == "/v1/oem/accounts/{oem_id}/dealers":
        return {"dealers": [stack.dealer]}
    if path == "/v1/oem/records/batch":
        return {"records": [{**record_payload(), "companycode": stack.dealer}]}
    return {}


def _call(stack: Stack, caller: str, method: str, path: str, body: Any) -> tuple[int, bool]:
    """Status of one request, and whether it was refused."""
    token = stack.tokens.get(caller, "")
    headers: dict[str, str] = {}
    payload: str | None = None
    console = path.startswith("/console") and path != "/console/login"
    portal = path.startswith("/portal") and path != "/portal/login"
    audience = "shop" if portal else "regulator"  # each has its own session cookie
    console = console or portal  # both are cookie sessions whose forms carry a CSRF token
    if console or path == "/vehicle":
        if console and token:
            # The caller's token in the cookie of the page's audience, whatever its kind: a
            # shop's token in the console's cookie must be refused by its kind, not its name.
            headers["Cookie"] = f"{SESSION_COOKIES[audience]}={token}"
        headers["Accept"] = "text/html,image/avif,image/webp,*/*;q=0.8"  # as a browser asks
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            fields = {"csrf_token": csrf_token(token)} if token else {}
            if console and isinstance(body, dict):  # the page's form fields
                fields.update(body)
            payload = urllib.parse.urlencode(fields, doseq=True)
    elif path == "/console/login" or not path.startswith(("/v1/", "/restservices/")):
        if method == "POST":  # a public page's form
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            payload = ""
    else:
        headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            payload = json.dumps(body)
    response = stack.api.http.request(method, path, headers=headers, body=payload)
    status = response.status_code
    if console and status == 303:
        return status, response.headers.get("Location") in ("/console/login", "/portal/login")
    return status, status in (401, 403, 404)


class _StackContext:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, kind: str, province: Province | None):
        self.monkeypatch, self.kind, self.province = monkeypatch, kind, province

    def __enter__(self) -> Stack:
        code = self.province.code if self.province else "000000"
        self.monkeypatch.setenv("STACK_ROLE", self.kind)
        self.monkeypatch.setenv("PROVINCE_CODE", code)
        for limit in ("PUBLIC_IP_LIMIT", "PUBLIC_VIN_LIMIT", "PUBLIC_SUBMIT_LIMIT"):
            self.monkeypatch.setenv(limit, "100000")
        self.mock = mock_aws()
        self.mock.start()
        bootstrap.reset()
        import boto3

        from app import app

        settings = get_settings()
        create_stack_tables(
            boto3.client("dynamodb"), settings.table_name, settings.stats_table_name
        )
        if settings.photo_bucket:
            create_photo_bucket(boto3.client("s3"), settings.photo_bucket, settings.aws_region)
        self.client = Client(app)
        stack = Stack(self.kind, self.client.__enter__(), self.province)
        _seed(stack)
        return stack

    def __exit__(self, *exc: object) -> None:
        self.client.__exit__(*exc)
        self.mock.stop()
        bootstrap.reset()


def _stack(monkeypatch: pytest.MonkeyPatch, kind: str, province: Province | None) -> Any:
    return _StackContext(monkeypatch, kind, province)


def _seed(stack: Stack) -> None:
    """Every role's account (those of the other stack kind too, as a seeding mistake would
    leave them), the objects the routes act on, and a token for every caller."""
    table = get_settings().table_name
    province = stack.province
    own = province.own_district if province else "320102"
    secrets: dict[str, str] = {}
    for index, role in enumerate(REGULATORS):
        secret = _secret(index)
        create_regulator(
            table,
            role,
            f"{role}-matrix-password",
            role,
            divisions=(own,) if role == "district_officer" else (),
            totp_secret=secret,
            province_code=province.code if province else "320000",
        )
        secrets[role] = secret
    target_role = "province_analyst" if stack.kind == "province" else "ministry_analyst"
    create_regulator(
        table,
        stack.target_account,
        "target-matrix-password",
        target_role,
        totp_secret=_secret(9),
        province_code=province.code if province else "000000",
    )
    for role, secret in secrets.items():
        answer = _post(
            stack,
            "/v1/admin/token",
            {"username": role, "password": f"{role}-matrix-password", "totp": totp_code(secret)},
        )
        assert answer.status_code == 200, (role, answer.body)
        stack.tokens[role] = json.loads(answer.body)["access_token"]
    if province is not None:
        _seed_province(stack, province)
    else:
        exchange_secret = create_exchange_credential(table, "320000")
        answer = _post(
            stack, "/v1/exchange/token", {"province_code": "320000", "secret": exchange_secret}
        )
        stack.tokens["exchange"] = json.loads(answer.body)["access_token"]
        stack.shops = {}
        _seed_ministry(stack)


def _seed_province(stack: Stack, province: Province) -> None:
    admin = stack.tokens["province_admin"]
    registered = {}
    for variant, division in (
        ("own", province.own_district),
        ("other_district", province.other_district),
        ("shop", province.own_district),
    ):
        answer = _post(stack, "/v1/shops", shop_application(division_code=division), admin)
        assert answer.status_code == 201, answer.body
        registered[variant] = json.loads(answer.body)
    caller = registered.pop("shop")
    token_answer = _post(
        stack,
        "/v1/auth/token",
        {"companycode": caller["companycode"], "secret": caller["secret"]},
    )
    stack.tokens["shop"] = json.loads(token_answer.body)["access_token"]
    payload = record_payload(company_name=caller["name"])
    upload = _post(stack, "/v1/records", payload, stack.tokens["shop"])
    stack.record_id = json.loads(upload.body)["record_id"]
    stack.shops = {v: s["companycode"] for v, s in registered.items()}
    stack.shops["other_province"] = province.other_province_shop
    _seed_oem(stack, caller["companycode"])
    _seed_feedback(stack, payload, registered["other_district"]["companycode"])
    _seed_reminders_and_export(
        stack, caller["companycode"], registered["other_district"]["companycode"]
    )
    _seed_imports(stack, registered["other_district"])


def _seed_oem(stack: Stack, dealer: str) -> None:
    """An OEM representing the calling shop, and its token."""
    admin = stack.tokens["province_admin"]
    body = {"name": "matrix OEM", "uscc": shop_application()["uscc"], "dealers": [dealer]}
    oem = _post(stack, "/v1/oem/accounts", body, admin)
    assert oem.status_code == 201, oem.body
    account = json.loads(oem.body)
    token = _post(
        stack, "/v1/oem/token", {"oem_id": account["oem_id"], "secret": account["secret"]}
    )
    stack.tokens["oem"] = json.loads(token.body)["access_token"]
    stack.oem_id, stack.dealer = account["oem_id"], dealer


def _seed_ministry(stack: Stack) -> None:
    """A vehicle (PATH_VALUES' VIN) sent by 320000; an agency with the calling key and a key
    for administrators to rotate and revoke."""
    payload = record_payload(vin=PATH_VALUES["vin"])
    record = stored_version(payload=payload, updated_at=datetime(2024, 3, 3, tzinfo=UTC))
    items = [shop_change("320102000000001"), record_version_item(record)]
    sent = _post(stack, "/v1/exchange/batch", envelope(items), stack.tokens["exchange"])
    assert sent.status_code == 200, sent.body
    admin = stack.tokens["ministry_admin"]
    agency = _post(stack, "/v1/agencies", {"name": "matrix recall", "kind": "recall"}, admin)
    stack.agency_id = json.loads(agency.body)["agency_id"]
    keys = [
        json.loads(
            _post(
                stack, f"/v1/agencies/{stack.agency_id}/keys", {"purpose": "recall_campaign"}, admin
            ).body
        )
        for _ in range(2)
    ]
    stack.tokens["agency"] = keys[0]["key"]
    stack.key_id = keys[1]["key_id"]
    job = _post(stack, "/v1/search/records/exports", {}, admin)
    assert job.status_code == 202, job.body
    stack.export_job = json.loads(job.body)["job_id"]


def _seed_feedback(stack: Stack, payload: dict[str, Any], other_shop: str) -> None:
    """An evaluation of the calling shop's record; an accepted complaint about that shop (its
    own district) and one about a shop of another district, both with a photo."""
    proof = {
        "vin": payload["vin"],
        "plate": payload["plate_number"],
        "settlement_list_code": payload["settlement_list_code"],
    }
    scores = dict.fromkeys(("appointment", "attitude", "quality", "speed", "price"), 4)
    evaluation = _post(stack, "/v1/evaluations", {**proof, "scores": scores, "tags": []})
    assert evaluation.status_code == 201, evaluation.body
    photo = base64.b64encode(tiny_png()).decode()
    own = _post(
        stack,
        "/v1/complaints",
        {**proof, "kind": "incorrect", "text": "matrix", "photo_base64": photo},
    )
    other = _post(
        stack,
        "/v1/complaints",
        {
            **proof,
            "kind": "not_uploaded",
            "settlement_list_code": "MATRIX-1",
            "companycode": other_shop,
            "settlement_date": payload["settlement_date"],
            "text": "matrix",
            "photo_base64": photo,
        },
    )
    assert own.status_code == other.status_code == 201, (own.body, other.body)
    stack.complaints = {
        "own": json.loads(own.body)["code"],
        "other_district": json.loads(other.body)["code"],
        "other_province": "TS" + "A" * 16,
    }
    admin = stack.tokens["province_admin"]
    accepted = _post(stack, f"/v1/complaints/{stack.complaints['own']}/accept", {}, admin)
    assert accepted.status_code == 200, accepted.body


def _seed_reminders_and_export(stack: Stack, caller_shop: str, other_shop: str) -> None:
    """A reminder to the calling shop and one to another district's shop; an export job of
    the province administrator."""
    admin = stack.tokens["province_admin"]
    for variant, shop in (("own", caller_shop), ("other_district", other_shop)):
        body = {"companycodes": [shop], "title": f"matrix {variant}", "body": "matrix"}
        sent = _post(stack, "/v1/reminders", body, admin)
        assert sent.status_code == 201, sent.body
        stack.reminders[variant] = json.loads(sent.body)["reminder_id"]
    stack.reminders["other_province"] = "RM" + "0" * 20
    job = _post(stack, "/v1/search/records/exports", {}, admin)
    assert job.status_code == 202, job.body
    stack.export_job = json.loads(job.body)["job_id"]


def _seed_imports(stack: Stack, other_shop: dict[str, Any]) -> None:
    """A spreadsheet import of the calling shop and one of another district's shop."""
    from tests.spreadsheets import HEADER_ZH, csv_bytes, sheet_row

    other = _post(
        stack,
        "/v1/auth/token",
        {"companycode": other_shop["companycode"], "secret": other_shop["secret"]},
    )
    tokens = {"own": stack.tokens["shop"], "other_district": json.loads(other.body)["access_token"]}
    for variant, token in tokens.items():
        boundary = "matrix-boundary"
        data = csv_bytes([HEADER_ZH, sheet_row()])
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{csrf_token(token)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f'name="file"; filename="m.csv"\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        answer = stack.api.http.request(
            "POST",
            "/portal/imports",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"{SESSION_COOKIES['shop']}={token}",
            },
            body=body,
        )
        assert answer.status_code == 303, answer.body
        stack.imports[variant] = answer.headers["Location"].rsplit("/", 1)[-1]
    stack.imports["other_province"] = "f" * 32


def _post(stack: Stack, path: str, body: Any, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return stack.api.http.request("POST", path, headers=headers, body=json.dumps(body))


def _secret(index: int) -> str:
    return base64.b32encode(f"matrix-secret-{index:06d}".encode()).decode()
