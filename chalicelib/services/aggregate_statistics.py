"""Stream consumer: record changes -> statistics counters, exactly once in effect.

Delivery semantics: at least once. Lambda may deliver a record twice and retries a failed
batch from its lowest failed sequence number; the store's per-change markers make a replay
count nothing. Registry changes (a province's own entries, the ministry's copies) make a
docked shop's count follow its current class and status (对接率 never counts a suspended
shop, nor a shop under its old class); they are applied after the batch's record versions, so
a shop's first upload and a later registry change in one batch end in the registry's state,
and the marker's last applied registry time makes a replayed or late change a no-op.

Each counter item is written once per batch (coalesced), so a busy shop or province never
makes a hot key. The changes come typed from the stream's edge (streams/stream_records.py);
the delivery ids of those that could not be applied are returned, and the handler reports
them as `batchItemFailures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chalicelib.domain.changes import Delivered, StatisticsChange, Unreadable
from chalicelib.domain.shop import RegistryChange
from chalicelib.domain.statistics import CounterKey, RecordChange, coalesce
from chalicelib.observability import logger, metrics


class StatsStore(Protocol):
    def apply(self, key: CounterKey, contributions: dict[str, dict[str, int]]) -> int:
        """Add each change's deltas (change id → deltas) once; return how many were new."""

    def raise_last_upload(self, scope: str, scope_id: str, moment: datetime) -> None: ...

    def raise_row_last_upload(self, key: CounterKey, moment: datetime) -> None: ...

    def dock(self, province_code: str, shop_class: str, companycode: str, moment: datetime) -> bool:
        """Count a shop as docked on its first upload, once; True if it was new."""

    def follow_registry(self, change: RegistryChange) -> bool:
        """Move a docked shop to the class its entry counts under, unless the change is not
        newer than the last one applied; True if the shop moved."""


class RegistryEntries(Protocol):
    def registry_state(self, companycode: str) -> RegistryChange | None:
        """The docking state of the shop's registry entry as it stands now (None: no entry)."""


class StatisticsAggregator:
    def __init__(
        self, store: StatsStore, scopes: str, registry: RegistryEntries | None = None
    ) -> None:
        self._store = store
        self._scopes = scopes
        self._registry = registry

    def handle(self, changes: Sequence[Delivered[StatisticsChange]]) -> list[str]:
        """Apply a batch; return the delivery ids of the changes that must be retried."""
        failed: list[str] = []
        versions: list[RecordChange] = []
        registry: list[tuple[str, RegistryChange]] = []
        delivery_of: dict[str, str] = {}
        for delivered in changes:
            change = delivered.change
            if isinstance(change, Unreadable):
                logger.error(
                    "unreadable stream item",
                    extra={"seq": delivered.delivery_id, "reason": change.reason},
                )
                failed.append(delivered.delivery_id)
            elif isinstance(change, RegistryChange):
                registry.append((delivered.delivery_id, change))
            else:
                versions.append(change)
                delivery_of[change.change_id] = delivered.delivery_id
        applied = 0
        for key, update in coalesce(versions, self._scopes).items():
            try:
                applied += self._store.apply(key, update.contributions)
                if update.latest_upload is not None:
                    self._record_upload_time(key, update.latest_upload)
            except Exception:
                logger.exception("statistics update failed", extra={"counter": key.scope_id})
                failed += [delivery_of[c] for c in update.contributions]
        metrics.add_metric(name="StatisticsChangesApplied", unit="Count", value=applied)
        failed += self._follow_registry(registry)
        return list(dict.fromkeys(failed))  # each once; the handler orders the answer

    def _follow_registry(self, registry: list[tuple[str, RegistryChange]]) -> list[str]:
        """Move docked shops to their entries' state, in stream order; the failed deliveries.

        A failed change is retried by Lambda; a later change of the same shop applied
        meanwhile makes the retry a no-op (it is older), which is the right end state.
        """
        failed = []
        for delivery_id, change in registry:
            try:
                if self._store.follow_registry(change):
                    metrics.add_metric(name="DockedShopMoved", unit="Count", value=1)
            except Exception:
                logger.exception("docked shop not moved", extra={"seq": delivery_id})
                failed.append(delivery_id)
        return failed

    def _record_upload_time(self, key: CounterKey, moment: datetime) -> None:
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
            state = self._registry.registry_state(companycode)
            if state is not None and self._store.follow_registry(state):
                metrics.add_metric(name="DockedShopMoved", unit="Count", value=1)
        except Exception:
            logger.warning("docked shop not aligned with its registry entry", exc_info=True)
