"""Regulators' record search (VIN, plate, shop, dates, flag) and its CSV export job."""

from __future__ import annotations

import csv
import io
import urllib.parse

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import record_payload, unique_plate, unique_vin
from tests.functional.conftest import add_regulator
from tests.functional.test_statistics_stream import _stream_event


@pytest.fixture
def records(api):
    """Two shops' records: one VIN with two visits (second flagged), and others."""
    first, first_token = api.new_shop(division_code="320102")
    second, second_token = api.new_shop(division_code="320104")
    vin, plate = unique_vin(), unique_plate()
    api.post(
        "/v1/records",
        record_payload(vin=vin, plate_number=plate, company_name=first["name"]),
        first_token,
    )
    api.post(
        "/v1/records",
        record_payload(
            vin=vin,
            plate_number=plate,
            company_name=first["name"],
            repair_date="2024-04-01",
            settlement_date="2024-04-01",
            repair_mileage=0,
        ),
        first_token,
    )
    for _ in range(3):
        api.post("/v1/records", record_payload(company_name=second["name"]), second_token)
    return {"first": first, "second": second, "vin": vin, "plate": plate}


def _search(api, token, **params):
    return api.get("/v1/search/records?" + urllib.parse.urlencode(params), token)


def test_search_by_vin_plate_shop_dates_and_flag(api, records):
    admin = api.regulator_token()
    window = {"from": "2024-01-01", "to": "2024-12-31"}
    by_vin = _search(api, admin, vin=records["vin"].lower(), **window).json["records"]
    by_plate = _search(api, admin, plate=records["plate"], **window).json["records"]
    by_shop = _search(api, admin, companycode=records["second"]["companycode"], **window)
    by_day = _search(api, admin, **{"from": "2024-04-01", "to": "2024-04-01"}).json["records"]
    flagged = _search(api, admin, flag="mileage_zero", **window).json["records"]
    assert [r["settlement_date"] for r in by_vin] == ["2024-04-01", "2024-03-02"]
    assert len(by_plate) == 2 and len(by_shop.json["records"]) == 3
    assert [r["vin"] for r in by_day] == [records["vin"]]
    assert [r["flag_codes"] for r in flagged] == [["mileage_zero"]]


def test_bad_criteria_are_named(api, records):
    admin = api.regulator_token()
    reversed_range = _search(api, admin, **{"from": "2024-05-01", "to": "2024-01-01"})
    too_long = _search(api, admin, **{"from": "2022-01-01", "to": "2024-01-01"})
    unknown = _search(api, admin, colour="red")
    assert reversed_range.json["errors"][0]["rule"] == "not_before_from"
    assert too_long.json["errors"][0]["rule"] == "max_range"
    assert unknown.json["errors"][0] == {
        "code": "invalid_field",
        "field": "colour",
        "rule": "unknown_field",
        "message": "unknown parameter colour",
    }


def test_search_needs_a_regulator_and_is_audited(api, records, shop):
    _, shop_token = shop
    assert _search(api, shop_token).status_code == 401
    assert _search(api, None).status_code == 401
    _search(api, api.regulator_token(), vin=records["vin"])
    items = boto3.client("dynamodb").scan(TableName=get_settings().table_name)["Items"]
    actions = [i["action"]["S"] for i in items if i.get("kind", {}).get("S") == "audit"]
    assert "records.search" in actions


def test_an_export_job_writes_the_csv_and_gives_its_requester_a_link(api, records):
    # Given a regulator's export request
    admin = api.regulator_token()
    body = {
        "from": "2024-01-01",
        "to": "2024-12-31",
        "companycode": records["second"]["companycode"],
    }
    job = api.post("/v1/search/records/exports", body, admin)
    assert job.status_code == 202 and job.json["status"] == "pending"
    # When the job's stream record reaches the export handler
    answer = api.client.lambda_.invoke("run_jobs", _stream_event()).payload
    assert answer == {"batchItemFailures": []}
    # Then the requester gets a download link, and the file has a header and three rows
    status = api.get(f"/v1/search/records/exports/{job.json['job_id']}", admin).json
    assert status["status"] == "done" and status["rows"] == 3
    assert status["download_url"]
    key = f"exports/{job.json['job_id']}.csv"
    text = boto3.client("s3").get_object(Bucket=get_settings().photo_bucket, Key=key)["Body"].read()
    assert text.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][:4] == ["record_id", "companycode", "shop_name", "vin"]
    assert len(rows) == 4 and {r[1] for r in rows[1:]} == {records["second"]["companycode"]}
    # And another regulator cannot see it
    from tests.functional.conftest import ANALYST

    other = api.get(
        f"/v1/search/records/exports/{job.json['job_id']}", api.regulator_token(ANALYST)
    )
    assert other.status_code == 404


