"""The ministry's exchange endpoint: newest version wins, per-item answers, province binding."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.builders import record_payload, unique_plate, unique_vin


def _token(api, province="320000", secret=None):
    secret = secret or api.exchange_secrets[province]
    return api.post("/v1/exchange/token", {"province_code": province, "secret": secret})


def _shop_item(companycode="320102000000001"):
    return {
        "type": "shop",
        "shop": {
            "companycode": companycode,
            "province_code": companycode[:2] + "0000",
            "name": "示范维修厂",
            "uscc": "91320102MA1XY0000E",
            "division_code": companycode[:6],
            "shop_class": "class_2",
            "status": "active",
            "created_at": "2024-01-01T00:00:00+00:00",
            "updated_at": "2024-01-01T00:00:00+00:00",
        },
    }


def _version_item(record_id, version, payload, companycode="320102000000001", status="active"):
    now = datetime.now(UTC).isoformat()
    content = {k: v for k, v in payload.items() if k != "correction_reason"}
    content["repair_items"] = [
        {"name": i["name"], "labour_hours": str(i["labour_hours"])} for i in content["repair_items"]
    ]
    content.setdefault("plate_color", None)
    return {
        "type": "record_version",
        "record": {
            "record_id": record_id,
            "companycode": companycode,
            "version": version,
            "status": status,
            "content": content,
            "content_hash": f"h{version}",
            "flags": [],
            "shop_name": "示范维修厂",
            "shop_class": "class_2",
            "received_at": now,
            "updated_at": now,
            "reason": None,
        },
    }


def _send(api, items, token):
    response = api.post("/v1/exchange/batch", {"items": items}, token)
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
    versions = {
        v: _version_item(
            "a" * 32, v, record_payload(vin=vin, plate_number=plate, repair_mileage=1000 * v)
        )
        for v in (1, 2, 3)
    }
    assert _send(ministry_api, [_shop_item()], token) == ["applied"]
    # When they arrive as v1, v3, v2, then all again
    first = _send(ministry_api, [versions[1], versions[3], versions[2]], token)
    again = _send(ministry_api, [versions[1], versions[2], versions[3]], token)
    # Then v1 and v3 apply, v2 is kept as stale, and the replay changes nothing
    assert first == ["applied", "applied", "stale"]
    assert again == ["duplicate", "duplicate", "duplicate"]
    history = ministry_api.get(f"/v1/vehicles/{vin}/history?plate={plate}").json["records"]
    assert [(r["mileage"], r["province_code"]) for r in history] == [(3000, "320000")]


def test_a_province_cannot_write_another_provinces_changes(ministry_api):
    token = _token(ministry_api, "320000").json["access_token"]
    foreign = _version_item("f" * 32, 1, record_payload(), companycode="420102000000001")
    results = _send(ministry_api, [_shop_item("420102000000001"), foreign], token)
    assert results == ["rejected", "rejected"]


def test_a_record_of_an_unknown_shop_is_rejected_alone(ministry_api):
    token = _token(ministry_api).json["access_token"]
    unknown = _version_item("b" * 32, 1, record_payload(), companycode="320102000000099")
    known = _version_item("c" * 32, 1, record_payload())
    response = ministry_api.post(
        "/v1/exchange/batch", {"items": [_shop_item(), unknown, known]}, token
    ).json["results"]
    assert [r["result"] for r in response] == ["applied", "rejected", "applied"]
    assert "unknown shop" in response[1]["reason"]


def test_shop_tokens_and_regulators_cannot_post_batches(ministry_api):
    regulator = ministry_api.regulator_token()
    response = ministry_api.post("/v1/exchange/batch", {"items": [_shop_item()]}, regulator)
    assert response.status_code == 401


def test_province_routes_do_not_exist_on_the_ministry(ministry_api):
    assert ministry_api.post("/v1/records", record_payload(), "x" * 32).status_code == 404


def test_provinces_report_exchange_status(ministry_api):
    token = _token(ministry_api).json["access_token"]
    _send(ministry_api, [_shop_item(), _version_item("e" * 32, 1, record_payload())], token)
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
    _send(ministry_api, [_shop_item()], token)
    items = [_version_item(f"{i:032x}", 1, record_payload()) for i in range(3)]
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
        response = ministry_api.post("/v1/exchange/batch", {"items": items}, token)
    finally:
        client.meta.events.unregister(
            "before-call.dynamodb.TransactWriteItems", throttle_second_write
        )
    # Then the others are applied and only the throttled one is answered "busy" (retried by
    # the province), instead of a 503 that fails, and later parks, the whole batch
    assert response.status_code == 200, response.json
    assert [r["result"] for r in response.json["results"]] == ["applied", "busy", "applied"]
    assert _send(ministry_api, items, token) == ["duplicate", "applied", "duplicate"]
