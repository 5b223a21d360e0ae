"""`make capacity`: DynamoDB units and handler time per operation, measured on the real code.

Runs, in one process against moto (`mock_aws`), the province's real routes through
`chalice.test.Client` (shop token, REST upload, national-door upload, correction, vehicle
history), the real statistics handler on the real stream records those uploads produced, a
regulator's CSV export of the shop's records run by the real jobs handler, then the
ministry's real exchange route on the changes the province forwards, and the ministry's
statistics handler on its own stream. A `CapacityMeter` (bench/capacity_units.py)
accounts every DynamoDB request of the application's client. Timing: wall time per request,
and the part of it spent inside DynamoDB calls (moto here), so the cost model can replace
moto's latency with DynamoDB's. Prints the per-operation table, then the monthly cost model
(bench/cost_model.py) with the price table of bench/prices.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.capacity_units import CapacityMeter, TableShape, Usage

PROJECT = Path(__file__).resolve().parents[1]
VEHICLES = 20
RECORDS_PER_VEHICLE = 5
CORRECTIONS = 20
NATIONAL_UPLOADS = 20
HISTORY_ROUNDS = 3
TOKENS = 20
STREAM_BATCH = 100  # a full batch: a busy hour
QUIET_BATCH = 6  # about one upload's changes: what a 2 s window holds at a province's volume
IMPORT_ROUNDS = 3
PROVINCE_TABLE = "capacity-province"
MINISTRY_TABLE = "capacity-ministry"
ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "cn-north-1",
    "AWS_REGION": "cn-north-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "CapacityBench",
    "SIGNING_KEY": "capacity-bench-signing-key-0123456789",
    "TOTP_KEY": "capacity-bench-totp-key-0123456789abcdef",
    "PHOTO_BUCKET": "capacity-exports",
    # One bench client reads many histories: lift the public rate limits (their counter
    # writes are still made and measured).
    "PUBLIC_IP_LIMIT": "100000",
    "PUBLIC_VIN_LIMIT": "100000",
}


@dataclass
class Operation:
    """Everything measured for one kind of operation, over its repetitions."""

    name: str
    usages: list[Usage] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    units_of_work: int = 0  # e.g. stream records in a batch; 1 per request otherwise

    def record(self, usage: Usage, seconds: float, work: int = 1) -> None:
        self.usages.append(usage)
        self.seconds.append(seconds)
        self.units_of_work += work

    def per_unit(self, attribute: str) -> float:
        return sum(getattr(u, attribute) for u in self.usages) / max(self.units_of_work, 1)

    @property
    def wcu(self) -> float:
        return self.per_unit("wcu")

    @property
    def rcu(self) -> float:
        return self.per_unit("rcu")

    @property
    def bytes_written(self) -> float:
        return self.per_unit("bytes_written")

    @property
    def stream_records(self) -> float:
        return self.per_unit("stream_records")

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def compute_seconds(self) -> float:
        """Median time outside DynamoDB calls, per request."""
        return statistics.median(
            max(0.0, s - u.seconds_in_dynamodb - u.seconds_metering)
            for s, u in zip(self.seconds, self.usages, strict=True)
        )

    @property
    def compute_seconds_per_work(self) -> float:
        """Time outside DynamoDB per unit of work (per stream record, per change)."""
        total = sum(
            max(0.0, s - u.seconds_in_dynamodb - u.seconds_metering)
            for s, u in zip(self.seconds, self.usages, strict=True)
        )
        return total / max(self.units_of_work, 1)

    @property
    def calls_per_work(self) -> dict[str, float]:
        totals: dict[str, int] = {}
        for usage in self.usages:
            for op, n in usage.calls.items():
                totals[op] = totals.get(op, 0) + n
        return {op: n / max(self.units_of_work, 1) for op, n in sorted(totals.items())}


class Stack:
    """The Chalice app as one stack, its tables on moto, and the meter on its client."""

    def __init__(self, role: str, table: str) -> None:
        import boto3
        from chalice.test import Client

        from app import app
        from chalicelib import bootstrap
        from chalicelib.adapters.aws import dynamodb_client
        from infra.photo_bucket import create_photo_bucket
        from infra.table_definition import (
            MAIN_TABLE,
            STATS_TABLE,
            create_stack_tables,
            table_properties,
        )

        os.environ.update(
            {
                "STACK_ROLE": role,
                "PROVINCE_CODE": "320000" if role == "province" else "000000",
                "TABLE_NAME": table,
                "STATS_TABLE_NAME": f"{table}-stats",
            }
        )
        bootstrap.reset()
        self.table = table
        self.shadow = boto3.client("dynamodb")
        create_stack_tables(self.shadow, table, f"{table}-stats")
        create_photo_bucket(boto3.client("s3"), ENV["PHOTO_BUCKET"], ENV["AWS_REGION"])
        shapes = {
            table: TableShape.from_properties(table_properties(MAIN_TABLE)),
            f"{table}-stats": TableShape.from_properties(table_properties(STATS_TABLE)),
        }
        self.meter = CapacityMeter(self.shadow, shapes)
        self.meter.attach(dynamodb_client())
        self.client = Client(app)
        self.meter.take()

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body, ensure_ascii=False, default=str) if body is not None else None
        response = self.client.http.request(method, path, headers=headers, body=data)
        assert response.status_code < 300, (path, response.status_code, response.body[:300])
        return json.loads(response.body) if response.body else None

    def measure(self, operation: Operation, action: Callable[[], Any], work: int = 1) -> Any:
        self.meter.take()
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
        operation.record(self.meter.take(), elapsed, work)
        return result

    def fresh_stats_table(self) -> None:
        """An empty statistics table, so the next aggregation run is not a replay."""
        from infra.table_definition import STATS_TABLE, create_table

        self.shadow.delete_table(TableName=f"{self.table}-stats")
        create_table(self.shadow, f"{self.table}-stats", STATS_TABLE)

    def stream_records(self) -> list[dict[str, Any]]:
        """Every record of the table's stream so far, in Lambda's event shape."""
        import boto3

        arn = self.shadow.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams")
        records = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                response = streams.get_records(ShardIterator=iterator, Limit=1000)
                for record in response["Records"]:
                    record["dynamodb"].pop("ApproximateCreationDateTime", None)
                    records.append({**record, "eventSourceARN": arn})
                if not response["Records"]:
                    break
                iterator = response.get("NextShardIterator")
        return records

    def aggregate(
        self, operation: Operation, records: list[dict[str, Any]], size: int = STREAM_BATCH
    ) -> None:
        for start in range(0, len(records), size):
            batch = records[start : start + size]
            answer = self.measure(
                operation,
                lambda b=batch: (
                    self.client.lambda_.invoke("apply_record_changes", {"Records": b}).payload
                ),
                work=len(batch),
            )
            assert answer == {"batchItemFailures": []}, answer


def province_phase(ops: dict[str, Operation]) -> tuple[list[dict[str, Any]], int]:
    """Province: tokens, uploads, corrections, national uploads, histories, statistics."""
    from infra.seed import create_regulator
    from tests.builders import (
        compat_payload,
        record_payload,
        shop_application,
        totp_code,
        unique_plate,
        unique_vin,
    )

    stack = Stack("province", PROVINCE_TABLE)
    secret = "BENCHADMINTQTPSECRETAAAAAAAAAAAA"
    create_regulator(
        PROVINCE_TABLE, "bench", "bench-password-123", "province_admin", totp_secret=secret
    )
    admin = stack.call(
        "POST",
        "/v1/admin/token",
        {"username": "bench", "password": "bench-password-123", "totp": totp_code(secret)},
    )
    shop = stack.call("POST", "/v1/shops", shop_application(), admin["access_token"])
    login = {"companycode": shop["companycode"], "secret": shop["secret"]}
    for _ in range(TOKENS):
        stack.measure(ops["token"], lambda: stack.call("POST", "/v1/auth/token", login))
    token = stack.call("POST", "/v1/auth/token", login)["access_token"]
    vehicles, payloads = [], []
    for v in range(VEHICLES):
        vin, plate = unique_vin(), unique_plate()
        vehicles.append((vin, plate))
        for n in range(RECORDS_PER_VEHICLE):
            day = f"2024-{1 + n:02d}-{1 + v:02d}"
            payload = record_payload(
                vin=vin,
                plate_number=plate,
                company_name=shop["name"],
                repair_date=day,
                settlement_date=day,
                repair_mileage=10000 * (n + 1),
            )
            payloads.append(payload)
            stack.measure(
                ops["upload"], lambda p=payload: stack.call("POST", "/v1/records", p, token)
            )
    for payload in payloads[:CORRECTIONS]:
        changed = dict(
            payload, repair_mileage=payload["repair_mileage"] + 1, fault_description="复检"
        )
        stack.measure(
            ops["correction"], lambda p=changed: stack.call("POST", "/v1/records", p, token)
        )
    compat = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"
    for _ in range(NATIONAL_UPLOADS):
        body = compat_payload(token, companyname=shop["name"])
        stack.measure(ops["national upload"], lambda b=body: stack.call("POST", compat, b))
    for _ in range(HISTORY_ROUNDS):
        for vin, plate in vehicles:
            path = f"/v1/vehicles/{vin}/history?plate={plate}"
            history = stack.measure(ops["history read"], lambda p=path: stack.call("GET", p))
            assert len(history["records"]) == RECORDS_PER_VEHICLE, history
    records = stack.stream_records()
    uploads = len(payloads) + CORRECTIONS + NATIONAL_UPLOADS
    versions = [r for r in records if _is_version(r)]
    assert len(versions) == uploads, (len(versions), uploads)
    stack.aggregate(ops["province statistics, quiet"], records, QUIET_BATCH)
    stack.fresh_stats_table()
    stack.aggregate(ops["province statistics, busy"], records, STREAM_BATCH)
    _export(stack, ops["export"], admin["access_token"], shop["companycode"])
    return records, uploads


def _export(stack: Stack, operation: Operation, token: str, companycode: str) -> None:
    """A regulator exports the shop's records; the jobs handler writes the CSV (per row)."""
    body = {"companycode": companycode, "from": "2024-01-01", "to": "2024-12-31"}
    job = stack.call("POST", "/v1/search/records/exports", body, token)
    (record,) = [r for r in stack.stream_records() if _kind(r) == "export_job"]
    stack.meter.take()
    started = time.perf_counter()
    answer = stack.client.lambda_.invoke("run_jobs", {"Records": [record]}).payload
    elapsed = time.perf_counter() - started
    usage = stack.meter.take()
    assert answer == {"batchItemFailures": []}, answer
    status = stack.call("GET", f"/v1/search/records/exports/{job['job_id']}", None, token)
    assert status["status"] == "done" and status["rows"] > 0, status
    operation.record(usage, elapsed, status["rows"])