def _upload_days(api, token, shop, days, **overrides):
    """One record per settlement day given, for the shop."""
    for day in days:
        payload = record_payload(
            company_name=shop["name"], settlement_date=day, repair_date=day, **overrides
        )
        assert api.post("/v1/records", payload, token).status_code == 201


def _all_pages(api, token, limit, **params):
    """Every page of a search, following `next_cursor`; returns (record ids, pages read)."""
    seen, pages, cursor = [], 0, None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = _search(api, token, **query)
        assert page.status_code == 200, page.json
        seen += [r["record_id"] for r in page.json["records"]]
        pages += 1
        cursor = page.json["next_cursor"]
        if cursor is None:
            return seen, pages


def test_pages_follow_by_cursor_with_the_records_and_order_of_one_long_page(api):
    # Given seven records over three days in two districts' shops, and one vehicle seen
    # three times
    xuanwu, xuanwu_token = api.new_shop(division_code="320102")
    qinhuai, qinhuai_token = api.new_shop(division_code="320104")
    days = ["2024-05-01", "2024-05-02", "2024-05-03"]
    vin = unique_vin()
    _upload_days(api, xuanwu_token, xuanwu, days, vin=vin)
    _upload_days(api, qinhuai_token, qinhuai, days)
    _upload_days(api, qinhuai_token, qinhuai, days[1:2])
    admin = api.regulator_token()
    window = {"from": days[0], "to": days[-1]}
    for criteria in (window, {**window, "vin": vin}, {**window, **_shop(qinhuai)}):
        # When the search is read two records at a time, following each page's cursor
        paged, pages = _all_pages(api, admin, 2, **criteria)
        # Then the pages hold exactly the records of one long page, in its order, and the
        # last full page says no more follow (no empty page at the end)
        whole = _search(api, admin, **criteria).json
        assert whole["next_cursor"] is None
        assert paged == [r["record_id"] for r in whole["records"]]
        assert pages == -(-len(paged) // 2)
    assert len(_search(api, admin, **window).json["records"]) == 7


def test_a_district_narrows_the_search_and_an_officer_may_name_only_its_own(api):
    # Given records of two districts' shops and an officer of one of them
    xuanwu, xuanwu_token = api.new_shop(division_code="320102")
    qinhuai, qinhuai_token = api.new_shop(division_code="320104")
    _upload_days(api, xuanwu_token, xuanwu, ["2024-05-01"])
    _upload_days(api, qinhuai_token, qinhuai, ["2024-05-01", "2024-05-02"])
    window = {"from": "2024-05-01", "to": "2024-05-02"}
    officer = api.regulator_token(add_regulator("searcher320102", "district_officer", ("320102",)))
    # When the province administrator names a district, and the officer names the other one
    admin_view = _search(api, api.regulator_token(), division="320104", **window)
    officer_view = _search(api, officer, division="320104", **window)
    malformed = _search(api, officer, division="3201", **window)
    # Then the administrator sees that district's records only; the officer is refused
    assert {r["companycode"] for r in admin_view.json["records"]} == {qinhuai["companycode"]}
    assert len(admin_view.json["records"]) == 2
    assert officer_view.status_code == 403 and officer_view.json["code"] == "out_of_scope"
    assert malformed.status_code == 400
    assert malformed.json["errors"][0]["field"] == "division"
    # And its own district's records are its search's, with or without naming it
    own = _search(api, officer, division="320102", **window).json["records"]
    assert [r["companycode"] for r in own] == [xuanwu["companycode"]]
    assert _search(api, officer, **window).json["records"] == own


def test_an_offset_is_no_longer_a_parameter_and_limit_is_one_to_fifty(api):
    admin = api.regulator_token()
    assert _search(api, admin, offset=50).json["errors"][0]["rule"] == "unknown_field"
    assert _search(api, admin, limit=51).json["errors"][0]["field"] == "limit"
    assert _search(api, admin, limit=0).status_code == 400


def _shop(shop):
    return {"companycode": shop["companycode"]}
