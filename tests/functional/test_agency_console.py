"""The console's agencies section: register, issue (shown once), rotate, revoke; analysts read."""

from __future__ import annotations

import html
import re

from tests.functional.conftest import REGULATOR, add_regulator
from tests.functional.console_browser import Browser, csrf_of
from tests.functional.sharing_support import agency_read, ministry_vehicle


def _admin(api) -> tuple[Browser, str]:
    browser = Browser(api)
    assert browser.sign_in(*REGULATOR).status_code == 303
    page = browser.request("GET", "/console/agencies")
    assert page.status_code == 200, page.text
    return browser, csrf_of(page.text)


def _shown_key(text: str) -> str:
    match = re.search(r'data-shown="key">([^<]*)<', text)
    assert match, "no key shown"
    return html.unescape(match.group(1))


def test_the_administrator_registers_an_agency_and_issues_a_key_shown_once(ministry_api):
    # Given the ministry administrator on the agencies page
    api = ministry_api
    vehicle = ministry_vehicle(api)
    browser, csrf = _admin(api)
    # When it registers a recall authority and issues it a key
    registered = browser.request(
        "POST", "/console/agencies", {"csrf_token": csrf, "name": "召回中心", "kind": "recall"}
    )
    listing = browser.request("GET", "/console/agencies")
    agency_id = listing.text.split('data-agency="')[1].split('"')[0]
    issued = browser.request(
        "POST",
        f"/console/agencies/{agency_id}/keys",
        {
            "csrf_token": csrf,
            "purpose": "recall_campaign",
            "field_scope": "summary",
            "quota_per_day": "100",
            "burst_per_minute": "10",
        },
    )
    # Then the key is shown once, reads, and the list shows it without the secret
    assert registered.status_code == 303
    assert issued.status_code == 201
    key = _shown_key(issued.text)
    assert agency_read(api, key, vehicle["vin"]).status_code == 200
    after = browser.request("GET", "/console/agencies")
    assert 'data-status="active"' in after.text and key not in after.text
    # When it revokes the key from the list
    key_id = after.text.split('data-key="')[1].split('"')[0]
    revoked = browser.request(
        "POST", f"/console/agencies/{agency_id}/keys/{key_id}/revoke", {"csrf_token": csrf}
    )
    # Then the key reads no more
    assert revoked.status_code == 303
    assert agency_read(api, key, vehicle["vin"]).json["code"] == "key_revoked"


def test_a_refused_key_is_explained_and_a_foreign_form_is_refused(ministry_api):
    # Given an insurer on the agencies page
    api = ministry_api
    browser, csrf = _admin(api)
    browser.request(
        "POST", "/console/agencies", {"csrf_token": csrf, "name": "保险甲", "kind": "insurance"}
    )
    page = browser.request("GET", "/console/agencies")
    agency_id = page.text.split('data-agency="')[1].split('"')[0]
    # When a key is asked for a purpose an insurer may not hold, and a form lacks the CSRF token
    wrong = browser.request(
        "POST",
        f"/console/agencies/{agency_id}/keys",
        {
            "csrf_token": csrf,
            "purpose": "emissions_inspection",
            "field_scope": "full",
            "quota_per_day": "10",
            "burst_per_minute": "1",
        },
    )
    forged = browser.request("POST", "/console/agencies", {"name": "伪造", "kind": "other"})
    # Then the first names the field and the second is refused
    assert wrong.status_code == 400 and 'data-field="purpose"' in wrong.text
    assert forged.status_code == 403


def test_an_analyst_sees_the_agencies_but_no_write_form(ministry_api):
    # Given an agency and a ministry analyst signed in
    api = ministry_api
    admin, csrf = _admin(api)
    admin.request(
        "POST", "/console/agencies", {"csrf_token": csrf, "name": "平台乙", "kind": "used_car"}
    )
    analyst = add_regulator("m-analyst3", "ministry_analyst")
    browser = Browser(api)
    assert browser.sign_in(*analyst).status_code == 303
    # When it opens the section and tries to register an agency
    page = browser.request("GET", "/console/agencies")
    posted = browser.request(
        "POST",
        "/console/agencies",
        {"csrf_token": csrf_of(page.text), "name": "x", "kind": "other"},
    )
    # Then it sees the agency and its export form, no write form, and is refused the write
    assert page.status_code == 200 and "平台乙" in page.text
    assert "/reads" in page.text and "/keys" not in page.text
    assert posted.status_code == 403
