"""The console's monitoring pages: coverage by class, idle shops, error rates, and reminding
the idle shops from their list; each as the roles and districts see it."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.builders import record_payload
from tests.functional import stream_events
from tests.functional.province_console import (
    ANALYST,
    OFFICER,
    OTHER_OFFICER,
    build_province,
    form_of,
)


@pytest.fixture
def province(api):
    return build_province(api)


def _row(html: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(1)


def test_coverage_shows_registered_and_uploading_shops_by_class_with_the_rate(province):
    # Given the administrator signed in
    browser = province.browser()
    # When it opens the coverage page
    page = browser.request("GET", "/console/coverage")
    # Then three shops are registered, two upload (66.7 %), by class too
    assert page.status_code == 200, page.text
    total = _row(page.text, "data-class", "all")
    assert 'data-registered="3"' in total and 'data-docked="2"' in total and "66.7%" in total
    assert 'data-docked="0"' in _row(page.text, "data-class", "class_3")
    # And the uploads of today, the timeliness table and the trend chart (SVG, no script)
    assert re.search(r'data-figure="today"><span class="figure">4<', page.text)
    assert 'data-bucket="t_gt_72h"' in page.text
    assert "<svg" in page.text and "<script" not in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_district_officer_sees_only_its_districts_figures(province):
    # Given the officer of 320102 signed in
    browser = province.browser(OFFICER)
    # When it opens coverage, then narrows to another district
    page = browser.request("GET", "/console/coverage")
    elsewhere = browser.request("GET", "/console/coverage?division=320104")
    # Then it counts the two shops of 320102 only, and may not look at 320104
    total = _row(page.text, "data-class", "all")
    assert 'data-registered="2"' in total and 'data-docked="1"' in total
    assert elsewhere.status_code == 403


def test_the_province_narrows_coverage_to_one_district(province):
    # Given the administrator
    browser = province.browser()
    # When it picks district 320104
    page = browser.request("GET", "/console/coverage?division=320104")
    # Then the figures are that district's
    total = _row(page.text, "data-class", "all")
    assert 'data-registered="1"' in total and 'data-docked="1"' in total


def test_idle_shops_are_listed_with_last_upload_and_contact_and_the_read_is_audited(province):
    # Given the administrator
    browser = province.browser()
    idle = province.shops["idle"]
    # When it lists the shops that uploaded nothing in 7 days
    page = browser.request("GET", "/console/coverage/idle?days=7")
    # Then the idle shop is there, never uploaded, with its contact; no uploading shop is
    assert page.status_code == 200
    row = _row(page.text, "data-shop", idle["companycode"])
    assert "data-never" in row and idle["contact_phone"] in row and idle["contact_name"] in row
    assert province.shops["busy"]["companycode"] not in page.text
    # And the read is in the audit log
    entries = province.api.get("/v1/audit", province.api.regulator_token()).json["entries"]
    assert any(e["action"] == "monitoring.not_uploading" for e in entries)


def test_the_analyst_sees_contacts_masked_and_no_reminder_form(province):
    # Given the read-only analyst
    browser = province.browser(ANALYST)
    # When it lists idle shops
    page = browser.request("GET", "/console/coverage/idle")
    # Then contacts are masked and it cannot remind
    row = _row(page.text, "data-shop", province.shops["idle"]["companycode"])
    assert "******" in row and province.shops["idle"]["contact_phone"] not in row
    assert 'action="/console/reminders"' not in page.text


def test_another_districts_officer_does_not_see_the_idle_shop(province):
    # Given the officer of 320104
    browser = province.browser(OTHER_OFFICER)
    # When it lists idle shops
    page = browser.request("GET", "/console/coverage/idle")
    # Then the idle shop of 320102 is not there
    assert province.shops["idle"]["companycode"] not in page.text
    assert 'data-total="0"' in page.text


def test_every_idle_shop_listed_is_reminded_and_the_read_is_counted(province):
    # Given the district officer on its idle list, with a second idle shop registered
    second, second_token = province.api.new_shop(division_code="320102")
    browser = province.browser(OFFICER)
    page = browser.request("GET", "/console/coverage/idle")
    hidden = form_of(page.text, "/console/reminders")
    ticked = re.findall(r'name="companycodes" value="(\d{15})" checked', page.text)
    assert sorted(ticked) == sorted([province.shops["idle"]["companycode"], second["companycode"]])
    # When it sends the reminder to every shop ticked
    sent = browser.request(
        "POST",
        "/console/reminders",
        [
            *hidden.items(),
            *(("companycodes", c) for c in ticked),
            ("title", "请上传"),
            ("body", "尽快"),
        ],
    )
    # Then the reminders page shows it sent to two shops, none read
    assert sent.status_code == 303, sent.text
    listing = browser.request("GET", sent.headers["Location"])
    reminder_id = re.search(r'data-sent="(RM\w+)"', listing.text).group(1)
    row = _row(listing.text, "data-reminder", reminder_id)
    assert 'data-recipients="2"' in row and 'data-read="0"' in row
    # When one shop reads it through its API
    inbox = province.api.get("/v1/shop/reminders", second_token).json
    assert inbox["unread"] == 1 and inbox["reminders"][0]["title"] == "请上传"
    province.api.post(f"/v1/shop/reminders/{reminder_id}/read", {}, second_token)
    # Then the console counts one read
    again = browser.request("GET", "/console/reminders")
    assert 'data-read="1"' in _row(again.text, "data-reminder", reminder_id)


def test_a_district_officer_cannot_remind_another_districts_shop(province):
    # Given the officer of 320102 on the reminders page
    browser = province.browser(OFFICER)
    page = browser.request("GET", "/console/reminders")
    hidden = form_of(page.text, "/console/reminders")
    # When it names the shop of 320104
    answer = browser.request(
        "POST",
        "/console/reminders",
        {
            **hidden,
            "companycodes": province.shops["other"]["companycode"],
            "title": "t",
            "body": "b",
        },
    )
    # Then the shop does not exist for it, and nothing was sent
    assert answer.status_code == 404
    assert province.api.get("/v1/shop/reminders", province.tokens["other"]).json["unread"] == 0


def test_a_bad_reminder_is_explained_field_by_field(province):
    # Given the administrator on the reminders page
    browser = province.browser()
    hidden = form_of(browser.request("GET", "/console/reminders").text, "/console/reminders")
    # When it sends an empty title to a malformed code, then to a code nobody holds
    malformed = browser.request(
        "POST", "/console/reminders", {**hidden, "companycodes": "12345", "title": "", "body": "b"}
    )
    unknown = browser.request(
        "POST",
        "/console/reminders",
        {**hidden, "companycodes": "320102999999999", "title": "", "body": "b"},
    )
    # Then each answer names the field and rule, keeping what was typed
    assert malformed.status_code == 400 and 'data-field="companycodes" data-rule="pattern"' in (
        malformed.text
    )
    assert unknown.status_code == 400
    assert 'data-field="title"' in unknown.text
    assert 'data-rule="registered_in_scope"' in unknown.text and "320102999999999" in unknown.text


def test_error_rates_link_to_the_flagged_records_behind_them(province):
    # Given the administrator
    browser = province.browser()
    busy = province.shops["busy"]
    # When it opens the error rates of this month
    page = browser.request("GET", "/console/coverage/errors")
    # Then the busy shop shows 1 flagged of 3 (33.3 %), the odometer-0 flag with a link
    row = _row(page.text, "data-shop", busy["companycode"])
    assert "33.3%" in row and 'data-flag="mileage_zero"' in row
    link = re.search(r'href="(/console/records\?[^"]+)" data-flagged-link', row).group(1)
    # When it follows the link to the flagged records
    records = browser.request("GET", link.replace("&amp;", "&"))
    # Then exactly the flagged record is listed
    assert records.status_code == 200
    found = re.findall(r'<tr data-record="([^"]+)"', records.text)
    assert len(found) == 1
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link.replace("&amp;", "&")).query)
    assert query["flag"] == ["any"] and query["companycode"] == [busy["companycode"]]


def test_every_section_answers_in_english_when_asked(province):
    # Given the administrator
    from chalicelib.doors.console.texts import TEXTS

    browser = province.browser(lang="en")
    en = TEXTS["en"]
    pages = {
        "/console/coverage": en["coverage_heading"],
        "/console/coverage/idle": en["idle_heading"],
        "/console/coverage/errors": en["errors_heading"],
        "/console/shops": en["registry_heading"],
        f"/console/shops/{province.shops['busy']['companycode']}": en["edit_shop"],
        "/console/records": en["records_heading"],
        "/console/complaints": en["complaints_heading"],
        "/console/reminders": en["send_reminder"],
    }
    for path, heading in pages.items():
        # When it opens each section in English
        page = browser.request("GET", f"{path}?lang=en")
        # Then the page is English, with its heading and a way back to Chinese
        assert page.status_code == 200, path
        assert '<html lang="en">' in page.text and f">{heading}" in page.text, path
        assert 'hreflang="zh-CN"' in page.text, path


def _coverage(browser) -> dict[str, tuple[int, int]]:
    """(registered, docked) by class row of the coverage page."""
    page = browser.request("GET", "/console/coverage").text
    rows = re.findall(
        r'<tr data-class="(\w+)">.*?data-registered="(\d+)".*?data-docked="(\d+)"', page, re.S
    )
    return {c: (int(registered), int(docked)) for c, registered, docked in rows}


def test_docked_shops_follow_suspension_and_class_changes_exactly_once(province):
    # Given the busy and the other shop (both class 2) have uploaded, the idle one has not
    browser = province.browser()
    token = province.api.regulator_token()
    busy = province.shops["busy"]["companycode"]
    idle = province.shops["idle"]["companycode"]

    def aggregate_twice() -> None:
        # the whole stream so far, twice: every registry change is replayed
        province.aggregate()
        province.aggregate()

    # When the busy shop and the idle one are suspended
    assert province.api.post(f"/v1/shops/{busy}/suspend", token=token).status_code == 200
    assert province.api.post(f"/v1/shops/{idle}/suspend", token=token).status_code == 200
    aggregate_twice()
    # Then the busy shop is no longer docked either: no rate above 100 %
    coverage = _coverage(browser)
    assert coverage["all"] == (1, 1) and coverage["class_2"] == (1, 1)
    assert "class_3" not in coverage
    # When the busy shop is reinstated
    assert province.api.post(f"/v1/shops/{busy}/reinstate", token=token).status_code == 200
    aggregate_twice()
    # Then it counts as docked again, once
    assert _coverage(browser)["class_2"] == (2, 2)
    # When it becomes a class-1 shop
    version = province.api.get(f"/v1/shops/{busy}", token).json["version"]
    edit = {"version": version, "shop_class": "class_1"}
    assert province.api.call("PATCH", f"/v1/shops/{busy}", edit, token).status_code == 200
    aggregate_twice()
    # Then it is docked as class 1, no longer as class 2
    coverage = _coverage(browser)
    assert coverage["all"] == (2, 2)
    assert coverage["class_1"] == (1, 1) and coverage["class_2"] == (1, 1)
    # When its registry changes arrive again newest first (stale deliveries)
    event = stream_events.stream_event()
    shop_changes = [
        r for r in event["Records"] if r["dynamodb"]["NewImage"].get("kind") == {"S": "shop"}
    ]
    assert len(shop_changes) >= 4  # two suspensions, a reinstatement, a class change
    answer = province.api.client.lambda_.invoke(
        "apply_record_changes", {"Records": shop_changes[::-1]}
    ).payload
    # Then nothing moves
    assert answer == {"batchItemFailures": []}
    assert _coverage(browser) == coverage


def test_a_registry_change_read_before_the_first_upload_still_decides_the_docked_class(province):
    # Given the idle shop (class 3) uploads its first record, and is then made class 1
    browser = province.browser()
    token = province.api.regulator_token()
    idle = province.shops["idle"]
    payload = record_payload(company_name=idle["name"])
    assert province.api.post("/v1/records", payload, province.tokens["idle"]).status_code == 201
    version = province.api.get(f"/v1/shops/{idle['companycode']}", token).json["version"]
    edit = {"version": version, "shop_class": "class_1"}
    path = f"/v1/shops/{idle['companycode']}"
    assert province.api.call("PATCH", path, edit, token).status_code == 200
    # When the stream reader meets the class change first (another shard), then the upload
    records = stream_events.stream_event()["Records"]
    is_shop = [r["dynamodb"]["NewImage"].get("kind") == {"S": "shop"} for r in records]
    shop_changes = [r for r, shop in zip(records, is_shop, strict=True) if shop]
    the_rest = [r for r, shop in zip(records, is_shop, strict=True) if not shop]
    assert shop_changes and the_rest
    for batch in (shop_changes, the_rest, the_rest):  # the rest twice: a replay
        answer = province.api.client.lambda_.invoke("apply_record_changes", {"Records": batch})
        assert answer.payload == {"batchItemFailures": []}
    # Then the shop is docked as the registry has it now (class 1), not as its record said
    coverage = _coverage(browser)
    assert coverage["class_1"] == (1, 1)
    assert "class_3" not in coverage
    assert coverage["all"] == (3, 3)
