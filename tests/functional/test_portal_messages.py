"""Messages: complaints about the shop, read when opened, answered once (with a correction)."""

from __future__ import annotations

import re

import pytest

from tests.builders import record_payload, unique_plate, unique_vin
from tests.functional.portal_client import PortalClient


@pytest.fixture
def complaint(api, shop):
    """An accepted complaint about one of the shop's records, and the shop signed in."""
    registered, token = shop
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate)
    api.post("/v1/records", payload, token)
    code = api.post(
        "/v1/complaints",
        {
            "kind": "incorrect",
            "vin": vin,
            "plate": plate,
            "settlement_list_code": payload["settlement_list_code"],
            "text": "结算清单上有更换刹车片，记录里没有",
            "contact_phone": "13800000000",
        },
    ).json["code"]
    assert api.post(f"/v1/complaints/{code}/accept", {}, api.regulator_token()).status_code == 200
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    return browser, code, payload, token


def test_a_complaint_is_listed_unread_and_opening_it_is_the_read_receipt(api, complaint):
    # Given an accepted complaint about the shop
    browser, code, _, _ = complaint
    # When the shop lists its messages, then opens the complaint
    listed = browser.get("/portal/messages")
    opened = browser.get(f"/portal/messages/complaints/{code}")
    # Then it was listed unread, shows without the complainant's phone, and is now read
    assert f'data-complaint="{code}" data-read="false"' in listed.text
    assert "13800000000" not in opened.text and "记录里没有" in opened.text
    assert re.search(r'data-read-at="\d{4}-\d{2}-\d{2} \d{2}:\d{2}"', opened.text)
    assert api.post("/v1/complaints/follow", {"code": code}).json["shop_read"] is True
    assert f'data-complaint="{code}" data-read="true"' in browser.get("/portal/messages").text


def test_the_shop_replies_once_with_the_correction_attached(api, complaint):
    # Given an opened complaint
    browser, code, payload, token = complaint
    page = browser.get(f"/portal/messages/complaints/{code}")
    path = f"/portal/messages/complaints/{code}/reply"
    # When the shop replies empty, then attaches a correction it has not uploaded yet
    empty = browser.post(path, {"csrf_token": page.csrf(), "text": " "})
    early = browser.post(
        path, {"csrf_token": page.csrf(), "text": "已更正", "link_correction": "yes"}
    )
    # Then both are refused and say why
    assert empty.status == 400 and "请填写回复内容" in empty.text
    assert early.status == 409 and "请先上传更正后的记录" in early.text
    # When it uploads the correction and replies with it attached
    corrected = dict(
        payload,
        repair_items=[{"name": "更换刹车片", "labour_hours": 2}],
        correction_reason="补录刹车片更换",
    )
    assert api.post("/v1/records", corrected, token).json["result"] == "corrected"
    replied = browser.post(
        path, {"csrf_token": page.csrf(), "text": "已补录刹车片更换", "link_correction": "yes"}
    )
    # Then the complaint reads replied with the correction, and the owner sees the reply
    assert replied.status == 200 and 'data-status="replied"' in replied.text
    assert "所附更正：记录第 2 版" in replied.text
    followed = api.post("/v1/complaints/follow", {"code": code}).json
    assert (followed["status"], followed["shop_reply"]) == ("replied", "已补录刹车片更换")
    # And a second reply is not offered
    assert (
        'action="/portal/messages/complaints'
        not in browser.get(f"/portal/messages/complaints/{code}").text
    )


def test_a_reply_without_the_csrf_token_changes_nothing(api, complaint):
    browser, code, _, _ = complaint
    forged = browser.post(f"/portal/messages/complaints/{code}/reply", {"text": "x"})
    assert forged.status == 403
    assert api.post("/v1/complaints/follow", {"code": code}).json["status"] == "accepted"


def test_another_shops_complaint_answers_like_a_missing_one(api, complaint):
    _, code, _, _ = complaint
    other_shop, _ = api.new_shop()
    other = PortalClient(api.client)
    other.sign_in(other_shop["companycode"], other_shop["secret"])
    missing = "TS" + "A" * 16
    assert other.get(f"/portal/messages/complaints/{code}").status == 404
    assert other.get(f"/portal/messages/complaints/{missing}").status == 404
    assert code not in other.get("/portal/messages").text
    assert api.post("/v1/complaints/follow", {"code": code}).json["shop_read"] is False


def test_a_reminder_is_read_when_opened_and_counted_once(api, complaint):
    # Given a reminder the regulator sent to this shop (and an unread complaint)
    browser, _, _, _ = complaint
    home = browser.get("/portal")
    companycode = re.search(r'<dd class="mono">(\d{15})</dd>', home.text).group(1)
    admin = api.regulator_token()
    body = {"companycodes": [companycode], "title": "请及时上传维修记录", "body": "近7天未上传。"}
    reminder_id = api.post("/v1/reminders", body, admin).json["reminder_id"]
    # When the shop looks at its home page and messages, then opens the reminder twice
    unread_before = browser.get("/portal")
    listed = browser.get("/portal/messages")
    opened = [browser.get(f"/portal/messages/reminders/{reminder_id}") for _ in range(2)]
    # Then it was counted unread, is read now (once), and the regulator sees one read
    assert 'data-unread="2"' in unread_before.text  # the reminder and the complaint
    assert f'data-reminder="{reminder_id}" data-read="false"' in listed.text
    assert opened[0].status == 200 and "近7天未上传。" in opened[0].text
    read_at = re.search(r'data-read-at="([^"]+)"', opened[0].text).group(1)
    assert read_at and read_at in opened[1].text
    assert api.get("/v1/reminders", admin).json["reminders"][0]["read"] == 1
    assert 'data-unread="1"' in browser.get("/portal").text


def test_another_shops_reminder_answers_like_a_missing_one(api, complaint):
    browser, _, _, _ = complaint
    other_shop, _ = api.new_shop()
    body = {"companycodes": [other_shop["companycode"]], "title": "t", "body": "b"}
    reminder_id = api.post("/v1/reminders", body, api.regulator_token()).json["reminder_id"]
    assert browser.get(f"/portal/messages/reminders/{reminder_id}").status == 404
    assert browser.get("/portal/messages/reminders/" + "0" * 32).status == 404
