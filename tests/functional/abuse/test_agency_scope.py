"""An agency (insurer, used-car platform, I/M, recall) against what its key does not cover.

The attacker is an agency at the ministry. It holds one API key (`vmak_…`) with its agency,
purpose and field scope, VINs it is interested in, and its own and other agencies' ids (they
appear in the owner's read log and in grant options). It tries to read beyond its field scope,
to read for a purpose or on a grant that is not its own, to read read logs (its own or another
agency's), to give itself a wider key, and to use the key on any other door. Each attempt is
refused; its own reads within its terms still work, and are logged.
"""

from __future__ import annotations

import json
from typing import Any

from tests.functional.console_browser import Browser
from tests.functional.sharing_support import (
    agency_key,
    agency_read,
    issue_key,
    ministry_vehicle,
    proof_form,
    register_agency,
)

# What a summary-scope entry may hold, and what no scope ever shows.
SUMMARY_FIELDS = {"settlement_date", "repair_date", "mileage", "shop", "repair_items", "parts"}
FULL_ONLY = {"fault_description", "version", "flags"}


def _with_key(api, method: str, path: str, key: str, body: Any = None) -> Any:
    """A call to any door with the agency key where a bearer token goes."""
    return api.call(method, path, body, token=key)


def test_an_agency_key_opens_no_door_but_the_agency_read(ministry_api):
    # Given an insurer's key, its own agency id and another agency's id
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "甲保险公司", "insurance", "claims_assessment")
    other = register_agency(api, "乙二手车平台", "used_car")
    own_id, other_id = key["agency_id"], other["agency_id"]
    # When it calls the read logs (its own and the other's), the agency registry, the key
    # issuing door (to give itself a full-scope recall key), the national record search and
    # the provinces' link status with the key as a bearer token
    doors = [
        ("GET", f"/v1/agencies/{own_id}/reads", None),
        ("GET", f"/v1/agencies/{other_id}/reads", None),
        ("GET", f"/v1/agencies/{other_id}/reads/csv", None),
        ("GET", "/v1/agencies", None),
        ("GET", f"/v1/agencies/{own_id}", None),
        (
            "POST",
            f"/v1/agencies/{own_id}/keys",
            {"purpose": "recall_campaign", "field_scope": "full"},
        ),
        ("POST", f"/v1/agencies/{own_id}/keys/{key['key_id']}/rotate", {}),
        ("GET", f"/v1/search/records?vin={vehicle['vin']}", None),
        ("GET", "/v1/provinces", None),
    ]
    answers = [_with_key(api, method, path, key["key"], body) for method, path, body in doors]
    # Then every door answers the one 401 of a missing or invalid token
    assert [a.status_code for a in answers] == [401] * len(doors)
    assert {json.dumps(a.json, sort_keys=True) for a in answers} == {
        json.dumps({"code": "unauthorized", "message": "authentication failed"}, sort_keys=True)
    }
    # And as a console session cookie it signs nobody in (the sign-in page)
    browser = Browser(api)
    browser.cookies["vmehr_console_session"] = key["key"]
    page = browser.request("GET", f"/console/agencies/{other_id}/reads")
    assert page.status_code == 303 and page.headers["Location"].endswith("/console/login")
    # And the key itself was not changed: it still reads, in its own terms
    api_keys = api.get(f"/v1/agencies/{own_id}", api.regulator_token()).json["keys"]
    assert [(k["purpose"], k["field_scope"], k["status"]) for k in api_keys] == [
        ("claims_assessment", "summary", "active")
    ]


def test_a_summary_key_never_reads_the_full_fields_nor_the_owner_or_the_shops_books(
    ministry_api,
):
    # Given a recall authority's summary key (no consent needed) and a vehicle
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "缺陷产品管理中心", "recall", "recall_campaign")
    # When it reads the vehicle
    answer = agency_read(api, key["key"], vehicle["vin"])
    # Then each entry holds the summary fields only: no fault, version or flags, no codes,
    # quantities or hours on the lines
    assert answer.status_code == 200, answer.json
    for entry in answer.json["records"]:
        assert set(entry) == SUMMARY_FIELDS and not set(entry) & FULL_ONLY
        assert all(set(item) == {"name"} for item in entry["repair_items"] + entry["parts"])
    # And nothing anywhere in the answer names the plate, the settlement number or the shop code
    text = answer.body.decode("utf-8")
    for private in (vehicle["plate"], vehicle["settlement_list_code"], vehicle["companycode"]):
        assert private not in text


def test_an_agency_reads_only_on_its_own_grant_for_its_own_purpose(ministry_api):
    # Given the owner's grant to insurer A for claims; insurer B (another agency) and a second
    # key of insurer A for underwriting, both knowing the VIN and that A holds a grant
    api = ministry_api
    vehicle = ministry_vehicle(api)
    granted = agency_key(api, "甲保险公司", "insurance", "claims_assessment")
    other_agency = agency_key(api, "乙保险公司", "insurance", "claims_assessment")
    other_purpose = issue_key(api, granted["agency_id"], "underwriting")
    page = Browser(api).request(
        "POST",
        "/grants/create",
        proof_form(vehicle, option=f"{granted['agency_id']}:claims_assessment", days="30"),
    )
    assert page.status_code == 201, page.text
    # When each reads the vehicle
    stranger = agency_read(api, other_agency["key"], vehicle["vin"])
    sideways = agency_read(api, other_purpose["key"], vehicle["vin"])
    # Then B has no grant, and A's other purpose is not the one the owner consented to
    assert (stranger.status_code, stranger.json["code"]) == (403, "no_grant")
    assert (sideways.status_code, sideways.json["code"]) == (403, "purpose_not_allowed")
    # And neither answer carries any of the vehicle's records
    assert "records" not in stranger.json and "records" not in sideways.json
    # And the granted key reads, its read logged for the owner and the regulator
    assert agency_read(api, granted["key"], vehicle["vin"]).status_code == 200
    reads = api.get(f"/v1/agencies/{granted['agency_id']}/reads", api.regulator_token()).json[
        "reads"
    ]
    assert {(r["key_id"], r["outcome"]) for r in reads} == {
        (other_purpose["key_id"], "refused"),
        (granted["key_id"], "allowed"),
    }
