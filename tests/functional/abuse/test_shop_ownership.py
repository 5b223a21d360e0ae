"""A shop against other shops' objects: records, imports, reminders, complaints, evaluations.

The attacker is a registered shop of the same district. It holds its own companycode and
secret (so a bearer token and a portal session) and public facts: the victim's companycode
(public directory) and, as if it had seen the victim's paperwork, the victim's settlement
number, VIN and plate, and ids that reached it (a record id, an import job id, a reminder id,
a complaint code, a paging cursor). Through every door (REST, national interface, portal) it
tries to read, change or block the victim's objects; each attempt must answer exactly like an
object that does not exist, and leave the victim's object as it was. The victim still works.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.builders import (
    compat_from_rest,
    evaluation_payload,
    record_payload,
    unique_plate,
    unique_vin,
)
from tests.functional.conftest import Api
from tests.functional.portal_client import PortalClient
from tests.spreadsheets import HEADER_ZH, csv_bytes, sheet_row

MISSING_RECORD = "0" * 32


@pytest.fixture
def victim(api: Api) -> dict[str, Any]:
    """The victim shop with one uploaded record (its payload and record id)."""
    registered, token = api.new_shop(name="南京玄武示范汽车维修有限公司")
    payload = record_payload(vin=unique_vin(), plate_number=unique_plate())
    upload = api.post("/v1/records", payload, token)
    assert upload.status_code == 201, upload.json
    return {**registered, "token": token, "payload": payload, "record_id": upload.json["record_id"]}


@pytest.fixture
def attacker(api: Api) -> dict[str, Any]:
    """Another shop of the same district, signed in to the API and to the portal."""
    registered, token = api.new_shop()
    portal = PortalClient(api.client)
    portal.sign_in(registered["companycode"], registered["secret"])
    return {**registered, "token": token, "portal": portal}


def _record(api: Api, victim: dict[str, Any]) -> dict[str, Any]:
    answer = api.get(f"/v1/records/{victim['record_id']}", victim["token"])
    assert answer.status_code == 200, answer.json
    return dict(answer.json)


def test_another_shops_record_id_reads_changes_and_voids_nothing_via_rest(api, victim, attacker):
    # Given the victim's record as it is, and the attacker holding its record id
    before = _record(api, victim)
    path = f"/v1/records/{victim['record_id']}"
    # When the attacker reads it, its versions, and voids it
    read = api.get(path, attacker["token"])
    versions = api.get(f"{path}/versions", attacker["token"])
    void = api.post(f"{path}/void", {"reason": "不是我的"}, attacker["token"])
    missing = api.get(f"/v1/records/{MISSING_RECORD}", attacker["token"])
    # Then each answers exactly like a record that does not exist
    assert read.status_code == versions.status_code == void.status_code == 404
    assert read.json == versions.json == void.json == missing.json
    # And the victim's record is untouched
    assert _record(api, victim) == before


def test_reusing_a_settlement_number_creates_the_attackers_own_record_at_every_door(
    api, victim, attacker
):
    # Given the victim's record, and the attacker holding its settlement number, VIN and plate
    before = _record(api, victim)
    altered = dict(victim["payload"], repair_mileage=999_999, correction_reason="更正")
    # When the attacker uploads different content under that number through each upload door
    single = api.post("/v1/records", altered, attacker["token"])
    batch = api.post("/v1/records/batch", {"records": [altered]}, attacker["token"])
    national = api.post(
        "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query",
        compat_from_rest(attacker["token"], altered),
    )
    # Then each lands in a record of the attacker's own, never the victim's
    assert single.status_code == 201 and single.json["result"] == "created"
    assert single.json["record_id"] != victim["record_id"]
    assert batch.json["results"][0]["record_id"] == single.json["record_id"]
    assert national.json["code"] == "1", national.json
    assert national.json["receipt"]["record_id"] == single.json["record_id"]
    # And the victim's record is exactly as it was (no correction, no new version)
    assert _record(api, victim) == before
    versions = api.get(f"/v1/records/{victim['record_id']}/versions", victim["token"])
    assert len(versions.json["versions"]) == 1


def test_another_shops_record_cannot_be_opened_corrected_or_voided_in_the_portal(
    api, victim, attacker
):
    # Given the attacker's portal session (with a valid CSRF token) and the victim's record id
    before = _record(api, victim)
    portal = attacker["portal"]
    csrf = portal.get("/portal/records/new").csrf()
    base = f"/portal/records/{victim['record_id']}"
    edit_form = {
        **{k: str(v) for k, v in victim["payload"].items() if not isinstance(v, list)},
        "correction_reason": "改别人的",
        "csrf_token": csrf,
    }
    # When it opens the record and its correction form, posts a correction and a void
    pages = [
        portal.get(base),
        portal.get(f"{base}/edit"),
        portal.post(f"{base}/edit", edit_form),
        portal.post(f"{base}/void", {"reason": "作废别人的", "csrf_token": csrf}),
    ]
    # Then every page is the portal's "not found" page
    assert [p.status for p in pages] == [404, 404, 404, 404]
    missing = portal.get(f"/portal/records/{MISSING_RECORD}")
    assert {_error_of(p.text) for p in pages} == {_error_of(missing.text)} == {"not_found"}
    # And the victim's record is untouched
    assert _record(api, victim) == before


def test_another_shops_import_job_and_its_results_are_not_found(api, victim):
    # Given the victim's import (its job id leaked, e.g. from a shared screen)
    victim_portal = PortalClient(api.client)
    victim_portal.sign_in(victim["companycode"], victim["secret"])
    form = victim_portal.get("/portal/imports")
    data = csv_bytes([HEADER_ZH, sheet_row()])
    submitted = victim_portal.post_file(
        "/portal/imports", {"csrf_token": form.csrf()}, "mine.csv", data
    )
    assert submitted.status == 303, submitted.text
    job_path = submitted.location.removeprefix("http://localhost")
    registered, _ = api.new_shop()
    attacker = PortalClient(api.client)
    attacker.sign_in(registered["companycode"], registered["secret"])
    # When the attacker opens the job page and downloads its results
    page = attacker.get(job_path)
    results = attacker.get(f"{job_path}/results.csv")
    # Then both are "not found", like an import id that was never issued
    missing = attacker.get("/portal/imports/" + "0" * 32)
    assert page.status == results.status == missing.status == 404
    assert _error_of(page.text) == _error_of(results.text) == _error_of(missing.text)
    # And the victim still reads its own job
    assert victim_portal.get(job_path).status == 200


def test_another_shops_reminder_cannot_be_read_or_marked_read(api, victim, attacker):
    # Given a reminder sent to the victim only
    sent = api.post(
        "/v1/reminders",
        {"companycodes": [victim["companycode"]], "title": "请按时上传", "body": "近7天无上传"},
        api.regulator_token(),
    )
    assert sent.status_code == 201, sent.json
    reminder_id = sent.json["reminder_id"]
    # When the attacker opens it through the API and the portal
    api_read = api.post(f"/v1/shop/reminders/{reminder_id}/read", {}, attacker["token"])
    portal_read = attacker["portal"].get(f"/portal/messages/reminders/{reminder_id}")
    # Then both answer "not found" and the attacker's own list does not hold it
    assert api_read.status_code == portal_read.status == 404
    assert api.get("/v1/shop/reminders", attacker["token"]).json["reminders"] == []
    # And the victim's copy is still unread, and the regulator's read count is still 0
    mine = api.get("/v1/shop/reminders", victim["token"]).json
    assert (mine["unread"], mine["reminders"][0]["read_at"]) == (1, None)
    counts = api.get("/v1/reminders", api.regulator_token()).json["reminders"]
    assert [r["read"] for r in counts if r["reminder_id"] == reminder_id] == [0]


def test_another_shops_complaint_cannot_be_read_marked_or_answered(api, victim, attacker):
    # Given an accepted complaint about the victim's record (its code leaked to the attacker)
    code = _accepted_complaint(api, victim)
    portal = attacker["portal"]
    csrf = portal.get("/portal/messages").csrf()
    # When the attacker reads it, marks it read and replies, through the API and the portal
    answers = [
        api.get(f"/v1/shop/complaints/{code}", attacker["token"]),
        api.post(f"/v1/shop/complaints/{code}/read", {}, attacker["token"]),
        api.post(
            f"/v1/shop/complaints/{code}/reply",
            {"text": "与我无关", "link_correction": False},
            attacker["token"],
        ),
    ]
    pages = [
        portal.get(f"/portal/messages/complaints/{code}"),
        portal.post(
            f"/portal/messages/complaints/{code}/reply", {"text": "与我无关", "csrf_token": csrf}
        ),
    ]
    # Then each answers exactly like a complaint that does not exist
    missing = api.get("/v1/shop/complaints/TS" + "A" * 16, attacker["token"])
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert [a.json for a in answers] == [missing.json] * 3
    assert [p.status for p in pages] == [404, 404]
    # And the complaint is still accepted, unread and unanswered, for the victim to answer
    followed = api.post("/v1/complaints/follow", {"code": code}).json
    assert (followed["status"], followed["shop_read"], followed["shop_reply"]) == (
        "accepted",
        False,
        None,
    )
    own = api.get(f"/v1/shop/complaints/{code}", victim["token"])
    assert own.status_code == 200
    # And even the shop it is about never reads the complainant's phone
    assert "13800000000" not in own.body.decode("utf-8")


def test_another_shops_evaluation_cannot_be_answered(api, victim, attacker):
    # Given the owner's evaluation of the victim's repair
    payload = victim["payload"]
    proof = (payload["vin"], payload["plate_number"], payload["settlement_list_code"])
    evaluation = api.post("/v1/evaluations", evaluation_payload(*proof))
    assert evaluation.status_code == 201, evaluation.json
    # When the attacker posts the public reply to it
    path = f"/v1/shop/evaluations/{victim['record_id']}/reply"
    reply = api.post(path, {"text": "差评是假的"}, attacker["token"])
    # Then it answers "not found", and the evaluation still has no reply
    assert reply.status_code == 404
    assert api.get("/v1/shop/evaluations", attacker["token"]).json["evaluations"] == []
    listed = api.get("/v1/shop/evaluations", victim["token"]).json["evaluations"]
    assert [e["reply"] for e in listed] == [None]


def test_a_cursor_of_another_shops_listing_does_not_page_into_it(api, victim, attacker):
    # Given cursors the victim's own listings issued (records and reminders, one per page)
    api.post("/v1/records", record_payload(), victim["token"])
    for title in ("第一次提醒", "第二次提醒"):
        api.post(
            "/v1/reminders",
            {"companycodes": [victim["companycode"]], "title": title, "body": "请上传"},
            api.regulator_token(),
        )
    records = api.get("/v1/records?from=2024-01-01&to=2024-12-31&limit=1", victim["token"]).json
    reminders = api.get("/v1/shop/reminders?limit=1", victim["token"]).json
    assert records["next_cursor"] and reminders["next_cursor"]
    # When the attacker presents them on its own listings
    own_records = api.get(
        f"/v1/records?from=2024-01-01&to=2024-12-31&cursor={records['next_cursor']}",
        attacker["token"],
    )
    own_reminders = api.get(
        f"/v1/shop/reminders?cursor={reminders['next_cursor']}", attacker["token"]
    )
    # Then each is refused as a cursor this API did not issue, naming the parameter
    for answer in (own_records, own_reminders):
        assert answer.status_code == 400, answer.json
        assert answer.json["errors"][0]["field"] == "cursor"
        assert answer.json["errors"][0]["rule"] == "valid_cursor"


def test_the_victim_still_reads_corrects_and_voids_its_own_record(api, victim, attacker):
    # Given every attempt above made by the attacker
    api.post(f"/v1/records/{victim['record_id']}/void", {"reason": "x"}, attacker["token"])
    # When the victim corrects and then voids its record
    corrected = api.post(
        "/v1/records",
        dict(victim["payload"], repair_mileage=12_345, correction_reason="里程录错"),
        victim["token"],
    )
    path = f"/v1/records/{victim['record_id']}/void"
    voided = api.post(path, {"reason": "重复"}, victim["token"])
    # Then both are its own versions 2 and 3
    assert (corrected.json["result"], corrected.json["version"]) == ("corrected", 2)
    assert (voided.json["result"], voided.json["version"]) == ("voided", 3)


def _error_of(html: str) -> str:
    """The error code a portal error page shows (its `data-error`), or "" for another page."""
    found = re.search(r'data-error="([^"]*)"', html)
    return found.group(1) if found else ""


def _accepted_complaint(api: Api, victim: dict[str, Any]) -> str:
    payload = victim["payload"]
    filed = api.post(
        "/v1/complaints",
        {
            "kind": "incorrect",
            "vin": payload["vin"],
            "plate": payload["plate_number"],
            "settlement_list_code": payload["settlement_list_code"],
            "text": "记录里少了一项",
            "contact_phone": "13800000000",
        },
    )
    assert filed.status_code == 201, filed.json
    code = str(filed.json["code"])
    accepted = api.post(f"/v1/complaints/{code}/accept", {}, api.regulator_token())
    assert accepted.status_code == 200, accepted.json
    return code
