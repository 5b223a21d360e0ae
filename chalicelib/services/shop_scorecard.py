"""A shop's data-quality scorecard: uploads, error rate, timeliness and flags over time.

Why: a shop improves what it can see, and it should see what the regulator sees. The figures
come from the counters the stream aggregator keeps per shop per day, so reading a scorecard
costs one query, however many records the shop has. What is shared with the regulator is the
counting, not this service: the aggregator counts each record version once, with
`domain/statistics.change_deltas`, into both the shop's day item (read here) and the shop's
row of the province's month table (read by the console's error-rate page through
`MonitoringService.error_rates`), both keyed by the China day the version was received. So
over a calendar month (`month_range`, the portal's `?month=`) the uploads, flagged records,
error rate, timeliness, corrections and flag counts here are the console's row for the shop
(tests/functional/test_portal_scorecard.py compares the two pages); other ranges sum the same
counters over other days. No page concerns here: codes, counts and rates; the pages put them
into words.
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
