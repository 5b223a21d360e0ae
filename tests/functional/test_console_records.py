"""The console's record search and CSV export, within each regulator's districts."""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import record_payload
from tests.faults import moto_copies_a_table_once_per_transaction
from tests.functional.province_console import OFFICER, build_province, form_of
from tests.functional.test_statistics_stream import _stream_event


@pytest.fixture
def province(api):
    return build_province(api)


def _records(html: str) -> list[str]:
    return re.findall(r'<tr data-record="([^"]+)"', html)


def _window(province) -> dict[str, str]:
    days = sorted(u["settlement_date"] for u in province.uploads)
    return {"from": days[0], "to": days[-1]}


def test_the_search_page_finds_records_by_vin_plate_shop_and_flag(province):
    # Given the administrator on the search page, and the busy shop's uploads
    browser = province.browser()
    first, flagged = province.uploads[0], province.uploads[1]
    window = _window(province)
    # When it searches by VIN, by plate, by shop, and by flag
    queries = {
        "vin": {"vin": first["vin"].lower(), **window},
        "plate": {"plate": first["plate_number"], **window},
        "shop": {"companycode": province.shops["busy"]["companycode"], **window},
        "flag": {"flag": "mileage_zero", **window},
        "dates": window,
    }
    found = {
        name: _records(browser.request("GET", "/console/records?" + urllib.parse.urlencode(q)).text)
        for name, q in queries.items()
    }
    # Then each finds what it should
    assert len(found["vin"]) == len(found["plate"]) == 1
    assert len(found["shop"]) == 3 and len(found["dates"]) == 4
    assert len(found["flag"]) == 1 and found["flag"][0] not in found["vin"]
    page = browser.request("GET", "/console/records?" + urllib.parse.urlencode(queries["flag"]))
    assert flagged["settlement_list_code"] in page.text and 'data-flag="mileage_zero"' in page.text


def test_the_empty_form_searches_nothing_and_bad_criteria_are_named(province):
    # Given the administrator
    browser = province.browser()
    # When it opens the page, then asks for a reversed range and a malformed shop code
    empty = browser.request("GET", "/console/records")
    reversed_range = browser.request("GET", "/console/records?from=2024-05-01&to=2024-01-01")
    bad_code = browser.request("GET", "/console/records?companycode=12345")
    # Then the empty page has the form only, and each refusal names its field and rule
    assert empty.status_code == 200 and not _records(empty.text) and 'id="vin"' in empty.text
    assert reversed_range.status_code == 400
    assert 'data-field="to" data-rule="not_before_from"' in reversed_range.text
    assert 'data-field="companycode" data-rule="pattern"' in bad_code.text


def test_a_district_officer_finds_only_its_districts_records(province):
    # Given the officer of 320102
    browser = province.browser(OFFICER)
    window = _window(province)
    # When it searches every record of the period, then names the shop of 320104
    every = browser.request("GET", "/console/records?" + urllib.parse.urlencode(window))
    other = browser.request(
        "GET",
        "/console/records?"
        + urllib.parse.urlencode({"companycode": province.shops["other"]["companycode"]}),
    )
    # Then it gets its district's three records, and the other shop does not exist for it
    assert len(_records(every.text)) == 3
    assert province.shops["other"]["companycode"] not in every.text
    assert other.status_code == 404


def test_every_search_is_audited_with_its_criteria(province):
    # Given the administrator
    browser = province.browser()
    vin = province.uploads[0]["vin"]
    # When it searches by VIN
    browser.request("GET", f"/console/records?vin={vin}")
    # Then the audit log holds the search with its criteria
    entries = province.api.get("/v1/audit", province.api.regulator_token()).json["entries"]
    searches = [e for e in entries if e["action"] == "records.search"]
    assert searches and searches[0]["details"]["vin"] == vin


def test_an_export_runs_as_a_job_whose_page_refreshes_until_the_link_is_there(province):
    # Given the officer's search of its records
    browser = province.browser(OFFICER)
    query = urllib.parse.urlencode(_window(province))
    page = browser.request("GET", f"/console/records?{query}")
    hidden = form_of(page.text, "/console/records/exports")
    # When it asks for the CSV export
    requested = browser.request("POST", "/console/records/exports", hidden)
    # Then it lands on the job's page, which refreshes itself while the job waits
    assert requested.status_code == 303
    job_path = requested.headers["Location"].split("?")[0]
    waiting = browser.request("GET", job_path)
    assert '<meta http-equiv="refresh"' in waiting.text and 'data-status="pending"' in waiting.text
    # When the export job runs (the table stream's handler)
    province.api.client.lambda_.invoke("run_jobs", _stream_event())
    done = browser.request("GET", job_path)
    # Then the page stops refreshing and offers the link; the file holds the 3 records
    assert '<meta http-equiv="refresh"' not in done.text
    assert 'data-status="done"' in done.text and 'data-rows="3"' in done.text
    assert re.search(r'href="(https?://[^"]+)" data-download', done.text)
    job_id = job_path.rsplit("/", 1)[1]
    body = (
        boto3.client("s3")
        .get_object(Bucket=get_settings().photo_bucket, Key=f"exports/{job_id}.csv")["Body"]
        .read()
        .decode("utf-8-sig")
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["companycode"] for r in rows} == {province.shops["busy"]["companycode"]}


def test_an_export_job_is_its_requesters_alone(province):
    # Given a job the officer asked for
    officer = province.browser(OFFICER)
    page = officer.request("GET", "/console/records?" + urllib.parse.urlencode(_window(province)))
    requested = officer.request(
        "POST", "/console/records/exports", form_of(page.text, "/console/records/exports")
    )
    job_path = requested.headers["Location"].split("?")[0]
    # When the administrator opens its page
    admin = province.browser()
    # Then it does not exist for anyone else
    assert admin.request("GET", job_path).status_code == 404


def test_the_next_page_link_carries_the_searchs_cursor_and_later_pages_link_the_first(province):
    # Given 55 records of the busy shop on one day (one batch upload)
    busy = province.shops["busy"]
    day = "2024-06-01"
    batch = [
        record_payload(company_name=busy["name"], settlement_date=day, repair_date=day)
        for _ in range(55)
    ]
    with moto_copies_a_table_once_per_transaction():
        answer = province.api.post("/v1/records/batch", {"records": batch}, province.tokens["busy"])
    assert answer.status_code == 200, answer.json
    browser = province.browser()
    # When the administrator searches that day and follows the "next page" link
    first = browser.request("GET", f"/console/records?from={day}&to={day}")
    link = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert link and "cursor=" in link.group(1) and "offset" not in link.group(1)
    second = browser.request("GET", html.unescape(link.group(1)))
    # Then the two pages hold the 55 records once each; the second links back to the first
    # and has no next link
    assert len(_records(first.text)) == 50 and len(_records(second.text)) == 5
    assert len(set(_records(first.text) + _records(second.text))) == 55
    assert 'rel="first"' in second.text and 'rel="next"' not in second.text
    assert 'rel="first"' not in first.text
    # And a cursor edited by hand is answered 400 naming it, not a 500
    edited = browser.request("GET", html.unescape(link.group(1)).replace("cursor=", "cursor=x"))
    assert edited.status_code == 400
    assert 'data-field="cursor" data-rule="valid_cursor"' in edited.text
