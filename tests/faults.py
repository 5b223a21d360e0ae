"""Fault injection for DynamoDB: a botocore event hook that fails a seeded share of calls.

Why: moto never throttles or fails, so the app's answers to a busy or failing DynamoDB are
otherwise untested. The hook is registered on a client in the test process only (never in
production code). Three kinds of fault, as DynamoDB shows them:

- before the call (nothing written): ThrottlingException, ProvisionedThroughputExceeded or
  an HTTP 500 InternalServerError, raised where botocore's own retries have given up;
- after a write succeeded but before its answer arrives ("lost answer"): the caller sees a
  500 although the write landed, which is what makes retries and idempotency matter.

The random sequence is seeded, so a run is repeatable; `counts` tells what was injected.
`operations` narrows the faults to some API operations (e.g. only `Query`, the reads).

Two more hooks: `UnprocessedKeys` answers part of each BatchGetItem as unprocessed (a busy
partition's partial answer), and `ReadCounter` counts read calls and the items they returned,
so a test can prove how much a request read.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
_BEFORE = (
    ("ThrottlingException", 400, "Rate of requests exceeds the allowed throughput."),
    ("ProvisionedThroughputExceededException", 400, "The level of configured provisioned "
     "throughput for the table was exceeded."),
    ("InternalServerError", 500, "Internal server error"),
)  # fmt: skip


class DynamoFaults:
    """Fails `rate` of the calls made through one botocore client (seeded, thread-safe)."""

    def __init__(
        self,
        client: Any,
        rate: float = 0.10,
        seed: int = 6,
        lost_answers: float = 0.3,
        operations: frozenset[str] | None = None,
    ):
        self.client = client
        self.operations = operations  # None: every operation may fail
        self.rate = rate
        self.lost_answers = lost_answers
        self.enabled = False
        self.counts: Counter[str] = Counter()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._doomed: set[int] = set()

    def __enter__(self) -> DynamoFaults:
        events = self.client.meta.events
        events.register("before-call.dynamodb.*", self._before, unique_id=f"faults-{id(self)}")
        events.register("after-call.dynamodb.*", self._after, unique_id=f"faults-a-{id(self)}")
        self.enabled = True
        return self

    def __exit__(self, *exc: Any) -> None:
        self.enabled = False
        events = self.client.meta.events
        events.unregister("before-call.dynamodb.*", unique_id=f"faults-{id(self)}")
        events.unregister("after-call.dynamodb.*", unique_id=f"faults-a-{id(self)}")

    def _before(self, model: Any, context: Any, **_: Any) -> None:
        if not self.enabled or (self.operations is not None and model.name not in self.operations):
            return
        with self._lock:
            self.counts["calls"] += 1
            if self._random.random() >= self.rate:
                return
            if model.name in WRITES and self._random.random() < self.lost_answers:
                self._doomed.add(id(context))  # let the write land, lose its answer
                return
            code, status, message = self._random.choice(_BEFORE)
            self.counts[code] += 1
        raise _client_error(code, status, message, model.name)

    def _after(self, model: Any, context: Any, **_: Any) -> None:
        with self._lock:
            if id(context) not in self._doomed:
                return
            self._doomed.discard(id(context))
            self.counts["lost_answer"] += 1
        raise _client_error("InternalServerError", 500, "Internal server error", model.name)


def _client_error(code: str, status: int, message: str, operation: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


@contextlib.contextmanager
def moto_copies_a_table_once_per_transaction() -> Iterator[None]:
    """Speed, not behaviour: moto backs a transaction up with one deep copy of the table per
    action, all taken before any action runs, so they are identical; one copy per call gives
    the same backup (the local stack does the same, infra/local/stack.py). Without it a
    transaction on a table of a thousand items takes a second here."""
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import Table

    from infra.local.stack import _TableCopyOnce

    shim = _TableCopyOnce(Table)
    backend = dynamodb_models.DynamoDBBackend
    original_copy, original_transact = dynamodb_models.copy, backend.transact_write_items

    def transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
        shim.clear()
        return original_transact(self, *args, **kwargs)

    dynamodb_models.copy = shim  # type: ignore[assignment]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        dynamodb_models.copy = original_copy
        backend.transact_write_items = original_transact  # type: ignore[method-assign]


class UnprocessedKeys:
    """Makes BatchGetItem leave keys unprocessed, as a busy table does, and counts the calls.

    For the first `rounds` BatchGetItem calls (None: every call) only the first `served` share
    of each table's keys is sent to the table; the rest comes back in `UnprocessedKeys`, as
    DynamoDB answers when a partition is throttled. A call that would serve no key is answered
    without reaching the table (DynamoDB refuses a request with no keys). Later calls pass.
    `calls` counts every BatchGetItem; `keys_asked` every key asked for, repeats included.
    """

    def __init__(self, client: Any, rounds: int | None, served: float = 0.5) -> None:
        self.client = client
        self.rounds = rounds
        self.served = served
        self.calls = 0
        self.keys_asked = 0

    def __enter__(self) -> UnprocessedKeys:
        events = self.client.meta.events
        events.register(
            "before-call.dynamodb.BatchGetItem", self._before, unique_id=f"unproc-{id(self)}"
        )
        events.register(
            "after-call.dynamodb.BatchGetItem", self._after, unique_id=f"unproc-a-{id(self)}"
        )
        return self

    def __exit__(self, *exc: Any) -> None:
        events = self.client.meta.events
        events.unregister("before-call.dynamodb.BatchGetItem", unique_id=f"unproc-{id(self)}")
        events.unregister("after-call.dynamodb.BatchGetItem", unique_id=f"unproc-a-{id(self)}")

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> Any:
        import json

        self.calls += 1
        body = json.loads(params["body"])
        self.keys_asked += sum(len(r["Keys"]) for r in body["RequestItems"].values())
        if self.rounds is not None and self.calls > self.rounds:
            return None
        held: dict[str, Any] = {}
        for table, request in body["RequestItems"].items():
            keys = request["Keys"]
            split = int(len(keys) * self.served)
            held[table] = {**request, "Keys": keys[split:]}
            request["Keys"] = keys[:split]
        body["RequestItems"] = {t: r for t, r in body["RequestItems"].items() if r["Keys"]}
        if not body["RequestItems"]:
            return _answer({"Responses": {}, "UnprocessedKeys": held})
        params["body"] = json.dumps(body).encode("utf-8")
        context["vmehr_unprocessed"] = held
        return None

    def _after(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        held = context.pop("vmehr_unprocessed", None)
        if held:
            parsed["UnprocessedKeys"] = held


def _answer(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A 200 answer given in place of a call (botocore skips the request)."""
    from botocore.awsrequest import AWSResponse

    parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": 200})
    return AWSResponse("https://dynamodb.invalid/", 200, {}, None), parsed


class ReadCounter:
    """Counts the read calls made through one botocore client and the items they returned.

    `calls[operation]` per API operation (Query, GetItem, BatchGetItem, Scan); `items` the
    items answered (a BatchGetItem's responses, a Query's or Scan's items, a GetItem's item).
    """

    READS = frozenset({"Query", "Scan", "GetItem", "BatchGetItem"})

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()

    def __enter__(self) -> ReadCounter:
        self.client.meta.events.register(
            "after-call.dynamodb.*", self._after, unique_id=f"reads-{id(self)}"
        )
        return self

    def __exit__(self, *exc: Any) -> None:
        self.client.meta.events.unregister("after-call.dynamodb.*", unique_id=f"reads-{id(self)}")

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name not in self.READS:
            return
        self.calls[model.name] += 1
        if model.name == "BatchGetItem":
            count = sum(len(v) for v in (parsed.get("Responses") or {}).values())
        elif model.name == "GetItem":
            count = 1 if parsed.get("Item") else 0
        else:
            count = len(parsed.get("Items") or [])
        self.items[model.name] += count

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_items(self) -> int:
        return sum(self.items.values())
