"""The regulator's export of an agency's reads: JSON pages, CSV, console link, who may."""

from __future__ import annotations

import csv
import io

from tests.builders import totp_code
from tests.functional.conftest import REGULATOR, TOTP_SECRETS, add_regulator
from tests.functional.console_browser import Browser
from tests.functional.sharing_support import agency_key, agency_read, ministry_vehicle


def _reads(api, times=3):
    """An insurer's key refused `times` times (no grant) on one vehicle."""
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "导出测试保险公司", "insurance", "claims_assessment")
    for _ in range(times):
        agency_read(api, key["key"], vehicle["vin"])
    return vehicle, key


def test_an_analyst_pages_through_an_agencys_reads(ministry_api):
    # Given three reads by an agency and a ministry analyst
    api = ministry_api
    vehicle, key = _reads(api)
    token = api.regulator_token(add_regulator("m-analyst2", "ministry_analyst"))
    # When the analyst reads them two at a time
    first = api.get(f"/v1/agencies/{key['agency_id']}/reads?limit=2", token)
    second = api.get(
        f"/v1/agencies/{key['agency_id']}/reads?limit=2&cursor={first.json['next_cursor']}", token
    )
    # Then all three come, oldest first, with key, purpose, VIN and outcome
    reads = first.json["reads"] + second.json["reads"]
    assert len(reads) == 3 and second.json["next_cursor"] is None
    assert [r["at"] for r in reads] == sorted(r["at"] for r in reads)
    assert {(r["key_id"], r["purpose"], r["vin"], r["outcome"], r["code"]) for r in reads} == {
        (key["key_id"], "claims_assessment", vehicle["vin"], "refused", "no_grant")
    }


def test_the_reads_export_as_csv_for_excel(ministry_api):
    # Given two reads by an agency
    api = ministry_api
    vehicle, key = _reads(api, times=2)
    # When the administrator downloads the CSV
    answer = api.client.http.request(
        "GET",
        f"/v1/agencies/{key['agency_id']}/reads/csv",
        headers={"Authorization": f"Bearer {api.regulator_token()}"},
    )
    # Then it is a CSV with a BOM, a header and one line per read, and no next part
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert "Link" not in answer.headers
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2
    assert rows[0]["agency_name"] == "导出测试保险公司" and rows[0]["vin"] == vehicle["vin"]
    assert rows[0]["at"].endswith("+08:00") and rows[0]["code"] == "no_grant"


def test_an_export_spans_at_most_31_days_and_names_a_known_agency(ministry_api):
    # Given an agency
    api = ministry_api
    _, key = _reads(api, times=1)
    token = api.regulator_token()
    # When the range is too long, or the agency unknown
    too_long = api.get(
        f"/v1/agencies/{key['agency_id']}/reads?from=2024-01-01&to=2024-03-01", token
    )
    unknown = api.get("/v1/agencies/AG0000000000/reads", token)
    bad_cursor = api.get(f"/v1/agencies/{key['agency_id']}/reads?cursor=1999-01-01~x", token)
    # Then each is refused with its reason
    assert too_long.status_code == 400 and too_long.json["errors"][0]["field"] == "from"
    assert (unknown.status_code, unknown.json["code"]) == (404, "agency_not_found")
    assert bad_cursor.status_code == 400 and bad_cursor.json["errors"][0]["field"] == "cursor"


def test_the_export_is_audited_and_refused_to_others(ministry_api):
    # Given an agency's reads
    api = ministry_api
    _, key = _reads(api, times=1)
    # When nobody, and then the administrator, asks for them
    anonymous = api.get(f"/v1/agencies/{key['agency_id']}/reads")
    api.get(f"/v1/agencies/{key['agency_id']}/reads", api.regulator_token())
    # Then the anonymous call is refused and the administrator's is in the audit log
    assert anonymous.status_code == 401
    entries = api.get("/v1/audit?actor=regulator", api.regulator_token()).json["entries"]
    exported = [e for e in entries if e["action"] == "agency.reads_exported"]
    assert exported and exported[0]["target"] == key["agency_id"]


def test_the_console_lists_agencies_and_links_the_csv(ministry_api):
    # Given an agency with reads, and the administrator signed in to the console
    api = ministry_api
    _, key = _reads(api, times=1)
    browser = Browser(api)
    # (the API token used this time step's code: the console takes the next one)
    next_code = totp_code(TOTP_SECRETS["regulator"], steps_ahead=1)
    assert browser.sign_in(*REGULATOR, code=next_code).status_code == 303
    # When it opens the agencies section and the CSV link of the agency
    page = browser.request("GET", "/console/agencies")
    download = browser.request("GET", f"/console/agencies/{key['agency_id']}/reads?from=&to=")
    # Then the agency, its key and the export form are there, and the CSV downloads
    assert page.status_code == 200
    assert f'data-agency="{key["agency_id"]}"' in page.text
    assert f'data-key="{key["key_id"]}"' in page.text
    assert f'/console/agencies/{key["agency_id"]}/reads"' in page.text
    assert download.status_code == 200 and download.text.count("\r\n") == 2
