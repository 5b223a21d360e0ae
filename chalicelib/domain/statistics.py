"""Pure folds from record changes to statistics counters.

Why: the province aggregator and the ministry aggregator count the same things (uploads,
corrections, voids, flagged records by flag, timeliness buckets) under different scopes; the
rules live here once, free of storage, so they are unit-tested and a recount from base records
uses the very same function as the stream consumer.

A change is one record *version* (version 1 = an upload, a later active version = a
correction, a void version = a void); its id `<record_id>#<version>` is what makes counting
exactly-once possible downstream.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chalicelib.domain.china_time import CST, china_date
from chalicelib.domain.oem import is_oem_source

TIMELINESS_BUCKETS = ("t_le_1h", "t_le_24h", "t_le_72h", "t_gt_72h")
ON_TIME_BUCKETS = ("t_le_1h", "t_le_24h")  # 及时: within 24 h of the end of the settlement day


@dataclass(frozen=True)
class RecordChange:
    """What the aggregators need to know of one record version."""

    record_id: str
    version: int
    status: str
    companycode: str
    shop_class: str
    settlement_date: date
    received_at: datetime
    changed_at: datetime
    flag_codes: tuple[str, ...] = ()
    source: str | None = None

    @property
    def change_id(self) -> str:
        return f"{self.record_id}#{self.version}"

    @property
    def province_code(self) -> str:
        return self.companycode[:2] + "0000"


@dataclass(frozen=True)
class CounterKey:
    """One statistics item: a scope (shop, province, nation…) and a day.

    A `row` key is one shop's row in a month-wide table of its province ("shopmonth": every
    shop's counts of one month under one partition, so a regulator can rank a province's shops
    by error rate with one query); `day` is then the month's first day.
    """

    scope: str
    scope_id: str
    day: date
    shop_class: str | None = None
    row: str | None = None


@dataclass(frozen=True)
class DayCounts:
    """One counter item as read back: its China day (ISO) and its counts by name."""

    day: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ShopMonthRow:
    """One shop's row in its province's table of a month, as read back."""

    companycode: str
    shop_class: str
    counts: dict[str, int]
    last_upload_at: str | None = None


@dataclass
class CounterUpdate:
    """One counter item's share of a batch: each change's deltas, kept apart so a store can
    drop the changes it has already applied and sum the rest."""

    key: CounterKey
    contributions: dict[str, dict[str, int]] = field(default_factory=dict)
    latest_upload: datetime | None = None

    def add(self, change_id: str, deltas: dict[str, int], upload_at: datetime | None) -> None:
        self.contributions[change_id] = deltas
        if upload_at and (self.latest_upload is None or upload_at > self.latest_upload):
            self.latest_upload = upload_at

    def totals(self) -> dict[str, int]:
        summed: dict[str, int] = {}
        for deltas in self.contributions.values():
            for name, value in deltas.items():
                summed[name] = summed.get(name, 0) + value
        return summed


def timeliness_bucket(settlement_date: date, received_at: datetime) -> str:
    """Delay from the end of the settlement day (24:00 CST) to receipt, in four buckets.

    Settlement is a calendar date without a time, so an upload on the settlement day itself
    counts as on time (≤ 1 h); see docs/assumptions.md.
    """
    end_of_day = datetime.combine(settlement_date + timedelta(days=1), datetime.min.time(), CST)
    delay = received_at - end_of_day
    if delay <= timedelta(hours=1):
        return "t_le_1h"
    if delay <= timedelta(hours=24):
        return "t_le_24h"
    if delay <= timedelta(hours=72):
        return "t_le_72h"
    return "t_gt_72h"


def change_deltas(change: RecordChange) -> dict[str, int]:
    """The counters one change adds to, each by one."""
    if change.status == "void":
        return {"voids": 1}
    if change.version > 1:
        return {"corrections": 1}
    deltas = {"uploads": 1, timeliness_bucket(change.settlement_date, change.received_at): 1}
    if is_oem_source(change.source):
        deltas["oem_uploads"] = 1  # 总对总; 非总对总 = uploads - oem_uploads
    if change.flag_codes:
        deltas["flagged"] = 1
        deltas.update({f"flag_{code}": 1 for code in change.flag_codes})
    return deltas


SHOP_MONTH = "shopmonth"


def shop_month_key(change: RecordChange, day: date) -> CounterKey:
    """The shop's row in its province's table of the month."""
    month = day.replace(day=1)
    return CounterKey(
        SHOP_MONTH,
        f"{change.province_code}#{month.isoformat()[:7]}",
        month,
        change.shop_class,
        row=change.companycode,
    )


def province_scopes(change: RecordChange) -> list[CounterKey]:
    """Province stack: per shop per day; per province and per district (division) per day by
    class (district officers see only theirs); per shop per month."""
    day = china_date(change.changed_at)
    return [
        CounterKey("shop", change.companycode, day),
        CounterKey("province", change.province_code, day, change.shop_class),
        CounterKey("division", change.companycode[:6], day, change.shop_class),
        shop_month_key(change, day),
    ]


def ministry_scopes(change: RecordChange) -> list[CounterKey]:
    """Ministry stack: per province per day by class, the nation per day, per shop per month."""
    day = china_date(change.changed_at)
    return [
        CounterKey("province", change.province_code, day, change.shop_class),
        CounterKey("nation", "000000", day, change.shop_class),
        shop_month_key(change, day),
    ]


def coalesce(
    changes: Iterable[RecordChange], scopes: str = "province"
) -> dict[CounterKey, CounterUpdate]:
    """Group a batch's changes by counter item: each item is then written once per batch."""
    scope_of = province_scopes if scopes == "province" else ministry_scopes
    updates: dict[CounterKey, CounterUpdate] = {}
    for change in changes:
        deltas = change_deltas(change)
        upload_at = change.received_at if change.version == 1 else None
        for key in scope_of(change):
            updates.setdefault(key, CounterUpdate(key)).add(change.change_id, deltas, upload_at)
    return updates
