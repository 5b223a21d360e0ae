"""Stream consumer: every record version and shop registry change goes up to the ministry.

The province sends domain data in the exchange/v1 contract (chalicelib/exchange/v1.py), built
from its domain objects (a StoredRecord version, a registry entry), never its table items.

Delivery semantics: at least once, and never dropped silently. A batch is sent in requests cut
by size (exchange_delivery); the ministry answers per item and applies only versions newer than
what it holds, so a replay is harmless. An item that fails (ministry down, or refused) is
reported back as a batch item failure and retried; after `max_attempts` failures it is parked
in the dead-letter queue with its reason and no longer blocks its shard. A change that can
never be sent (v1 cannot carry it, it exceeds the request budget alone, or its image cannot be
read) is parked at once, with its reason, and the rest of the batch goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chalicelib.domain.changes import Delivered, ForwardedChange, Unreadable
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import Shop
from chalicelib.errors import ValidationFailedError
from chalicelib.exchange.requests import REQUEST_BUDGET_BYTES, encode
from chalicelib.exchange.v1 import record_version_item, shop_item
from chalicelib.observability import logger, metrics
from chalicelib.services.exchange_delivery import Ministry, deliver

# The dead-letter queue takes messages of up to 1 MiB; a larger item is parked as a reference
# (its identity), which re-drive cannot send (the ministry refuses it): the reason says why.
PARKED_ITEM_MAX_BYTES = 900_000


Forwardable = Delivered[ForwardedChange]
"""One change read from the stream, with its delivery id (the batch-failure id)."""


class AttemptCounter(Protocol):
    def add_attempt(self, change_id: str) -> tuple[int, bool]:
        """Count one failed delivery; return (attempts so far, already parked?)."""

    def mark_parked(self, change_id: str) -> None: ...


class DeadLetters(Protocol):
    def park(self, item: dict[str, Any], reason: str, attempts: int) -> None: ...


def change_id(change: Forwardable) -> str:
    """The change's identity across deliveries of its batch (attempts are counted by it)."""
    found = change.change
    if isinstance(found, StoredRecord):
        return f"rec:{found.record_id}#{found.version}"
    if isinstance(found, Shop):
        return f"shop:{found.companycode}@{found.updated_at.isoformat()}"
    return f"raw:{found.kind}:{change.delivery_id}"


def reference(change: ForwardedChange) -> dict[str, Any]:
    """What identifies a change when its item cannot be parked whole."""
    if isinstance(change, StoredRecord):
        identity = {"record_id": change.record_id, "version": change.version}
        return {"type": "record_version", "record": {**identity, "companycode": change.companycode}}
    if isinstance(change, Shop):
        return {
            "type": "shop",
            "shop": {
                "companycode": change.companycode,
                "updated_at": change.updated_at.isoformat(),
            },
        }
    return {"type": change.kind, "identity": change.identity}


def exchange_item(change: StoredRecord | Shop) -> dict[str, Any]:
    """The exchange/v1 item of a change. Raises ValidationFailedError if v1 cannot carry it."""
    if isinstance(change, StoredRecord):
        return record_version_item(change)
    return shop_item(change)


class ChangeForwarder:
    def __init__(
        self,
        ministry: Ministry,
        attempts: AttemptCounter,
        dead_letters: DeadLetters,
        max_attempts: int,
        request_budget: int = REQUEST_BUDGET_BYTES,
        parked_item_max_bytes: int = PARKED_ITEM_MAX_BYTES,
    ) -> None:
        self._ministry = ministry
        self._attempts = attempts
        self._dead_letters = dead_letters
        self._max = max_attempts
        self._budget = request_budget
        self._parked_max = parked_item_max_bytes

    def handle(self, changes: Sequence[Forwardable]) -> list[str]:
        """Forward a batch; return the delivery ids of the changes to retry."""
        staged: list[tuple[Forwardable, dict[str, Any]]] = []
        for change in changes:
            if isinstance(change.change, Unreadable):
                self._park_now(change, reference(change.change), change.change.reason)
                continue
            try:
                staged.append((change, exchange_item(change.change)))
            except ValidationFailedError as exc:
                self._park_now(change, reference(change.change), _unsendable(exc))
        if not staged:
            return []
        outcomes = deliver(self._ministry, [item for _, item in staged], self._budget)
        failed = []
        for (change, item), outcome in zip(staged, outcomes, strict=True):
            if outcome.delivered:
                continue
            if outcome.hopeless:
                self._park_now(change, item, outcome.reason)
            elif not self._give_up(change, item, outcome.reason):
                failed.append(change.delivery_id)
        delivered = sum(outcome.delivered for outcome in outcomes)
        metrics.add_metric(name="ChangesForwarded", unit="Count", value=delivered)
        return failed

    def _give_up(self, change: Forwardable, item: dict[str, Any], reason: str) -> bool:
        """Count a failed attempt; park the item and stop retrying once it has failed enough."""
        attempts, parked = self._attempts.add_attempt(change_id(change))
        if attempts < self._max:
            return False
        if not parked:  # an earlier delivery of this batch parked it: park it only once
            self._park(change, item, reason, attempts)
        return True

    def _park_now(self, change: Forwardable, item: dict[str, Any], reason: str) -> None:
        """Park a change no retry can deliver, once however often its batch comes back."""
        attempts, parked = self._attempts.add_attempt(change_id(change))
        if not parked:
            self._park(change, item, reason, attempts)

    def _park(self, change: Forwardable, item: dict[str, Any], reason: str, attempts: int) -> None:
        # Park first, then remember it: if parking fails the batch is retried and the change
        # parked then; if remembering fails it may be parked twice, which re-drive tolerates.
        if len(encode(item)) > self._parked_max:
            item = reference(change.change)
            reason += "; parked as a reference (the item is too large for the queue)"
        self._dead_letters.park(item, reason, attempts)
        self._attempts.mark_parked(change_id(change))
        metrics.add_metric(name="ChangesDeadLettered", unit="Count", value=1)
        logger.error("change parked in dead-letter queue", extra={"change": change_id(change)})


def _unsendable(exc: ValidationFailedError) -> str:
    first = exc.errors[0] if exc.errors else None
    where = f": {first.field} ({first.rule}) {first.message}" if first else ""
    return f"exchange/v1 cannot carry this change{where}"
