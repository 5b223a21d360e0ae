"""The owner's grant page at the ministry: proof, grants, revocation, who read the file."""

from __future__ import annotations

import pytest

from tests.functional.console_browser import Browser
from tests.functional.sharing_support import agency_key, agency_read, ministry_vehicle, proof_form


def test_the_page_asks_for_the_proof_in_chinese_or_english(ministry_api):
    # Given the ministry's grant page
    browser = Browser(ministry_api)
    # When it is opened in the default language and in English
    zh = browser.request("GET", "/grants")
    en = browser.request("GET", "/grants?lang=en")
    # Then it asks for VIN, plate and settlement number, with no script
    assert zh.status_code == en.status_code == 200
    assert "数据授权与查询记录" in zh.text and 'lang="zh-CN"' in zh.text
    assert "Data sharing and who read my file" in en.text
    for field in ('name="vin"', 'name="plate"', 'name="settlement_list_code"'):
        assert field in zh.text
    assert "<script" not in zh.text
    assert "script-src" not in zh.headers["Content-Security-Policy"]


def test_a_wrong_proof_gets_the_same_answer_whatever_was_wrong(ministry_api):
    # Given a vehicle at the ministry
    vehicle = ministry_vehicle(ministry_api)
    browser = Browser(ministry_api)
    # When the owner types a wrong plate, or a wrong settlement number
    wrong_plate = browser.request("POST", "/grants", {**proof_form(vehicle), "plate": "苏Z00000"})
    wrong_code = browser.request(
        "POST", "/grants", {**proof_form(vehicle), "settlement_list_code": "NOPE-1"}
    )
    # Then both get the same not-found page
    assert wrong_plate.status_code == wrong_code.status_code == 404
    assert (
        'data-notice="no_match"' in wrong_plate.text and 'data-notice="no_match"' in wrong_code.text
    )


def test_the_owner_grants_lists_and_revokes(ministry_api):
    # Given an insurer and a used-car platform registered, and the owner's vehicle
    api = ministry_api
    vehicle = ministry_vehicle(api)
    insurer = agency_key(api, "示范保险公司甲", "insurance", "claims_assessment")
    agency_key(api, "召回中心丙", "recall", "recall_campaign")
    browser = Browser(api)
    # When the owner opens the page with the proof
    page = browser.request("POST", "/grants", proof_form(vehicle))
    # Then it offers the purposes that need consent, never the public-interest ones
    assert page.status_code == 200
    assert f'value="{insurer["agency_id"]}:claims_assessment"' in page.text
    assert f'value="{insurer["agency_id"]}:underwriting"' in page.text
    assert "recall_campaign" not in page.text
    # When the owner grants 90 days
    granted = browser.request(
        "POST",
        "/grants/create",
        proof_form(vehicle, option=f"{insurer['agency_id']}:claims_assessment", days="90"),
    )
    # Then the grant is listed as active, and a retry makes no second grant
    assert granted.status_code == 201 and 'data-notice="granted"' in granted.text
    assert granted.text.count('data-state="active"') == 1
    retried = browser.request(
        "POST",
        "/grants/create",
        proof_form(vehicle, option=f"{insurer['agency_id']}:claims_assessment", days="90"),
    )
    assert retried.text.count("data-grant=") == 1
    # When the owner revokes it
    grant_id = granted.text.split('data-grant="')[1].split('"')[0]
    revoked = browser.request("POST", "/grants/revoke", proof_form(vehicle, grant_id=grant_id))
    # Then it shows as revoked with no revoke button left
    assert 'data-state="revoked"' in revoked.text and 'data-notice="revoked_notice"' in revoked.text
    assert 'name="grant_id"' not in revoked.text


def test_a_grant_needs_a_known_agency_a_consent_purpose_and_an_offered_period(ministry_api):
    # Given a vehicle and a recall authority (which reads without consent)
    api = ministry_api
    vehicle = ministry_vehicle(api)
    recall = agency_key(api, "召回中心丁", "recall", "recall_campaign")
    insurer = agency_key(api, "示范保险公司乙", "insurance", "claims_assessment")
    browser = Browser(api)
    # When the owner posts a purpose that takes no grant, an unknown agency, or 365 days
    answers = [
        browser.request("POST", "/grants/create", proof_form(vehicle, option=option, days=days))
        for option, days in (
            (f"{recall['agency_id']}:recall_campaign", "30"),
            ("AG0000000000:claims_assessment", "30"),
            (f"{insurer['agency_id']}:claims_assessment", "365"),
        )
    ]
    # Then each is refused with the form shown again, and no grant exists
    for answer in answers:
        assert answer.status_code == 400 and 'data-notice="grant_errors"' in answer.text
        assert "data-grant=" not in answer.text


def test_the_owner_sees_who_read_the_vehicles_file(ministry_api):
    # Given an insurer refused once, then reading with the owner's grant; a recall read too
    api = ministry_api
    vehicle = ministry_vehicle(api)
    insurer = agency_key(api, "示范保险公司丙", "insurance", "claims_assessment")
    recall = agency_key(api, "召回中心戊", "recall", "recall_campaign")
    agency_read(api, insurer["key"], vehicle["vin"])
    browser = Browser(api)
    browser.request(
        "POST",
        "/grants/create",
        proof_form(vehicle, option=f"{insurer['agency_id']}:claims_assessment", days="7"),
    )
    agency_read(api, insurer["key"], vehicle["vin"])
    agency_read(api, recall["key"], vehicle["vin"])
    # When the owner opens the page (in English)
    page = browser.request("POST", "/grants", proof_form(vehicle, lang="en"))
    # Then every read is listed, newest first, with agency, purpose and outcome
    rows = page.text.split('<tr data-read="')[1:]
    assert [r.split('"')[0] for r in rows] == ["allowed", "allowed", "refused"]
    assert "召回中心戊" in rows[0] and "defect investigation and recall" in rows[0]
    assert "示范保险公司丙" in rows[1] and "read, 1 record(s)" in rows[1]
    assert 'data-code="no_grant"' in rows[2] and "no consent" in rows[2]


def test_the_vehicle_page_of_the_ministry_links_to_the_grant_page(ministry_api):
    # Given a vehicle at the ministry
    vehicle = ministry_vehicle(ministry_api)
    # When its owner looks it up on the ministry's query page
    page = Browser(ministry_api).request(
        "POST", "/vehicle", {"vin": vehicle["vin"], "plate": vehicle["plate"]}
    )
    # Then the page links to the grant page (by GET, without the proof)
    assert page.status_code == 200
    assert 'href="/grants?lang=zh-CN" data-link="grants"' in page.text


@pytest.fixture
def one_submission_per_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_SUBMIT_LIMIT", "1")


def test_the_grant_page_is_rate_limited_like_the_other_forms(one_submission_per_hour, ministry_api):
    # Given the ministry with one form submission allowed per address and hour
    api = ministry_api
    vehicle = ministry_vehicle(api)
    insurer = agency_key(api, "示范保险公司丁", "insurance", "claims_assessment")
    browser = Browser(api)
    form = proof_form(vehicle, option=f"{insurer['agency_id']}:claims_assessment", days="7")
    # When the owner submits twice
    first = browser.request("POST", "/grants/create", form)
    second = browser.request("POST", "/grants/create", form)
    # Then the second is refused for now
    assert first.status_code == 201
    assert second.status_code == 429 and 'data-notice="rate_limited"' in second.text


def test_the_grant_page_does_not_exist_on_a_province(api):
    # Given a province stack
    # When the grant page is asked for
    page = Browser(api).request("GET", "/grants")
    # Then there is none
    assert page.status_code == 404
