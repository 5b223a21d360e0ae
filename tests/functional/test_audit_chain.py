"""The audit log's writes are conditional, chained links: two writers never share a position,
a lost answer never writes an entry twice, and the reader still sees entries by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_audit import DynamoAuditLog
from chalicelib.adapters.dynamo_audit_search import DynamoAuditSearch
from chalicelib.config import get_settings
from chalicelib.domain.audit_chain import check_chain

DAY = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class SteppingClock:
    """A pinned clock that moves a second per reading (every entry gets its own time)."""

    def __init__(self, start: datetime = DAY) -> None:
        self.at = start

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


class PutOutcomes:
    """Records each PutItem answer of a client ("ok" or its error code), through botocore's
    after-call event; optionally loses the answer of the first put after it landed."""

    def __init__(self, client: Any, lose_first_answer: bool = False) -> None:
        self.outcomes: list[str] = []
        self._lose = lose_first_answer
        client.meta.events.register("after-call.dynamodb.PutItem", self._after)

    def _after(self, parsed: dict[str, Any], **_: Any) -> None:
        self.outcomes.append(parsed.get("Error", {}).get("Code", "ok"))
        if self._lose:
            from tests.faults import _client_error

            self._lose = False
            raise _client_error("InternalServerError", 500, "Internal server error", "PutItem")


def _stored(shard: int) -> list[dict[str, Any]]:
    response = boto3.client("dynamodb").query(
        TableName=get_settings().table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.audit_pk(DAY.date(), shard)}},
    )
    return list(response["Items"])


def _append(log: DynamoAuditLog, action: str) -> None:
    log.append(actor="regulator:admin", action=action, target="t", source_ip="10.0.0.1")


@pytest.fixture
def table(aws: None) -> str:
    return get_settings().table_name


def test_a_write_at_a_taken_position_is_refused_and_lands_at_the_next(table):
    # Given two warm instances writing to one shard, the first one's head now stale
    first = DynamoAuditLog(table, SteppingClock(), shard=2)
    second = DynamoAuditLog(table, SteppingClock(DAY + timedelta(minutes=1)), shard=2)
    _append(first, "one")
    _append(second, "two")
    puts = PutOutcomes(first.client)
    # When the first instance appends again
    _append(first, "three")
    # Then its put at position 2 was refused by the condition (nothing overwritten), and the
    # entry landed at position 3, after the second instance's
    assert puts.outcomes == ["ConditionalCheckFailedException", "ok"]
    stored = _stored(2)
    assert [(i["SK"]["S"], i["action"]["S"]) for i in stored] == [
        (keys.audit_entry_sk(1), "one"),
        (keys.audit_entry_sk(2), "two"),
        (keys.audit_entry_sk(3), "three"),
    ]
    # and the shard's chain is whole, and the first instance moved to another shard
    assert check_chain(DAY.date(), 2, first.day_chains(DAY.date())[2]) == []
    assert first.shard != 2


def test_an_entry_whose_answer_was_lost_is_written_once(table):
    # Given an instance whose first put lands but whose answer is lost (a 500 after the write)
    log = DynamoAuditLog(table, SteppingClock(), shard=4)
    puts = PutOutcomes(log.client, lose_first_answer=True)
    # When it appends one entry
    _append(log, "read")
    # Then the put was sent again, found its own entry, and the entry is there once
    assert puts.outcomes == ["ok", "ConditionalCheckFailedException"]
    assert [i["action"]["S"] for i in _stored(4)] == ["read"]
    assert log.shard == 4  # its own entry is no collision


def test_interleaved_writers_keep_every_chain_whole(table):
    # Given four warm instances that all start on shard 0, each with its own clock
    writers = [DynamoAuditLog(table, SteppingClock(), shard=0) for _ in range(4)]
    # When they append forty entries in turn
    for n in range(40):
        _append(writers[n % 4], f"a{n}")
    # Then every entry is stored once, each shard's chain is whole and gap-free
    chains = writers[0].day_chains(DAY.date())
    assert sorted(e.facts["action"] for c in chains.values() for e in c) == sorted(
        f"a{n}" for n in range(40)
    )
    for shard, entries in chains.items():
        assert check_chain(DAY.date(), shard, entries) == []
    # and the writers spread over other shards after colliding
    assert len({w.shard for w in writers}) > 1


def test_entries_from_before_the_chain_read_in_time_order_with_chained_ones(table):
    # Given an entry written as the log wrote them before it was chained (time-ordered key),
    # then two chained entries on the same shard
    legacy_at = DAY.isoformat()
    boto3.client("dynamodb").put_item(
        TableName=table,
        Item={
            "PK": {"S": keys.audit_pk(DAY.date(), 1)},
            "SK": {"S": f"{legacy_at}#{'a' * 32}"},
            "kind": {"S": "audit"},
            "at": {"S": legacy_at},
            "actor": {"S": "regulator:admin"},
            "action": {"S": "legacy"},
            "target": {"S": "t"},
            "source_ip": {"S": "10.0.0.1"},
        },
    )
    log = DynamoAuditLog(table, SteppingClock(), shard=1)
    _append(log, "chained.1")
    _append(log, "chained.2")
    # When the day is read two at a time
    search = DynamoAuditSearch(table)
    since, until = DAY - timedelta(hours=1), DAY + timedelta(hours=1)
    seen, cursor = [], None
    while True:
        page, cursor = search.entries(since, until, actor=None, limit=2, cursor=cursor)
        seen += [e["action"] for e in page]
        if cursor is None:
            break
    # Then all three come newest first
    assert seen == ["chained.2", "chained.1", "legacy"]
    # and the chain check names the entry outside the chain
    findings = check_chain(DAY.date(), 1, log.day_chains(DAY.date())[1])
    assert [f.kind for f in findings] == ["unchained"]


def test_an_item_without_a_time_planted_on_top_of_a_shard_hides_nothing(table):
    # Given two entries of a shard, and above them an item whose time is not a time (as a
    # role that may put items could plant one)
    log = DynamoAuditLog(table, SteppingClock(), shard=3)
    _append(log, "first")
    _append(log, "second")
    boto3.client("dynamodb").put_item(
        TableName=table,
        Item={
            "PK": {"S": keys.audit_pk(DAY.date(), 3)},
            "SK": {"S": keys.audit_entry_sk(3)},
            "at": {"S": "not a time"},
            "action": {"S": "planted"},
        },
    )
    # When the day is read
    page, _ = DynamoAuditSearch(table).entries(
        DAY - timedelta(hours=1), DAY + timedelta(hours=1), actor=None, limit=10, cursor=None
    )
    # Then both entries are there, the planted item passed over
    assert [e["action"] for e in page] == ["second", "first"]
