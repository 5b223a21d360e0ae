"""National supervision for the ministry (部级监管): every province's coverage, uploads, error
rate, timeliness and exchange lag, and the nation's daily trend.

Why: the ministry assesses provinces (digest §1.6, §4.1 "supervision dashboards by province").
It reads the same counters a province keeps, but kept by the ministry's own aggregator from
what the provinces forwarded (province and nation per day, each shop's month row, docking),
and the registry copies the provinces sent: so a province's figures at the ministry show what
actually arrived, and a province whose link is down shows its lag instead of fresh figures.
The per-province figures come from `MonitoringService` built for that province, so a
province's regulators and the ministry count with one set of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from chalicelib.domain.provinces import province_name, provinces
from chalicelib.services.monitoring import ON_TIME_BUCKETS, CoverageRow, MonitoringService
from chalicelib.services.ports import Clock, MonitoringStats, ShopDirectory

NATION = "000000"


class ExchangeStatus(Protocol):
    def provinces(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class ProvinceFigures:
    """One province's row of the ministry's overview (figures over `first`..`last`)."""

    province_code: str
    name: str
    coverage: CoverageRow
    uploads_today: int
    uploads_yesterday: int
    uploads: int
    flagged: int
    timely: int
    last_exchange_at: str | None
    exchange_lag_seconds: int | None
    batches: int
    daily: list[dict[str, Any]] = field(default_factory=list, compare=False, repr=False)

    @property
    def connected(self) -> bool:
        return self.last_exchange_at is not None

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

    def for_province(self, province_code: str) -> MonitoringService:
        """The provincial monitoring rules over what the ministry holds of one province."""
        return MonitoringService(self._stats, self._directory, self._clock, province_code)

    def overview(self, days: int) -> list[ProvinceFigures]:
        """Every mainland province, connected ones first (most uploads first), then the rest
        in code order; figures over the last `days` days up to today (China time)."""
        status = {str(s["SK"]): s for s in self._exchange.provinces()}
        rows = [self.province(code, days, status.get(code)) for code, _ in provinces()]
        return sorted(rows, key=lambda r: (not r.connected, -r.uploads, r.province_code))

    def province(
        self, province_code: str, days: int, status: dict[str, Any] | None = None
    ) -> ProvinceFigures:
        """One province's figures; `status` is its exchange status if already read."""
        if status is None:
            status = next(
                (s for s in self._exchange.provinces() if str(s["SK"]) == province_code), {}
            )
        monitoring = self.for_province(province_code)
        today = monitoring.today()
        first = today - timedelta(days=days - 1)
        daily = monitoring.daily(None, first, today)
        timeliness = monitoring.timeliness(None, first, today)
        lag = status.get("last_lag_seconds")
        return ProvinceFigures(
            province_code=province_code,
            name=province_name(province_code) or province_code,
            coverage=monitoring.coverage(None)[0],
            uploads_today=int(daily[-1].get("uploads", 0)),
            uploads_yesterday=int(daily[-2].get("uploads", 0)) if len(daily) > 1 else 0,
            uploads=sum(int(d.get("uploads", 0)) for d in daily),
            flagged=sum(int(d.get("flagged", 0)) for d in daily),
            timely=sum(int(timeliness["buckets"][b]) for b in ON_TIME_BUCKETS),
            last_exchange_at=status.get("last_exchange_at"),
            exchange_lag_seconds=int(lag) if lag is not None else None,
            batches=int(status.get("batches", 0)),
            daily=daily,
        )

    def nation_daily(self, days: int) -> list[dict[str, Any]]:
        """The nation's per-day sums (uploads, flagged, corrections, voids…), zero-filled."""
        nation = MonitoringService(
            self._stats, self._directory, self._clock, NATION, counter_scope="nation"
        )
        today = nation.today()
        return nation.daily(None, today - timedelta(days=days - 1), today)
