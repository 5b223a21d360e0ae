"""Large records reach the ministry whatever their size (issue 13, item 5).

A record at every limit of the schema is about 259 KB as an exchange item, so five of them
were over the ministry's old 1 MB door: a stream batch holding them failed whole, every change
in it (from every shop) retried and parked. Shops upload such records through the real app;
the table's stream reaches the real `apply_record_changes` handler as Lambda delivers it; the
forwarder talks HTTP to the ministry's exchange door in this process (ExchangeService on its
own table, the door's size limit and envelope check).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.adapters.dynamo_codec import from_item
from chalicelib.config import get_settings
from chalicelib.exchange.requests import REQUEST_BUDGET_BYTES
from infra.photo_bucket import create_photo_bucket
from infra.table_definition import create_stack_tables
from tests.builders import largest_record_payload
from tests.functional.conftest import REGULATOR, Api, add_regulator
from tests.functional.in_process_ministry import MINISTRY_TABLE, InProcessMinistry
from tests.functional.stream_events import run_handler

MIB = 1024 * 1024


@pytest.fixture(params=[6 * MIB, 1 * MIB], ids=["door-6MiB", "door-1MiB"])
def national(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Jiangsu's app on moto, its forwarder pointed at an in-process ministry whose door takes
    6 MiB (as deployed) or 1 MiB (a ministry not yet upgraded, or a proxy in front of it)."""
    with mock_aws():
        queue = boto3.client("sqs").create_queue(QueueName="vmehr-large-dlq")["QueueUrl"]
        ministry_client = boto3.client("dynamodb")
        create_stack_tables(ministry_client, MINISTRY_TABLE, f"{MINISTRY_TABLE}-stats")
        with InProcessMinistry(ministry_client, max_body_bytes=request.param) as ministry:
            monkeypatch.setenv("MINISTRY_URL", ministry.url)
            monkeypatch.setenv("EXCHANGE_SECRET", "large-records-exchange-secret")
            monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", queue)
            # moto takes about 2 s to store one of these records (DynamoDB: milliseconds), so a
            # request of six outlasts the deployed 10 s timeout here
            monkeypatch.setenv("EXCHANGE_TIMEOUT_SECONDS", "25")
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
                yield type(
                    "National", (), {"api": Api(client), "ministry": ministry, "queue": queue}
                )
        bootstrap.reset()


def test_a_burst_of_the_largest_records_from_several_shops_all_reaches_the_ministry(national):
    # Given three shops, each uploading two records at every limit of the schema (6 × 259 KB:
    # over the ministry's old 1 MB door)
    api: Api = national.api
    uploaded = {}
    for _ in range(3):
        shop, token = api.new_shop()
        for _ in range(2):
            answer = api.post(
                "/v1/records", largest_record_payload(company_name=shop["name"]), token
            )
            assert answer.status_code == 201, answer.json
            uploaded[answer.json["record_id"]] = shop["companycode"]
    # When the table's stream reaches the record-changes handler in one Lambda batch
    answer = run_handler(api, "apply_record_changes")
    # Then no change is reported failed or parked, and every record is at the ministry
    assert answer == {"batchItemFailures": []}
    assert _ministry_heads() == uploaded
    assert _parked(national.queue) == 0
    # and no request was over the budget; at the 1 MiB door, those it refused for their size
    # were sent again in halves
    ministry = national.ministry
    assert ministry.unexpected == []
    assert all(size <= min(REQUEST_BUDGET_BYTES, ministry.max_body_bytes)
               for _, size in ministry.requests)  # fmt: skip
    assert sum(n for n, _ in ministry.requests) >= len(uploaded) + 3  # records and shops
    if ministry.max_body_bytes >= REQUEST_BUDGET_BYTES:
        assert ministry.refused_sizes == [] and max(s for _, s in ministry.requests) > MIB
    else:
        assert ministry.refused_sizes and min(ministry.refused_sizes) > MIB


def _ministry_heads() -> dict[str, str]:
    client, heads, request = boto3.client("dynamodb"), {}, {"TableName": MINISTRY_TABLE}
    while True:
        page = client.scan(**request)
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "record_head":
                heads[item["record_id"]] = item["companycode"]
        if "LastEvaluatedKey" not in page:
            return heads
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _parked(queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])