def _kind(record: dict[str, Any]) -> str:
    return str(record["dynamodb"].get("NewImage", {}).get("kind", {}).get("S", ""))


def ministry_phase(ops: dict[str, Operation], province_records: list[dict[str, Any]]) -> None:
    """Ministry: the province's forwarded changes applied, then national statistics."""
    from chalicelib.exchange.requests import encode, envelope
    from chalicelib.services.forward_changes import exchange_item
    from chalicelib.streams.stream_records import forwardable_changes
    from infra.seed import create_exchange_credential

    def items_of(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [exchange_item(c.change) for c in forwardable_changes(records)]

    for start in range(0, len(province_records), STREAM_BATCH):
        batch = province_records[start : start + STREAM_BATCH]
        started = time.perf_counter()
        encode(envelope(items_of(batch)))
        ops["forwarder (province side)"].record(Usage(), time.perf_counter() - started, len(batch))
    payloads = items_of(province_records)
    stack = Stack("ministry", MINISTRY_TABLE)
    secret = create_exchange_credential(MINISTRY_TABLE, "320000")
    token = stack.call("POST", "/v1/exchange/token", {"province_code": "320000", "secret": secret})
    for start in range(0, len(payloads), STREAM_BATCH):
        batch = payloads[start : start + STREAM_BATCH]
        result = stack.measure(
            ops["ministry exchange"],
            lambda b=batch: stack.call(
                "POST", "/v1/exchange/batch", envelope(b), token["access_token"]
            ),
            work=len(batch),
        )
        assert all(r["result"] == "applied" for r in result["results"]), result["results"][:3]
    stack.aggregate(ops["ministry statistics"], stack.stream_records())


def _is_version(record: dict[str, Any]) -> bool:
    from chalicelib.streams.stream_records import is_record_version, stream_item

    return record["eventName"] != "REMOVE" and is_record_version(stream_item(record))


def import_seconds() -> float:
    code = "import time; t=time.perf_counter(); import app; print(time.perf_counter()-t)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=PROJECT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(IMPORT_ROUNDS)
    ]
    return statistics.median(runs)


