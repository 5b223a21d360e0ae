"""The ministry console: provinces' figures and link, national search, exchange credentials.

Records reach the ministry as in production (a province's exchange batch), and the ministry's
own aggregator counts them from its table's stream before the pages read the counters.
"""

from __future__ import annotations

import re
from datetime import datetime

from chalicelib.exchange.requests import envelope
from tests.exchange_items import shop_change
from tests.functional.conftest import REGULATOR, add_regulator
from tests.functional.console_browser import Browser, csrf_of
from tests.functional.sharing_support import ministry_vehicle
from tests.functional.stream_events import run_handler


def _row(html: str, province: str) -> str:
    match = re.search(rf'<tr data-province="{province}".*?</tr>', html, re.S)
    assert match, f"no row for {province}"
    return match.group(0)


def _signed_in(api, account=REGULATOR, lang="zh-CN") -> Browser:
    browser = Browser(api)
    assert browser.sign_in(*account, lang=lang).status_code == 303
    return browser


def _exchange_token(api, province: str, secret: str):
    return api.post("/v1/exchange/token", {"province_code": province, "secret": secret})


def test_every_province_is_listed_with_its_coverage_uploads_errors_and_link(ministry_api):
    # Given Jiangsu sent two records (one flagged) and Hubei one clean record
    ministry_vehicle(ministry_api, "320000")
    ministry_vehicle(ministry_api, "320000", flagged=False)
    ministry_vehicle(ministry_api, "420000", flagged=False)
    run_handler(ministry_api, "apply_record_changes")
    browser = _signed_in(ministry_api)
    # When the ministry administrator opens the provinces' page
    page = browser.request("GET", "/console/provinces")
    # Then all 31 provinces are listed, the two connected ones with their figures
    assert page.status_code == 200
    assert page.text.count('<tr data-province="') == 31
    jiangsu = _row(page.text, "320000")
    assert 'data-registered="2"' in jiangsu and 'data-docked="2"' in jiangsu
    assert 'data-today="2"' in jiangsu and 'data-uploads="2"' in jiangsu
    assert "50.0%" in jiangsu  # error rate: one flagged of two
    assert 'data-credential="active"' in jiangsu
    hubei = _row(page.text, "420000")
    assert 'data-uploads="1"' in hubei and "0.0%" in hubei
    beijing = _row(page.text, "110000")
    assert "未联网" in beijing and 'data-credential="none"' in beijing
    # And the nation's figures and trend chart count all three uploads
    assert re.search(r'data-figure="today"><span class="figure">3<', page.text)
    assert "<svg" in page.text and "2 / 31" in page.text


def test_a_province_page_shows_coverage_by_class_timeliness_and_its_exchange(ministry_api):
    # Given a Jiangsu record at the ministry
    ministry_vehicle(ministry_api, "320000", flagged=False)
    run_handler(ministry_api, "apply_record_changes")
    browser = _signed_in(ministry_api, lang="en")
    # When the administrator opens Jiangsu in English
    page = browser.request("GET", "/console/provinces/320000?lang=en")
    # Then coverage by class, the exchange and the credential are shown, in English
    assert page.status_code == 200
    assert "Jiangsu 320000" in page.text
    assert re.search(r'<tr data-class="class_2">.*?data-docked="1"', page.text, re.S)
    assert 'data-credential="active"' in page.text and "generation 1" in page.text
    assert 'data-action="rotate"' in page.text and 'data-action="revoke"' in page.text
    # And an unknown province is a 404 page
    assert browser.request("GET", "/console/provinces/990000").status_code == 404


