"""Upload monitoring for regulators (维修记录上传监控): coverage, idle shops, error and
timeliness rates, uploads today and yesterday, trends.

Why: these are the figures provincial regulators work with every day (digest §1.7, §7):
对接率 (docked shops over registered, by class), 未上传 (shops with no upload for N days),
错误率 (flagged over uploaded, per shop), 及时率 (uploads within 24 h of settlement) and
今日/昨日上传. They are read from counters the stream aggregator keeps (exactly once), never by
scanning records. A scope of division codes restricts every figure to a district officer's
districts; `None` is the whole province.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.china_time import china_date
from chalicelib.domain.shop import SHOP_CLASSES
from chalicelib.domain.statistics import ON_TIME_BUCKETS, TIMELINESS_BUCKETS, DayCounts
from chalicelib.services.ports import Clock, MonitoringStats, ShopDirectory

Scope = tuple[str, ...] | None
"""Division codes a regulator may see, or None for the whole province."""

MAX_IDLE_DAYS = 366


@dataclass(frozen=True)
class CoverageRow:
    shop_class: str
    label: str
    registered: int
    docked: int

    @property
    def rate(self) -> float | None:
        return self.docked / self.registered if self.registered else None


class MonitoringService:
    def __init__(
        self,
        stats: MonitoringStats,
        directory: ShopDirectory,
        clock: Clock,
        province_code: str,
        counter_scope: str = "province",
    ) -> None:
        """`counter_scope` "nation" reads the ministry's national day counters (code 000000)."""
        self._stats = stats
        self._directory = directory
        self._clock = clock
        self._province = province_code
        self._counter_scope = counter_scope

    def today(self) -> date:
        return china_date(self._clock.now())

    # --- 对接率 -------------------------------------------------------------------------------

    def coverage(self, scope: Scope) -> list[CoverageRow]:
        """Registered (active) and docked shops by class, plus an "all" row first."""
        registered: dict[str, int] = {}
        for shop in self._shops(scope):
            if shop["status"] == "active":
                registered[shop["shop_class"]] = registered.get(shop["shop_class"], 0) + 1
        docked: dict[str, int] = {}
        for (division, shop_class), count in self._stats.docked_counts(self._province).items():
            if _in_scope(division, scope):
                docked[shop_class] = docked.get(shop_class, 0) + count
        return coverage_rows(registered, docked)

    # --- 今日/昨日, trend, 及时率 ----------------------------------------------------------------

    def daily(self, scope: Scope, first: date, last: date) -> list[dict[str, Any]]:
        """Per-day sums (uploads, corrections, voids, flagged, timeliness buckets), every day
        from `first` to `last`, zero-filled."""
        sums: dict[str, dict[str, int]] = {}
        for counter in self._day_items(scope, first, last):
            into = sums.setdefault(counter.day, {})
            for name, value in counter.counts.items():
                into[name] = into.get(name, 0) + value
        days = []
        current = first
        while current <= last:
            days.append({"day": current.isoformat(), **sums.get(current.isoformat(), {})})
            current += timedelta(days=1)
        return days

    def today_and_yesterday(self, scope: Scope) -> dict[str, int]:
        today = self.today()
        days = self.daily(scope, today - timedelta(days=1), today)
        return {"yesterday": days[0].get("uploads", 0), "today": days[1].get("uploads", 0)}

    def timeliness(self, scope: Scope, first: date, last: date) -> dict[str, Any]:
        return timeliness_of(self.daily(scope, first, last))

    # --- 错误率 per shop -----------------------------------------------------------------------

    def error_rates(self, scope: Scope, month: str) -> list[dict[str, Any]]:
        """Shops that uploaded in `month` (YYYY-MM), highest error rate first."""
        names = {s["companycode"]: s for s in self._shops(scope)}
        rows = []
        for row in self._stats.shop_rows(self._province, month):
            companycode = row.companycode
            if not _in_scope(companycode[:6], scope):
                continue
            counts = row.counts
            uploads = counts.get("uploads", 0)
            flagged = counts.get("flagged", 0)
            on_time = sum(counts.get(b, 0) for b in ON_TIME_BUCKETS)
            rows.append(
                {
                    "companycode": companycode,
                    "name": names.get(companycode, {}).get("name", ""),
                    "shop_class": row.shop_class,
                    "uploads": uploads,
                    "flagged": flagged,
                    "corrections": counts.get("corrections", 0),
                    "error_rate": flagged / uploads if uploads else None,
                    "timely_rate": on_time / uploads if uploads else None,
                    "flags": {
                        k.removeprefix("flag_"): v
                        for k, v in counts.items()
                        if k.startswith("flag_")
                    },
                    "last_upload_at": row.last_upload_at,
                }
            )
        return sorted(
            rows, key=lambda r: (-(r["error_rate"] or 0), -r["flagged"], r["companycode"])
        )

    # --- 未上传 -------------------------------------------------------------------------------

    def not_uploading(self, scope: Scope, days: int) -> list[dict[str, Any]]:
        """Active shops with no upload in the last `days` days (never-uploaded shops first)."""
        days = max(1, min(days, MAX_IDLE_DAYS))
        now = self._clock.now()
        since = now - timedelta(days=days)
        recent: dict[str, str] = {}
        for month in _months_back(china_date(since), self.today()):
            for row in self._stats.shop_rows(self._province, month):
                row_last = row.last_upload_at
                if row_last and row_last > recent.get(row.companycode, ""):
                    recent[row.companycode] = row_last
        idle = []
        for shop in self._shops(scope):
            if shop["status"] != "active":
                continue
            last_text = recent.get(shop["companycode"])
            if last_text is not None and datetime.fromisoformat(last_text) >= since:
                continue
            last = self._stats.last_upload("shop", shop["companycode"])
            idle.append(
                {
                    **shop,
                    "last_upload_at": last.isoformat() if last else None,
                    "idle_days": (now - last).days if last else None,
                }
            )
        return sorted(
            idle,
            key=lambda s: (s["idle_days"] is not None, -(s["idle_days"] or 0), s["companycode"]),
        )

    # --- internals -------------------------------------------------------------------------

    def _shops(self, scope: Scope) -> list[dict[str, str]]:
        shops = self._directory.province_shops(self._province)
        return [s for s in shops if _in_scope(s["companycode"][:6], scope)]

    def _day_items(self, scope: Scope, first: date, last: date) -> Iterable[DayCounts]:
        if scope is None:
            yield from self._stats.day_counters(
                self._counter_scope, self._province, first.isoformat(), last.isoformat()
            )
            return
        for division in scope:
            yield from self._stats.day_counters(
                "division", division, first.isoformat(), last.isoformat()
            )


