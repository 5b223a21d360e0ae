"""A district officer against objects of other districts and of other regulators.

The attacker is the district officer of 320102. It holds its account (password and TOTP, so a
bearer token and a console session) and learns ids it should not use: a complaint code, a shop's
companycode and a VIN or plate of the other district (320104), and export job ids of another
officer of its own district and of the province administrator. By id, through the API and the
console, it tries to read or act on each; every attempt answers exactly like a missing object
and changes nothing. Its own district's objects still work.
"""

from __future__ import annotations

import base64
import csv
import io
import urllib.parse
from typing import Any

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import tiny_png
from tests.functional.conftest import add_regulator
from tests.functional.province_console import OFFICER, Province, build_province, csrf_of
from tests.functional.stream_events import run_handler

SAME_DISTRICT_OFFICER = ("officer-c", "officer-c-test-password")  # also of 320102
IMG_ACCEPT = {"Accept": "image/png"}
MISSING_COMPLAINT = "TS" + "A" * 16


@pytest.fixture
def province(api) -> Province:
    """Shops of 320102 (busy, idle) and 320104 (other), each district's complaint with a photo."""
    province = build_province(api)
    add_regulator(
        SAME_DISTRICT_OFFICER[0], "district_officer", ("320102",), password=SAME_DISTRICT_OFFICER[1]
    )
    photo = base64.b64encode(tiny_png()).decode()
    codes = {}
    for name, upload in (("own", province.uploads[0]), ("other", province.uploads[3])):
        filed = api.post(
            "/v1/complaints",
            {
                "kind": "incorrect",
                "vin": upload["vin"],
                "plate": upload["plate_number"],
                "settlement_list_code": upload["settlement_list_code"],
                "text": "记录有误",
                "photo_base64": photo,
                "contact_phone": "13700000000",
            },
        )
        assert filed.status_code == 201, filed.json
        codes[name] = filed.json["code"]
    province.complaints = codes  # type: ignore[attr-defined]
    return province


def _status(api, code: str) -> str:
    return str(api.get(f"/v1/complaints/{code}", api.regulator_token()).json["status"])


def test_another_districts_complaint_is_missing_by_code_in_the_api_and_console(api, province):
    # Given the officer of 320102 holding the code of a complaint about a shop of 320104
    token = api.regulator_token(OFFICER)
    other = province.complaints["other"]
    base = f"/v1/complaints/{other}"
    # When it reads the complaint and its photo, and accepts, rejects and closes it
    answers = [
        api.get(base, token),
        api.call("GET", f"{base}/photo", token=token, headers=IMG_ACCEPT),
        api.post(f"{base}/accept", {}, token),
        api.post(f"{base}/reject", {"reason": "不予受理"}, token),
        api.post(f"{base}/close", {"outcome": "resolved", "note": ""}, token),
    ]
    missing = api.get(f"/v1/complaints/{MISSING_COMPLAINT}", token)
    # Then each answers exactly like a complaint that does not exist
    assert [a.status_code for a in answers] == [404] * 5
    assert [a.json for a in answers] == [missing.json] * 5
    # And in the console: its page, its photo and a decision are "not found" too
    browser = province.browser(OFFICER)
    csrf = csrf_of(browser.request("GET", "/console/complaints").text)
    pages = [
        browser.request("GET", f"/console/complaints/{other}"),
        browser.request("GET", f"/console/complaints/{other}/photo", headers=IMG_ACCEPT),
        browser.request("POST", f"/console/complaints/{other}/accept", {"csrf_token": csrf}),
    ]
    assert [p.status_code for p in pages] == [404, 404, 404]
    # And neither queue shows it, and it still waits, undecided, for its own district
    queue = api.get("/v1/complaints", token).json["complaints"]
    assert [c["code"] for c in queue] == [province.complaints["own"]]
    assert other not in browser.request("GET", "/console/complaints").text
    assert _status(api, other) == "submitted"
    # And the officer handles its own district's complaint
    own = api.post(f"/v1/complaints/{province.complaints['own']}/accept", {}, token)
    assert own.status_code == 200 and own.json["status"] == "accepted"


def test_another_districts_shop_is_missing_and_unchanged(api, province):
    # Given the officer of 320102 and the companycode of a shop of 320104
    token = api.regulator_token(OFFICER)
    other = province.shops["other"]["companycode"]
    base = f"/v1/shops/{other}"
    # When it reads, edits, rotates the secret of, and suspends the shop
    answers = [
        api.get(base, token),
        api.call("PATCH", base, {"version": 1, "name": "改名"}, token),
        api.post(f"{base}/secret", {}, token),
        api.post(f"{base}/suspend", {}, token),
    ]
    missing = api.get("/v1/shops/320104999999999", token)
    # Then each answers exactly like a shop that does not exist
    assert [a.status_code for a in answers] == [404] * 4
    assert all(a.json == missing.json for a in answers)
    # And the shop is as it was: its name, active, and its token still uploads
    entry = api.get(base, api.regulator_token()).json
    assert (entry["name"], entry["status"]) == (province.shops["other"]["name"], "active")
    assert api.get("/v1/records", province.tokens["other"]).status_code == 200


