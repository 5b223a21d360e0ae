"""Agency reads at the ministry: purposes, owner grants, field scopes, limits, typed errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.builders import unique_vin
from tests.functional.console_browser import Browser
from tests.functional.sharing_support import agency_key, agency_read, ministry_vehicle, proof_form


def _grant(api, vehicle, key, days="30"):
    """The owner grants the key's agency its purpose on the consumer page."""
    page = Browser(api).request(
        "POST",
        "/grants/create",
        proof_form(vehicle, option=f"{key['agency_id']}:{key['purpose']}", days=days),
    )
    assert page.status_code == 201, page.text
    return page


def test_a_public_interest_purpose_reads_without_a_grant_in_summary_scope(ministry_api):
    # Given a vehicle with records from two provinces and a recall authority's summary key
    api = ministry_api
    vehicle = ministry_vehicle(api, "320000")
    ministry_vehicle(api, "420000", vin=vehicle["vin"], settlement_date="2024-05-02")
    key = agency_key(api, "国家市场监督管理总局缺陷产品管理中心", "recall", "recall_campaign")
    # When it reads the vehicle's history with the key in the Authorization header
    answer = agency_read(api, key["key"], vehicle["vin"])
    # Then it gets the national history, oldest first, with no grant needed
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["purpose"], body["field_scope"], body["grant"]) == (
        "recall_campaign",
        "summary",
        None,
    )
    assert [r["shop"]["province_code"] for r in body["records"]] == ["320000", "420000"]
    # And only the summary fields: item and part names, no codes, quantities or hours
    entry = body["records"][0]
    assert set(entry) == {
        "settlement_date",
        "repair_date",
        "mileage",
        "shop",
        "repair_items",
        "parts",
    }
    assert entry["repair_items"] == [{"name": "发动机油保养"}]
    assert entry["parts"] == [{"name": "机油滤清器"}]
    # And nothing that points to the owner or the shop's books
    text = answer.body.decode()
    for private in (vehicle["plate"], vehicle["settlement_list_code"], "companycode"):
        assert private not in text


def test_a_full_scope_key_also_reads_codes_quantities_hours_and_flags(ministry_api):
    # Given an I/M station's key with the full field scope
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(
        api, "江苏省机动车排放检验中心", "emissions_im", "emissions_inspection", field_scope="full"
    )
    # When it reads the vehicle
    entry = agency_read(api, key["key"], vehicle["vin"]).json["records"][0]
    # Then the line items carry codes, quantities and labour hours, plus fault and flags
    assert entry["repair_items"] == [{"name": "发动机油保养", "labour_hours": "1.5"}]
    assert entry["parts"] == [{"name": "机油滤清器", "code": "B11.42.8.570.590", "quantity": "1"}]
    assert entry["fault_description"] == "常规保养"
    assert entry["flags"] == ["vin_check_digit"] and entry["version"] == 1
    assert "plate_number" not in entry and "settlement_list_code" not in entry


def test_an_insurer_reads_only_with_the_owners_grant(ministry_api):
    # Given an insurer's claims key and a vehicle whose owner has not consented
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "示范财产保险公司", "insurance", "claims_assessment")
    # When the insurer reads before and after the owner's grant
    before = agency_read(api, key["key"], vehicle["vin"])
    _grant(api, vehicle, key)
    after = agency_read(api, key["key"], vehicle["vin"])
    # Then it is refused first (no_grant), and reads with the grant named in the answer
    assert (before.status_code, before.json["code"]) == (403, "no_grant")
    assert after.status_code == 200, after.json
    assert after.json["grant"]["grant_id"].startswith("GR")
    assert len(after.json["records"]) == 1


def test_a_grant_for_another_purpose_or_another_agency_does_not_count(ministry_api):
    # Given an insurer with two keys and another insurer; the owner consented to underwriting
    api = ministry_api
    vehicle = ministry_vehicle(api)
    underwriting = agency_key(api, "甲保险公司", "insurance", "underwriting")
    claims = agency_key(api, "甲保险公司", "insurance", "claims_assessment")
    other = agency_key(api, "乙保险公司", "insurance", "underwriting")
    _grant(api, vehicle, underwriting)
    # When each key reads
    # Then only the consented purpose of the consented agency reads
    assert agency_read(api, underwriting["key"], vehicle["vin"]).status_code == 200
    refused = agency_read(api, claims["key"], vehicle["vin"])
    assert (refused.status_code, refused.json["code"]) == (403, "purpose_not_allowed")
    stranger = agency_read(api, other["key"], vehicle["vin"])
    assert (stranger.status_code, stranger.json["code"]) == (403, "no_grant")


def test_a_revoked_grant_stops_the_next_read(ministry_api):
    # Given an insurer reading with the owner's grant
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "丙保险公司", "insurance", "claims_assessment")
    page = _grant(api, vehicle, key)
    grant_id = page.text.split('data-grant="')[1].split('"')[0]
    assert agency_read(api, key["key"], vehicle["vin"]).status_code == 200
    # When the owner revokes the grant
    revoked = Browser(api).request("POST", "/grants/revoke", proof_form(vehicle, grant_id=grant_id))
    # Then the next read is refused as revoked
    assert revoked.status_code == 200 and 'data-state="revoked"' in revoked.text
    refused = agency_read(api, key["key"], vehicle["vin"])
    assert (refused.status_code, refused.json["code"]) == (403, "grant_revoked")


