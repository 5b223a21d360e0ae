"""Read budgets of the record search: a regulator's search page reads within a bound, and its
paging cursor cannot be bent to read elsewhere.

The party: a regulator signed in with `records.search` (a province administrator, or a
district officer scoped to its divisions). It holds its token, the criteria it may send, and
the cursors its own searches returned, whose format it can read (base64 of JSON). It tries to
make one request read without end (a broad search with a rare filter), to replay a cursor
against other criteria, to forge one, and, as a district officer, to page into another
district's records by editing a cursor. Reads are counted with a botocore hook on the app's
own client (tests/faults.py `ReadCounter`), so "stops reading" is measured, not assumed.
"""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.aws import dynamodb_client
from chalicelib.config import get_settings
from tests.builders import record_payload
from tests.faults import ReadCounter
from tests.functional.conftest import add_regulator

XUANWU, QINHUAI = "320102", "320104"
WINDOW = {"from": "2024-05-01", "to": "2024-05-31"}


def _search(api, token, **params):
    return api.get("/v1/search/records?" + urllib.parse.urlencode(params), token)


def _budget(monkeypatch, **values):
    """The stack's search budget set as an operator would (environment), then re-read."""
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()
    bootstrap.record_search_service.cache_clear()


def _upload(api, token, shop, day, **overrides):
    payload = record_payload(
        company_name=shop["name"], settlement_date=day, repair_date=day, **overrides
    )
    assert api.post("/v1/records", payload, token).status_code == 201


def _decoded(cursor):
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def _encoded(data):
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@pytest.fixture
def needle(api, monkeypatch):
    """Twelve clean records on one day and, older, one record with mileage 0 (the needle)."""
    _budget(monkeypatch, SEARCH_READ_ITEMS=10)
    shop, token = api.new_shop(division_code=XUANWU)
    for _ in range(12):
        _upload(api, token, shop, "2024-05-20")
    _upload(api, token, shop, "2024-05-02", repair_mileage=0)
    return shop


def test_a_search_beyond_its_item_budget_is_refused_and_stops_reading(api, needle):
    # Given a budget of 10 index items a page, and a rare flag whose one record lies behind
    # twelve others on the province's day index
    admin = api.regulator_token()
    # When the administrator searches the whole month for the flag
    with ReadCounter(dynamodb_client()) as reads:
        refused = _search(api, admin, flag="mileage_zero", **WINDOW)
    # Then the search is refused, asking to narrow it, naming the criteria that do
    assert refused.status_code == 400
    assert refused.json["code"] == "search_too_broad"
    assert [(e["field"], e["rule"]) for e in refused.json["errors"]] == [
        ("from", "narrow_search"),
        ("to", "narrow_search"),
        ("companycode", "narrow_search"),
        ("division", "narrow_search"),
    ]
    # And it read no more index items than the budget (the queries asked for no more)
    assert reads.items["Query"] == 10
    # And narrowed to the shop and the first ten days, as the answer suggests, the same
    # search finds the record (the legitimate use works)
    narrowed = {"companycode": needle["companycode"], "from": "2024-05-01", "to": "2024-05-10"}
    found = _search(api, admin, flag="mileage_zero", **narrowed)
    assert found.status_code == 200
    assert [r["settlement_date"] for r in found.json["records"]] == ["2024-05-02"]


def test_a_search_over_many_empty_days_stops_at_its_request_budget(api, monkeypatch):
    # Given a budget of 20 queries a page and a province with no record in 2023
    _budget(monkeypatch, SEARCH_READ_REQUESTS=20)
    admin = api.regulator_token()
    # When the administrator searches the whole year, one day partition after another
    with ReadCounter(dynamodb_client()) as reads:
        refused = _search(api, admin, **{"from": "2023-01-01", "to": "2023-12-31"})
    # Then it is refused after 20 queries, not 365
    assert refused.status_code == 400 and refused.json["code"] == "search_too_broad"
    assert reads.calls["Query"] == 20