def measure() -> tuple[dict[str, Operation], dict[str, float]]:
    from moto import mock_aws

    os.environ.update(ENV)
    os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
    names = [
        "token",
        "upload",
        "national upload",
        "correction",
        "history read",
        "province statistics, quiet",
        "province statistics, busy",
        "export",
        "forwarder (province side)",
        "ministry exchange",
        "ministry statistics",
    ]
    ops = {name: Operation(name) for name in names}
    # Powertools prints its EMF metric lines to stdout: keep them out of the report.
    with contextlib.redirect_stdout(io.StringIO()):
        with mock_aws():
            records, uploads = province_phase(ops)
        with mock_aws():
            ministry_phase(ops, records)
    facts = {
        "stream records seen, per record version": len(records) / uploads,
        "import seconds": import_seconds(),
    }
    return ops, facts


def report(ops: dict[str, Operation], facts: dict[str, float]) -> None:
    print(
        f"make capacity · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python "
        f"{sys.version.split()[0]} · {os.cpu_count()} CPUs · backend: moto in-process"
    )
    print()
    print(
        "| operation, per | n | WCU | RCU | bytes stored | stream records | DynamoDB calls | "
        "ms outside DynamoDB | median ms on moto |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    per = {
        "province statistics, quiet": f"stream record (batches of {QUIET_BATCH})",
        "province statistics, busy": f"stream record (batches of {STREAM_BATCH})",
        "ministry statistics": f"stream record (batches of {STREAM_BATCH})",
        "ministry exchange": f"forwarded change (batches of {STREAM_BATCH})",
        "forwarder (province side)": "stream record",
        "export": "exported record (one job, run by run_jobs)",
    }
    for op in ops.values():
        calls = ", ".join(f"{n:.3g} {name}" for name, n in op.calls_per_work.items()) or "—"
        print(
            f"| {op.name}, {per.get(op.name, 'request')} | {op.units_of_work} | {op.wcu:.2f} | "
            f"{op.rcu:.2f} | {op.bytes_written:,.0f} | {op.stream_records:.2f} | {calls} | "
            f"{op.compute_seconds_per_work * 1000:.2f} | {op.median_seconds * 1000:.1f} |"
        )
    print()
    for name, value in facts.items():
        print(f"- {name}: {value:.3f}")


def main() -> None:
    sys.path.insert(0, str(PROJECT))
    ops, facts = measure()
    report(ops, facts)
    from bench import cost_model

    print()
    cost_model.report(ops, facts)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip the final GC of moto's in-memory tables: it measures nothing
