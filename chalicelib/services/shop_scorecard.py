"""A shop's data-quality scorecard: uploads, error rate, timeliness and flags over time.

Why: the shop sees in its portal exactly the figures the regulator console shows for it, so
both call this one service (no page concerns here: codes, counts and rates; the pages put
them into words). The figures come from the statistics the stream aggregator keeps per shop
per day, so reading a scorecard costs one query, however many records the shop has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.scorecard import Figures, Granularity, advice, fold
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.ports import StatsReader

MAX_DAYS = 366
SHOP_SCOPE = "shop"


@dataclass(frozen=True)
class FlagCount:
    code: str
    count: int
    share: float | None  # of the period's uploads


@dataclass(frozen=True)
class Scorecard:
    companycode: str
    date_from: date
    date_to: date
    granularity: Granularity
    periods: list[Figures]
    total: Figures
    flags: list[FlagCount]
    advice: list[str]  # flag codes, then "late_uploads"; or "no_uploads"
    last_upload_at: datetime | None


class ShopScorecardService:
    def __init__(self, stats: StatsReader) -> None:
        self._stats = stats

    def scorecard(
        self, companycode: str, date_from: date, date_to: date, granularity: Granularity = "day"
    ) -> Scorecard:
        """The shop's figures between two China calendar days (inclusive), per day or week.

        Days are the days the changes were received (as the statistics count them).

        Raises ValidationFailedError for a reversed range or one longer than MAX_DAYS days.
        """
        if date_to < date_from:
            raise ValidationFailedError(
                [FieldError("to", "not_before_from", "`to` must be on or after `from`")]
            )
        if (date_to - date_from).days >= MAX_DAYS:
            raise ValidationFailedError(
                [FieldError("from", "max_range", f"a scorecard covers at most {MAX_DAYS} days")]
            )
        counters = self._stats.day_counters(
            SHOP_SCOPE, companycode, date_from.isoformat(), date_to.isoformat()
        )
        periods, total = fold(counters, date_from, date_to, granularity)
        flags = [
            FlagCount(code, count, count / total.uploads if total.uploads else None)
            for code, count in sorted(total.flags.items(), key=lambda kv: (-kv[1], kv[0]))
            if count
        ]
        return Scorecard(
            companycode=companycode,
            date_from=date_from,
            date_to=date_to,
            granularity=granularity,
            periods=periods,
            total=total,
            flags=flags,
            advice=advice(total),
            last_upload_at=self._stats.last_upload(SHOP_SCOPE, companycode),
        )