def test_the_console_answers_a_too_broad_search_with_the_criteria_that_narrow_it(api, needle):
    from tests.functional.console_browser import Browser

    # Given a province administrator signed in to the console
    browser = Browser(api)
    assert browser.sign_in(*add_regulator("consoleadmin", "province_admin")).status_code == 303
    # When the page searches the month for the rare flag
    page = browser.request(
        "GET", "/console/records?" + urllib.parse.urlencode({"flag": "mileage_zero", **WINDOW})
    )
    # Then the page answers 400 saying what narrows the search
    assert page.status_code == 400
    assert "data-too-broad" in page.text
    for field in ("from", "to", "companycode", "division"):
        assert f'data-field="{field}" data-rule="narrow_search"' in page.text


def test_an_export_beyond_its_budget_fails_at_once_saying_so_and_stops_reading(
    api, monkeypatch, needle
):
    from tests.functional.stream_events import run_handler

    # Given an export budget of 10 index items, and an export of the month's rare flag
    _budget(monkeypatch, EXPORT_READ_ITEMS=10)
    bootstrap.export_service.cache_clear()
    admin = api.regulator_token()
    job = api.post("/v1/search/records/exports", {"flag": "mileage_zero", **WINDOW}, admin)
    assert job.status_code == 202
    # When the jobs handler runs it
    with ReadCounter(dynamodb_client()) as reads:
        assert run_handler(api, "run_jobs") == {"batchItemFailures": []}
    # Then the job failed at once (not handed back to be run again), saying why, after
    # reading no more index items than its budget
    status = api.get(f"/v1/search/records/exports/{job.json['job_id']}", admin).json
    assert (status["status"], status["error"], status["download_url"]) == (
        "failed",
        "search_too_broad",
        None,
    )
    assert reads.items["Query"] == 10
    # And the console's job page says what to do
    page = _console(api).request("GET", f"/console/records/exports/{job.json['job_id']}")
    assert 'data-status="failed"' in page.text and "data-too-broad" in page.text
    # And a narrowed export runs to its file
    narrowed = {"companycode": needle["companycode"], "from": "2024-05-01", "to": "2024-05-10"}
    second = api.post("/v1/search/records/exports", {"flag": "mileage_zero", **narrowed}, admin)
    run_handler(api, "run_jobs")
    done = api.get(f"/v1/search/records/exports/{second.json['job_id']}", admin).json
    assert (done["status"], done["rows"], done["error"]) == ("done", 1, None)


def test_a_cursor_is_refused_with_other_criteria_and_a_forged_one_reads_nothing(api):
    # Given a search of a shop's month with a second page
    shop, token = api.new_shop(division_code=XUANWU)
    for day in ("2024-05-03", "2024-05-02"):
        _upload(api, token, shop, day)
    admin = api.regulator_token()
    first = _search(api, admin, limit=1, **WINDOW).json
    cursor = first["next_cursor"]
    assert cursor
    # When the cursor is sent with other criteria, or altered, or made up
    data = _decoded(cursor)
    forged = [
        _encoded({**data, "day": "2024-05-31"}) + "x",  # not base64 of a cursor any more
        _encoded({**data, "q": "0" * 24}),  # another search's digest
        _encoded({"v": 1}),
        "A" * 3000,
        "€",
    ]
    with ReadCounter(dynamodb_client()) as reads:
        other_criteria = [
            _search(
                api, admin, limit=1, cursor=cursor, **{"from": "2024-05-02", "to": "2024-05-31"}
            ),
            _search(api, admin, limit=1, cursor=cursor, flag="any", **WINDOW),
            _search(api, admin, limit=1, cursor=cursor, companycode=shop["companycode"], **WINDOW),
        ]
        made_up = [_search(api, admin, limit=1, cursor=c, **WINDOW) for c in forged]
    # Then every one is refused naming the cursor, before any record index was read
    for answer in other_criteria + made_up:
        assert answer.status_code == 400, answer.json
        assert answer.json["errors"] == [
            {
                "code": "invalid_field",
                "field": "cursor",
                "rule": "valid_cursor",
                "message": "cursor is not one this search issued",
            }
        ]
    assert reads.calls["Query"] == 0
    # And the cursor still pages its own search
    second = _search(api, admin, limit=1, cursor=cursor, **WINDOW).json
    assert [r["settlement_date"] for r in second["records"]] == ["2024-05-02"]


