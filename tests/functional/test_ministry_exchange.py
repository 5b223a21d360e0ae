"""The ministry's exchange endpoint: newest version wins, per-item answers, province binding."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.exchange.requests import MAX_BODY_BYTES, REQUEST_BUDGET_BYTES, encode, envelope
from chalicelib.exchange.v1 import record_version_item
from tests.builders import largest_record_payload, record_payload, unique_plate, unique_vin
from tests.exchange_items import corrected, shop_change, stored_version, version_change


def _token(api, province="320000", secret=None):
    secret = secret or api.exchange_secrets[province]
    return api.post("/v1/exchange/token", {"province_code": province, "secret": secret})


def _send(api, items, token):
    response = api.post("/v1/exchange/batch", envelope(items), token)
    assert response.status_code == 200, response.json
    return [r["result"] for r in response.json["results"]]


def test_province_token_expiry_is_an_iso_timestamp(ministry_api):
    # Given a province's exchange credential
    # When it asks for a token
    answer = _token(ministry_api).json
    # Then the expiry is ISO 8601 like every other timestamp (it was `str(datetime)`)
    assert "T" in answer["expires_at"]
    assert datetime.fromisoformat(answer["expires_at"]) > datetime.now(UTC)


def test_province_token_needs_its_own_secret(ministry_api):
    assert _token(ministry_api).status_code == 200
    wrong = _token(ministry_api, "320000", ministry_api.exchange_secrets["420000"])
    assert wrong.status_code == 401


def test_newest_version_wins_and_every_version_is_held_once(ministry_api):
    # Given a known shop and three versions of one record, delivered out of order and twice
    token = _token(ministry_api).json["access_token"]
    vin, plate = unique_vin(), unique_plate()
    first = stored_version(payload=record_payload(vin=vin, plate_number=plate))
    second = corrected(first, 2, repair_mileage=2000)
    third = corrected(second, 3, repair_mileage=3000)
    versions = {r.version: record_version_item(r) for r in (first, second, third)}
    assert _send(ministry_api, [shop_change()], token) == ["applied"]
    # When they arrive as v1, v3, v2, then all again
    arrived = _send(ministry_api, [versions[1], versions[3], versions[2]], token)
    again = _send(ministry_api, [versions[1], versions[2], versions[3]], token)
    # Then v1 and v3 apply, v2 is kept as stale, and the replay changes nothing
    assert arrived == ["applied", "applied", "stale"]
    assert again == ["duplicate", "duplicate", "duplicate"]
    history = ministry_api.get(f"/v1/vehicles/{vin}/history?plate={plate}").json["records"]
    assert [(r["mileage"], r["province_code"]) for r in history] == [(3000, "320000")]


def test_a_province_cannot_write_another_provinces_changes(ministry_api):
    token = _token(ministry_api, "320000").json["access_token"]
    foreign = version_change("420102000000001")
    answers = ministry_api.post(
        "/v1/exchange/batch", envelope([shop_change("420102000000001"), foreign]), token
    ).json["results"]
    assert [(a["result"], a["field"], a["rule"]) for a in answers] == [
        ("rejected", "shop.companycode", "own_province"),
        ("rejected", "record.companycode", "own_province"),
    ]


def test_a_record_of_an_unknown_shop_is_rejected_alone(ministry_api):
    token = _token(ministry_api).json["access_token"]
    unknown = version_change("320102000000099")
    known = version_change()
    response = ministry_api.post(
        "/v1/exchange/batch", envelope([shop_change(), unknown, known]), token
    ).json["results"]
    assert [r["result"] for r in response] == ["applied", "rejected", "applied"]
    assert (response[1]["field"], response[1]["rule"]) == ("record.companycode", "known_shop")
    assert "unknown shop 320102000000099" in response[1]["reason"]


def test_a_batch_without_its_contract_is_refused_whole(ministry_api):
    # Given a batch that does not say which contract it speaks, and one that names another
    token = _token(ministry_api).json["access_token"]
    bodies = [
        {"items": [shop_change()]},
        {"contract": "exchange/v2", "items": [shop_change()]},
        {"contract": "exchange/v1", "items": []},
    ]
    # When they are posted
    answers = [ministry_api.post("/v1/exchange/batch", b, token) for b in bodies]
    # Then each is a 400 naming the field and rule, and nothing was applied
    assert [(a.status_code, a.json["errors"][0]["field"]) for a in answers] == [
        (400, "contract"),
        (400, "contract"),
        (400, "items"),
    ]
    assert ministry_api.get("/v1/provinces", ministry_api.regulator_token()).json == {
        "provinces": []
    }


def test_a_body_of_the_largest_records_under_six_mebibytes_is_read_whole(ministry_api):
    # Given 19 versions of the largest record (~259 KB each), encoded as a province's forwarder
    # sends them: 4.7 MiB, where other routes stop at 1 MiB. Two are of Jiangsu's own shop,
    # the others of Hubei's (refused before any write: moto takes seconds per large write)
    token = _token(ministry_api).json["access_token"]
    _send(ministry_api, [shop_change()], token)
    own = [version_change(payload=largest_record_payload()) for _ in range(2)]
    foreign = [version_change("420102000000001", payload=largest_record_payload())] * 17
    body = encode(envelope([own[0], *foreign, own[1]]))
    assert 4.5 * 1024 * 1024 < len(body) < REQUEST_BUDGET_BYTES
    # When they are posted in one request
    answer = ministry_api.post("/v1/exchange/batch", raw=body, token=token)
    # Then every item is answered: Jiangsu's applied, Hubei's refused for their province
    assert answer.status_code == 200, answer.json
    results = [(r["result"], r.get("rule")) for r in answer.json["results"]]
    assert results == [("applied", None), *[("rejected", "own_province")] * 17, ("applied", None)]


def test_a_body_over_six_mebibytes_is_refused_for_its_size(ministry_api):
    token = _token(ministry_api).json["access_token"]
    items = [version_change(payload=largest_record_payload())] * 25
    body = encode(envelope(items))
    assert len(body) > MAX_BODY_BYTES
    answer = ministry_api.post("/v1/exchange/batch", raw=body, token=token)
    assert (answer.status_code, answer.json["errors"][0]["rule"]) == (413, "max_bytes")


def test_shop_tokens_and_regulators_cannot_post_batches(ministry_api):
    regulator = ministry_api.regulator_token()
    response = ministry_api.post("/v1/exchange/batch", envelope([shop_change()]), regulator)
    assert response.status_code == 401


def test_province_routes_do_not_exist_on_the_ministry(ministry_api):
    assert ministry_api.post("/v1/records", record_payload(), "x" * 32).status_code == 404


def test_provinces_report_exchange_status(ministry_api):
    token = _token(ministry_api).json["access_token"]
    _send(ministry_api, [shop_change(), version_change()], token)
    provinces = ministry_api.get("/v1/provinces", ministry_api.regulator_token()).json
    assert [p["province_code"] for p in provinces["provinces"]] == ["320000"]
    assert provinces["provinces"][0]["last_exchange_at"]
    # (numbers, as the document declares them; the lag is measured on the record version)
    assert provinces["provinces"][0]["batches"] == 1
    assert isinstance(provinces["provinces"][0]["exchange_lag_seconds"], int)


def test_a_storage_fault_on_one_change_fails_that_change_alone(ministry_api):
    # Given a province's batch of three record changes, and DynamoDB throttling the write of
    # the second one (the ministry's own storage, busy for a moment)
    from botocore.exceptions import ClientError

    from chalicelib.adapters.aws import dynamodb_client

    token = _token(ministry_api).json["access_token"]
    _send(ministry_api, [shop_change()], token)
    items = [version_change() for _ in range(3)]
    writes = {"n": 0}

    def throttle_second_write(**_: object) -> None:
        writes["n"] += 1
        if writes["n"] == 2:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    client = dynamodb_client()
    client.meta.events.register("before-call.dynamodb.TransactWriteItems", throttle_second_write)
    try:
        # When the batch arrives
        response = ministry_api.post("/v1/exchange/batch", envelope(items), token)
    finally:
        client.meta.events.unregister(
            "before-call.dynamodb.TransactWriteItems", throttle_second_write
        )
    # Then the others are applied and only the throttled one is answered "busy" (retried by
    # the province), instead of a 503 that fails, and later parks, the whole batch
    assert response.status_code == 200, response.json
    assert [r["result"] for r in response.json["results"]] == ["applied", "busy", "applied"]
    assert _send(ministry_api, items, token) == ["duplicate", "applied", "duplicate"]
