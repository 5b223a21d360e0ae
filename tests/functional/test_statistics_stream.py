"""The statistics handler on real stream records from moto, through Chalice's Lambda invoke."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.adapters.aws import dynamodb_client
from chalicelib.adapters.stats_keys import counter_key
from chalicelib.config import get_settings
from chalicelib.domain.statistics import coalesce
from chalicelib.streams.stream_records import is_record_version, record_change, stream_item
from tests.builders import record_payload


def _stream_event() -> dict[str, Any]:
    """Every record of the table's stream so far, in Lambda's event shape."""
    settings = get_settings()
    arn = boto3.client("dynamodb").describe_table(TableName=settings.table_name)["Table"][
        "LatestStreamArn"
    ]
    streams = boto3.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        response = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in response["Records"]:
            record["dynamodb"].pop("ApproximateCreationDateTime", None)
            records.append({**record, "eventSourceARN": arn})
    return {"Records": records}


def _counters() -> dict[tuple[str, str], dict[str, int]]:
    items = boto3.client("dynamodb").scan(TableName=get_settings().stats_table_name)["Items"]
    counters = {}
    for item in items:
        if item["PK"]["S"].startswith("STAT#"):
            counts = {k: int(v["N"]) for k, v in item.items() if "N" in v}
            counters[(item["PK"]["S"], item["SK"]["S"])] = counts
    return counters


def _recount(event: dict[str, Any]) -> dict[tuple[str, str], dict[str, int]]:
    items = [stream_item(r) for r in event["Records"]]
    changes = [record_change(i.image) for i in items if is_record_version(i)]
    expected = {}
    for key, update in coalesce(changes, "province").items():
        counter = counter_key(key)
        expected[(counter["PK"], counter["SK"])] = update.totals()
    return expected


def _upload_mix(api, token) -> None:
    """Three uploads (one flagged), a correction and a void."""
    payloads = [record_payload(), record_payload(), record_payload(repair_mileage=0)]
    ids = [api.post("/v1/records", p, token).json["record_id"] for p in payloads]
    api.post("/v1/records", dict(payloads[0], repair_mileage=13000), token)
    api.post(f"/v1/records/{ids[1]}/void", {"reason": "重复"}, token)


def test_each_batch_delivered_three_times_counts_once(api, shop):
    # Given uploads, a correction and a void on the province table
    _, token = shop
    _upload_mix(api, token)
    event = _stream_event()
    # When the statistics handler receives the same batch three times
    for _ in range(3):
        answer = api.client.lambda_.invoke("apply_record_changes", event).payload
        assert answer == {"batchItemFailures": []}
    # Then the counters equal a recount from the base records: zero drift
    assert _counters() == _recount(event)
    shop_counts = next(v for k, v in _counters().items() if k[0].startswith("STAT#shop#"))
    assert (shop_counts["uploads"], shop_counts["corrections"], shop_counts["voids"]) == (3, 1, 1)
    assert shop_counts["flag_mileage_zero"] == 1


def test_a_failed_write_is_reported_and_the_retry_counts_once(api, shop):
    # Given uploads and a storage that throttles the first counter transaction
    _, token = shop
    _upload_mix(api, token)
    event = _stream_event()
    from botocore.exceptions import ClientError

    calls = {"n": 0}

    def throttle_once(**kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    client = dynamodb_client()
    client.meta.events.register("before-call.dynamodb.TransactWriteItems", throttle_once)
    try:
        # When the handler runs, fails partly, and Lambda retries the batch
        first = api.client.lambda_.invoke("apply_record_changes", event).payload
        second = api.client.lambda_.invoke("apply_record_changes", event).payload
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", throttle_once)
    # Then the first answer names the failed records, and after the retry nothing drifts
    assert first["batchItemFailures"]
    assert second == {"batchItemFailures": []}
    assert _counters() == _recount(event)


def test_last_upload_time_per_shop_is_kept(api, shop):
    registered, token = shop
    api.post("/v1/records", record_payload(), token)
    event = _stream_event()
    api.client.lambda_.invoke("apply_record_changes", event)
    from chalicelib.bootstrap import stats_store

    assert stats_store().last_upload("shop", registered["companycode"]) is not None


def test_a_shop_is_docked_once_on_its_first_upload_and_has_a_month_row(api, shop):
    # Given two shops of class 2, one uploading three times, and one that never uploads
    registered, token = shop
    api.new_shop()
    for _ in range(3):
        api.post("/v1/records", record_payload(), token)
    event = _stream_event()
    # When the aggregator receives the batch twice
    for _ in range(2):
        api.client.lambda_.invoke("apply_record_changes", event)
    # Then one shop is docked in its class, and its month row counts its uploads
    from chalicelib.bootstrap import stats_store

    store = stats_store()
    assert store.docked_counts("320000") == {("320102", "class_2"): 1}
    month = next(v for k, v in _counters().items() if k[0].startswith("STAT#shopmonth#320000#"))
    assert month["uploads"] == 3
    rows = store.shop_rows("320000", _month_of(event))
    assert [r.companycode for r in rows] == [registered["companycode"]]
    assert rows[0].last_upload_at


def _month_of(event: dict[str, Any]) -> str:
    from datetime import datetime

    from chalicelib.domain.china_time import china_date

    image = next(stream_item(r) for r in event["Records"] if is_record_version(stream_item(r)))
    return china_date(datetime.fromisoformat(image.image["updated_at"])).isoformat()[:7]


def test_a_failed_docking_move_is_reported_by_its_record_and_the_retry_moves_it_once(api, shop):
    # Given a docked class-2 shop, then suspended
    registered, token = shop
    companycode = registered["companycode"]
    api.post("/v1/records", record_payload(), token)
    api.client.lambda_.invoke("apply_record_changes", _stream_event())
    suspended = api.post(f"/v1/shops/{companycode}/suspend", token=api.regulator_token())
    assert suspended.status_code == 200
    event = _stream_event()
    suspension = next(
        r["dynamodb"]["SequenceNumber"]
        for r in event["Records"]
        if r["dynamodb"]["NewImage"].get("status") == {"S": "suspended"}
    )
    from botocore.exceptions import ClientError

    def throttle_the_move(**kwargs: Any) -> None:
        # before-parameter-build: `params` are the call's own arguments
        marker = kwargs["params"]["TransactItems"][0]
        if "registry_updated_at" in marker.get("Update", {}).get("UpdateExpression", ""):
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    client = dynamodb_client()
    hook = "before-parameter-build.dynamodb.TransactWriteItems"
    client.meta.events.register(hook, throttle_the_move)
    try:
        # When the docking moves are throttled
        first = api.client.lambda_.invoke("apply_record_changes", event).payload
    finally:
        client.meta.events.unregister(hook, throttle_the_move)
    # Then the suspension alone is reported failed, and the shop is still docked
    from chalicelib.bootstrap import stats_store

    assert first == {"batchItemFailures": [{"itemIdentifier": suspension}]}
    assert stats_store().docked_counts("320000") == {("320102", "class_2"): 1}
    # When Lambda retries (twice, the second a replay)
    for _ in range(2):
        answer = api.client.lambda_.invoke("apply_record_changes", event).payload
        assert answer == {"batchItemFailures": []}
    # Then the shop has left docked, once
    assert stats_store().docked_counts("320000") == {}
