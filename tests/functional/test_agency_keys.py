"""Agencies and their keys at the ministry: registration, issue, rotation, revocation, audit."""

from __future__ import annotations

from tests.functional.conftest import add_regulator
from tests.functional.sharing_support import (
    agency_read,
    issue_key,
    ministry_vehicle,
    register_agency,
)


def test_an_agency_is_registered_once_by_name(ministry_api):
    # Given a ministry administrator
    api = ministry_api
    # When it registers an insurer, then the same insurer again with other spacing
    first = api.post(
        "/v1/agencies", {"name": "中国人保 财险", "kind": "insurance"}, api.regulator_token()
    )
    again = api.post(
        "/v1/agencies", {"name": "中国人保  财险", "kind": "insurance"}, api.regulator_token()
    )
    # Then it is one agency, listing the purposes its kind may hold keys for
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["agency_id"] == again.json["agency_id"]
    assert {p["purpose"] for p in first.json["purposes"]} == {"claims_assessment", "underwriting"}
    # And the same name as another kind is a conflict, an unknown kind a field error
    other = api.post(
        "/v1/agencies", {"name": "中国人保财险", "kind": "recall"}, api.regulator_token()
    )
    assert (other.status_code, other.json["code"]) == (409, "agency_exists")
    bad = api.post("/v1/agencies", {"name": "某机构", "kind": "bank"}, api.regulator_token())
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "kind"


def test_a_key_is_shown_once_and_only_for_a_purpose_of_the_agencys_kind(ministry_api):
    # Given a used-car platform
    api = ministry_api
    agency = register_agency(api, "二手车示范平台", "used_car")
    # When the administrator issues it a key for its purpose
    issued = issue_key(
        api,
        agency["agency_id"],
        "used_car_transparency",
        field_scope="full",
        quota_per_day=500,
        burst_per_minute=10,
    )
    # Then the answer carries the key once, with its terms
    assert issued["key"].startswith("vmak_") and len(issued["key"]) > 40
    assert issued["needs_grant"] is True and issued["field_scope"] == "full"
    # And no later read of the agency shows the key or its digest
    listed = api.get(f"/v1/agencies/{agency['agency_id']}", api.regulator_token())
    assert listed.json["keys"][0]["key_id"] == issued["key_id"]
    assert issued["key"] not in listed.body.decode() and "digest" not in listed.body.decode()
    # And a purpose its kind may not hold, or absurd limits, are refused field by field
    wrong = api.post(
        f"/v1/agencies/{agency['agency_id']}/keys",
        {"purpose": "recall_campaign", "quota_per_day": 0, "field_scope": "everything"},
        api.regulator_token(),
    )
    assert wrong.status_code == 400
    assert {(e["field"], e["rule"]) for e in wrong.json["errors"]} == {
        ("purpose", "purpose_for_kind"),
        ("quota_per_day", "range"),
        ("field_scope", "enum"),
    }


def test_a_rotated_key_stops_at_once_and_a_revoked_key_says_so(ministry_api):
    # Given a recall authority's key that reads a vehicle
    api = ministry_api
    vehicle = ministry_vehicle(api)
    agency = register_agency(api, "缺陷产品管理中心", "recall")
    old = issue_key(api, agency["agency_id"], "recall_campaign")
    assert agency_read(api, old["key"], vehicle["vin"]).status_code == 200
    # When the key is rotated
    path = f"/v1/agencies/{agency['agency_id']}/keys/{old['key_id']}"
    rotated = api.post(f"{path}/rotate", None, api.regulator_token())
    # Then the old secret answers key_revoked and the new one reads, same terms
    assert rotated.status_code == 200 and rotated.json["key"] != old["key"]
    assert rotated.json["key_id"] == old["key_id"]
    refused = agency_read(api, old["key"], vehicle["vin"])
    assert (refused.status_code, refused.json["code"]) == (401, "key_revoked")
    assert agency_read(api, rotated.json["key"], vehicle["vin"]).status_code == 200
    # When the key is revoked (twice: the same answer)
    revoked = api.post(f"{path}/revoke", None, api.regulator_token())
    again = api.post(f"{path}/revoke", None, api.regulator_token())
    # Then it reads no more, and a revoked key cannot be rotated back to life
    assert revoked.json["status"] == again.json["status"] == "revoked"
    after = agency_read(api, rotated.json["key"], vehicle["vin"])
    assert (after.status_code, after.json["code"]) == (401, "key_revoked")
    back = api.post(f"{path}/rotate", None, api.regulator_token())
    assert (back.status_code, back.json["code"]) == (409, "key_revoked")


def test_analysts_list_agencies_but_change_nothing(ministry_api):
    # Given an agency and a ministry analyst
    api = ministry_api
    agency = register_agency(api, "生态环境部机动车排污监控中心", "emissions_im")
    analyst = add_regulator("m-analyst", "ministry_analyst")
    token = api.regulator_token(analyst)
    # When the analyst lists agencies and tries to issue a key
    listed = api.get("/v1/agencies", token)
    issued = api.post(
        f"/v1/agencies/{agency['agency_id']}/keys", {"purpose": "emissions_inspection"}, token
    )
    # Then it sees the agency and may not issue
    assert [a["agency_id"] for a in listed.json["agencies"]] == [agency["agency_id"]]
    assert issued.status_code == 403


def test_agency_routes_do_not_exist_on_a_province(api):
    # Given a province administrator
    token = api.regulator_token()
    # When it calls the agency routes
    # Then there are none on a province stack
    assert api.get("/v1/agencies", token).status_code == 404
    assert api.post("/v1/agencies", {"name": "x", "kind": "other"}, token).status_code == 404
    assert api.get("/v1/agency/vehicles/LSVAU2180N2183294/history").status_code == 404


def test_every_change_of_agencies_and_keys_is_audited(ministry_api):
    # Given an agency with a key that was rotated and revoked
    api = ministry_api
    agency = register_agency(api, "某保险公司", "insurance")
    key = issue_key(api, agency["agency_id"], "claims_assessment")
    path = f"/v1/agencies/{agency['agency_id']}/keys/{key['key_id']}"
    api.post(f"{path}/rotate", None, api.regulator_token())
    api.post(f"{path}/revoke", None, api.regulator_token())
    # When the administrator reads the audit log of today
    entries = api.get("/v1/audit?actor=regulator", api.regulator_token()).json["entries"]
    # Then each change is there with who did it, and no entry holds the key
    actions = [e["action"] for e in entries]
    for action in ("agency.registered", "agency.key_issued", "agency.key_rotated"):
        assert action in actions
    assert "agency.key_revoked" in actions
    issued = next(e for e in entries if e["action"] == "agency.key_issued")
    assert issued["role"] == "ministry_admin"
    assert issued["target"] == f"{agency['agency_id']}/{key['key_id']}"
    assert issued["details"]["purpose"] == "claims_assessment"
    assert key["key"] not in str(entries)
