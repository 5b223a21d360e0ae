"""Reminders: sent to a list once (retries included), read receipts counted once."""

from __future__ import annotations

from chalicelib.adapters.aws import dynamodb_client
from chalicelib.config import get_settings
from tests.faults import ReadCounter, UnprocessedKeys
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


def test_sending_reads_only_the_recipients_entries_not_the_registry(api):
    # Given a registry of 150 shops, two of which are to be reminded
    first, _ = api.new_shop()
    second, _ = api.new_shop()
    _register_many(148, division_code="320104")
    admin = api.regulator_token()
    body = {
        "companycodes": [first["companycode"], second["companycode"]],
        "title": "t",
        "body": "b",
    }
    # When the reminder is sent, counting every read the send makes
    with ReadCounter(dynamodb_client()) as reads:
        sent = api.post("/v1/reminders", body, admin)
    # Then it is sent, having read the two recipients' entries by key and nothing of the
    # registry's index (before: one query over all 150 entries)
    assert sent.status_code == 201 and sent.json["recipients"] == 2
    assert reads.calls["BatchGetItem"] == 1 and reads.items["BatchGetItem"] == 2
    assert reads.calls["Query"] == reads.calls["Scan"] == 0
    assert reads.total_items < 10


def test_a_malformed_code_is_refused_without_becoming_the_key_of_a_read(api):
    # Given a registered shop, and a "companycode" of 3,000 digits (no shop has such a code,
    # and DynamoDB refuses a key that long)
    shop, token = api.new_shop()
    malformed = "3201" + "9" * 3000
    body = {"companycodes": [shop["companycode"], malformed], "title": "t", "body": "b"}
    # When a reminder names both, counting the keys its reads ask for
    with UnprocessedKeys(dynamodb_client(), rounds=0) as reads:
        response = api.post("/v1/reminders", body, api.regulator_token())
    # Then the malformed code is named as not a shop one may remind, and nothing is sent
    assert response.status_code == 400
    assert response.json["errors"][0]["rule"] == "registered_in_scope"
    assert api.get("/v1/shop/reminders", token).json["reminders"] == []
    # And only the well-formed code was read by key
    assert reads.keys_asked == 1


def _register_many(count, division_code):
    """Registry entries (what the registry's index holds of a shop), written 25 at a time:
    through the API, or one transaction per shop, a registry this size takes minutes in moto."""
    import boto3

    from chalicelib.adapters import keys
    from chalicelib.adapters.dynamo_codec import to_item
    from chalicelib.domain.shop import make_companycode

    entries = []
    for n in range(1, count + 1):
        companycode = make_companycode(division_code, 100_000 + n)
        entries.append(
            {
                **keys.key(keys.shop_pk(companycode), keys.SHOP_PROFILE),
                keys.GSI1PK: keys.registry_gsi_pk(division_code[:2] + "0000"),
                keys.GSI1SK: keys.registry_gsi_sk(division_code, companycode),
                "kind": "shop",
                "companycode": companycode,
                "province_code": division_code[:2] + "0000",
                "division_code": division_code,
                "name": f"登记测试汽修{n}",
                "shop_class": "class_3",
                "status": "active",
            }
        )
    client, table = boto3.client("dynamodb"), get_settings().table_name
    for start in range(0, len(entries), 25):
        puts = [{"PutRequest": {"Item": to_item(e)}} for e in entries[start : start + 25]]
        client.batch_write_item(RequestItems={table: puts})
