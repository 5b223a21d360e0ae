"""Regulators' record search (VIN, plate, shop, dates, flag) and its CSV export job."""

from __future__ import annotations

import csv
import io
import urllib.parse

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import record_payload, unique_plate, unique_vin
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
