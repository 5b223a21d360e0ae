"""`python -m bench.audit_chain`: what chaining the audit log costs per entry, measured.

Runs the real audit log adapter (chalicelib/adapters/dynamo_audit.py) against moto, with the
`CapacityMeter` of bench/capacity_units.py on its client, and prints DynamoDB capacity units
and calls per entry for:
- the entry as the log wrote it before it was chained (one conditional put, same facts);
- a warm instance writing its shard alone (the steady state);
- an instance's first entry of a day (it reads its shard's head first);
- k warm instances writing in turn, all starting on one shard (the worst start and order:
  collisions until they have spread over the shards, or share them), or picked at random
  for each entry, each starting on a random shard (a cold start's pick);
- the daily digest run over the day written, and one page of the administrators' reader.

Why: audit writes sit on hot paths (every public history read, every regulator read), so
the chain must not make them noticeably dearer. A failed conditional put is charged like a
write, which the meter counts.
"""

from __future__ import annotations

import functools
import os
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.capacity_units import CapacityMeter, TableShape, Usage

TABLE = "bench-audit"
BUCKET = "bench-audit-digests"
ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "cn-north-1",
    "AWS_REGION": "cn-north-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "TABLE_NAME": TABLE,
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
ENTRIES = 240
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
FACTS = {
    "actor": "regulator:li.officer",
    "role": "district_officer",
    "action": "shop.read",
    "target": "320102000000001",
    "source_ip": "203.0.113.7",
    "user_agent": BROWSER + "Chrome/131.0 Safari/537.36",
    "details": {"fields": ["contact_name", "contact_phone"]},
}


class SteppingClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=250)
        return self.at


def main() -> None:
    os.environ.update(ENV)
    from moto import mock_aws

    with mock_aws():
        rows = _measure()
    print(f"Audit log: DynamoDB units and calls per entry ({ENTRIES} entries per row, moto)")
    print(f"{'scenario':58} {'WRU':>6} {'RRU':>6}  calls per entry")
    for name, usage, count in rows:
        calls = ", ".join(f"{n / count:.2f} {op}" for op, n in sorted(usage.calls.items()))
        print(f"{name:58} {usage.wcu / count:6.2f} {usage.rcu / count:6.2f}  {calls}")


def _measure() -> list[tuple[str, Usage, int]]:
    import boto3

    from chalicelib import bootstrap
    from chalicelib.adapters.aws import dynamodb_client
    from infra.audit_digest_bucket import create_audit_digest_bucket
    from infra.table_definition import MAIN_TABLE, create_stack_tables, table_properties

    bootstrap.reset()
    shadow = boto3.client("dynamodb")
    create_stack_tables(shadow, TABLE, f"{TABLE}-stats")
    create_audit_digest_bucket(boto3.client("s3"), BUCKET, ENV["AWS_REGION"])
    meter = CapacityMeter(shadow, {TABLE: TableShape.from_properties(table_properties(MAIN_TABLE))})
    meter.attach(dynamodb_client())
    rows: list[tuple[str, Usage, int]] = []
    base = datetime(2026, 3, 1, tzinfo=UTC)

    def run(name: str, count: int, action: Callable[[], Any]) -> None:
        meter.take()
        action()
        rows.append((name, meter.take(), count))

    run("before the chain: one conditional put", ENTRIES, lambda: _legacy(base, ENTRIES))
    day = base + timedelta(days=1)
    writer = _writers(day, 1, shards=[0])[0]
    run("chained: first entry of the day (reads the shard's head)", 1, lambda: _write([writer], 1))
    run("chained: a warm instance alone on its shard", ENTRIES, lambda: _write([writer], ENTRIES))
    for k in (2, 4, 8, 16):
        start = base + timedelta(days=1 + k)
        same = _writers(start, k, shards=[0] * k)
        label = f"chained: {k} instances in turn, all starting on one shard"
        run(label, ENTRIES, functools.partial(_write, same, ENTRIES))
        spread = _writers(start + timedelta(days=20), k, shards=None)
        label = f"chained: {k} instances in random order, random shards"
        run(label, ENTRIES, functools.partial(_write, spread, ENTRIES, shuffled=True))
    digested = (base + timedelta(days=1 + 4)).date()  # the 4 instances' day
    label = f"digest run of a day ({ENTRIES} entries), per entry"
    run(label, ENTRIES, lambda: _digest(digested))
    run("reader: one page of 50 of that day, per entry shown", 50, lambda: _page(digested))
    return rows


def _writers(start: datetime, count: int, shards: list[int] | None) -> list[Any]:
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog

    clock = SteppingClock(start)
    return [DynamoAuditLog(TABLE, clock, shard=shards[i] if shards else None) for i in range(count)]


def _write(writers: list[Any], count: int, shuffled: bool = False) -> None:
    """`count` entries: by each instance in turn (every other instance writes between two
    entries of one: the worst order), or by an instance picked at random each time."""
    pick = random.Random(7)
    for n in range(count):
        writer = pick.choice(writers) if shuffled else writers[n % len(writers)]
        writer.append(**FACTS)


def _legacy(start: datetime, count: int) -> None:
    """The entry as the log wrote it before the chain: time-ordered key, no links."""
    from chalicelib.adapters import keys
    from chalicelib.adapters.aws import dynamodb_client
    from chalicelib.adapters.dynamo_codec import to_item

    for n in range(count):
        at = start + timedelta(seconds=n)
        item = {
            keys.PK: keys.audit_pk(at.date(), random.randrange(keys.AUDIT_SHARDS)),
            keys.SK: f"{at.isoformat()}#{uuid.uuid4().hex}",
            "kind": "audit",
            "at": at.isoformat(),
            **FACTS,
            keys.TTL_ATTRIBUTE: int((at + timedelta(days=400)).timestamp()),
        }
        dynamodb_client().put_item(
            TableName=TABLE, Item=to_item(item), ConditionExpression="attribute_not_exists(PK)"
        )


def _digest(day: Any) -> None:
    from chalicelib.adapters.clock import SystemClock
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog
    from chalicelib.adapters.s3_audit_digests import S3AuditDigestStore
    from chalicelib.services.audit_digest import AuditDigestService

    service = AuditDigestService(
        DynamoAuditLog(TABLE, SystemClock()),
        S3AuditDigestStore(BUCKET),
        b"bench-audit-digest-key-0123456789abcdef",
        "320000",
        SystemClock(),
    )
    outcome = service.write(day)
    assert outcome.written and not outcome.findings, outcome


def _page(day: Any) -> None:
    from chalicelib.adapters.dynamo_audit_search import DynamoAuditSearch

    since = datetime.combine(day, datetime.min.time(), UTC)
    page, _ = DynamoAuditSearch(TABLE).entries(
        since, since + timedelta(days=1), actor=None, limit=50, cursor=None
    )
    assert len(page) == 50


if __name__ == "__main__":
    main()
