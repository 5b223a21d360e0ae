"""Append-only, hash-chained audit log on the stack's table, and the chains of one day.

Why: every regulator action and every read of cross-shop or personal data leaves a trace,
kept at least 180 days (we keep 400 through TTL). Entries are spread over a few shards per
UTC day so a busy day never makes a hot partition. Within its shard each entry is the next
link of a hash chain (domain/audit_chain.py) and its sort key is its position, written with
`attribute_not_exists`: two writers at one position collide on the condition and the loser
writes again at the next one. That is the only serialisation point, and there is one per
shard. No code path updates or deletes an entry, and the deployed roles may not either.

Each warm instance writes to one shard (picked at random when it starts) and remembers that
shard's head, so an entry costs one conditional put. A collision (another instance wrote the
shard meanwhile) costs the refused put and a read of the head; the instance then moves to
another shard, twice at most, so that busy instances spread out while there are free shards.
After that it stays where it is and reads the head before each write (one read unit, a fifth
of a write's price, instead of refused puts) until four reads in a row find nobody else's
entry. One entry that collides again and again (a burst of cold starts on one shard) pauses
a jittered moment between tries and, after two, goes to another shard for good measure.
`bench/audit_chain.py` measures the cost per entry. An entry's time is never earlier
than its predecessor's, so within a shard the sort key order is also time order (the reader,
dynamo_audit_search.py, relies on it).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.audit_chain import ChainEntry, ChainHead, entry_hash, facts_of
from chalicelib.errors import ServiceUnavailableError

RETENTION = timedelta(days=400)
MAX_ATTEMPTS = 12  # collisions in a row before the caller is told to retry (503)
SPREAD_AFTER = 2  # collisions of one entry before it goes to another shard
PAUSE_CAP = 0.2  # seconds: the longest jittered pause between two collisions
MAX_HOPS = 2  # moves to another shard after a collision, before sharing the one it is on
QUIET_READS = 4  # head reads that found no one else's entry before the cache is trusted again
SENDS = 3  # one put sent again after a lost answer or a busy table, then the caller retries


class DynamoAuditLog(TableAdapter):
    def __init__(
        self, table_name: str, clock: Any, client: Any = None, shard: int | None = None
    ) -> None:
        super().__init__(table_name, client)
        self._clock = clock
        self._shard = random.randrange(keys.AUDIT_SHARDS) if shard is None else shard
        self._heads: dict[tuple[date, int], ChainHead] = {}
        self._hops = 0
        self._shared = False  # another instance writes this shard: read the head first
        self._quiet = 0

    @property
    def shard(self) -> int:
        """The shard this instance writes to now."""
        return self._shard

    def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        source_ip: str,
        details: dict[str, Any] | None = None,
        role: str = "",
        user_agent: str = "",
    ) -> None:
        """Append one entry at the end of this instance's shard chain of the day.

        Raises
        ------
        ServiceUnavailableError
            DynamoDB is busy, or the shard kept moving under MAX_ATTEMPTS writes in a row.
            Nothing half-written: an entry that landed but whose answer was lost is
            recognised by its id on the next attempt, not written twice.
        """
        now: datetime = self._clock.now()
        facts = {
            "entry_id": uuid.uuid4().hex,
            "actor": actor,
            "role": role or None,
            "action": action,
            "target": target,
            "source_ip": source_ip,
            "user_agent": user_agent[:256] or None,
            "details": details or None,
        }
        day, shard = now.date(), self._shard
        head = self._head(day, shard)
        for attempt in range(MAX_ATTEMPTS):
            written = self._put_link(day, shard, head, now, facts)
            if written is not None:
                self._heads[(day, shard)] = written
                if attempt:
                    self._shard = shard
                    self._collided()
                return
            # A burst of instances on one shard (many cold starts at once) would otherwise
            # collide in lock step: pause a jittered, growing moment, and after a few
            # collisions take this entry to another shard.
            time.sleep(random.uniform(0, min(PAUSE_CAP, 0.005 * 2**attempt)))
            if attempt + 1 == SPREAD_AFTER:
                shard = random.choice([s for s in range(keys.AUDIT_SHARDS) if s != shard])
            head = self._read_head(day, shard)
        raise ServiceUnavailableError("the audit log is busy, retry shortly", 1)

    def day_chains(self, day: date) -> dict[int, list[ChainEntry]]:
        """Every stored entry of a UTC day, per shard, in sort key order (strongly read)."""
        return {shard: self._partition(day, shard) for shard in range(keys.AUDIT_SHARDS)}

    def location(self, day: date, shard: int, seq: int) -> str:
        return f"{keys.audit_pk(day, shard)} / {keys.audit_entry_sk(seq)}"

    def _head(self, day: date, shard: int) -> ChainHead:
        """The head to write after: the cached one, or read while the shard is shared."""
        cached = self._heads.get((day, shard))
        if cached is not None and not self._shared:
            return cached
        head = self._read_head(day, shard)
        if self._shared:
            self._quiet = self._quiet + 1 if head == cached else 0
            self._shared = self._quiet < QUIET_READS
        return head

    def _collided(self) -> None:
        """Another instance writes this shard too: move, or stay and read before writing."""
        if self._hops < MAX_HOPS:
            self._hops += 1
            self._shard = random.choice([s for s in range(keys.AUDIT_SHARDS) if s != self._shard])
        else:
            self._shared, self._quiet = True, 0

    def _put_link(
        self, day: date, shard: int, head: ChainHead, now: datetime, facts: dict[str, Any]
    ) -> ChainHead | None:
        """The new head if the entry was written at head.seq + 1; None if that position is
        taken by another entry.

        A put whose answer is lost (a timeout, a 5xx after the write landed) is sent again as
        it was: finding its own entry there (same id) is success, not a collision.
        """
        seq = head.seq + 1
        at = _not_before(now, head.at)
        expires = int((at + RETENTION).timestamp())
        values = {**facts, "at": at.isoformat(), "expires_at": expires}
        link = entry_hash(day, shard, seq, head.hash, facts_of(values))
        item = {
            keys.PK: keys.audit_pk(day, shard),
            keys.SK: keys.audit_entry_sk(seq),
            "kind": "audit",
            "prev_hash": head.hash,
            "hash": link,
            **{k: v for k, v in values.items() if k != "expires_at"},
            keys.TTL_ATTRIBUTE: expires,
        }
        written = ChainHead(seq, link, values["at"])
        for resend in range(SENDS):
            try:
                with translate_errors():
                    self.client.put_item(
                        TableName=self._table,
                        Item=to_item(item),
                        ConditionExpression="attribute_not_exists(PK)",
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
                return written
            except ServiceUnavailableError:
                if resend == SENDS - 1:
                    raise
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
                taken = getattr(exc, "response", {}).get("Item") or {}
                if from_item(taken).get("entry_id") == facts["entry_id"]:
                    return written  # ours, sent before: its answer was lost
                return None
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_head(self, day: date, shard: int) -> ChainHead:
        with translate_errors():
            response = self.client.query(
                TableName=self._table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :seq)",
                ExpressionAttributeValues=to_item(
                    {":pk": keys.audit_pk(day, shard), ":seq": keys.AUDIT_SEQ_PREFIX}
                ),
                ScanIndexForward=False,
                Limit=1,
                ConsistentRead=True,
            )
        items = response.get("Items", [])
        return (_head_of(from_item(items[0])) if items else None) or ChainHead()

    def _partition(self, day: date, shard: int) -> list[ChainEntry]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.audit_pk(day, shard)}),
            "ConsistentRead": True,
        }
        entries: list[ChainEntry] = []
        while True:
            with translate_errors():
                response = self.client.query(**request)
            entries += [_chain_entry(shard, from_item(i)) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return entries
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _not_before(now: datetime, previous: str) -> datetime:
    """Now, or the predecessor's time if that is later (another instance's clock ran a few
    milliseconds ahead); a predecessor's time that is not one is ignored, not trusted."""
    try:
        return max(now, datetime.fromisoformat(previous)) if previous else now
    except (ValueError, TypeError):
        return now


def _position(sort_key: str) -> int | None:
    """The chain position a sort key holds (None for an entry from before the chain)."""
    digits = sort_key.removeprefix(keys.AUDIT_SEQ_PREFIX)
    if digits == sort_key or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


def _head_of(item: dict[str, Any]) -> ChainHead | None:
    seq = _position(str(item.get(keys.SK, "")))
    if seq is None or not item.get("hash"):
        return None
    return ChainHead(seq, str(item["hash"]), str(item.get("at") or ""))


def _chain_entry(shard: int, item: dict[str, Any]) -> ChainEntry:
    seq = _position(str(item[keys.SK]))
    facts = facts_of({**item, "expires_at": item.get(keys.TTL_ATTRIBUTE)})
    return ChainEntry(
        location=f"{item[keys.PK]} / {item[keys.SK]}",
        shard=shard,
        seq=seq,
        prev_hash=item.get("prev_hash") if seq is not None else None,
        hash=item.get("hash") if seq is not None else None,
        facts=facts,
    )
