"""The audit log's reader: entries of a time range, optionally of one actor, newest first.

Why: administrators read the trail by day and by account (`GET /v1/audit`, the console's
audit page). An entry's sort key is its chain position (dynamo_audit.py), not its time, but
within a shard positions follow time (an entry's time is never earlier than its
predecessor's), and entries from before the chain sort below every position, in time order
too. So each shard of a day is read newest first from where the last page stopped, entries
newer than the range are passed over, and the shard is done at its first entry older than the
range; the shards' entries are merged by time. A page never costs more than `MAX_QUERIES`
queries; the cursor remembers the day and, per shard, the sort key below which to go on, so a
page can end anywhere (even empty, with a cursor, after a long quiet stretch).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.json_limits import loads_bounded
from chalicelib.errors import FieldError, ValidationFailedError

MAX_QUERIES = 64
_FIELDS = ("at", "actor", "role", "action", "target", "source_ip", "user_agent", "details")
_POSITION = re.compile(re.escape(keys.AUDIT_SEQ_PREFIX) + r"\d{10}")


@dataclass
class _ShardRead:
    """What one query of a shard examined, newest first: each sort key, and the entry when it
    is in the range and of the actor (a candidate for the page)."""

    examined: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    reached_start: bool = False  # an entry older than the range: nothing below it qualifies
    last_key: str = ""  # where the query stopped ("" when the partition has nothing more)

    def candidates(self) -> list[tuple[str, dict[str, Any]]]:
        return [(key, item) for key, item in self.examined if item is not None]


class DynamoAuditSearch(TableAdapter):
    def entries(
        self,
        since: datetime,
        until: datetime,
        *,
        actor: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Entries with since <= at < until, newest first; `actor` matches exactly."""
        first_day = since.date()
        day, bounds = _decode(cursor, first_day, until) if cursor else (until.date(), {})
        taken: list[dict[str, Any]] = []
        queries = 0
        while day >= first_day and len(taken) < limit and queries < MAX_QUERIES:
            reads: dict[int, _ShardRead] = {}
            for shard in range(keys.AUDIT_SHARDS):
                if bounds.get(shard) != "":
                    below = bounds.get(shard)
                    reads[shard] = self._read(day, shard, below, since, until, actor, limit)
                    queries += 1
            offered = [
                (item["at"], shard, key, item)
                for shard, read in reads.items()
                for key, item in read.candidates()
            ]
            offered.sort(key=lambda o: (_instant(o[0]) or since, o[1], o[2]), reverse=True)
            chosen = offered[: limit - len(taken)]
            taken += [_entry(item) for *_, item in chosen]
            bounds = _advance(bounds, reads, {(shard, key) for _, shard, key, _ in chosen})
            if all(bounds.get(s) == "" for s in range(keys.AUDIT_SHARDS)):
                day, bounds = day - timedelta(days=1), {}
        more = day >= first_day
        return taken, _encode(day, bounds) if more else None

    def _read(
        self,
        day: date,
        shard: int,
        below: str | None,
        since: datetime,
        until: datetime,
        actor: str | None,
        limit: int,
    ) -> _ShardRead:
        """One page of a shard, newest first, below the sort key `below` (exclusive)."""
        condition = "PK = :pk"
        values: dict[str, Any] = {":pk": keys.audit_pk(day, shard)}
        if below:
            condition += " AND SK < :below"
            values[":below"] = below
        with translate_errors():
            response = self.client.query(
                TableName=self._table,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=to_item(values),
                ScanIndexForward=False,
                Limit=limit,
                ConsistentRead=True,
            )
        read = _ShardRead()
        for item in (from_item(i) for i in response.get("Items", [])):
            at = _instant(str(item.get("at", "")))
            if at is None:  # not an entry this log wrote: passed over, never a reason to stop
                read.examined.append((str(item[keys.SK]), None))
                continue
            if at < since:
                read.reached_start = True
                return read
            wanted = at < until and (not actor or item.get("actor") == actor)
            read.examined.append((str(item[keys.SK]), item if wanted else None))
        last = response.get("LastEvaluatedKey")
        read.last_key = str(from_item(last)[keys.SK]) if last else ""
        return read


def _advance(
    bounds: dict[int, str], reads: dict[int, _ShardRead], chosen: set[tuple[int, str]]
) -> dict[int, str]:
    """Per shard, the sort key below which the next page goes on ("" when it is done).

    A shard's chosen entries are the first of its candidates (both newest first). If some
    candidates were left over, go on from the first of them: below the key examined just
    before it (or from the same place if it was the first examined). If none was left, go on
    below where the query stopped, or mark the shard done.
    """
    result = dict(bounds)
    for shard, read in reads.items():
        left = [
            index
            for index, (key, item) in enumerate(read.examined)
            if item is not None and (shard, key) not in chosen
        ]
        if left:
            if left[0]:
                result[shard] = read.examined[left[0] - 1][0]
        elif read.reached_start or not read.last_key:
            result[shard] = ""
        else:
            result[shard] = read.last_key
    return result


def _instant(text: str) -> datetime | None:
    """An entry's time (None if it has none)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in _FIELDS}


def _encode(day: date, bounds: dict[int, str]) -> str:
    data = {"day": day.isoformat(), "below": {str(k): v for k, v in bounds.items()}}
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode(cursor: str, first_day: date, until: datetime) -> tuple[date, dict[int, str]]:
    try:
        data = loads_bounded(base64.urlsafe_b64decode(cursor.encode("ascii")))
        day = date.fromisoformat(data["day"])
        bounds = {int(k): str(v) for k, v in data["below"].items()}
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error, AttributeError) as exc:
        raise _invalid() from exc
    misplaced = any(
        not 0 <= k < keys.AUDIT_SHARDS or (v and not _sort_key_of(v, day))
        for k, v in bounds.items()
    )
    if misplaced or not first_day <= day <= until.date():
        raise _invalid()
    return day, bounds


def _sort_key_of(value: str, day: date) -> bool:
    """Whether a cursor bound is a sort key an entry of that day can have."""
    return bool(_POSITION.fullmatch(value)) or value.startswith(day.isoformat())


def _invalid() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )
