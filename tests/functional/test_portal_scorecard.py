"""The data-quality scorecard: the shop's own figures from the statistics, and what to fix."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from chalicelib.bootstrap import monitoring_service, shop_scorecard
from chalicelib.domain.china_time import CST
from tests.builders import record_payload, unique_vin
from tests.functional.conftest import ANALYST
from tests.functional.console_browser import Browser
from tests.functional.portal_client import PortalClient
from tests.functional.stream_events import received_at, run_handler, stream_event


@pytest.fixture
def signed_in(api, shop):
    registered, token = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    return browser, registered, token


def _figure(page, name: str) -> str:
    match = re.search(rf'data-figure="{name}" data-value="([^"]*)"', page.text)
    assert match, name
    return match.group(1)


def test_the_scorecard_shows_uploads_error_rate_timeliness_and_what_to_fix(api, signed_in):
    # Given four uploads today: two settled today (on time), two settled last year (late),
    # one of them with a wrong VIN check digit; one correction and one void
    browser, registered, token = signed_in
    today = datetime.now(CST).date()
    on_time = {"settlement_date": today.isoformat(), "repair_date": today.isoformat()}
    payloads = [
        record_payload(**on_time),
        record_payload(**on_time),
        record_payload(vin=unique_vin(valid=False)),
        record_payload(),
    ]
    ids = [api.post("/v1/records", p, token).json["record_id"] for p in payloads]
    api.post("/v1/records", dict(payloads[0], repair_mileage=13000), token)
    api.post(f"/v1/records/{ids[3]}/void", {"reason": "重复"}, token)
    assert run_handler(api, "apply_record_changes") == {"batchItemFailures": []}
    # When the shop opens its scorecard
    page = browser.get("/portal/scorecard")
    # Then it sees the figures, the flag with its fix, and the late uploads to fix
    assert page.status == 200
    assert _figure(page, "uploads") == "4" and _figure(page, "flagged") == "1"
    assert _figure(page, "error_rate") == "25.0%" and _figure(page, "timeliness") == "50.0%"
    assert _figure(page, "corrections") == "1" and _figure(page, "voids") == "1"
    assert 'data-advice="vin_check_digit"' in page.text and "按行驶证逐位核对" in page.text
    assert 'data-advice="late_uploads"' in page.text
    # And the service behind the page gives the same totals and advice
    card = shop_scorecard().scorecard(registered["companycode"], today - timedelta(days=29), today)
    assert (card.total.uploads, card.total.flagged) == (4, 1)
    assert (card.total.error_rate, card.total.timeliness) == (0.25, 0.5)
    assert card.advice == ["vin_check_digit", "late_uploads"]


def test_a_calendar_month_shows_the_shops_row_of_the_regulators_error_rates(api, signed_in):
    # Given this month's uploads of the shop, received on two days of the month: two on time,
    # one with a wrong VIN check digit, one with odometer 0, one corrected; one upload received
    # on the last day of last month; and another shop's upload
    browser, registered, token = signed_in
    today = datetime.now(CST).date()
    month = today.isoformat()[:7]
    first_day = today.replace(day=1)
    on_time = {"settlement_date": today.isoformat(), "repair_date": today.isoformat()}
    payloads = [
        record_payload(**on_time),
        record_payload(**on_time, vin=unique_vin(valid=False)),
        record_payload(repair_mileage=0),
        record_payload(),
        record_payload(vin=unique_vin(valid=False)),
    ]
    ids = [api.post("/v1/records", p, token).json["record_id"] for p in payloads]
    api.post("/v1/records", dict(payloads[3], repair_mileage=13000), token)
    _, other_token = api.new_shop()
    api.post("/v1/records", record_payload(vin=unique_vin(valid=False)), other_token)
    noon = datetime.combine(first_day, datetime.min.time().replace(hour=12), CST)
    event = received_at(stream_event(), {ids[3]: noon, ids[4]: noon - timedelta(days=1)})
    assert dict(api.client.lambda_.invoke("apply_record_changes", event).payload) == {
        "batchItemFailures": []
    }
    # When the shop opens its scorecard of the month, and an analyst the console's error rates
    portal = browser.get(f"/portal/scorecard?month={month}")
    console = Browser(api)
    assert console.sign_in(*ANALYST).status_code == 303
    errors = console.request("GET", f"/console/coverage/errors?month={month}")
    # Then the portal shows the calendar month
    assert portal.status == 200 and f'data-month="{month}"' in portal.text
    # And its figures are the console's row for the shop: uploads, flagged, error rate,
    # timeliness and the count of each flag
    assert errors.status_code == 200
    row = _console_row(errors.text, registered["companycode"])
    assert _figure(portal, "uploads") == row["uploads"] == "4"
    assert _figure(portal, "flagged") == row["flagged"] == "2"
    assert _figure(portal, "error_rate") == row["error_rate"] == "50.0%"
    assert _figure(portal, "timeliness") == row["timely_rate"] == "50.0%"
    assert _portal_flags(portal) == row["flags"] == {"vin_check_digit": 1, "mileage_zero": 1}
    # And the corrections (not a column of the console's page) are those of the same row
    [service_row] = [
        r
        for r in monitoring_service().error_rates(None, month)
        if r["companycode"] == registered["companycode"]
    ]
    assert _figure(portal, "corrections") == str(service_row["corrections"]) == "1"


def _console_row(html: str, companycode: str) -> dict:
    """The shop's row of the console's error-rate table, cell by cell."""
    match = re.search(rf'<tr data-shop="{companycode}">(.*?)</tr>', html, re.S)
    assert match, companycode
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)
    ]
    flags = re.findall(r'data-flag="(\w+)">[^<]*× (\d+)<', match[1])
    return {
        "uploads": cells[1],
        "flagged": cells[2],
        "error_rate": cells[3],
        "timely_rate": cells[4],
        "flags": {code: int(n) for code, n in flags},
    }


def _portal_flags(page) -> dict[str, int]:
    rows = re.findall(r'<tr data-flag="(\w+)"><td>[^<]*</td><td>(\d+)</td>', page.text)
    return {code: int(n) for code, n in rows}


def test_flags_over_time_break_each_period_down_by_flag(api, signed_in):
    # Given today's uploads: two with a wrong VIN check digit, one with odometer 0, one clean
    browser, _, token = signed_in
    today = datetime.now(CST).date()
    for payload in (
        record_payload(vin=unique_vin(valid=False)),
        record_payload(vin=unique_vin(valid=False)),
        record_payload(repair_mileage=0),
        record_payload(),
    ):
        api.post("/v1/records", payload, token)
    run_handler(api, "apply_record_changes")
    # When the shop opens its scorecard by day
    page = browser.get("/portal/scorecard")
    # Then the table has a column for each flag that occurs (none for the others)
    columns = re.findall(r'data-flag-column="(\w+)"', page.text)
    assert columns == ["vin_check_digit", "mileage_zero"]
    # And each day's row counts each flag: today's 2 and 1, yesterday's 0 and 0
    assert _period_flags(page, today.isoformat()) == {"vin_check_digit": 2, "mileage_zero": 1}
    yesterday = (today - timedelta(days=1)).isoformat()
    assert _period_flags(page, yesterday) == {"vin_check_digit": 0, "mileage_zero": 0}


def _period_flags(page, label: str) -> dict[str, int]:
    match = re.search(rf'<tr data-period="{label}">(.*?)</tr>', page.text, re.S)
    assert match, label
    return {code: int(n) for code, n in re.findall(r'<td data-flag="(\w+)">(\d+)</td>', match[1])}


def test_weeks_and_a_range_without_uploads(api, signed_in):
    browser, _, _ = signed_in
    weekly = browser.get("/portal/scorecard?from=2024-01-01&to=2024-01-31&by=week")
    assert weekly.status == 200
    assert "2024-01-29 – 2024-01-31" in weekly.text and "2024-01-01 – 2024-01-07" in weekly.text
    assert 'data-advice="no_uploads"' in weekly.text
    reversed_range = browser.get("/portal/scorecard?from=2024-02-01&to=2024-01-01")
    assert reversed_range.status == 400 and "日期范围不正确" in reversed_range.text
    leap_month = browser.get("/portal/scorecard?month=2024-02&by=week")
    assert leap_month.status == 200 and "2024-02-01 – 2024-02-29" in leap_month.text
    assert browser.get("/portal/scorecard?month=2024-13").status == 400
    assert browser.get("/portal/scorecard?month=2999-01").status == 400


def test_another_shops_uploads_never_count(api, signed_in):
    browser, _, _ = signed_in
    _, other_token = api.new_shop()
    api.post("/v1/records", record_payload(), other_token)
    run_handler(api, "apply_record_changes")
    assert _figure(browser.get("/portal/scorecard"), "uploads") == "0"
