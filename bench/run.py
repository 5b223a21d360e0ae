"""`make bench`: the hot paths against bare DynamoDB calls, on one moto server, in one run.

Why: machines here are noisy, so every figure is paired with a baseline measured in the same
run, interleaved round by round, and reported as a ratio next to the absolute medians:
- upload path (`RecordService.upload`: rollback query + one transaction) vs a bare `put_item`
  of the same head item;
- a 50-record vehicle history (`VehicleHistoryService.history`, incl. its audit write) vs a
  bare `Query` of the vehicle's partition;
- cold `import app` vs `import boto3` plus creating a DynamoDB client (fresh interpreters);
- then the stream benchmarks of `bench/streams.py`.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROUNDS = 100
HISTORY_RECORDS = 50
HISTORY_ROUNDS = 50
IMPORT_ROUNDS = 5
PROJECT = Path(__file__).resolve().parents[1]


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.2f} ms (p95 {_p95(values) * 1000:.2f})"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(0.95 * len(ordered)) - 1, 0)]


def _row(name: str, ours: list[float], base_name: str, base: list[float]) -> str:
    ratio = statistics.median(ours) / statistics.median(base)
    return f"| {name} | {_ms(ours)} | {base_name} | {_ms(base)} | {ratio:.2f}× |"


def upload_vs_put(shop: Any, counted: Any, client: Any, table: str) -> tuple[str, str]:
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamo_codec import to_item
    from chalicelib.adapters.record_items import (
        chain_head_item,
        chain_link_item,
        head_item,
        vehicle_item,
        version_item,
    )
    from chalicelib.doors.kit.models import parse
    from chalicelib.doors.kit.record_models import RecordIn
    from tests.builders import record_payload

    service = bootstrap.record_service()
    calls: Counter[str] = Counter()
    counting = {"on": False}

    def count(model: Any, **_: Any) -> None:
        if counting["on"]:
            calls[model.name] += 1

    counted.meta.events.register("provide-client-params.dynamodb.*", count)
    ours, bare, transact = [], [], []
    for _ in range(ROUNDS):
        content = parse(RecordIn, record_payload(company_name=shop.name)).to_content()
        counting["on"] = True
        started = time.perf_counter()
        receipt = service.upload(shop, content)
        ours.append(time.perf_counter() - started)
        counting["on"] = False
        stored = service.own(shop, receipt.record_id)
        nonce = uuid.uuid4().hex
        items = [
            to_item({**build(stored), "PK": f"BENCH{n}#{nonce}", "SK": "T"})
            for n, build in enumerate(
                (head_item, version_item, vehicle_item, chain_head_item, chain_link_item)
            )
        ]
        started = time.perf_counter()
        client.put_item(TableName=table, Item=items[0])
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**i, "SK": {"S": "TRANSACT"}},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
                for i in items
            ]
        )
        transact.append(time.perf_counter() - started)
    per_upload = " + ".join(f"{n / ROUNDS:g} {op}" for op, n in sorted(calls.items()))
    rows = (
        _row("upload (`RecordService.upload`)", ours, "bare `put_item`", bare),
        _row("upload (`RecordService.upload`)", ours, "bare 5-item transaction", transact),
    )
    return "\n".join(rows), per_upload


def history_vs_query(shop: Any, client: Any, table: str) -> str:
    from chalicelib import bootstrap
    from chalicelib.adapters import keys
    from chalicelib.doors.kit.models import parse
    from chalicelib.doors.kit.record_models import RecordIn
    from tests.builders import record_payload, unique_plate, unique_vin

    vin, plate = unique_vin(), unique_plate()
    for day in range(HISTORY_RECORDS):
        settled = f"2023-{1 + day // 28:02d}-{1 + day % 28:02d}"
        payload = record_payload(
            vin=vin,
            plate_number=plate,
            repair_date=settled,
            settlement_date=settled,
            repair_mileage=1000 * (day + 1),
            company_name=shop.name,
        )
        bootstrap.record_service().upload(shop, parse(RecordIn, payload).to_content())
    service = bootstrap.history_service()
    ours, bare = [], []
    for _ in range(HISTORY_ROUNDS):
        started = time.perf_counter()
        assert len(service.history(vin, plate, source_ip="bench")) == HISTORY_RECORDS
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :rec)",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.vehicle_pk(vin)},
                ":rec": {"S": keys.vehicle_entry_prefix()},
            },
        }
        items = []
        while True:
            response = client.query(**request)
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        bare.append(time.perf_counter() - started)
        assert len(items) == HISTORY_RECORDS
    return _row(f"{HISTORY_RECORDS}-record history", ours, "bare `Query`", bare)


def imports() -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    app_code = "import time; t=time.perf_counter(); import app; print(time.perf_counter()-t)"
    boto_code = (
        "import time; t=time.perf_counter(); import boto3; "
        "boto3.client('dynamodb', region_name='cn-north-1'); print(time.perf_counter()-t)"
    )
    ours, base = [], []
    for _ in range(IMPORT_ROUNDS):
        for code, sink in ((app_code, ours), (boto_code, base)):
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=PROJECT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            sink.append(float(out.stdout.strip()))
    return _row("cold `import app`", ours, "`import boto3` + client", base)


def main() -> None:
    from infra.local.stack import FAKE_AWS_ENV, MotoServer, free_port, provision

    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(free_port())
    moto.start()
    table = "bench-province"
    try:
        provision(moto, table)
        os.environ.update(
            {
                "DYNAMODB_ENDPOINT_URL": moto.url,
                "TABLE_NAME": table,
                "STATS_TABLE_NAME": f"{table}-stats",
            }
        )
        from chalicelib import bootstrap
        from chalicelib.adapters.aws import dynamodb_client
        from infra.seed import create_demo_shop

        bootstrap.reset()
        shop = create_demo_shop(table)
        counted = dynamodb_client()  # the app's own client: its calls per upload are counted
        client = moto.client()  # baselines: default timeouts, so a slow moto never retries
        print(
            f"make bench · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python "
            f"{platform.python_version()} · {os.cpu_count()} CPUs · backend: moto server"
        )
        print()
        print("| path | median (p95) | baseline | median (p95) | ratio |")
        print("|---|---|---|---|---|")
        upload_row, per_upload = upload_vs_put(shop, counted, client, table)
        print(upload_row, flush=True)
        print(history_vs_query(shop, client, table), flush=True)
        print(imports(), flush=True)
        print(f"\nDynamoDB calls per upload: {per_upload}", flush=True)
        print(
            "moto deep-copies each table a TransactWriteItems touches (for its rollback; the "
            "local server does it once per table, moto itself once per action), so "
            "transactions cost O(table size) here and not on DynamoDB: read the transaction "
            "baseline as the floor of what an upload must spend.\n",
            flush=True,
        )
    finally:
        moto.stop()
    from bench import streams

    streams.main()


if __name__ == "__main__":
    main()
    # Everything is stopped and printed; skip the interpreter's final garbage collection of
    # moto's in-memory tables, which takes minutes and measures nothing.
    sys.stdout.flush()
    os._exit(0)
