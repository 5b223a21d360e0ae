"""Dates as a Chinese shop sees them: China Standard Time, UTC+8 all year (no DST).

Why: settlement dates are calendar dates in China; "not in the future" must be judged on the
China calendar, not on the server's UTC date, or uploads made between 00:00 and 08:00 CST
would be refused.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def china_date(moment: datetime) -> date:
    return moment.astimezone(CST).date()


def latest_allowed_date(now: datetime, clock_skew_seconds: int) -> date:
    """The latest date an upload may carry: today in China, allowing for a skewed client clock."""
    return china_date(now + timedelta(seconds=clock_skew_seconds))