def test_rotating_a_credential_asks_first_shows_the_secret_once_and_ends_old_tokens(ministry_api):
    # Given Jiangsu's forwarder holds a token from its current secret
    old_secret = ministry_api.exchange_secrets["320000"]
    old_token = _exchange_token(ministry_api, "320000", old_secret).json["access_token"]
    browser = _signed_in(ministry_api)
    page = browser.request("GET", "/console/provinces/320000")
    path = "/console/provinces/320000/credential/rotate"
    # When the administrator asks to rotate, then confirms
    asked = browser.request("POST", path, {"csrf_token": csrf_of(page.text)})
    done = browser.request(
        "POST", path, {"csrf_token": csrf_of(asked.text), "confirm": "yes", "lang": "zh-CN"}
    )
    # Then the first answer only asks for confirmation, the second shows the new secret once
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert done.status_code == 200
    secret = re.search(r'data-shown="secret">([^<]+)<', done.text).group(1)
    assert secret != old_secret and "第2代" in done.text
    # And the old token and the old secret stop at once; the new secret works
    batch = ministry_api.post("/v1/exchange/batch", {"items": [{"type": "x"}]}, old_token)
    assert batch.status_code == 401
    assert _exchange_token(ministry_api, "320000", old_secret).status_code == 401
    assert _exchange_token(ministry_api, "320000", secret).status_code == 200
    # And the secret never appears again on the province's page
    assert secret not in browser.request("GET", "/console/provinces/320000").text


def test_issue_rotate_and_revoke_through_the_api_are_audited(ministry_api):
    token = ministry_api.regulator_token()
    # When a credential is issued for Beijing, rotated, then revoked
    issued = ministry_api.post("/v1/exchange/credentials/110000", {}, token)
    rotated = ministry_api.post("/v1/exchange/credentials/110000", {}, token)
    revoked = ministry_api.post("/v1/exchange/credentials/110000/revoke", {}, token)
    again = ministry_api.post("/v1/exchange/credentials/110000/revoke", {}, token)
    # Then the first is 201, the rotation 200 with a new secret, the revocation final
    assert issued.status_code == 201 and issued.json["rotated"] is False
    assert rotated.status_code == 200 and rotated.json["rotated"] is True
    assert rotated.json["secret"] != issued.json["secret"]
    assert revoked.json["status"] == "revoked" and again.json == revoked.json
    # And a revoked secret gets no token; the list shows the status without any secret
    assert _exchange_token(ministry_api, "110000", rotated.json["secret"]).status_code == 401
    listed = ministry_api.get("/v1/exchange/credentials", token).json["credentials"]
    beijing = next(c for c in listed if c["province_code"] == "110000")
    assert beijing == {**revoked.json}
    assert len(listed) == 31 and all("secret" not in c for c in listed)
    # And each change is in the audit log once (the repeated revocation is not)
    entries = ministry_api.get("/v1/audit?actor=regulator", token).json["entries"]
    actions = [e["action"] for e in entries if e["target"] == "110000"]
    assert sorted(actions) == [
        "exchange.credential_issued",
        "exchange.credential_revoked",
        "exchange.credential_rotated",
    ]


def test_credentials_only_for_real_provinces_and_only_for_administrators(ministry_api):
    token = ministry_api.regulator_token()
    add_regulator("m_analyst", "ministry_analyst")
    analyst = ministry_api.regulator_token(("m_analyst", "m_analyst-test-password"))
    # When a non-province code is used, or an analyst tries to issue
    bad = ministry_api.post("/v1/exchange/credentials/320100", {}, token)
    refused = ministry_api.post("/v1/exchange/credentials/110000", {}, analyst)
    # Then the code is refused naming field and rule, and the analyst is forbidden
    assert bad.status_code == 400
    assert bad.json["errors"][0]["field"] == "province_code"
    assert bad.json["errors"][0]["rule"] == "gb_t_2260_province"
    assert refused.status_code == 403
    # And revoking a province without a credential is a 404
    assert ministry_api.post("/v1/exchange/credentials/110000/revoke", {}, token).status_code == 404


