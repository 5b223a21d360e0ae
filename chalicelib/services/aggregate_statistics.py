"""Stream consumer: record changes -> statistics counters, exactly once in effect.

Delivery semantics: at least once. Lambda may deliver a record twice and retries a failed
batch from its lowest failed sequence number; the store's per-change markers make a replay
count nothing. Registry changes (a province's own entries, the ministry's copies) make a
docked shop's count follow its current class and status (对接率 never counts a suspended
shop, nor a shop under its old class); they are applied after the batch's record versions, so
a shop's first upload and a later registry change in one batch end in the registry's state,
and the marker's last applied registry time makes a replayed or late change a no-op.

Each counter item is written once per batch (coalesced), so a busy shop or province never
makes a hot key. Returns the sequence numbers that could not be applied; the
handler reports them as `batchItemFailures`.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.domain.shop import RegistryChange, registry_change
from chalicelib.domain.statistics import CounterKey, RecordChange, coalesce
from chalicelib.observability import logger, metrics
from chalicelib.streams.stream_records import (
    is_record_version,
    is_registry_change,
    record_change,
    stream_item,
)


class StatsStore(Protocol):
    def apply(self, key: CounterKey, contributions: dict[str, dict[str, int]]) -> int: ...

    def raise_last_upload(self, scope: str, scope_id: str, moment: Any) -> None: ...

    def raise_row_last_upload(self, key: CounterKey, moment: Any) -> None: ...

    def dock(self, province_code: str, shop_class: str, companycode: str, moment: Any) -> bool: ...

    def follow_registry(self, change: RegistryChange) -> bool: ...


class RegistryEntries(Protocol):
    def entry(self, companycode: str) -> dict[str, Any] | None: ...


class StatisticsAggregator:
    def __init__(
        self, store: StatsStore, scopes: str, registry: RegistryEntries | None = None
    ) -> None:
        self._store = store
        self._scopes = scopes
        self._registry = registry

    def handle(self, records: list[dict[str, Any]]) -> list[str]:
        """Apply a batch; return the sequence numbers of records that must be retried."""
        failed: list[str] = []
        changes: list[RecordChange] = []
        registry: list[tuple[str, RegistryChange]] = []
        sequence_of: dict[str, str] = {}
        for raw in records:
            item = stream_item(raw)
            if not is_record_version(item) and not is_registry_change(item):
                continue
            try:
                if is_registry_change(item):
                    registry.append((item.sequence_number, registry_change(item.image)))
                    continue
                change = record_change(item.image)
            except (KeyError, ValueError):
                logger.exception("unreadable stream item", extra={"seq": item.sequence_number})
                failed.append(item.sequence_number)
                continue
            changes.append(change)
            sequence_of[change.change_id] = item.sequence_number
        applied = 0
        for key, update in coalesce(changes, self._scopes).items():
            try:
                applied += self._store.apply(key, update.contributions)
                if update.latest_upload is not None:
                    self._record_upload_time(key, update.latest_upload)
            except Exception:
                logger.exception("statistics update failed", extra={"counter": key.scope_id})
                failed += [sequence_of[c] for c in update.contributions]
        metrics.add_metric(name="StatisticsChangesApplied", unit="Count", value=applied)
        failed += self._follow_registry(registry)
        return sorted(set(failed), key=lambda s: (len(s), s))

    def _follow_registry(self, registry: list[tuple[str, RegistryChange]]) -> list[str]:
        """Move docked shops to their entries' state, in stream order; the failed sequences.

        A failed change is retried by Lambda; a later change of the same shop applied
        meanwhile makes the retry a no-op (it is older), which is the right end state.
        """
        failed = []
        for sequence, change in registry:
            try:
                if self._store.follow_registry(change):
                    metrics.add_metric(name="DockedShopMoved", unit="Count", value=1)
            except Exception:
                logger.exception("docked shop not moved", extra={"seq": sequence})
                failed.append(sequence)
        return failed

    def _record_upload_time(self, key: CounterKey, moment: Any) -> None:
        """Last-upload times (idempotent maxima) and, on a shop's first upload, its docking."""
        if key.scope in ("shop", "province"):
            self._store.raise_last_upload(key.scope, key.scope_id, moment)
        elif key.row is not None:
            self._store.raise_row_last_upload(key, moment)
            province = key.scope_id.split("#")[0]
            if self._store.dock(province, key.shop_class or "", key.row, moment):
                metrics.add_metric(name="ShopDocked", unit="Count", value=1)
                self._dock_as_registered(key.row)

    def _dock_as_registered(self, companycode: str) -> None:
        """Move a just-docked shop to its registry entry's current state.

        The record carries the class of its upload time; a registry change (suspension, new
        class) read from the stream before this upload found no marker to move. Best effort:
        if this fails, the shop stays under its record's class until its next registry
        change, as before, and the batch is not retried for it.
        """
        if self._registry is None:
            return
        try:
            entry = self._registry.entry(companycode)
            if entry is not None and self._store.follow_registry(registry_change(entry)):
                metrics.add_metric(name="DockedShopMoved", unit="Count", value=1)
        except Exception:
            logger.warning("docked shop not aligned with its registry entry", exc_info=True)
