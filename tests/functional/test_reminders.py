"""Reminders: sent to a list once (retries included), read receipts counted once."""

from __future__ import annotations

from tests.functional.conftest import ANALYST


def test_a_reminder_to_a_list_is_read_by_each_shop_and_counted_once(api):
    # Given two shops and a regulator
    first, first_token = api.new_shop()
    second, second_token = api.new_shop()
    admin = api.regulator_token()
    body = {
        "companycodes": [first["companycode"], second["companycode"]],
        "title": "请及时上传维修记录",
        "body": "贵单位近7天未上传维修电子记录，请尽快上传。",
    }
    # When the regulator sends it, and the request is retried
    sent = api.post("/v1/reminders", body, admin)
    retried = api.post("/v1/reminders", body, admin)
    # Then it is one reminder with two recipients
    assert sent.status_code == 201, sent.json
    assert retried.json["reminder_id"] == sent.json["reminder_id"]
    listed = api.get("/v1/reminders", admin).json["reminders"]
    assert [(r["recipients"], r["read"]) for r in listed] == [(2, 0)]
    # When the first shop opens it twice
    inbox = api.get("/v1/shop/reminders", first_token).json
    assert inbox["unread"] == 1
    reminder_id = inbox["reminders"][0]["reminder_id"]
    opened = [api.post(f"/v1/shop/reminders/{reminder_id}/read", {}, first_token) for _ in range(2)]
    # Then it is read once, and the console counts one read of two
    assert opened[0].json["read_at"] == opened[1].json["read_at"] is not None
    assert api.get("/v1/shop/reminders", first_token).json["unread"] == 0
    assert api.get("/v1/shop/reminders", second_token).json["unread"] == 1
    assert api.get("/v1/reminders", admin).json["reminders"][0]["read"] == 1
    # And a re-send does not reset the receipt
    api.post("/v1/reminders", body, admin)
    assert api.get("/v1/shop/reminders", first_token).json["unread"] == 0


def test_unknown_shops_are_named_and_nothing_is_sent(api):
    shop, token = api.new_shop()
    admin = api.regulator_token()
    body = {"companycodes": [shop["companycode"], "320102999999999"], "title": "t", "body": "b"}
    response = api.post("/v1/reminders", body, admin)
    assert response.status_code == 400
    assert response.json["errors"][0]["rule"] == "registered_in_scope"
    assert "320102999999999" in response.json["errors"][0]["message"]
    assert api.get("/v1/shop/reminders", token).json["reminders"] == []


def test_only_regulators_who_may_act_send_and_a_shop_reads_only_its_own(api):
    shop, token = api.new_shop()
    _, other_token = api.new_shop()
    body = {"companycodes": [shop["companycode"]], "title": "t", "body": "b"}
    assert api.post("/v1/reminders", body, api.regulator_token(ANALYST)).status_code == 403
    assert api.post("/v1/reminders", body, token).status_code == 401
    reminder_id = api.post("/v1/reminders", body, api.regulator_token()).json["reminder_id"]
    read = api.post(f"/v1/shop/reminders/{reminder_id}/read", {}, other_token)
    assert read.status_code == 404
