"""Fault injection: 10 % of DynamoDB calls fail (throttling, 500s, lost answers), yet nothing is
lost and nothing is counted or copied twice, and every export or import job finishes once.

Uploads go through the real Chalice app (both doors) with a DMS's retry loop; every answer
must be a success or "busy, retry" (REST: 503 with Retry-After; national: code -99 系统繁忙),
never an unhandled error. The table's stream is then delivered to `apply_record_changes`
(statistics, then forwarding) with faults still on, re-delivering from the lowest reported
failure as Lambda does (the whole batch when a handler raises). The ministry runs in this process
behind real HTTP, with faults on its own DynamoDB client. Reconciliation afterwards: every
distinct upload stored once with the expected version, counters equal to a recount from the
stored versions, every version at the ministry exactly once, and the dead-letter queue empty.

The jobs (a regulator's CSV export, a shop's spreadsheet import) are requested without faults,
then their stream records reach `run_jobs` one at a time with faults on, redelivered as the
jobs mapping would and within its retry cap. Reconciliation: the export file holds each
record of its search once and the job reads done with that count; every imported row is
stored once (version 1) and has exactly one result.

FAULT_UPLOADS (default 40) sets the number of distinct uploads; `make soak` raises it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.adapters.aws import dynamodb_client
from chalicelib.adapters.record_items import KIND_HEAD, KIND_VERSION
from chalicelib.config import get_settings
from chalicelib.errors import ServiceUnavailableError
from infra.cfn.streams import JOBS_RETRY_ATTEMPTS, jobs_filter
from infra.local.stream_poller import matches
from infra.photo_bucket import create_photo_bucket
from infra.table_definition import create_stack_tables
from tests.builders import compat_from_rest, record_payload
from tests.e2e_national.support import drift, recount, stored_counters
from tests.faults import DynamoFaults, moto_copies_a_table_once_per_transaction
from tests.functional.conftest import REGULATOR, Api, add_regulator
from tests.functional.in_process_ministry import MINISTRY_TABLE, InProcessMinistry
from tests.functional.portal_client import PortalClient
from tests.functional.test_portal_imports import _results
from tests.spreadsheets import HEADER_ZH, csv_bytes, sheet_row

UPLOADS = int(os.environ.get("FAULT_UPLOADS", "40"))
SEED = int(os.environ.get("FAULT_SEED", "6"))
MAX_DMS_ATTEMPTS = 30
MAX_DELIVERIES = 200
NATIONAL_UPLOAD = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"
HANDLERS = ("apply_record_changes",)
EXPORTED_RECORDS = 12
IMPORTED_ROWS = 80  # two chunks of up to 50 rows


# --- the system under faults -----------------------------------------------------------------


@dataclass
class Expected:
    """What the province must hold: each record's final version, by record id."""

    versions: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)

    def saw(self, status: str) -> None:
        self.answers[status] = self.answers.get(status, 0) + 1


