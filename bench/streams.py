"""Stream benchmarks (issue 3): aggregator throughput and writes per record; upload → ministry.

Why: the aggregator's exactly-once design costs marker writes; this measures what it costs
against the naive (double-counting) baseline of one bare `ADD` per record and counter, in the
same run on the same moto server. The second part measures how long an upload takes to be
visible in the national history on the local stack, against the upload request itself.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

RECORDS = 1000
BATCH = 100
SHOPS = 20
VISIBILITY_UPLOADS = 200


def _version_records(count: int) -> list[dict[str, Any]]:
    from chalicelib.adapters.dynamo_codec import to_item
    from chalicelib.adapters.record_items import version_item
    from chalicelib.domain.record import RecordContent, RepairItem, StoredRecord

    now = datetime.now(UTC)
    records = []
    for i in range(count):
        content = RecordContent(
            vin=f"LSVAU2180N2{i:06d}",
            plate_number="苏A12345",
            company_name="x",
            repair_date=date(2024, 3, 1),
            repair_mileage=1000 + i,
            settlement_date=date(2024, 3, 2),
            fault_description="f",
            settlement_list_code=f"B-{i}",
            repair_items=(RepairItem("保养", Decimal("1")),),
        )
        record = StoredRecord(
            record_id=f"{i:032x}",
            companycode=f"3201020000{i % SHOPS:05d}",
            version=1,
            status="active",
            content=content,
            content_hash="h",
            flags=(),
            shop_name="x",
            shop_class="class_2",
            received_at=now,
            updated_at=now,
        )
        records.append(
            {
                "eventName": "INSERT",
                "dynamodb": {
                    "SequenceNumber": f"{i + 1:021d}",
                    "NewImage": to_item(version_item(record)),
                },
            }
        )
    return records


def aggregator_bench(moto_url: str) -> list[str]:
    """Rows: aggregator vs naive ADD, records/s and DynamoDB writes per record."""
    from chalicelib import bootstrap
    from chalicelib.adapters.aws import dynamodb_client
    from chalicelib.streams.stream_records import statistics_changes
    from infra.table_definition import create_stack_tables

    os.environ.update(
        {
            "DYNAMODB_ENDPOINT_URL": moto_url,
            "TABLE_NAME": "bench-records",
            "STATS_TABLE_NAME": "bench-stats",
        }
    )
    bootstrap.reset()
    client = dynamodb_client()
    # The records table too: a shop's first docking reads its registry entry there.
    create_stack_tables(client, "bench-records", "bench-stats")
    calls: Counter[str] = Counter()
    items_written = Counter[str]()

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls[model.name] += 1
        if model.name == "TransactWriteItems":
            items_written["items"] += len(params.get("TransactItems", []))
        elif model.name in ("UpdateItem", "PutItem"):
            items_written["items"] += 1

    client.meta.events.register("provide-client-params.dynamodb.*", count)
    records = _version_records(RECORDS)
    aggregator = bootstrap.statistics_aggregator()
    started = time.perf_counter()
    for start in range(0, RECORDS, BATCH):
        assert aggregator.handle(statistics_changes(records[start : start + BATCH])) == []
    ours = time.perf_counter() - started
    ours_writes = items_written["items"] / RECORDS
    calls.clear()
    items_written.clear()
    started = time.perf_counter()
    for i in range(RECORDS):  # the naive baseline: one bare ADD per record and counter
        for pk in (f"NAIVE#shop#{i % SHOPS}", "NAIVE#province"):
            client.update_item(
                TableName="bench-stats",
                Key={"PK": {"S": pk}, "SK": {"S": "2024-03-02"}},
                UpdateExpression="ADD uploads :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
    naive = time.perf_counter() - started
    naive_writes = items_written["items"] / RECORDS
    return [
        "| aggregator (exactly-once, coalesced) | "
        f"{RECORDS / ours:,.0f} records/s | {ours_writes:.2f} items written/record | "
        f"{naive / ours:.2f}× the naive rate |",
        f"| naive bare ADD per record (double-counts on replay) | {RECORDS / naive:,.0f} records/s"
        f" | {naive_writes:.2f} items written/record | 1.00× |",
    ]


PUBLIC_LIMITS_LIFTED = {
    "PUBLIC_IP_LIMIT": "100000",
    "PUBLIC_VIN_LIMIT": "100000",
    "PUBLIC_SUBMIT_LIMIT": "100000",
}


def visibility_bench(base_port: int, moto: Any) -> list[str]:
    """Rows: upload → visible in the ministry's national history, p50 / p99 over 200 uploads."""
    import tempfile
    from pathlib import Path

    from infra.local.run import build_stacks
    from tests.builders import record_payload

    apps = build_stacks(moto, base_port)
    ministry, jiangsu, _ = apps
    for app in apps:  # one bench client polls hundreds of histories: lift the public limits
        app.extra_env.update(PUBLIC_LIMITS_LIFTED)
    logs = Path(tempfile.mkdtemp(prefix="vmehr-bench-"))
    for app in apps:
        app.log_path = logs / f"stack-{app.port}.log"
    try:
        for app in apps:
            app.start()
            app.start_poller()
        token = _post(
            jiangsu.url + "/v1/auth/token",
            {"companycode": "320102000000001", "secret": "demo-shop-secret"},
        )["access_token"]
        upload_times, visible_times = [], []
        for _ in range(VISIBILITY_UPLOADS):
            payload = record_payload(company_name="南京玄武示范汽车维修有限公司")
            started = time.perf_counter()
            _post(jiangsu.url + "/v1/records", payload, token)
            uploaded = time.perf_counter()
            path = (
                f"{ministry.url}/v1/vehicles/{payload['vin']}/history?plate="
                + urllib.parse.quote(payload["plate_number"])
            )
            deadline = uploaded + 30
            while not _ok(path):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"upload not visible at the ministry in 30 s: {path}")
                time.sleep(0.01)
            visible_times.append(time.perf_counter() - started)
            upload_times.append(uploaded - started)
    except Exception:
        for log in logs.glob("*.log"):
            print(log, log.read_text(errors="replace")[-2000:])
        raise
    finally:
        for app in apps:
            app.stop()
    p50 = statistics.median(visible_times)
    p99 = sorted(visible_times)[int(0.99 * len(visible_times)) - 1]
    up50 = statistics.median(upload_times)
    label = f"upload → visible at the ministry ({VISIBILITY_UPLOADS} uploads)"
    ratio = f"{p50 / up50:.1f}× the upload request (p50 {up50 * 1000:.0f} ms)"
    return [f"| {label} | p50 {p50 * 1000:.0f} ms | p99 {p99 * 1000:.0f} ms | {ratio} |"]


def _post(url: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    # moto (not our code) stalls a request for seconds now and then as its tables grow; a
    # stall is part of the measured time, not a reason to abandon the bench.
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _ok(url: str) -> bool:
    """Whether the history is there yet; a refusal other than 404 ends the bench at once
    (waiting out every upload's deadline would only measure the refusal)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
        return False
    except OSError:
        return False


def main() -> None:
    from infra.local.stack import FAKE_AWS_ENV, MotoServer, free_port

    os.environ.update(FAKE_AWS_ENV)
    print("| stream benchmark | rate / p50 | cost / p99 | ratio to baseline |")
    print("|---|---|---|---|")
    # Each bench gets a fresh moto server: the aggregator bench's tens of thousands of items
    # would otherwise slow every later moto call (it copies items) and skew the visibility one.
    moto = MotoServer(free_port())
    moto.start()
    try:
        for row in aggregator_bench(moto.url):
            print(row, flush=True)
    finally:
        moto.stop()
    moto = MotoServer(free_port())
    moto.start()
    try:
        for row in visibility_bench(free_port(), moto):
            print(row, flush=True)
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
