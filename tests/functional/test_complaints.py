"""Complaints: filing (both kinds, photo by content), idempotency, the workflow end to end,
who sees what, and the audit trail of every regulator read."""

from __future__ import annotations

import base64

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import record_payload, tiny_jpeg, tiny_png, unique_plate, unique_vin
from tests.functional.conftest import ANALYST


@pytest.fixture
def repair(api, shop):
    entry, token = shop
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate)
    assert api.post("/v1/records", payload, token).status_code == 201
    return {"shop": entry, "token": token, "vin": vin, "plate": plate, "payload": payload}


def _incorrect(repair, **overrides):
    body = {
        "kind": "incorrect",
        "vin": repair["vin"],
        "plate": repair["plate"],
        "settlement_list_code": repair["payload"]["settlement_list_code"],
        "text": "结算清单上有更换刹车片，记录里没有",
        "contact_phone": "13800000000",
        "photo_base64": base64.b64encode(tiny_png()).decode(),
    }
    body.update(overrides)
    return body


def _follow(api, code):
    return api.post("/v1/complaints/follow", {"code": code})


def test_an_incorrect_record_complaint_gets_a_code_to_follow(api, repair):
    # When the owner files a complaint about a record, with a PNG voucher
    response = api.post("/v1/complaints", _incorrect(repair))
    # Then it gets a code, and following the code shows it submitted, without personal data
    assert response.status_code == 201, response.json
    code = response.json["code"]
    assert code.startswith("TS") and len(code) == 18
    followed = _follow(api, code)
    assert followed.status_code == 200
    assert followed.json["status"] == "submitted"
    assert "contact_phone" not in followed.json and "vin" not in followed.json


def test_a_retry_gets_the_same_code_and_another_from_the_same_phone_waits(api, repair):
    # Given an open complaint; when it is sent again, and another is sent from the same phone
    first = api.post("/v1/complaints", _incorrect(repair))
    retry = api.post("/v1/complaints", _incorrect(repair))
    other = api.post("/v1/complaints", _incorrect(repair, text="另一个问题"))
    # Then the retry is the same complaint; the other waits until the first is closed
    assert retry.status_code == 200 and retry.json["code"] == first.json["code"]
    assert other.status_code == 409 and other.json["code"] == "complaint_exists"
    assert "code" not in other.json.get("errors", [{}])[0]


