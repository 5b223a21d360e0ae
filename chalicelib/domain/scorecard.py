"""A shop's data-quality figures over time, folded from its daily statistics counters.

Why: the shop portal shows a shop the figures the regulator works with (digest §1.7
monitoring: 期间上传数, 错误记录数, 错误率; timeliness 及时率), with the console's definitions:
error rate = flagged uploads / uploads, timeliness = share of uploads received within 24 h of
the end of the settlement day (`statistics.ON_TIME_BUCKETS`, which the console uses too), per
day, per ISO week (Monday first) or over a calendar month (`month_range`).
Days without a counter item count as zero, so a gap in uploading shows as a gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from chalicelib.domain.statistics import ON_TIME_BUCKETS, TIMELINESS_BUCKETS, DayCounts
from chalicelib.errors import FieldError, ValidationFailedError

Granularity = Literal["day", "week"]
FLAG_PREFIX = "flag_"
ADVICE_LATE = "late_uploads"
ADVICE_NONE = "no_uploads"


@dataclass
class Figures:
    """The counts of one period (a day, a week or the whole range)."""

    start: date
    end: date
    uploads: int = 0
    corrections: int = 0
    voids: int = 0
    flagged: int = 0
    buckets: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def on_time(self) -> int:
        return sum(self.buckets.get(b, 0) for b in ON_TIME_BUCKETS)

    @property
    def error_rate(self) -> float | None:
        """错误率: flagged uploads / uploads (None without uploads)."""
        return self.flagged / self.uploads if self.uploads else None

    @property
    def timeliness(self) -> float | None:
        """及时率: uploads received within 24 h / uploads (None without uploads)."""
        return self.on_time / self.uploads if self.uploads else None

    def add(self, counter: DayCounts) -> None:
        counts = counter.counts
        self.uploads += counts.get("uploads", 0)
        self.corrections += counts.get("corrections", 0)
        self.voids += counts.get("voids", 0)
        self.flagged += counts.get("flagged", 0)
        for bucket in TIMELINESS_BUCKETS:
            self.buckets[bucket] = self.buckets.get(bucket, 0) + counts.get(bucket, 0)
        for name, value in counts.items():
            if name.startswith(FLAG_PREFIX):
                code = name[len(FLAG_PREFIX) :]
                self.flags[code] = self.flags.get(code, 0) + value


def month_range(month: str) -> tuple[date, date]:
    """The first and last day of a calendar month written YYYY-MM.

    Raises ValidationFailedError for anything else.
    """
    try:
        first = date.fromisoformat(f"{month}-01") if len(month) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise ValidationFailedError([FieldError("month", "format", "a month is YYYY-MM")])
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period_start(day: date, granularity: Granularity) -> date:
    return day - timedelta(days=day.weekday()) if granularity == "week" else day


def fold(
    counters: Iterable[DayCounts],
    date_from: date,
    date_to: date,
    granularity: Granularity,
) -> tuple[list[Figures], Figures]:
    """Per-period figures (oldest first, every period of the range) and the range's total."""
    periods: dict[date, Figures] = {}
    day = date_from
    while day <= date_to:
        start = period_start(day, granularity)
        if start not in periods:
            end = start + timedelta(days=6 if granularity == "week" else 0)
            periods[start] = Figures(max(start, date_from), min(end, date_to))
        day += timedelta(days=1)
    total = Figures(date_from, date_to)
    for counter in counters:
        counter_day = date.fromisoformat(counter.day)
        if not date_from <= counter_day <= date_to:
            continue
        periods[period_start(counter_day, granularity)].add(counter)
        total.add(counter)
    return [periods[k] for k in sorted(periods)], total


def advice(total: Figures) -> list[str]:
    """What the shop should fix, most frequent first: flag codes, then late uploads."""
    if not total.uploads:
        return [ADVICE_NONE]
    codes = [c for c, n in sorted(total.flags.items(), key=lambda kv: (-kv[1], kv[0])) if n]
    if total.on_time < total.uploads:
        codes.append(ADVICE_LATE)
    return codes
