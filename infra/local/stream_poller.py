"""Local stand-in for Lambda's DynamoDB event source mapping.

Why: moto runs no event source mappings without Docker, so locally this process reads every
shard of a table's stream and calls the app's own stream handlers (`app.apply_record_changes`,
`app.run_jobs`: the two mappings of the deployed stack) with the event shape Lambda sends.
Like Lambda with ReportBatchItemFailures, each handler has its own position per shard; when a
handler reports failures, the next batch starts again at the lowest failed record (after a
back-off), so a handler must be safe to run again. `--deliveries N` delivers every batch N
times, to prove it. Each handler gets batches of the size its
`@app.on_dynamodb_record(batch_size=...)` asks for (records are read ahead in pages of 100),
so a slow handler with small batches (`run_jobs`) lets the other take its turn between its
batches, and only the records its deployed mapping's event filter passes
(`infra/cfn/streams.py`), as Lambda discards the others.

Run with the stack's environment (TABLE_NAME, STACK_ROLE, DYNAMODB_ENDPOINT_URL, ...):
    python -m infra.local.stream_poller --handlers apply_record_changes,run_jobs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from chalicelib.config import get_settings

BATCH_SIZE = 100
IDLE_SLEEP = 0.2
MAX_BACKOFF = 10.0
HANDLERS = "apply_record_changes,run_jobs"

Pattern = dict[str, Any]


@dataclass
class _Position:
    """Where one handler stands on one shard: records read but not yet done, and back-off."""

    shard_id: str
    iterator: str | None
    pending: list[dict[str, Any]] = field(default_factory=list)
    backoff: float = 0.0
    retry_at: float = 0.0
    last_read: str | None = None


class _Context:
    """The parts of Lambda's context object handlers may read."""

    function_name = "local-stream-poller"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:local"

    def __init__(self) -> None:
        self.aws_request_id = uuid.uuid4().hex

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


class StreamPoller:
    def __init__(
        self,
        handlers: dict[str, Any],
        deliveries: int = 1,
        batch_sizes: dict[str, int] | None = None,
        filters: dict[str, list[Pattern]] | None = None,
    ) -> None:
        import boto3

        settings = get_settings()
        kwargs: dict[str, Any] = {"region_name": settings.aws_region}
        if settings.dynamodb_endpoint_url:
            kwargs["endpoint_url"] = settings.dynamodb_endpoint_url
        self._dynamodb = boto3.client("dynamodb", **kwargs)
        self._streams = boto3.client("dynamodbstreams", **kwargs)
        self._table = settings.table_name
        self._handlers = handlers
        self._deliveries = deliveries
        self._batch_sizes = batch_sizes or {}
        self._filters = filters or {}
        self._positions: dict[tuple[str, str], _Position] = {}
        self._stream_arn: str | None = None
        self.stop_requested: list[int] = []  # appended by signal handlers: no lock to deadlock

    def run(self) -> None:
        while not self.stop_requested:
            if not self.poll_once():
                time.sleep(IDLE_SLEEP)

    def poll_once(self) -> bool:
        """One pass over every (handler, shard); True if any handler got records."""
        self._discover_shards()
        worked = False
        for (name, _shard), position in self._positions.items():
            if time.monotonic() < position.retry_at:
                continue
            self._fill(name, position)
            if position.pending:
                worked = True
                self._deliver(name, position)
        return worked

    def _discover_shards(self) -> None:
        if self._stream_arn is None:
            table = self._dynamodb.describe_table(TableName=self._table)["Table"]
            self._stream_arn = table["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"][
            "Shards"
        ]
        for shard in shards:
            for name in self._handlers:
                key = (name, shard["ShardId"])
                if key not in self._positions:
                    iterator = self._streams.get_shard_iterator(
                        StreamArn=self._stream_arn,
                        ShardId=shard["ShardId"],
                        ShardIteratorType="TRIM_HORIZON",
                    )["ShardIterator"]
                    self._positions[key] = _Position(shard["ShardId"], iterator)

    def _batch_size(self, name: str) -> int:
        return min(self._batch_sizes.get(name, BATCH_SIZE), BATCH_SIZE)

    def _fill(self, name: str, position: _Position) -> None:
        if len(position.pending) >= self._batch_size(name):
            return
        self._renew(position)
        response = self._streams.get_records(
            ShardIterator=position.iterator, Limit=BATCH_SIZE - len(position.pending)
        )
        records = response.get("Records", [])
        patterns = self._filters.get(name)
        position.pending += [
            lambda_record
            for lambda_record in map(self._lambda_record, records)
            if patterns is None or any(matches(p, lambda_record) for p in patterns)
        ]
        if records:
            position.last_read = records[-1]["dynamodb"]["SequenceNumber"]

    def _renew(self, position: _Position) -> None:
        """Take a fresh iterator after the last record read, before every read.

        moto replaces a table (and its stream shard) with a copy when a transaction is
        cancelled, after having applied the transaction's other actions to the old one; an
        old iterator would read those never-committed records from the orphaned shard, then
        nothing more. A fresh iterator always reads the live shard. Lambda's own mapping has
        no such problem: this is a stand-in detail only.
        """
        request: dict[str, Any] = {"StreamArn": self._stream_arn, "ShardId": position.shard_id}
        if position.last_read is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            request["SequenceNumber"] = position.last_read
        position.iterator = self._streams.get_shard_iterator(**request)["ShardIterator"]

    def _deliver(self, name: str, position: _Position) -> None:
        batch = position.pending[: self._batch_size(name)]
        event = {"Records": batch}
        failed: list[str] = []
        for _ in range(self._deliveries):
            try:
                answer = self._handlers[name](event, _Context()) or {}
                failed = [f["itemIdentifier"] for f in answer.get("batchItemFailures", [])]
            except Exception as exc:  # a raising handler fails the whole batch, as on Lambda
                print(f"[poller] {name} raised {exc!r}", file=sys.stderr, flush=True)
                failed = [batch[0]["dynamodb"]["SequenceNumber"]]
            if failed:
                break
        if not failed:
            position.pending = position.pending[len(batch) :]
            position.backoff = 0.0
            return
        first = min(failed, key=lambda s: (len(s), s))
        index = next(
            (i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] == first), 0
        )
        position.pending = position.pending[index:]
        position.backoff = min(max(position.backoff * 2, 0.25), MAX_BACKOFF)
        position.retry_at = time.monotonic() + position.backoff

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, dt.datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {
            "eventID": record.get("eventID"),
            "eventName": record.get("eventName"),
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion", get_settings().aws_region),
            "dynamodb": dynamodb,
            "eventSourceARN": self._stream_arn,
        }


