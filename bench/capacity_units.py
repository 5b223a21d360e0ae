"""DynamoDB capacity units of real requests, computed from item sizes by DynamoDB's rules.

Why: moto does not account capacity, and the cost model must rest on what our code really
sends. A `CapacityMeter` hooks the application's own botocore client; for every request it
reads the items concerned through a second, unhooked client (before and after a write) and
applies the published rules:
- item size = sum over attributes of name bytes + value bytes (string: UTF-8 bytes; number:
  1 byte per two significant digits + 1; binary: bytes; bool/null: 1; list/map: 3 + 1 per
  element + elements; sets: sum of elements);
- write: 1 WCU per started KB of the larger of the item before and after (delete: before),
  at least 1; transactional actions ×2 (a ConditionCheck counts as a transactional write of
  the checked item: conservative); a failed conditional write still costs its units;
- read: 1 RCU per started 4 KB, ×0.5 if eventually consistent, ×2 if transactional; a
  GetItem per item, a Query per page over the summed size of every item it read (before any
  filter), at least 0.5 / 1;
- every write that puts, changes or removes an index entry costs index WCU as well (a key
  change: a delete and a put), sized from the projected attributes;
- stream reads by Lambda triggers are free, so stream records cost nothing here.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KB = 1024
READ_BLOCK = 4 * KB


def value_size(value: dict[str, Any]) -> int:
    (kind, body), *_ = value.items()
    if kind == "S":
        return len(body.encode("utf-8"))
    if kind == "N":
        return _number_size(body)
    if kind == "B":
        return len(body)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in body)
    if kind == "NS":
        return sum(_number_size(n) for n in body)
    if kind == "BS":
        return sum(len(b) for b in body)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in body)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in body.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_BLOCK))
    return units if consistent else units / 2


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len(digits) if digits != (0,) else 1
    return math.ceil(significant / 2) + 1


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]
    streamed: bool = False

    @classmethod
    def from_properties(cls, properties: dict[str, Any]) -> TableShape:
        indexes = tuple(
            Index(
                gsi["IndexName"],
                tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                gsi["Projection"]["ProjectionType"],
                tuple(gsi["Projection"].get("NonKeyAttributes", ())),
            )
            for gsi in properties.get("GlobalSecondaryIndexes", [])
        )
        keys = tuple(k["AttributeName"] for k in properties["KeySchema"])
        return cls(keys, indexes, "StreamSpecification" in properties)

    def key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.keys}

    def index_entry(self, index: Index, item: dict[str, Any] | None) -> dict[str, Any] | None:
        if not item or any(k not in item for k in index.keys):
            return None
        if index.projection == "ALL":
            return dict(item)
        names = set(self.keys) | set(index.keys)
        if index.projection == "INCLUDE":
            names |= set(index.attributes)
        return {k: v for k, v in item.items() if k in names}

    def index_write_units(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
        units = 0
        for index in self.indexes:
            old, new = self.index_entry(index, before), self.index_entry(index, after)
            if old == new:
                continue
            if old and new and all(old[k] == new[k] for k in index.keys):
                units += write_units(max(item_size(old), item_size(new)))
                continue
            units += write_units(item_size(old)) if old else 0
            units += write_units(item_size(new)) if new else 0
        return units


@dataclass
class Usage:
    """Units and time of the requests made while one operation ran."""

    wcu: float = 0.0
    rcu: float = 0.0
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds_in_dynamodb: float = 0.0
    seconds_metering: float = 0.0  # the meter's own reads: not the application's time
    bytes_written: int = 0
    stream_records: int = 0  # item changes on a streamed table: what the stream handlers see

    def add(self, other: Usage) -> None:
        self.wcu += other.wcu
        self.rcu += other.rcu
        self.seconds_in_dynamodb += other.seconds_in_dynamodb
        self.seconds_metering += other.seconds_metering
        self.bytes_written += other.bytes_written
        self.stream_records += other.stream_records
        for op, n in other.calls.items():
            self.calls[op] += n


class CapacityMeter:
    """Hooks a botocore DynamoDB client and accounts every request into `usage`."""

    def __init__(self, shadow: Any, shapes: dict[str, TableShape]) -> None:
        self._shadow = shadow
        self._shapes = shapes
        self.usage = Usage()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def take(self) -> Usage:
        usage, self.usage = self.usage, Usage()
        return usage

    def _before(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        started = time.perf_counter()
        before = self._items_before(model.name, params)
        context["meter"] = {"params": dict(params), "before": before}
        context["meter_started"] = time.perf_counter()
        self.usage.seconds_metering += context["meter_started"] - started

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        elapsed = time.perf_counter() - context.get("meter_started", time.perf_counter())
        state = context.get("meter")
        if state is None:
            return
        self.usage.seconds_in_dynamodb += elapsed
        self.usage.calls[model.name] += 1
        handler = getattr(self, f"_{model.name}", None)
        if handler is not None:
            started = time.perf_counter()
            handler(state["params"], parsed, state["before"])
            self.usage.seconds_metering += time.perf_counter() - started

    # -- writes --------------------------------------------------------------------------

    def _items_before(self, operation: str, params: dict[str, Any]) -> list[Any]:
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            return [self._current(params["TableName"], self._key(params))]
        if operation == "TransactWriteItems":
            before = []
            for action in params["TransactItems"]:
                (kind, body), *_ = action.items()
                before.append(self._current(body["TableName"], self._action_key(body)))
            return before
        return []

    def _PutItem(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        self._write(params["TableName"], before[0], self._after_write(params, parsed), 1)

    def _UpdateItem(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        self._write(params["TableName"], before[0], self._after_write(params, parsed), 1)

    def _DeleteItem(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        failed = "Error" in parsed
        self._write(params["TableName"], before[0], before[0] if failed else None, 1)

    def _TransactWriteItems(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        failed = "Error" in parsed
        for action, old in zip(params["TransactItems"], before, strict=True):
            (kind, body), *_ = action.items()
            table = body["TableName"]
            if kind == "ConditionCheck" or failed:
                new = old
            elif kind == "Delete":
                new = None
            else:
                new = self._current(table, self._action_key(body))
            self._write(table, old, new, 2, index_changes=not failed)

    def _write(
        self,
        table: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        factor: int,
        index_changes: bool = True,
    ) -> None:
        size = max(item_size(before), item_size(after))
        self.usage.wcu += factor * write_units(size)
        if index_changes:
            self.usage.wcu += self._shapes[table].index_write_units(before, after)
        self.usage.bytes_written += max(0, item_size(after) - item_size(before))
        if self._shapes[table].streamed and before != after:
            self.usage.stream_records += 1

    def _after_write(self, params: dict[str, Any], parsed: Any) -> dict[str, Any] | None:
        return self._current(params["TableName"], self._key(params))

    # -- reads ---------------------------------------------------------------------------

    def _GetItem(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        item = self._current(params["TableName"], params["Key"])
        self.usage.rcu += read_units(item_size(item), bool(params.get("ConsistentRead")))

    def _BatchGetItem(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        for table, request in params["RequestItems"].items():
            consistent = bool(request.get("ConsistentRead"))
            for key in request["Keys"]:
                self.usage.rcu += read_units(item_size(self._current(table, key)), consistent)

    def _TransactGetItems(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        for action in params["TransactItems"]:
            body = action["Get"]
            self.usage.rcu += 2 * read_units(
                item_size(self._current(body["TableName"], body["Key"])), True
            )

    def _Query(self, params: dict[str, Any], parsed: Any, before: list[Any]) -> None:
        condition = params["KeyConditionExpression"]
        request: dict[str, Any] = {
            "TableName": params["TableName"],
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": {
                k: v
                for k, v in params.get("ExpressionAttributeValues", {}).items()
                if k in condition
            },
        }
        names = {
            k: v for k, v in params.get("ExpressionAttributeNames", {}).items() if k in condition
        }
        if names:
            request["ExpressionAttributeNames"] = names
        for key in ("IndexName", "ExclusiveStartKey", "Limit", "ScanIndexForward"):
            if key in params:
                request[key] = params[key]
        evaluated = self._shadow.query(**request)["Items"]
        size = sum(item_size(i) for i in evaluated)
        self.usage.rcu += read_units(size, bool(params.get("ConsistentRead")))

    # -- helpers -------------------------------------------------------------------------

    def _key(self, params: dict[str, Any]) -> dict[str, Any]:
        if "Key" in params:
            return dict(params["Key"])
        return self._shapes[params["TableName"]].key_of(params["Item"])

    def _action_key(self, body: dict[str, Any]) -> dict[str, Any]:
        if "Key" in body:
            return dict(body["Key"])
        return self._shapes[body["TableName"]].key_of(body["Item"])

    def _current(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self._shadow.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return dict(item) if item else None
