"""Monthly cost of one province stack at a stated volume, from the measured per-operation use.

Why: the deployment guide promises a cost built from what our reads and writes actually
consume. This module holds the stated assumptions (volume, reads per record, latency of
DynamoDB calls, Lambda's CPU share) as named constants and multiplies them with the
measurements of bench/capacity.py and the prices of bench/prices.py. Change an assumption
here and `make capacity` prints the new figures.
"""

from __future__ import annotations

import math
from typing import Any

from bench.prices import PRICE_TABLE_DATE, PRICES

RECORDS_PER_YEAR = 10_000_000  # one province (the example; Guangdong-sized)
MONTH_SECONDS = 30 * 24 * 3600
NATIONAL_DOOR_SHARE = 0.8  # DMS software mostly speaks the national interface
CORRECTIONS_PER_RECORD = 0.05
TOKENS_PER_UPLOAD = 1.0  # worst case: a DMS asks for a token before every upload
HISTORY_READS_PER_RECORD = 0.5  # public / owner history reads
LAMBDA_MEMORY_GB = 0.5  # .chalice/config.json lambda_memory_size 512
# Lambda gives a function CPU in proportion to memory, a full vCPU at 1,769 MB: our Python
# compute, measured on one full core here, runs that much slower at 512 MB.
CPU_SCALE = 1769 / 512
# DynamoDB's latency inside the region (milliseconds), replacing moto's in the durations.
CALL_MS = {
    "GetItem": 4,
    "BatchGetItem": 6,
    "Query": 6,
    "PutItem": 6,
    "UpdateItem": 6,
    "DeleteItem": 6,
    "TransactWriteItems": 15,
}
COLD_START_SHARE = 0.02  # API invocations that start a new execution environment
STREAM_SHARDS = 4  # shards of the table's stream (one per partition)
CHANGES_WINDOW_S = 2  # infra/cfn/streams.py: the record-changes mapping's batching window
MINISTRY_RTT_MS = 30  # province → ministry HTTPS round trip inside China (assumed)
ITEM_OVERHEAD_BYTES = 100  # DynamoDB's per-item storage overhead
# The jobs mapping (run_jobs, 1,024 MB) is invoked once per new job only (its event filter).
JOBS_MEMORY_GB = 1.0
JOBS_CPU_SCALE = 1769 / 1024
EXPORTS_PER_MONTH = 100  # regulators' CSV exports (assumed)
ROWS_PER_EXPORT = 5_000  # records in an export (assumed: a district's month)
IMPORTED_SHARE = 0.02  # of the REST uploads, arriving as shop-portal spreadsheets (assumed)
IMPORT_CHUNK_ROWS = 50  # chalicelib/domain/record_import.py CHUNK_ROWS
# API Gateway detailed metrics (ApiMethodMetrics=true): CloudWatch custom metrics per method.
METRICS_PER_METHOD = 5  # Count, 4XXError, 5XXError, Latency, IntegrationLatency
BUSY_METHODS = 4  # token, REST upload, national door, history: traffic every hour
OTHER_METHODS_HOURS_SHARE = 0.3  # other methods see traffic in office hours only (assumed)


def modeled_ms(op: Any, cpu_scale: float = CPU_SCALE) -> float:
    """Lambda duration of one unit of work: our compute at 512 MB + DynamoDB's latency."""
    calls = sum(CALL_MS.get(name, 6) * n for name, n in op.calls_per_work.items())
    return op.compute_seconds_per_work * 1000 * cpu_scale + calls


def api_methods() -> int:
    """Methods of the REST API (each its own set of detailed metrics)."""
    from app import app

    return sum(len(methods) for methods in app.routes.values())


