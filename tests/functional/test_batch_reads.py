"""Reads by key (BatchGetItem) when DynamoDB leaves keys unprocessed: retried with a capped,
jittered back-off, then "busy, retry" (503), never a loop without end.

The `UnprocessedKeys` hook (tests/faults.py) makes the table answer part of each request as
unprocessed, as a throttled partition does; the app's own client carries it, so the doors
are the real ones.
"""

from __future__ import annotations

import boto3

from chalicelib.adapters.aws import dynamodb_client
from chalicelib.adapters.backoff import ROUNDS, Backoff
from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore
from chalicelib.adapters.table_adapter import BATCH_GET_MAX_KEYS
from chalicelib.config import get_settings
from chalicelib.domain.provinces import provinces
from infra.seed import create_exchange_credential
from tests.builders import record_payload
from tests.faults import UnprocessedKeys

LISTING = "/v1/records?from=2024-01-01&to=2024-12-31"


def test_a_listing_left_partly_unprocessed_for_a_few_rounds_still_returns_every_record(api, shop):
    # Given a shop with five records
    _, token = shop
    for day in range(1, 6):
        payload = record_payload(settlement_date=f"2024-03-0{day}", repair_date=f"2024-03-0{day}")
        assert api.post("/v1/records", payload, token).status_code == 201
    # When its listing reads the heads while the table leaves half the keys unprocessed,
    # three times over
    with UnprocessedKeys(dynamodb_client(), rounds=3) as busy:
        listing = api.get(LISTING, token)
    # Then every record is listed, newest first, after one more call for what was left
    assert listing.status_code == 200
    assert [r["settlement_date"] for r in listing.json["records"]] == [
        f"2024-03-0{day}" for day in range(5, 0, -1)
    ]
    assert busy.calls == 4


def test_keys_never_processed_give_up_after_the_rounds_and_answer_busy(api, shop):
    # Given a shop with a record
    _, token = shop
    assert api.post("/v1/records", record_payload(), token).status_code == 201
    # When the table leaves every key unprocessed, however often it is asked
    with UnprocessedKeys(dynamodb_client(), rounds=None, served=0.0) as busy:
        listing = api.get(LISTING, token)
    # Then the door answers "busy, retry" after a bounded number of calls
    assert listing.status_code == 503
    assert listing.json["code"] == "service_unavailable"
    assert listing.headers["Retry-After"] == "1"
    assert busy.calls == ROUNDS
    # And once the table is quiet again the same listing answers
    assert len(api.get(LISTING, token).json["records"]) == 1


def test_many_keys_are_read_once_each_in_requests_of_at_most_100_with_jittered_pauses(aws):
    # Given six provinces' exchange credentials, and a read asking for them three times over
    # among 225 keys that do not exist (231 distinct keys: three chunks)
    table = get_settings().table_name
    codes = [code for code, _ in provinces()][:6]
    for code in codes:
        create_exchange_credential(table, code)
    wanted = codes * 3 + [f"none{n:03d}" for n in range(225)]
    pauses: list[float] = []
    client = boto3.client("dynamodb")
    store = DynamoExchangeStore(
        table, client, backoff=Backoff(sleep=pauses.append, random=lambda: 1.0)
    )
    requests: list[list[str]] = []
    client.meta.events.register(
        "before-call.dynamodb.BatchGetItem",
        lambda params, **_: requests.append(_keys_of(params)),
        unique_id="record-requests",
    )
    # When the table leaves half of each request unprocessed for the first four calls
    with UnprocessedKeys(client, rounds=4) as busy:
        found = store.credentials(wanted)
    # Then every credential is found; no request repeats a key or holds more than 100
    assert sorted(found) == sorted(codes)
    assert all(len(r) <= BATCH_GET_MAX_KEYS and len(set(r)) == len(r) for r in requests)
    assert len({k for r in requests for k in r}) == len(set(wanted))
    # And the first chunk took five calls (four partial answers), the other two one each,
    # pausing the exponential step each time (the jitter source gave its maximum)
    assert busy.calls == len(requests) == 7
    assert [len(r) for r in requests] == [100, 50, 25, 13, 7, 100, 31]
    assert pauses == [0.05, 0.1, 0.2, 0.4]


def _keys_of(params):
    import json

    body = json.loads(params["body"])
    return [k["PK"]["S"] for r in body["RequestItems"].values() for k in r["Keys"]]