def matches(pattern: Pattern, value: Any) -> bool:
    """Lambda's event filtering for the pattern forms our mappings use: nested fields whose
    leaves list the accepted values (`{"eventName": ["INSERT"], "dynamodb": {...}}`)."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            matches(inner, value.get(key)) for key, inner in pattern.items()
        )
    return value in pattern


def mapping_filters(stage: str) -> dict[str, list[Pattern]]:
    """Each handler's event filter patterns, as the deployed stack's mapping has them."""
    from infra.cfn.names import FUNCTIONS, Stack
    from infra.cfn.streams import DEFAULT_FORWARD_MAX_ATTEMPTS, stream_mappings

    mappings = stream_mappings(Stack(stage), DEFAULT_FORWARD_MAX_ATTEMPTS)["Resources"]
    filters: dict[str, list[Pattern]] = {}
    for function in FUNCTIONS:
        if function.stream_event is None:
            continue
        events = mappings[function.logical_id]["Properties"]["Events"]
        criteria = events[function.stream_event]["Properties"].get("FilterCriteria")
        if criteria:
            filters[_handler_name(function.logical_id)] = [
                json.loads(f["Pattern"]) for f in criteria["Filters"]
            ]
    return filters


def _handler_name(logical_id: str) -> str:
    """Chalice's handler name of a function's logical id (`RunJobs` → `run_jobs`)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in logical_id).lstrip("_")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.stream_poller")
    parser.add_argument("--handlers", default=HANDLERS)
    parser.add_argument("--deliveries", type=int, default=1)
    args = parser.parse_args(argv)
    import app as application

    handlers = {name: getattr(application, name) for name in args.handlers.split(",") if name}
    batch_sizes = {
        source.name: source.batch_size
        for source in application.app.event_sources
        if getattr(source, "batch_size", None)
    }
    filters = mapping_filters(get_settings().stack_role)
    poller = StreamPoller(handlers, args.deliveries, batch_sizes, filters)
    signal.signal(signal.SIGTERM, lambda signum, _frame: poller.stop_requested.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: poller.stop_requested.append(signum))
    poller.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