def test_analysts_see_the_figures_but_no_credential_forms(ministry_api):
    # Given a ministry analyst
    account = add_regulator("m_reader", "ministry_analyst")
    browser = _signed_in(ministry_api, account)
    # When it opens a province and tries to rotate its credential anyway
    page = browser.request("GET", "/console/provinces/320000")
    forced = browser.request(
        "POST",
        "/console/provinces/320000/credential/rotate",
        {"csrf_token": csrf_of(page.text), "confirm": "yes"},
    )
    # Then it sees the page without forms, and the rotation is refused
    assert page.status_code == 200 and 'data-action="rotate"' not in page.text
    assert forced.status_code == 403
    assert (
        _exchange_token(ministry_api, "320000", ministry_api.exchange_secrets["320000"]).status_code
        == 200
    )


def test_national_search_covers_every_province_or_the_one_picked(ministry_api):
    # Given one record from each of two provinces
    jiangsu = ministry_vehicle(ministry_api, "320000")
    hubei = ministry_vehicle(ministry_api, "420000")
    token = ministry_api.regulator_token()
    day = jiangsu["payload"]["settlement_date"]
    # When the ministry searches that day nationally, then Hubei only
    every = ministry_api.get(f"/v1/search/records?from={day}&to={day}", token).json
    picked = ministry_api.get(f"/v1/search/records?from={day}&to={day}&province=420000", token)
    by_vin = ministry_api.get(f"/v1/search/records?vin={jiangsu['vin']}&province=420000", token)
    # Then the national search finds both, the picked province only its own
    found = {r["vin"] for r in every["records"]}
    assert {jiangsu["vin"], hubei["vin"]} <= found
    assert {r["vin"] for r in picked.json["records"]} == {hubei["vin"]}
    assert by_vin.json["records"] == []
    # And a malformed province is refused naming field and rule
    bad = ministry_api.get("/v1/search/records?province=32", token)
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "province"
    # And the audit keeps which provinces were searched
    entries = ministry_api.get("/v1/audit?actor=regulator", token).json["entries"]
    searches = [e for e in entries if e["action"] == "records.search"]
    assert any(e["details"].get("provinces") == ["420000"] for e in searches)


def test_the_console_search_page_offers_provinces_and_exports_nationally(ministry_api):
    # Given a Hubei record and a Jiangsu record of the same day at the ministry
    hubei = ministry_vehicle(ministry_api, "420000")
    jiangsu = ministry_vehicle(ministry_api, "320000")
    assert jiangsu["payload"]["settlement_date"] == hubei["payload"]["settlement_date"]
    browser = _signed_in(ministry_api)
    day = hubei["payload"]["settlement_date"]
    # When the administrator searches Hubei on the console and exports the result
    page = browser.request("GET", f"/console/records?province=420000&from={day}&to={day}")
    export = browser.request(
        "POST",
        "/console/records/exports",
        {"csrf_token": csrf_of(page.text), "province": "420000", "from": day, "to": day},
    )
    run_handler(ministry_api, "run_jobs")
    job = browser.request("GET", export.headers["Location"].split("?")[0])
    # Then the page has the province picker and Hubei's record only; the export job finishes
    # with that one row
    assert page.status_code == 200 and '<select id="province"' in page.text
    assert hubei["vin"] in page.text and jiangsu["vin"] not in page.text
    assert export.status_code == 303
    assert job.status_code == 200 and 'data-status="done"' in job.text
    assert 'data-rows="1"' in job.text


def _shop_copy(
    api,
    updated_at: str,
    shop_class: str = "class_2",
    status: str = "active",
    companycode: str = "320102000000777",
):
    """One registry change of a Jiangsu shop (by default 320102000000777), as the province
    forwards it."""
    token = _exchange_token(api, "320000", api.exchange_secrets["320000"]).json["access_token"]
    item = shop_change(
        companycode,
        updated_at=datetime.fromisoformat(updated_at),
        shop_class=shop_class,
        status=status,
        name="登记计数测试维修厂",
    )
    answer = api.post("/v1/exchange/batch", envelope([item]), token)
    return answer.json["results"][0]["result"]