@pytest.mark.parametrize(
    ("photo", "rule"),
    [
        (b"%PDF-1.4 not an image at all, whatever its name says" * 2, "jpeg_or_png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "jpeg_or_png"),
    ],
)
def test_a_voucher_must_be_a_jpeg_or_png_by_content(api, repair, photo, rule):
    body = _incorrect(repair, photo_base64=base64.b64encode(photo).decode())
    response = api.post("/v1/complaints", body)
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "photo"
    assert response.json["errors"][0]["rule"] == rule


def test_a_voucher_over_two_megabytes_is_refused_and_nothing_is_stored(api, repair):
    # Given a JPEG just over 2 MB
    big = tiny_jpeg()[:-2] + b"\x00" * (2 * 1024 * 1024) + b"\xff\xd9"
    # When it is filed
    response = api.post(
        "/v1/complaints", _incorrect(repair, photo_base64=base64.b64encode(big).decode())
    )
    # Then it is refused naming the photo, and a complaint without it can still be filed
    assert response.status_code == 400
    assert response.json["errors"][0] == {
        "code": "invalid_field",
        "field": "photo",
        "rule": "max_bytes",
        "message": "the photo must be at most 2 MB",
    }
    assert api.post("/v1/complaints", _incorrect(repair, photo_base64=None)).status_code == 201


def test_a_failed_proof_answers_like_an_unknown_record(api, repair):
    response = api.post("/v1/complaints", _incorrect(repair, plate="苏Z00000"))
    assert response.status_code == 404
    assert response.json["message"] == "no record matches this VIN, plate and settlement number"


def _not_uploaded(shop_entry, **overrides):
    body = {
        "kind": "not_uploaded",
        "companycode": shop_entry["companycode"],
        "vin": unique_vin(),
        "plate": unique_plate(),
        "settlement_list_code": "PAPER-0001",
        "settlement_date": "2024-05-06",
        "text": "修完车三周了，档案里查不到",
        "photo_base64": base64.b64encode(tiny_jpeg()).decode(),
    }
    body.update(overrides)
    return body


def test_a_record_not_uploaded_complaint_names_a_registered_shop(api, repair):
    ok = api.post("/v1/complaints", _not_uploaded(repair["shop"]))
    unknown = api.post(
        "/v1/complaints", _not_uploaded(repair["shop"], companycode="320102999999999")
    )
    future = api.post("/v1/complaints", _not_uploaded(repair["shop"], settlement_date="2999-01-01"))
    assert ok.status_code == 201, ok.json
    assert unknown.status_code == 400 and unknown.json["errors"][0]["rule"] == "registered_shop"
    assert future.status_code == 400 and future.json["errors"][0]["rule"] == "past_date"


def test_not_uploaded_is_refused_when_the_record_is_there(api, repair):
    body = _not_uploaded(
        repair["shop"],
        vin=repair["vin"],
        plate=repair["plate"],
        settlement_list_code=repair["payload"]["settlement_list_code"],
    )
    response = api.post("/v1/complaints", body)
    assert response.status_code == 409 and response.json["code"] == "record_uploaded"


def test_not_uploaded_with_a_wrong_plate_answers_as_if_no_record_were_there(api, repair):
    # Given a record on file, and someone who knows its shop, settlement number and VIN only
    on_file = _not_uploaded(
        repair["shop"],
        vin=repair["vin"],
        plate=unique_plate(),
        settlement_list_code=repair["payload"]["settlement_list_code"],
    )
    nothing = _not_uploaded(repair["shop"], vin=repair["vin"], settlement_list_code="NONE-1")
    # When they file "not uploaded" about it, and about a settlement number never uploaded
    probe = api.post("/v1/complaints", on_file)
    control = api.post("/v1/complaints", nothing)
    # Then both answers are the same kind of answer: filed, with a code; nothing is revealed
    assert probe.status_code == control.status_code == 201, probe.json
    assert probe.json.keys() == control.json.keys()
    assert probe.json["status"] == control.json["status"] == "submitted"


def test_a_strangers_not_uploaded_complaint_does_not_take_the_owners_code(api, repair):
    # Given a stranger who filed "not uploaded" first, naming the owner's shop and number
    number = "PAPER-" + unique_vin()[-8:]
    stranger = api.post(
        "/v1/complaints", _not_uploaded(repair["shop"], settlement_list_code=number)
    )
    owner_body = _not_uploaded(repair["shop"], settlement_list_code=number, text="我的车")
    # When the owner files theirs (own VIN and plate), and retries it
    owner = api.post("/v1/complaints", owner_body)
    retry = api.post("/v1/complaints", owner_body)
    # Then the owner gets a complaint and code of their own, and the retry the same one
    assert stranger.status_code == owner.status_code == 201, owner.json
    assert owner.json["code"] != stranger.json["code"]
    assert retry.status_code == 200 and retry.json["code"] == owner.json["code"]


def test_a_not_uploaded_retry_after_the_upload_answers_the_same_complaint(api, repair):
    # Given an owner's "not uploaded" complaint, filed before the shop uploaded the record
    entry, token = repair["shop"], repair["token"]
    payload = record_payload(company_name=entry["name"])
    body = _not_uploaded(
        entry,
        vin=payload["vin"],
        plate=payload["plate_number"],
        settlement_list_code=payload["settlement_list_code"],
        settlement_date=payload["settlement_date"],
    )
    first = api.post("/v1/complaints", body)
    # When the shop uploads it, and the owner's phone retries the submission
    assert api.post("/v1/records", payload, token).status_code == 201
    retry = api.post("/v1/complaints", body)
    # Then the retry answers the complaint already filed, not "record uploaded"
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json["code"] == first.json["code"]


def test_the_workflow_from_submission_to_resolution(api, repair):
    # Given a filed complaint about a record
    code = api.post("/v1/complaints", _incorrect(repair)).json["code"]
    admin = api.regulator_token()
    token = repair["token"]
    # Then the shop does not see it before the regulator accepts it
    assert api.get("/v1/shop/complaints", token).json["complaints"] == []
    assert api.get(f"/v1/shop/complaints/{code}", token).status_code == 404
    # When the regulator accepts it
    accepted = api.post(f"/v1/complaints/{code}/accept", {}, admin)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    # Then the shop sees it, without the complainant's phone, and marks it read
    listed = api.get("/v1/shop/complaints", token).json["complaints"]
    assert [c["code"] for c in listed] == [code]
    assert "contact_phone" not in listed[0]
    assert api.post(f"/v1/shop/complaints/{code}/read", {}, token).json["shop_read_at"]
    assert _follow(api, code).json["shop_read"] is True
    # When the shop replies pointing to a correction before uploading one, it is refused
    early = api.post(
        f"/v1/shop/complaints/{code}/reply", {"text": "已更正", "link_correction": True}, token
    )
    assert early.status_code == 409 and early.json["code"] == "no_correction"
    # When the shop uploads the correction and replies with it
    corrected = dict(
        repair["payload"],
        repair_items=[{"name": "更换刹车片", "labour_hours": 2}],
        correction_reason="补录刹车片更换",
    )
    assert api.post("/v1/records", corrected, token).json["result"] == "corrected"
    replied = api.post(
        f"/v1/shop/complaints/{code}/reply", {"text": "已更正记录", "link_correction": True}, token
    )
    assert replied.status_code == 200, replied.json
    # Then the complainant sees the reply and the linked correction
    followed = _follow(api, code).json
    assert followed["status"] == "replied"
    assert followed["shop_reply"] == "已更正记录"
    assert followed["correction"]["version"] == 2
    assert followed["correction"]["reason"] == "补录刹车片更换"
    # When the regulator closes it as resolved
    closed = api.post(
        f"/v1/complaints/{code}/close", {"outcome": "resolved", "note": "已核实"}, admin
    )
    # Then it is resolved, and closing it again is harmless
    assert closed.json["status"] == "resolved"
    assert _follow(api, code).json["status"] == "resolved"
    again = api.post(f"/v1/complaints/{code}/close", {"outcome": "resolved"}, admin)
    assert again.status_code == 200 and again.json["version"] == closed.json["version"]


def test_a_rejected_complaint_carries_its_reason_and_never_reaches_the_shop(api, repair):
    code = api.post("/v1/complaints", _incorrect(repair)).json["code"]
    admin = api.regulator_token()
    too_long = api.post(f"/v1/complaints/{code}/reject", {"reason": "长" * 251}, admin)
    rejected = api.post(f"/v1/complaints/{code}/reject", {"reason": "凭证与记录无关"}, admin)
    assert too_long.status_code == 400 and too_long.json["errors"][0]["field"] == "reason"
    assert rejected.json["status"] == "rejected"
    assert _follow(api, code).json["rejection_reason"] == "凭证与记录无关"
    assert api.get("/v1/shop/complaints", repair["token"]).json["complaints"] == []
    late = api.post(f"/v1/complaints/{code}/accept", {}, admin)
    assert late.status_code == 409 and late.json["code"] == "complaint_state"


def test_steps_out_of_order_are_refused(api, repair):
    code = api.post("/v1/complaints", _incorrect(repair)).json["code"]
    admin = api.regulator_token()
    close = api.post(f"/v1/complaints/{code}/close", {"outcome": "resolved"}, admin)
    assert close.status_code == 409 and close.json["code"] == "complaint_state"


def test_only_regulators_who_may_act_handle_complaints(api, repair):
    code = api.post("/v1/complaints", _incorrect(repair)).json["code"]
    analyst = api.regulator_token(ANALYST)
    _, other_shop = api.new_shop()
    assert api.get(f"/v1/complaints/{code}", analyst).status_code == 200
    assert api.post(f"/v1/complaints/{code}/accept", {}, analyst).status_code == 403
    assert api.post(f"/v1/complaints/{code}/accept", {}, repair["token"]).status_code == 401
    assert api.get("/v1/complaints?status=submitted").status_code == 401
    api.post(f"/v1/complaints/{code}/accept", {}, api.regulator_token())
    assert api.get(f"/v1/shop/complaints/{code}", other_shop).status_code == 404
    assert api.post(f"/v1/shop/complaints/{code}/read", {}, other_shop).status_code == 404


def test_the_regulator_queue_and_photo_are_audited(api, repair):
    # Given a complaint with a PNG voucher
    code = api.post("/v1/complaints", _incorrect(repair)).json["code"]
    admin = api.regulator_token()
    # When the regulator reads the queue, the complaint and its photo
    queue = api.get("/v1/complaints?status=submitted", admin).json["complaints"]
    detail = api.get(f"/v1/complaints/{code}", admin)
    photo = api.client.http.get(
        f"/v1/complaints/{code}/photo",
        headers={"Authorization": f"Bearer {admin}", "Accept": "image/png"},
    )
    # Then the regulator sees the phone and the exact photo bytes
    assert code in [c["code"] for c in queue]
    assert detail.json["contact_phone"] == "13800000000" and detail.json["has_photo"]
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png"
    assert photo.body == tiny_png()
    # And both reads are in the audit log, with who and from where
    actions = _audit_actions(code)
    assert {"complaint.create", "complaint.read", "complaint.photo_read"} <= actions


def _audit_actions(target):
    client = boto3.client("dynamodb")
    items = client.scan(TableName=get_settings().table_name)["Items"]
    return {
        i["action"]["S"]
        for i in items
        if i.get("kind", {}).get("S") == "audit" and i["target"]["S"] == target
    }
