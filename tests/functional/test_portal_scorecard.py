"""The data-quality scorecard: the shop's own figures from the statistics, and what to fix."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from chalicelib.bootstrap import shop_scorecard
from chalicelib.domain.china_time import CST
from tests.builders import record_payload, unique_vin
from tests.functional.portal_client import PortalClient
from tests.functional.stream_events import run_handler


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
    # And these are the very figures the regulator's console gets from the same service
    card = shop_scorecard().scorecard(registered["companycode"], today - timedelta(days=29), today)
    assert (card.total.uploads, card.total.flagged) == (4, 1)
    assert (card.total.error_rate, card.total.timeliness) == (0.25, 0.5)
    assert card.advice == ["vin_check_digit", "late_uploads"]


def test_weeks_and_a_range_without_uploads(api, signed_in):
    browser, _, _ = signed_in
    weekly = browser.get("/portal/scorecard?from=2024-01-01&to=2024-01-31&by=week")
    assert weekly.status == 200
    assert "2024-01-29 – 2024-01-31" in weekly.text and "2024-01-01 – 2024-01-07" in weekly.text
    assert 'data-advice="no_uploads"' in weekly.text
    reversed_range = browser.get("/portal/scorecard?from=2024-02-01&to=2024-01-01")
    assert reversed_range.status == 400 and "日期范围不正确" in reversed_range.text


def test_another_shops_uploads_never_count(api, signed_in):
    browser, _, _ = signed_in
    _, other_token = api.new_shop()
    api.post("/v1/records", record_payload(), other_token)
    run_handler(api, "apply_record_changes")
    assert _figure(browser.get("/portal/scorecard"), "uploads") == "0"