def coverage_rows(registered: dict[str, int], docked: dict[str, int]) -> list[CoverageRow]:
    """对接率 rows by class (those with shops), after an "all" row; counts by class given."""
    classes = [c for c in SHOP_CLASSES if c in registered or c in docked]
    rows = [
        CoverageRow(c, SHOP_CLASSES[c], registered.get(c, 0), docked.get(c, 0)) for c in classes
    ]
    total = CoverageRow(
        "all", "维修企业", sum(r.registered for r in rows), sum(r.docked for r in rows)
    )
    return [total, *rows]


def timeliness_of(days: list[dict[str, Any]]) -> dict[str, Any]:
    """及时率 over daily sums: uploads per timeliness bucket, their total and the on-time rate."""
    totals = dict.fromkeys(TIMELINESS_BUCKETS, 0)
    for day in days:
        for bucket in TIMELINESS_BUCKETS:
            totals[bucket] += int(day.get(bucket, 0))
    uploads = sum(totals.values())
    on_time = sum(totals[b] for b in ON_TIME_BUCKETS)
    return {"buckets": totals, "uploads": uploads, "rate": on_time / uploads if uploads else None}


def _in_scope(division: str, scope: Scope) -> bool:
    return scope is None or division in scope


def _months_back(first: date, last: date) -> list[str]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current.isoformat()[:7])
        current = (current + timedelta(days=32)).replace(day=1)
    return months