def _classes(browser) -> dict[str, str]:
    page = browser.request("GET", "/console/provinces/320000").text
    return dict(re.findall(r'<tr data-class="(\w+)">.*?data-registered="(\d+)"', page, re.S))


def test_registered_counts_follow_registry_changes_exactly_once(ministry_api):
    browser = _signed_in(ministry_api)
    # Given a new active class-2 shop, delivered twice (a replay)
    assert _shop_copy(ministry_api, "2024-01-01T00:00:00+00:00") == "applied"
    assert _shop_copy(ministry_api, "2024-01-01T00:00:00+00:00") == "stale"
    # Then it is counted once
    assert _classes(browser) == {"all": "1", "class_2": "1"}
    # When it becomes class 1, then an older change arrives late
    _shop_copy(ministry_api, "2024-02-01T00:00:00+00:00", "class_1")
    assert _shop_copy(ministry_api, "2024-01-15T00:00:00+00:00", "class_3") == "stale"
    # Then it moved from class 2 to class 1, and the late change counted nothing
    assert _classes(browser) == {"all": "1", "class_1": "1"}
    # When it is suspended, it is no longer registered (active)
    _shop_copy(ministry_api, "2024-03-01T00:00:00+00:00", "class_1", "suspended")
    assert _classes(browser) == {"all": "0"}


def _coverage(browser) -> dict[str, tuple[int, int]]:
    """(registered, docked) by class row of Jiangsu's page."""
    page = browser.request("GET", "/console/provinces/320000").text
    rows = re.findall(
        r'<tr data-class="(\w+)">.*?data-registered="(\d+)".*?data-docked="(\d+)"', page, re.S
    )
    return {c: (int(registered), int(docked)) for c, registered, docked in rows}


def test_docked_shops_follow_registry_copies_exactly_once(ministry_api):
    from datetime import UTC, datetime, timedelta

    browser = _signed_in(ministry_api)
    # Given a Jiangsu class-2 shop whose record reached the ministry (docked)
    companycode = ministry_vehicle(ministry_api, "320000", flagged=False)["companycode"]
    run_handler(ministry_api, "apply_record_changes")
    assert _coverage(browser)["class_2"] == (1, 1)

    def change(hours: int, shop_class: str, status: str) -> None:
        later = (datetime.now(UTC) + timedelta(hours=hours)).isoformat()
        assert _shop_copy(ministry_api, later, shop_class, status, companycode) == "applied"
        # the whole stream so far, twice: every earlier change is replayed (arrives stale)
        for _ in range(2):
            answer = run_handler(ministry_api, "apply_record_changes")
            assert answer == {"batchItemFailures": []}

    # When the province suspends it
    change(1, "class_2", "suspended")
    # Then it is neither registered nor docked: no rate above 100 %
    assert _coverage(browser)["all"] == (0, 0)
    # When it is reinstated
    change(2, "class_2", "active")
    # Then it counts as docked again, once
    assert _coverage(browser)["class_2"] == (1, 1)
    # When it becomes a class-1 shop
    change(3, "class_1", "active")
    # Then it is docked as class 1, no longer as class 2
    coverage = _coverage(browser)
    assert coverage["all"] == (1, 1) and coverage["class_1"] == (1, 1)
    assert "class_2" not in coverage


def test_exchange_lag_timeliness_and_a_silent_province_are_shown(ministry_api):
    import boto3

    from chalicelib.adapters.keys import PROVINCES_PK
    from chalicelib.config import get_settings

    # Given a Jiangsu record settled long before it arrived (uploaded after 72 h)
    ministry_vehicle(ministry_api, "320000", flagged=False)
    run_handler(ministry_api, "apply_record_changes")
    browser = _signed_in(ministry_api)
    # When the province page is read
    page = browser.request("GET", "/console/provinces/320000").text
    # Then its lag is a number of seconds, and its upload counts as later than 72 hours
    assert re.search(r'data-lag="\d+"', page)
    assert re.search(r'<tr data-bucket="t_gt_72h"><th scope="row">[^<]+</th><td>1</td>', page)
    assert "data-silent" not in page
    # When its last batch is two days old
    boto3.client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": PROVINCES_PK}, "SK": {"S": "320000"}},
        UpdateExpression="SET last_exchange_at = :at",
        ExpressionAttributeValues={":at": {"S": "2020-01-01T00:00:00+00:00"}},
    )
    # Then the overview marks it silent
    assert "data-silent" in _row(browser.request("GET", "/console/provinces").text, "320000")