@pytest.fixture
def faulty_system(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with mock_aws(), moto_copies_a_table_once_per_transaction():
        sqs = boto3.client("sqs", region_name="cn-north-1")
        queue = sqs.create_queue(QueueName="vmehr-faults-dlq")["QueueUrl"]
        ministry_client = boto3.client("dynamodb", region_name="cn-north-1")
        create_stack_tables(ministry_client, MINISTRY_TABLE, f"{MINISTRY_TABLE}-stats")
        with InProcessMinistry(ministry_client) as ministry:
            monkeypatch.setenv("MINISTRY_URL", ministry.url)
            monkeypatch.setenv("EXCHANGE_SECRET", "fault-injection-exchange-secret")
            monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", queue)
            bootstrap.reset()
            settings = get_settings()
            create_stack_tables(
                boto3.client("dynamodb"), settings.table_name, settings.stats_table_name
            )
            assert settings.photo_bucket is not None
            create_photo_bucket(boto3.client("s3"), settings.photo_bucket, settings.aws_region)
            add_regulator(REGULATOR[0], "province_admin", password=REGULATOR[1])
            from app import app

            with Client(app) as client:
                yield {
                    "api": Api(client),
                    "ministry": ministry,
                    "ministry_client": ministry_client,
                    "queue": queue,
                }
        bootstrap.reset()


def test_ten_percent_of_dynamodb_calls_fail_and_nothing_is_lost_or_doubled(faulty_system):
    # Given three shops, their tokens, and 10 % of the app's DynamoDB calls failing
    api: Api = faulty_system["api"]
    shops = [api.new_shop() for _ in range(3)]
    expected = Expected()
    app_faults = DynamoFaults(dynamodb_client(), rate=0.10, seed=SEED)
    ministry_faults = DynamoFaults(faulty_system["ministry_client"], rate=0.10, seed=SEED + 1)
    with app_faults, ministry_faults:
        # When DMSs upload through both doors, replaying and correcting some, retrying on busy
        for index in range(UPLOADS):
            _upload_story(api, shops[index % len(shops)], index, expected)
        # and the table's stream is delivered to the record-changes handler as Lambda would
        records = _stream_records()
        deliveries = {h: _deliver(api, h, records) for h in HANDLERS}
    # Then faults of every kind were injected, and no request met an unhandled error
    assert {"ThrottlingException", "InternalServerError", "lost_answer"} <= set(app_faults.counts)
    assert ministry_faults.counts["calls"] > 0
    # and the handler reported failed records, which the redelivery then got through
    assert all(d["partial_failures"] > 0 for d in deliveries.values()), deliveries
    assert faulty_system["ministry"].unexpected == []
    # and the reconciliation is exact
    _assert_province_holds(expected)
    _assert_counters_match_a_recount()
    _assert_ministry_holds_each_version_once()
    _assert_nothing_parked(faulty_system["queue"])
    print(
        f"\nfault injection: {UPLOADS} distinct uploads, answers {expected.answers}, "
        f"app faults {dict(app_faults.counts)}, ministry faults {dict(ministry_faults.counts)}"
        f", stream deliveries {dict(deliveries)}"
    )


def test_each_export_and_import_job_finishes_once_when_dynamodb_calls_fail(faulty_system):
    # Given one shop's records (a regulator exports them) and another shop's spreadsheet of
    # IMPORTED_ROWS good rows, both requested while DynamoDB works
    api: Api = faulty_system["api"]
    exported, exported_token = api.new_shop()
    record_ids = {
        api.post("/v1/records", record_payload(company_name=exported["name"]), exported_token).json[
            "record_id"
        ]
        for _ in range(EXPORTED_RECORDS)
    }
    window = {"from": "2024-01-01", "to": "2024-12-31"}
    regulator = api.regulator_token()
    export = api.post(
        "/v1/search/records/exports", {"companycode": exported["companycode"], **window}, regulator
    )
    assert export.status_code == 202, export.json
    importer, _ = api.new_shop()
    rows = [sheet_row(company_name=importer["name"]) for _ in range(IMPORTED_ROWS)]
    browser = PortalClient(api.client)
    browser.sign_in(importer["companycode"], importer["secret"])
    form = browser.get("/portal/imports")
    submitted = browser.post_file(
        "/portal/imports", {"csrf_token": form.csrf()}, "rows.csv", csv_bytes([HEADER_ZH, *rows])
    )
    assert submitted.status == 303, submitted.text
    # When the new jobs reach `run_jobs` one by one (its mapping's filter and batch size)
    # with 10 % of the app's DynamoDB calls failing, redelivered as Lambda does
    jobs = [r for r in _stream_records() if matches(jobs_filter("province"), r)]
    assert len(jobs) == 1 + 2, [r["dynamodb"]["NewImage"]["kind"] for r in jobs]
    with DynamoFaults(dynamodb_client(), rate=0.10, seed=SEED + 2) as faults:
        deliveries = _deliver(api, "run_jobs", jobs, batch_size=1)
    # Then faults hit the jobs, and each finished within the mapping's retry cap
    assert faults.counts["calls"] > 0 and len(faults.counts) > 1, faults.counts
    assert deliveries["partial_failures"] > 0, deliveries
    assert deliveries["most_deliveries"] <= JOBS_RETRY_ATTEMPTS + 1, deliveries
    # and the export file holds each of the shop's records once, and the job says so
    status = api.get(f"/v1/search/records/exports/{export.json['job_id']}", regulator).json
    assert (status["status"], status["rows"]) == ("done", EXPORTED_RECORDS), status
    assert _exported_ids(export.json["job_id"]) == sorted(record_ids)
    # and every imported row is stored once, with exactly one result
    stored = [h for h in _scan(get_settings().table_name, KIND_HEAD) if h["companycode"]
              == importer["companycode"]]  # fmt: skip
    assert sorted(h["settlement_list_code"] for h in stored) == sorted(r[0] for r in rows)
    assert {int(h["version"]) for h in stored} == {1}
    results = _results(browser.get(submitted.location))
    assert sorted(results) == list(range(2, IMPORTED_ROWS + 2))
    assert {result for result, _ in results.values()} <= {"created", "unchanged"}, results
    print(f"\nfault injection, jobs: faults {dict(faults.counts)}, deliveries {dict(deliveries)}")


def _exported_ids(job_id: str) -> list[str]:
    import csv
    import io

    key = f"exports/{job_id}.csv"
    body = boto3.client("s3").get_object(Bucket=get_settings().photo_bucket, Key=key)["Body"]
    rows = list(csv.reader(io.StringIO(body.read().decode("utf-8-sig"))))
    return sorted(row[0] for row in rows[1:])


# --- DMS behaviour ---------------------------------------------------------------------------


def _upload_story(api: Api, shop: tuple[dict, str], index: int, expected: Expected) -> None:
    """One settlement list: uploaded, maybe replayed, maybe corrected, each until accepted."""
    registered, token = shop
    national = index % 2 == 1
    payload = record_payload(company_name=registered["name"])
    receipt = _send(api, token, payload, national, expected)
    versions = 1
    if index % 3 == 0:  # a replay: the DMS lost our answer and sends it again
        assert _send(api, token, payload, national, expected)["version"] == 1
    if index % 4 == 0:  # a correction
        corrected = dict(payload, repair_mileage=payload["repair_mileage"] + 1)
        versions = _send(api, token, corrected, national, expected)["version"]
        assert versions == 2
    expected.versions[receipt["record_id"]] = versions


def _send(api: Api, token: str, payload: dict, national: bool, expected: Expected) -> dict:
    for _ in range(MAX_DMS_ATTEMPTS):
        if national:
            body = compat_from_rest(token, payload)
            answer = api.post(NATIONAL_UPLOAD, body)
            assert answer.status_code == 200, answer.json
            expected.saw(f"national {answer.json['code']}")
            if answer.json["code"] == "1":
                return dict(answer.json["receipt"])
            # The national door's "busy": -99 with 系统繁忙, never the bare -99 异常 of a bug.
            assert answer.json["code"] == "-99", answer.json
            assert "系统繁忙" in answer.json["status"], answer.json
            continue
        answer = api.post("/v1/records", payload, token)
        expected.saw(f"REST {answer.status_code}")
        if answer.status_code in (200, 201):
            return dict(answer.json)
        assert answer.status_code == 503, (answer.status_code, answer.json)
        # Honour Retry-After: it must be there and sensible (moto needs no actual pause).
        assert 1 <= int(answer.headers["Retry-After"]) <= 60
    raise AssertionError("the upload was never accepted")


# --- Lambda's event source mapping -----------------------------------------------------------


def _stream_records() -> list[dict[str, Any]]:
    """Every record of the province table's stream, in order, in Lambda's event shape."""
    arn = boto3.client("dynamodb").describe_table(TableName=get_settings().table_name)["Table"][
        "LatestStreamArn"
    ]
    streams = boto3.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not response["Records"]:
                break
            for record in response["Records"]:
                record["dynamodb"].pop("ApproximateCreationDateTime", None)
                records.append({**record, "eventSourceARN": arn})
            iterator = response.get("NextShardIterator")
    return records


def _deliver(
    api: Api, handler: str, records: list[dict[str, Any]], batch_size: int = 25
) -> Counter[str]:
    """Batches in order; after a partial failure, again from the lowest failed record.

    Batches of 25 (the deployed mapping reads 100): more counter writes, so more faults.
    """
    counts: Counter[str] = Counter()
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        for delivery in range(1, MAX_DELIVERIES + 1):
            counts["invocations"] += 1
            counts["most_deliveries"] = max(counts["most_deliveries"], delivery)
            try:
                answer = api.client.lambda_.invoke(handler, {"Records": batch}).payload
            except ServiceUnavailableError:
                counts["whole_batch_failures"] += 1
                continue  # the handler failed as a whole: Lambda retries the whole batch
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            if not failed:
                break
            counts["partial_failures"] += 1
            first = next(
                i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed
            )
            batch = batch[first:]
        else:
            raise AssertionError(f"{handler} never got through a batch")
    return counts


# --- reconciliation --------------------------------------------------------------------------


def _scan(table: str, kind: str | None = None, client: Any = None) -> list[dict[str, Any]]:
    from chalicelib.adapters.dynamo_codec import from_item, to_item

    client = client or boto3.client("dynamodb")
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    if kind:
        request["FilterExpression"] = "kind = :kind"
        request["ExpressionAttributeValues"] = to_item({":kind": kind})
    items: list[dict[str, Any]] = []
    while True:
        response = client.scan(**request)
        items += [from_item(i) for i in response["Items"]]
        if not response.get("LastEvaluatedKey"):
            return items
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _assert_province_holds(expected: Expected) -> None:
    table = get_settings().table_name
    heads = {h["record_id"]: int(h["version"]) for h in _scan(table, KIND_HEAD)}
    assert heads == expected.versions  # every distinct upload once: 0 lost, 0 duplicated
    versions: dict[str, list[int]] = {}
    for item in _scan(table, KIND_VERSION):
        versions.setdefault(item["record_id"], []).append(int(item["version"]))
    assert {r: sorted(v) for r, v in versions.items()} == {
        r: list(range(1, n + 1)) for r, n in expected.versions.items()
    }


def _assert_counters_match_a_recount() -> None:
    settings = get_settings()
    stored = stored_counters(_scan(settings.stats_table_name))
    expected = recount(_scan(settings.table_name, KIND_VERSION), "province")
    assert drift(expected, stored) == {}


def _assert_ministry_holds_each_version_once() -> None:
    province = sorted(
        (v["record_id"], int(v["version"]), v["content_hash"])
        for v in _scan(get_settings().table_name, KIND_VERSION)
    )
    client = boto3.client("dynamodb")
    ministry = sorted(
        (v["record_id"], int(v["version"]), v["content_hash"])
        for v in _scan(MINISTRY_TABLE, KIND_VERSION, client)
    )
    assert ministry == province
    heads = {h["record_id"]: int(h["version"]) for h in _scan(MINISTRY_TABLE, KIND_HEAD, client)}
    assert heads == {
        h["record_id"]: int(h["version"]) for h in _scan(get_settings().table_name, KIND_HEAD)
    }


def _assert_nothing_parked(queue: str) -> None:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
