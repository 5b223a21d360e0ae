"""National supervision for the ministry (部级监管): every province's coverage, uploads, error
rate, timeliness and exchange lag, and the nation's daily trend.

Why: the ministry assesses provinces (digest §1.6, §4.1 "supervision dashboards by province").
It reads counters kept by the ministry's own aggregator from what the provinces forwarded
(province and nation per day, docking) and the active registry copies by class kept with each
copy, so a province's figures at the ministry show what actually arrived, and a province
whose link is down shows how long it has been silent. Every figure is a read of a few small
counter items, never a scan of the national registry (100k+ shops); provinces that never
exchanged are not read at all, and the connected ones are read in parallel. The rules
(对接率 rows, 及时率 buckets) are the provincial console's, from `services.monitoring`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.provinces import province_name, provinces
from chalicelib.domain.statistics import ON_TIME_BUCKETS
from chalicelib.services.monitoring import (
    CoverageRow,
    MonitoringService,
    coverage_rows,
    timeliness_of,
)
from chalicelib.services.ports import Clock, MonitoringStats, ProvinceExchange, ShopDirectory

NATION = "000000"
SILENT_AFTER = timedelta(hours=24)
"""A connected province with no batch for this long is shown as silent (its lag is stale)."""
PARALLEL_READS = 8


class ExchangeStatus(Protocol):
    def provinces(self) -> list[ProvinceExchange]:
        """Every province that has exchanged, with its exchange status."""

    def active_counts(self, province_code: str) -> dict[str, int]: ...


@dataclass(frozen=True)
class ProvinceFigures:
    """One province's figures at the ministry over `daily` (oldest day first)."""

    province_code: str
    name: str
    classes: list[CoverageRow]  # the "all" row first, then by class
    daily: list[dict[str, Any]] = field(repr=False)
    last_exchange_at: str | None = None
    exchange_lag_seconds: int | None = None
    batches: int = 0
    silent: bool = False

    @property
    def coverage(self) -> CoverageRow:
        return self.classes[0]

    @property
    def connected(self) -> bool:
        return self.last_exchange_at is not None

    @property
    def timeliness(self) -> dict[str, Any]:
        return timeliness_of(self.daily)

    @property
    def uploads_today(self) -> int:
        return int(self.daily[-1].get("uploads", 0))

    @property
    def uploads_yesterday(self) -> int:
        return int(self.daily[-2].get("uploads", 0)) if len(self.daily) > 1 else 0

    @property
    def uploads(self) -> int:
        return sum(int(d.get("uploads", 0)) for d in self.daily)

    @property
    def flagged(self) -> int:
        return sum(int(d.get("flagged", 0)) for d in self.daily)

    @property
    def timely(self) -> int:
        buckets = self.timeliness["buckets"]
        return sum(int(buckets[b]) for b in ON_TIME_BUCKETS)

    @property
    def error_rate(self) -> float | None:
        return self.flagged / self.uploads if self.uploads else None

    @property
    def timely_rate(self) -> float | None:
        return self.timely / self.uploads if self.uploads else None


class NationalMonitoringService:
    def __init__(
        self,
        stats: MonitoringStats,
        directory: ShopDirectory,
        exchange: ExchangeStatus,
        clock: Clock,
    ) -> None:
        self._stats = stats
        self._directory = directory
        self._exchange = exchange
        self._clock = clock

    def overview(self, days: int) -> list[ProvinceFigures]:
        """Every mainland province, connected ones first (most uploads first), then the rest
        in code order; figures over the last `days` China days up to today."""
        status = {s.province_code: s for s in self._exchange.provinces()}
        connected = [code for code, _ in provinces() if code in status]
        with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
            read = dict(
                zip(
                    connected,
                    pool.map(lambda code: self.province(code, days, status[code]), connected),
                    strict=True,
                )
            )
        rows = [read.get(code) or self._empty(code, days) for code, _ in provinces()]
        return sorted(rows, key=lambda r: (not r.connected, -r.uploads, r.province_code))

    def province(
        self, province_code: str, days: int, status: ProvinceExchange | None = None
    ) -> ProvinceFigures:
        """One province's figures; `status` is its exchange status if already read."""
        if status is None:
            status = next(
                (s for s in self._exchange.provinces() if s.province_code == province_code),
                ProvinceExchange(province_code),
            )
        docked: dict[str, int] = {}
        for (_, shop_class), count in self._stats.docked_counts(province_code).items():
            docked[shop_class] = docked.get(shop_class, 0) + count
        last = status.last_exchange_at
        return ProvinceFigures(
            province_code=province_code,
            name=province_name(province_code) or province_code,
            classes=coverage_rows(self._exchange.active_counts(province_code), docked),
            daily=self._daily("province", province_code, days),
            last_exchange_at=last,
            exchange_lag_seconds=status.last_lag_seconds,
            batches=status.batches,
            silent=bool(last)
            and self._clock.now() - datetime.fromisoformat(str(last)) > SILENT_AFTER,
        )

    def nation_daily(self, days: int) -> list[dict[str, Any]]:
        """The nation's per-day sums (uploads, flagged, corrections, voids…), zero-filled."""
        return self._daily("nation", NATION, days)

    def _daily(self, scope: str, code: str, days: int) -> list[dict[str, Any]]:
        monitoring = MonitoringService(
            self._stats, self._directory, self._clock, code, counter_scope=scope
        )
        today = monitoring.today()
        return monitoring.daily(None, today - timedelta(days=days - 1), today)

    def _empty(self, province_code: str, days: int) -> ProvinceFigures:
        """A province that never exchanged: nothing to read, every figure zero."""
        today = MonitoringService(self._stats, self._directory, self._clock, NATION).today()
        daily = [{"day": (today - timedelta(days=n)).isoformat()} for n in reversed(range(days))]
        return ProvinceFigures(
            province_code,
            province_name(province_code) or province_code,
            coverage_rows({}, {}),
            daily,
        )
