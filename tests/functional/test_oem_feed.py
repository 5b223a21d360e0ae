"""The OEM bulk feed (总对总) at a province: accounts, per-item refusal, attribution, counts."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from chalicelib.adapters.stats_keys import counter_key
from chalicelib.config import get_settings
from chalicelib.domain.china_time import china_date
from chalicelib.domain.statistics import CounterKey
from tests.builders import record_payload, shop_application
from tests.functional.conftest import ANALYST
from tests.functional.test_statistics_stream import _stream_event


def _oem(api, dealers):
    body = {
        "name": "示范汽车（中国）有限公司",
        "uscc": shop_application()["uscc"],
        "dealers": dealers,
    }
    answer = api.post("/v1/oem/accounts", body, api.regulator_token())
    assert answer.status_code == 201, answer.json
    token = api.post(
        "/v1/oem/token", {"oem_id": answer.json["oem_id"], "secret": answer.json["secret"]}
    )
    assert token.status_code == 200, token.json
    return answer.json, token.json["access_token"]


def _item(dealer, **overrides):
    return {
        "companycode": dealer["companycode"],
        **record_payload(company_name=dealer["name"], **overrides),
    }


def test_a_batch_is_uploaded_as_each_dealer_and_refused_per_item(api):
    # Given dealers A and B of an OEM, dealer C it does not represent, and its suspended dealer D
    a, a_token = api.new_shop(name="示范4S店甲")
    b, _ = api.new_shop(name="示范4S店乙", division_code="320104")
    c, _ = api.new_shop(name="其他修理厂")
    d, _ = api.new_shop(name="示范4S店丁")
    oem, token = _oem(api, [a["companycode"], b["companycode"], d["companycode"]])
    api.post(f"/v1/shops/{d['companycode']}/suspend", {}, api.regulator_token())
    items = [
        _item(a),
        _item(b),
        _item(c),
        _item(d),
        {**_item(a), "companycode": "12345"},
        {**_item(a), "repair_mileage": -1},
    ]
    # When the OEM uploads the batch
    answer = api.post("/v1/oem/records/batch", {"records": items}, token)
    # Then each item has its own answer, and the good ones are created for their dealers
    assert answer.status_code == 200, answer.json
    results = answer.json["results"]
    assert [(r["index"], r["status_code"]) for r in results] == [
        (0, 201),
        (1, 201),
        (2, 403),
        (3, 403),
        (4, 400),
        (5, 400),
    ]
    assert [r["companycode"] for r in results[:2]] == [a["companycode"], b["companycode"]]
    assert results[2]["code"] == "dealer_not_represented"
    assert results[3]["code"] == "shop_suspended"
    assert results[4]["errors"][0]["field"] == "records.4.companycode"
    assert results[5]["errors"][0]["field"] == "records.5.repair_mileage"
    # And the record is dealer A's own: listed for A, marked with the OEM as its source
    listed = api.get("/v1/records?from=2024-01-01&to=2024-12-31", a_token).json["records"]
    assert [r["record_id"] for r in listed] == [results[0]["record_id"]]
    assert listed[0]["source"] == f"oem:{oem['oem_id']}"
    assert listed[0]["flags"] == []  # the dealer's registered name: no mismatch flag


def test_an_oem_upload_is_idempotent_by_dealer_and_settlement_number(api):
    # Given an OEM item for dealer A, uploaded once
    a, a_token = api.new_shop(name="示范4S店戊")
    _, token = _oem(api, [a["companycode"]])
    item = _item(a)
    first = api.post("/v1/oem/records/batch", {"records": [item]}, token).json["results"][0]
    # When the OEM sends it again, and the dealer sends the same record itself
    again = api.post("/v1/oem/records/batch", {"records": [item]}, token).json["results"][0]
    own = {k: v for k, v in item.items() if k != "companycode"}
    by_dealer = api.post("/v1/records", own, a_token)
    # Then there is one record: the replays answer unchanged
    assert (first["result"], again["result"], by_dealer.json["result"]) == (
        "created",
        "unchanged",
        "unchanged",
    )
    assert first["record_id"] == again["record_id"] == by_dealer.json["record_id"]


def test_statistics_count_oem_uploads_for_the_dealer_apart_from_its_own(api):
    # Given dealer A uploads one record itself and its OEM uploads two for it
    a, a_token = api.new_shop(name="示范4S店己")
    _, token = _oem(api, [a["companycode"]])
    api.post("/v1/records", record_payload(company_name=a["name"]), a_token)
    batch = {"records": [_item(a), _item(a)]}
    assert api.post("/v1/oem/records/batch", batch, token).status_code == 200
    # When the statistics handler reads the stream
    result = api.client.lambda_.invoke("apply_record_changes", _stream_event())
    assert result.payload == {"batchItemFailures": []}
    # Then the dealer's day and its district count 3 uploads, 2 of them 总对总
    day = china_date(datetime.now(UTC))
    for key in (
        CounterKey("shop", a["companycode"], day),
        CounterKey("division", a["companycode"][:6], day, "class_2"),
    ):
        counters = _counter(key)
        assert (counters["uploads"], counters["oem_uploads"]) == (3, 2), key
    # And the regulators' monitoring shows them per day
    from chalicelib.bootstrap import monitoring_service

    daily = monitoring_service().daily(None, day, day)
    assert (daily[0]["uploads"], daily[0]["oem_uploads"]) == (3, 2)


def test_only_the_province_administrator_manages_oem_accounts(api):
    # Given a registered shop and the analyst
    a, _ = api.new_shop()
    body = {"name": "某车企", "uscc": shop_application()["uscc"], "dealers": [a["companycode"]]}
    # When the analyst, a shop and nobody try to register an OEM
    analyst = api.post("/v1/oem/accounts", body, api.regulator_token(ANALYST))
    nobody = api.post("/v1/oem/accounts", body)
    # Then all are refused; dealers that are not registered are refused field by field
    assert (analyst.status_code, nobody.status_code) == (403, 401)
    unknown = api.post(
        "/v1/oem/accounts", {**body, "dealers": ["320102999999999"]}, api.regulator_token()
    )
    assert unknown.status_code == 400
    assert unknown.json["errors"][0]["rule"] == "registered_shop"
    other_province = api.post(
        "/v1/oem/accounts", {**body, "dealers": ["420102000000001"]}, api.regulator_token()
    )
    assert other_province.json["errors"][0]["rule"] == "companycode_this_province"


def test_a_second_account_for_the_same_oem_is_refused(api):
    # Given an OEM account
    a, _ = api.new_shop()
    uscc = shop_application()["uscc"]
    body = {"name": "某车企乙", "uscc": uscc, "dealers": [a["companycode"]]}
    assert api.post("/v1/oem/accounts", body, api.regulator_token()).status_code == 201
    # When the same OEM is registered again
    again = api.post("/v1/oem/accounts", body, api.regulator_token())
    # Then it is a conflict
    assert (again.status_code, again.json["code"]) == (409, "oem_exists")


def test_dealers_change_and_a_rotated_secret_ends_old_tokens(api):
    # Given an OEM representing dealer A (a token issued)
    a, _ = api.new_shop(name="示范4S店庚")
    b, _ = api.new_shop(name="示范4S店辛")
    oem, token = _oem(api, [a["companycode"]])
    admin = api.regulator_token()
    # When the administrator moves the OEM from dealer A to dealer B
    moved = api.post(
        f"/v1/oem/accounts/{oem['oem_id']}/dealers", {"dealers": [b["companycode"]]}, admin
    )
    results = api.post("/v1/oem/records/batch", {"records": [_item(a), _item(b)]}, token).json[
        "results"
    ]
    # Then the same token now uploads for B and is refused for A
    assert moved.json["dealers"] == [b["companycode"]]
    assert [r["status_code"] for r in results] == [403, 201]
    # When the secret is rotated
    rotated = api.post(f"/v1/oem/accounts/{oem['oem_id']}/secret", {}, admin)
    # Then the old token is refused and the new secret gets a token
    assert api.post("/v1/oem/records/batch", {"records": [_item(b)]}, token).status_code == 401
    fresh = api.post("/v1/oem/token", {"oem_id": oem["oem_id"], "secret": rotated.json["secret"]})
    assert fresh.status_code == 200
    # And each change is audited
    actions = {e["action"] for e in api.get("/v1/audit", admin).json["entries"]}
    assert {"oem.registered", "oem.dealers_changed", "oem.secret_rotated"} <= actions
    oem_entries = api.get(f"/v1/audit?actor=oem:{oem['oem_id']}", admin).json["entries"]
    assert oem_entries[0]["action"] == "oem.records_uploaded"


def test_an_oem_token_is_no_shop_token(api):
    # Given an OEM's token
    a, _ = api.new_shop()
    _, token = _oem(api, [a["companycode"]])
    # When it is used on a shop's own routes, and a shop token on the OEM batch
    # Then both are refused
    assert api.post("/v1/records", record_payload(), token).status_code == 401
    a2, shop_token = api.new_shop()
    assert (
        api.post("/v1/oem/records/batch", {"records": [_item(a2)]}, shop_token).status_code == 401
    )
    # And a wrong secret gets the one 401
    assert (
        api.post("/v1/oem/token", {"oem_id": "OEM000000000000", "secret": "x"}).status_code == 401
    )


def _counter(key: CounterKey) -> dict[str, int]:
    item = boto3.client("dynamodb").get_item(
        TableName=get_settings().stats_table_name,
        Key={k: {"S": v} for k, v in counter_key(key).items()},
    )["Item"]
    return {k: int(v["N"]) for k, v in item.items() if "N" in v}