def test_a_forged_cursor_on_the_national_search_page_is_a_400_naming_it(ministry_api):
    # Given the ministry administrator on the national search page
    browser = _signed_in(ministry_api)
    # When the page is asked for a "cursor" that no search issued (non-ASCII, then base64 of
    # something else)
    pages = [
        browser.request("GET", "/console/records?province=420000&cursor=%C2%B2"),
        browser.request("GET", "/console/records?province=420000&cursor=eyJ2IjogMX0"),
    ]
    # Then the page answers 400 naming the cursor and its rule, not a 500
    for page in pages:
        assert page.status_code == 400
        assert 'data-field="cursor" data-rule="valid_cursor"' in page.text


def test_a_batch_without_a_new_record_keeps_the_provinces_last_exchange_lag(ministry_api):
    from datetime import UTC, datetime, timedelta

    browser = _signed_in(ministry_api)
    # Given Jiangsu's latest record reached the ministry two hours after the province stored it
    ministry_vehicle(ministry_api, "320000", stored_at=datetime.now(UTC) - timedelta(hours=2))

    def lag() -> int:
        page = browser.request("GET", "/console/provinces/320000").text
        return int(re.search(r'data-lag="(\d*)"', page).group(1) or -1)

    assert 7190 <= lag() <= 7300
    # When its next batch holds only a registry change (no record version to measure)
    assert _shop_copy(ministry_api, "2024-01-01T00:00:00+00:00") == "applied"
    # Then the lag shown is still the last one measured, not 0 s
    assert 7190 <= lag() <= 7300


def test_national_search_and_export_authenticate_before_reading_the_criteria(ministry_api):
    # Given a caller without a token, and one with a ministry administrator's token
    token = ministry_api.regulator_token()
    # When each searches or asks for an export with criteria the search would refuse
    anonymous_search = ministry_api.get("/v1/search/records?from=someday&bogus=1")
    anonymous_export = ministry_api.post("/v1/search/records/exports", {"from": "someday"})
    signed_in_search = ministry_api.get("/v1/search/records?from=someday", token)
    # Then the anonymous caller is refused as such (401), learning nothing of the criteria;
    # the administrator's criteria are checked (400 naming the field)
    assert anonymous_search.status_code == 401
    assert anonymous_export.status_code == 401
    assert signed_in_search.status_code == 400
    assert signed_in_search.json["errors"][0]["field"] == "from"


def test_the_national_search_page_names_a_refused_province_or_shop_in_the_pages_language(
    ministry_api,
):
    # Given the ministry administrator on the national search page, in Chinese then English
    browser = _signed_in(ministry_api)
    for lang, province, shop, rule in (
        ("zh-CN", "省份", "企业编码", "省级行政区划代码"),
        ("en", "Province", "Company code", "province code"),
    ):
        # When a search names a malformed province, then a malformed shop code
        bad_province = browser.request("GET", f"/console/records?province=32&lang={lang}")
        bad_shop = browser.request("GET", f"/console/records?companycode=3201&lang={lang}")
        # Then each is refused naming the field by its label and the rule in that language
        assert bad_province.status_code == bad_shop.status_code == 400
        item = re.search(r'<li data-field="province"[^>]*>([^<]+)</li>', bad_province.text)
        assert item and item.group(1).startswith(f"{province}: ") and rule in item.group(1)
        item = re.search(r'<li data-field="companycode"[^>]*>([^<]+)</li>', bad_shop.text)
        assert item and item.group(1).startswith(f"{shop}: ")