def report(ops: dict[str, Any], facts: dict[str, float]) -> None:
    records = RECORDS_PER_YEAR / 12
    corrections = records * CORRECTIONS_PER_RECORD
    national = records * NATIONAL_DOOR_SHARE
    rest = records - national
    tokens = (records + corrections) * TOKENS_PER_UPLOAD
    histories = records * HISTORY_READS_PER_RECORD
    api_ops = {
        "upload": rest,
        "national upload": national,
        "correction": corrections,
        "token": tokens,
        "history read": histories,
    }
    api_requests = sum(api_ops.values())
    stream_records = sum(ops[name].stream_records * n for name, n in api_ops.items())
    versions = records + corrections

    # Jobs: exports (read-only, a few writes for the job item) and spreadsheet import chunks.
    export = ops["export"]
    exported_rows = EXPORTS_PER_MONTH * ROWS_PER_EXPORT
    import_chunks = rest * IMPORTED_SHARE / IMPORT_CHUNK_ROWS

    # DynamoDB: the API's own units, the province aggregator's units on quiet batches, exports.
    aggregator = ops["province statistics, quiet"]
    wcu = sum(ops[name].wcu * n for name, n in api_ops.items()) + aggregator.wcu * stream_records
    rcu = sum(ops[name].rcu * n for name, n in api_ops.items()) + aggregator.rcu * stream_records
    wcu += export.wcu * exported_rows
    rcu += export.rcu * exported_rows
    stored_per_year = 12 * sum(
        (ops[name].bytes_written + ITEM_OVERHEAD_BYTES * ops[name].stream_records) * n
        for name, n in api_ops.items()
        if name != "token"  # tokens expire within the hour (TTL)
    )
    stored_gb = stored_per_year / 1e9

    # Lambda: API requests; the record-changes mapping (statistics, then forwarding) on every
    # change; the jobs mapping once per export and per import chunk.
    api_gb_s = sum(
        math.ceil(modeled_ms(ops[name])) / 1000 * LAMBDA_MEMORY_GB * n
        for name, n in api_ops.items()
    )
    api_gb_s += api_requests * COLD_START_SHARE * facts["import seconds"] * CPU_SCALE * 0.5
    changes_invocations = min(stream_records, STREAM_SHARDS * MONTH_SECONDS / CHANGES_WINDOW_S)
    exchange = ops["ministry exchange"]
    forwarder_ms_per_change = (
        ops["forwarder (province side)"].compute_seconds_per_work * 1000 * CPU_SCALE
        + modeled_ms(exchange) / CPU_SCALE  # the ministry's time, at its own memory size
        + MINISTRY_RTT_MS
    )
    changes_gb_s = (
        (stream_records * modeled_ms(aggregator) + versions * forwarder_ms_per_change)
        / 1000
        * LAMBDA_MEMORY_GB
    )
    jobs_invocations = EXPORTS_PER_MONTH + import_chunks
    jobs_gb_s = (
        (
            exported_rows * modeled_ms(export, JOBS_CPU_SCALE)
            + rest * IMPORTED_SHARE * modeled_ms(ops["upload"], JOBS_CPU_SCALE)
        )
        / 1000
        * JOBS_MEMORY_GB
    )
    invocations = api_requests + changes_invocations + jobs_invocations
    gb_seconds = api_gb_s + changes_gb_s + jobs_gb_s
    methods = api_methods()
    metric_months = METRICS_PER_METHOD * (
        BUSY_METHODS + (methods - BUSY_METHODS) * OTHER_METHODS_HOURS_SHARE
    )

    p = PRICES
    lines = [
        ("DynamoDB writes", wcu, "WRU", p["dynamodb_write"].cny / 1e6),
        ("DynamoDB reads", rcu, "RRU", p["dynamodb_read"].cny / 1e6),
        ("DynamoDB storage (after 12 months)", stored_gb, "GB", p["dynamodb_storage"].cny),
        ("DynamoDB point-in-time recovery", stored_gb, "GB", p["dynamodb_pitr"].cny),
        ("Lambda requests", invocations, "requests", p["lambda_requests"].cny / 1e6),
        ("Lambda duration", gb_seconds, "GB-s", p["lambda_duration"].cny),
        ("API Gateway REST calls", api_requests, "calls", p["api_gateway_rest"].cny / 1e6),
    ]
    print(
        f"Cost model: {RECORDS_PER_YEAR:,} records a year in one province "
        f"({records:,.0f} a month), on-demand prices of {PRICE_TABLE_DATE} (bench/prices.py)"
    )
    print()
    print("| monthly volume | count |")
    print("|---|---|")
    for name, n in api_ops.items():
        print(f"| {name} requests | {n:,.0f} |")
    print(f"| stream records (apply_record_changes reads each) | {stream_records:,.0f} |")
    print(
        f"| invocations: API / apply_record_changes / run_jobs | {api_requests:,.0f} / "
        f"{changes_invocations:,.0f} / {jobs_invocations:,.0f} |"
    )
    print(f"| exports ({ROWS_PER_EXPORT:,} records each) | {EXPORTS_PER_MONTH:,} |")
    print(f"| import chunks ({IMPORTED_SHARE:.0%} of REST uploads) | {import_chunks:,.0f} |")
    print()
    print("| modeled Lambda duration at 512 MB | ms |")
    print("|---|---|")
    for name in api_ops:
        print(f"| {name} | {modeled_ms(ops[name]):.0f} |")
    print(f"| statistics, per stream record | {modeled_ms(aggregator):.1f} |")
    print(f"| forwarder, per forwarded change | {forwarder_ms_per_change:.0f} |")
    print(f"| export, per exported record (1,024 MB) | {modeled_ms(export, JOBS_CPU_SCALE):.2f} |")
    print()
    print("| item | monthly quantity | unit price (¥) | ¥ per month |")
    print("|---|---|---|---|")
    total = 0.0
    for name, quantity, unit, price in lines:
        cost = quantity * price
        total += cost
        print(f"| {name} | {quantity:,.1f} {unit} | {price:.8g} | {cost:,.2f} |")
    print(f"| **total** | | | **{total:,.2f}** |")
    print()
    metric_price = p["cloudwatch_metric"].cny
    unfiltered = stream_records * p["lambda_requests"].cny / 1e6
    print(
        f"- API Gateway detailed metrics, if ApiMethodMetrics=true: {methods} methods x "
        f"{METRICS_PER_METHOD} metrics, {metric_months:,.0f} metric-months "
        f"(all hours for {BUSY_METHODS} methods, {OTHER_METHODS_HOURS_SHARE:.0%} for the rest): "
        f"¥{metric_months * metric_price:,.2f} a month more; at most "
        f"¥{METRICS_PER_METHOD * methods * metric_price:,.2f} (every method, every hour)"
    )
    print(
        f"- without the jobs mapping's event filter, run_jobs would be invoked once per stream "
        f"record ({stream_records:,.0f} a month): ¥{unfiltered:,.2f} in requests alone"
    )
    print()
    print("| price assumed | ¥ | unit | source |")
    print("|---|---|---|---|")
    for name, price in PRICES.items():
        print(f"| {name} | {price.cny:g} | {price.unit} | {price.source} |")