def test_no_reminder_reaches_another_districts_shop_and_others_reminders_stay_hidden(api, province):
    # Given the officer of 320102, and a reminder the administrator sent to the shop of 320104
    token = api.regulator_token(OFFICER)
    own, other = province.shops["busy"]["companycode"], province.shops["other"]["companycode"]
    admin_sent = api.post(
        "/v1/reminders",
        {"companycodes": [other], "title": "管理员提醒", "body": "请上传"},
        api.regulator_token(),
    )
    assert admin_sent.status_code == 201
    # When the officer reminds its own shop together with the other district's
    mixed = api.post(
        "/v1/reminders", {"companycodes": [own, other], "title": "越权提醒", "body": "x"}, token
    )
    # Then the whole send is refused like an unknown shop, and nobody received it
    assert mixed.status_code == 404
    for name in ("busy", "other"):
        received = api.get("/v1/shop/reminders", province.tokens[name]).json["reminders"]
        assert "越权提醒" not in [r["title"] for r in received]
    # And the officer's lists of sent reminders hold neither the administrator's nor any other
    assert api.get("/v1/reminders", token).json["reminders"] == []
    assert "管理员提醒" not in province.browser(OFFICER).request("GET", "/console/reminders").text


def test_export_jobs_are_their_requesters_and_run_within_the_requesters_districts(api, province):
    # Given export jobs of the administrator and of another officer of the same district
    officer = api.regulator_token(OFFICER)
    exports = "/v1/search/records/exports"
    others = [
        api.post(exports, {}, api.regulator_token()),
        api.post(exports, {}, api.regulator_token(SAME_DISTRICT_OFFICER)),
    ]
    assert [o.status_code for o in others] == [202, 202]
    # When the officer opens each by its job id, through the API and the console
    browser = province.browser(OFFICER)
    answers = [api.get(f"/v1/search/records/exports/{o.json['job_id']}", officer) for o in others]
    pages = [browser.request("GET", f"/console/records/exports/{o.json['job_id']}") for o in others]
    # Then every one is "not found"
    assert [a.status_code for a in answers] == [404, 404]
    assert [p.status_code for p in pages] == [404, 404]
    # When the officer exports everything it may see, and the job runs
    mine = api.post(exports, {}, officer)
    assert run_handler(api, "run_jobs") == {"batchItemFailures": []}
    status = api.get(f"/v1/search/records/exports/{mine.json['job_id']}", officer).json
    # Then its file holds only its own district's records
    assert status["status"] == "done"
    rows = _export_rows(mine.json["job_id"])
    assert len(rows) == 3 and {r["companycode"][:6] for r in rows} == {"320102"}


def test_a_search_never_returns_another_districts_records(api, province):
    # Given the officer of 320102, and the VIN, plate and shop of a record of 320104
    token = api.regulator_token(OFFICER)
    other = province.uploads[3]
    shop = province.shops["other"]["companycode"]
    # When it searches by that VIN, that plate, and that shop (API and console)
    by_vin = _search(api, token, vin=other["vin"])
    by_plate = _search(api, token, plate=other["plate_number"])
    by_shop = _search(api, token, companycode=shop)
    page = province.browser(OFFICER).request("GET", f"/console/records?companycode={shop}")
    # Then the VIN and the plate find nothing, and the shop does not exist for it
    assert (by_vin.status_code, by_vin.json["records"]) == (200, [])
    assert (by_plate.status_code, by_plate.json["records"]) == (200, [])
    assert by_shop.status_code == 404 and page.status_code == 404
    # And the administrator finds the record by the same VIN
    found = _search(api, api.regulator_token(), vin=other["vin"]).json["records"]
    assert [r["companycode"] for r in found] == [shop]


def _search(api, token: str, **params: str) -> Any:
    query = urllib.parse.urlencode(params)  # the last 30 days, when the records were settled
    return api.get(f"/v1/search/records?{query}", token)


def _export_rows(job_id: str) -> list[dict[str, str]]:
    key = f"exports/{job_id}.csv"
    body = boto3.client("s3").get_object(Bucket=get_settings().photo_bucket, Key=key)["Body"]
    return list(csv.DictReader(io.StringIO(body.read().decode("utf-8-sig"))))
