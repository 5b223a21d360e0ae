"""Append-only audit log on the stack's table (who, what, when, from where), and its reader.

Why: every regulator action and every read of cross-shop or personal data leaves a trace, kept
at least 180 days (we keep 400 through TTL). Entries are spread over a few shards per day so a
busy day never makes a hot partition, and they are written with `attribute_not_exists` so an
entry is never overwritten; no code path updates or deletes one.

Reading merges the day's shards newest first. A page never costs more than `MAX_QUERIES`
queries; the cursor remembers the day and, per shard, the sort key below which to go on, so a
page can end anywhere (even empty, with a cursor, after a long quiet stretch).
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.json_limits import loads_bounded
from chalicelib.errors import FieldError, ValidationFailedError

RETENTION = timedelta(days=400)
MAX_QUERIES = 64
_FIELDS = ("at", "actor", "role", "action", "target", "source_ip", "user_agent", "details")


class DynamoAuditLog(TableAdapter):
    def __init__(self, table_name: str, clock: Any, client: Any = None) -> None:
        super().__init__(table_name, client)
        self._clock = clock

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
        now: datetime = self._clock.now()
        item = {
            keys.PK: keys.audit_pk(now.date(), random.randrange(keys.AUDIT_SHARDS)),
            keys.SK: f"{now.isoformat()}#{uuid.uuid4().hex}",
            "kind": "audit",
            "at": now.isoformat(),
            "actor": actor,
            "role": role or None,
            "action": action,
            "target": target,
            "source_ip": source_ip,
            "user_agent": user_agent[:256] or None,
            "details": details or None,
            keys.TTL_ATTRIBUTE: int((now + RETENTION).timestamp()),
        }
        with translate_errors():
            self.client.put_item(
                TableName=self._table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK)",
            )

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
        upper_default = until.isoformat()
        taken: list[dict[str, Any]] = []
        queries = 0
        while day >= first_day and len(taken) < limit and queries < MAX_QUERIES:
            open_shards = [s for s in range(keys.AUDIT_SHARDS) if bounds.get(s) != ""]
            candidates: list[tuple[str, int, dict[str, Any]]] = []
            ends: dict[int, str] = {}
            for shard in open_shards:
                below = min(bounds.get(shard) or upper_default, upper_default)
                items, last = self._query(day, shard, since, below, actor, limit)
                queries += 1
                candidates += [(item[keys.SK], shard, item) for item in items]
                ends[shard] = last
            candidates.sort(key=lambda c: c[0], reverse=True)
            chosen = candidates[: limit - len(taken)]
            taken += [_entry(item) for _, _, item in chosen]
            bounds = _advance(bounds, open_shards, candidates, chosen, ends)
            if all(bounds.get(s) == "" for s in range(keys.AUDIT_SHARDS)):
                day, bounds = day - timedelta(days=1), {}
        more = day >= first_day
        return taken, _encode(day, bounds) if more else None

    def _query(
        self,
        day: date,
        shard: int,
        since: datetime,
        below: str,
        actor: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str]:
        """Up to `limit` items of one shard below `below`; also where the query stopped
        ("" when the shard has nothing more for this day)."""
        values: dict[str, Any] = {
            ":pk": keys.audit_pk(day, shard),
            ":low": since.isoformat(),
            ":high": below,
        }
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ScanIndexForward": False,
            "Limit": limit,
            "ConsistentRead": True,
        }
        if actor:
            request["FilterExpression"] = "actor = :actor"
            values[":actor"] = actor
        request["ExpressionAttributeValues"] = to_item(values)
        with translate_errors():
            response = self.client.query(**request)
        items = [from_item(i) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return items, (from_item(last)[keys.SK] if last else "")


def _advance(
    bounds: dict[int, str],
    shards: list[int],
    candidates: list[tuple[str, int, dict[str, Any]]],
    chosen: list[tuple[str, int, dict[str, Any]]],
    ends: dict[int, str],
) -> dict[int, str]:
    """Per shard, where the next page goes on.

    A shard's chosen entries are a prefix of what it offered (both newest first). If some were
    left over, go on just below the last one handed out (or from the same place if none was);
    if all were handed out, go on below where its query stopped, or mark it done ("").
    """
    result = dict(bounds)
    for shard in shards:
        offered = sum(1 for c in candidates if c[1] == shard)
        handed = [c[0] for c in chosen if c[1] == shard]
        if len(handed) < offered:
            if handed:
                result[shard] = _just_below(handed[-1])
        else:
            result[shard] = _just_below(ends[shard]) if ends[shard] else ""
    return result


def _just_below(sort_key: str) -> str:
    """An inclusive upper bound for BETWEEN that lets through every key strictly below
    `sort_key` and not `sort_key` itself: its last character decremented, then "~", which
    sorts above every character of a key (ISO time, "#", lower-case hex)."""
    return sort_key[:-1] + chr(ord(sort_key[-1]) - 1) + "~"


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
        not 0 <= k < keys.AUDIT_SHARDS or (v and not v.startswith(day.isoformat()))
        for k, v in bounds.items()
    )
    if misplaced or not first_day <= day <= until.date():
        raise _invalid()
    return day, bounds


def _invalid() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )
