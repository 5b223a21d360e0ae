"""Stream consumer: every record version and shop registry change goes up to the ministry.

Delivery semantics: at least once, and never dropped silently. A batch is sent in one request;
the ministry answers per item and applies only versions newer than what it holds, so a replay
is harmless. An item that fails (ministry down, or refused) is reported back as a batch item
failure and retried; after `max_attempts` failures it is parked in the dead-letter queue with
its reason and no longer blocks its shard.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.observability import logger, metrics
from chalicelib.streams.stream_records import (
    StreamItem,
    is_record_version,
    is_shop_change,
    stream_item,
)

OK_RESULTS = ("applied", "duplicate", "stale")
SHOP_FIELDS = (
    "companycode",
    "name",
    "uscc",
    "division_code",
    "shop_class",
    "status",
    "created_at",
    "updated_at",
    "credential_generation",
    "province_code",
)
RECORD_FIELDS = (
    "record_id",
    "companycode",
    "province_code",
    "version",
    "status",
    "content",
    "content_hash",
    "flags",
    "flag_codes",
    "shop_name",
    "shop_class",
    "received_at",
    "updated_at",
    "reason",
    "chain",
    "source",
)


class Ministry(Protocol):
    def send(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


class AttemptCounter(Protocol):
    def add_attempt(self, change_id: str) -> tuple[int, bool]:
        """Count one failed delivery; return (attempts so far, already parked?)."""

    def mark_parked(self, change_id: str) -> None: ...


class DeadLetters(Protocol):
    def park(self, item: dict[str, Any], reason: str, attempts: int) -> None: ...


def exchange_item(item: StreamItem) -> dict[str, Any] | None:
    """The exchange payload of a stream item, or None if the ministry does not need it.

    Shop contacts stay in the province: the ministry's registry copy carries no personal data.
    """
    if is_record_version(item):
        return {"type": "record_version", "record": {k: item.image.get(k) for k in RECORD_FIELDS}}
    if is_shop_change(item):
        return {"type": "shop", "shop": {k: item.image.get(k) for k in SHOP_FIELDS}}
    return None


def change_id(payload: dict[str, Any]) -> str:
    if payload["type"] == "record_version":
        return f"rec:{payload['record']['record_id']}#{payload['record']['version']}"
    shop = payload["shop"]
    return f"shop:{shop['companycode']}@{shop['updated_at']}"


class ChangeForwarder:
    def __init__(
        self,
        ministry: Ministry,
        attempts: AttemptCounter,
        dead_letters: DeadLetters,
        max_attempts: int,
    ) -> None:
        self._ministry = ministry
        self._attempts = attempts
        self._dead_letters = dead_letters
        self._max = max_attempts

    def handle(self, records: list[dict[str, Any]]) -> list[str]:
        """Forward a batch; return the sequence numbers to retry."""
        staged = [
            (i.sequence_number, p) for i in map(stream_item, records) if (p := exchange_item(i))
        ]
        if not staged:
            return []
        try:
            results = self._ministry.send([payload for _, payload in staged])
            reasons = [
                None if r.get("result") in OK_RESULTS else str(r.get("reason") or r.get("result"))
                for r in results
            ]
        except Exception as exc:  # the ministry is down or misbehaving: every item failed
            logger.warning("ministry exchange failed", extra={"error": str(exc)})
            reasons = [str(exc)] * len(staged)
        failed = []
        for (sequence, payload), reason in zip(staged, reasons, strict=True):
            if reason is not None and not self._give_up(payload, reason):
                failed.append(sequence)
        metrics.add_metric(name="ChangesForwarded", unit="Count", value=len(staged) - len(failed))
        return failed

    def _give_up(self, payload: dict[str, Any], reason: str) -> bool:
        """Count a failed attempt; park the item and stop retrying once it has failed enough."""
        attempts, parked = self._attempts.add_attempt(change_id(payload))
        if attempts < self._max:
            return False
        if parked:
            return True  # an earlier delivery of this batch parked it: park it only once
        # Park first, then remember it: if parking fails the batch is retried and the change
        # parked then; if remembering fails it may be parked twice, which re-drive tolerates.
        self._dead_letters.park(payload, reason, attempts)
        self._attempts.mark_parked(change_id(payload))
        metrics.add_metric(name="ChangesDeadLettered", unit="Count", value=1)
        logger.error("change parked in dead-letter queue", extra={"change": change_id(payload)})
        return True