def test_a_district_officer_cannot_page_into_another_district_with_a_crafted_cursor(api):
    # Given records of two districts, and an officer of 玄武区 holding a cursor of its own
    xuanwu, xuanwu_token = api.new_shop(division_code=XUANWU)
    qinhuai, qinhuai_token = api.new_shop(division_code=QINHUAI)
    for day in ("2024-05-03", "2024-05-02"):
        _upload(api, xuanwu_token, xuanwu, day)
        _upload(api, qinhuai_token, qinhuai, day)
    officer = api.regulator_token(add_regulator("officer320102", "district_officer", (XUANWU,)))
    own = _search(api, officer, limit=1, **WINDOW).json
    data = _decoded(own["next_cursor"])
    assert data["prefix"] == XUANWU
    other_key = data["at"]["GSI2SK"].replace(xuanwu["companycode"], qinhuai["companycode"])
    # When it edits the cursor to walk 秦淮区 (the district, the position, or both), or the
    # whole province
    crafted = [
        {**data, "prefix": QINHUAI},
        {**data, "at": {**data["at"], "GSI2SK": other_key}},
        {**data, "prefix": QINHUAI, "at": {**data["at"], "GSI2SK": other_key}},
        {**data, "prefix": ""},
    ]
    answers = [_search(api, officer, limit=1, cursor=_encoded(c), **WINDOW) for c in crafted]
    # Then every crafted cursor is refused naming the cursor, and no record of 秦淮区 is shown
    for answer in answers:
        assert answer.status_code == 400
        assert answer.json["errors"][0]["field"] == "cursor"
    # And a cursor of the province administrator's search (whole province) is refused too
    admin_cursor = _search(api, api.regulator_token(), limit=1, **WINDOW).json["next_cursor"]
    assert _search(api, officer, limit=1, cursor=admin_cursor, **WINDOW).status_code == 400
    # And its own cursor pages through its own district only
    rest = _search(api, officer, cursor=own["next_cursor"], **WINDOW).json["records"]
    assert [r["companycode"] for r in own["records"] + rest] == [xuanwu["companycode"]] * 2


def test_a_national_cursor_cannot_be_replayed_against_another_province(ministry_api):
    from tests.functional.sharing_support import ministry_vehicle

    # Given the national search of Jiangsu with a second page (and a Hubei record that day)
    day = ministry_vehicle(ministry_api, "320000")["payload"]["settlement_date"]
    ministry_vehicle(ministry_api, "320000")
    ministry_vehicle(ministry_api, "420000")
    token = ministry_api.regulator_token()
    params = {"from": day, "to": day, "limit": 1, "province": "320000"}
    cursor = _search(ministry_api, token, **params).json["next_cursor"]
    assert cursor
    # When the cursor is sent with Hubei named instead
    replayed = _search(ministry_api, token, cursor=cursor, **{**params, "province": "420000"})
    # Then it is refused naming the cursor; with Jiangsu it still pages
    assert replayed.status_code == 400 and replayed.json["errors"][0]["field"] == "cursor"
    assert _search(ministry_api, token, cursor=cursor, **params).status_code == 200


def _console(api):
    """The province administrator's browser; its API sign-in used this TOTP step already."""
    from tests.builders import totp_code
    from tests.functional.conftest import REGULATOR, TOTP_SECRETS
    from tests.functional.console_browser import Browser

    browser = Browser(api)
    code = totp_code(TOTP_SECRETS[REGULATOR[0]], steps_ahead=1)
    assert browser.sign_in(*REGULATOR, code=code).status_code == 303
    return browser