def test_an_expired_grant_is_refused_as_expired(ministry_api):
    # Given an owner's 7-day grant made 8 days ago (through the service, its clock pinned)
    from chalicelib import bootstrap
    from chalicelib.services.owner_grants import OwnerGrantService, Proof

    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "丁二手车平台", "used_car", "used_car_transparency")

    class EightDaysAgo:
        def now(self) -> datetime:
            return datetime.now(UTC) - timedelta(days=8)

    service = OwnerGrantService(
        records=bootstrap._records(),
        agencies=bootstrap._agency_store(),
        grants=bootstrap._grant_store(),
        reads=bootstrap._agency_read_log(),
        audit=bootstrap._audit(),
        clock=EightDaysAgo(),
    )
    proof = Proof(vehicle["vin"], vehicle["plate"], vehicle["settlement_list_code"])
    service.create(proof, key["agency_id"], key["purpose"], 7, source_ip="198.51.100.1")
    # When the platform reads today
    refused = agency_read(api, key["key"], vehicle["vin"])
    # Then the grant no longer counts
    assert (refused.status_code, refused.json["code"]) == (403, "grant_expired")


def test_bad_keys_and_keys_in_the_url_are_refused_with_their_codes(ministry_api):
    # Given a vehicle and a valid recall key
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "召回中心", "recall", "recall_campaign")
    # When a read comes with an unknown key, no key, or the key in the query string
    unknown = agency_read(api, "vmak_" + "x" * 43, vehicle["vin"])
    missing = api.get(f"/v1/agency/vehicles/{vehicle['vin']}/history")
    in_url = agency_read(api, key["key"], vehicle["vin"], f"?key={key['key']}")
    # Then each answer names what is wrong
    assert (unknown.status_code, unknown.json["code"]) == (401, "key_invalid")
    assert unknown.headers["WWW-Authenticate"].startswith("Bearer")
    assert (missing.status_code, missing.json["code"]) == (401, "key_invalid")
    assert in_url.status_code == 400
    assert in_url.json["errors"][0] == {
        "code": "invalid_field",
        "field": "key",
        "rule": "not_in_url",
        "message": in_url.json["errors"][0]["message"],
    }


def test_an_unknown_vehicle_is_not_found_only_where_the_purpose_may_read(ministry_api):
    # Given a recall key and an insurer's key, and a VIN the ministry does not hold
    api = ministry_api
    recall = agency_key(api, "召回中心乙", "recall", "recall_campaign")
    insurer = agency_key(api, "戊保险公司", "insurance", "claims_assessment")
    vin = unique_vin()
    # When both read it
    by_recall = agency_read(api, recall["key"], vin)
    by_insurer = agency_read(api, insurer["key"], vin)
    # Then the recall authority learns it is unknown; the insurer only that it has no grant
    assert (by_recall.status_code, by_recall.json["code"]) == (404, "vehicle_not_found")
    assert (by_insurer.status_code, by_insurer.json["code"]) == (403, "no_grant")


def test_the_burst_limit_answers_429_with_retry_after(ministry_api):
    # Given a key allowed 2 reads a minute
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "限流测试召回中心", "recall", "recall_campaign", burst_per_minute=2)
    # When it reads 5 times in a row (at most one minute boundary can fall in between)
    answers = [agency_read(api, key["key"], vehicle["vin"]) for _ in range(5)]
    # Then some read is refused as a burst, saying when to retry (within the minute)
    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(a.json["code"] == "burst_exceeded" for a in refused)
    assert all(1 <= int(a.headers["Retry-After"]) <= 60 for a in refused)
    assert sum(a.status_code == 200 for a in answers) <= 4


def test_the_daily_quota_answers_429_until_the_next_china_day(ministry_api):
    # Given a key allowed 2 reads a day
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "配额测试召回中心", "recall", "recall_campaign", quota_per_day=2)
    # When it reads three times
    answers = [agency_read(api, key["key"], vehicle["vin"]) for _ in range(3)]
    # Then the third is refused until the next China midnight
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json["code"] == "quota_exceeded"
    china_now = datetime.now(UTC) + timedelta(hours=8)
    to_midnight = 86400 - (china_now.hour * 3600 + china_now.minute * 60 + china_now.second)
    assert abs(int(answers[2].headers["Retry-After"]) - to_midnight) <= 5


def test_every_read_allowed_or_refused_is_audited(ministry_api):
    # Given an insurer refused once, then reading with a grant
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "己保险公司", "insurance", "claims_assessment")
    agency_read(api, key["key"], vehicle["vin"])
    _grant(api, vehicle, key)
    agency_read(api, key["key"], vehicle["vin"])
    agency_read(api, "vmak_" + "y" * 43, vehicle["vin"])
    # When the administrator reads the agency's audit entries
    entries = api.get(f"/v1/audit?actor=agency:{key['agency_id']}", api.regulator_token()).json[
        "entries"
    ]
    # Then both reads are there with key, purpose, VIN and grant
    by_action = {e["action"]: e for e in entries}
    allowed, refused = by_action["agency.read"], by_action["agency.read_refused"]
    assert allowed["target"] == refused["target"] == vehicle["vin"]
    assert allowed["details"]["key_id"] == key["key_id"]
    assert allowed["details"]["purpose"] == "claims_assessment"
    assert allowed["details"]["grant_id"].startswith("GR") and allowed["details"]["records"] == 1
    assert refused["details"]["code"] == "no_grant" and refused["details"]["grant_id"] == ""
    # And the unknown key's attempt too
    unknown = api.get("/v1/audit?actor=agency:unknown", api.regulator_token()).json["entries"]
    assert unknown[0]["details"] == {"code": "key_invalid"}
