"""Scorecard folds: error rate, timeliness, days and ISO weeks, and what to fix first."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.scorecard import advice, fold, month_range
from chalicelib.domain.statistics import DayCounts
from chalicelib.errors import ValidationFailedError


def _counter(day: str, **counts: int) -> DayCounts:
    return DayCounts(day, counts)


COUNTERS = [
    _counter("2024-03-04", uploads=4, flagged=1, flag_vin_check_digit=1, t_le_1h=3, t_gt_72h=1),
    _counter(
        "2024-03-06",
        uploads=6,
        flagged=3,
        flag_plate_format=2,
        flag_mileage_zero=1,
        t_le_24h=6,
        corrections=2,
        voids=1,
    ),
    _counter("2024-03-12", uploads=10, t_le_1h=10),
    _counter("2024-04-01", uploads=99),  # outside the range
]


def test_error_rate_is_flagged_over_uploads_and_timeliness_the_share_within_24_hours():
    _, total = fold(COUNTERS, date(2024, 3, 1), date(2024, 3, 31), "day")
    assert (total.uploads, total.flagged, total.on_time) == (20, 4, 19)
    assert total.error_rate == 0.2 and total.timeliness == 0.95
    assert (total.corrections, total.voids) == (2, 1)
    assert total.flags == {"vin_check_digit": 1, "plate_format": 2, "mileage_zero": 1}


def test_every_day_of_the_range_has_a_period_even_without_uploads():
    periods, _ = fold(COUNTERS, date(2024, 3, 4), date(2024, 3, 7), "day")
    assert [(p.start.day, p.uploads) for p in periods] == [(4, 4), (5, 0), (6, 6), (7, 0)]
    assert periods[1].error_rate is None and periods[1].timeliness is None


def test_weeks_start_on_monday_and_are_clipped_to_the_range():
    periods, _ = fold(COUNTERS, date(2024, 3, 6), date(2024, 3, 13), "week")
    assert [(p.start, p.end, p.uploads) for p in periods] == [
        (date(2024, 3, 6), date(2024, 3, 10), 6),
        (date(2024, 3, 11), date(2024, 3, 13), 10),
    ]


def test_what_to_fix_lists_the_most_frequent_flags_first_then_late_uploads():
    _, total = fold(COUNTERS, date(2024, 3, 1), date(2024, 3, 31), "day")
    assert advice(total) == ["plate_format", "mileage_zero", "vin_check_digit", "late_uploads"]
    _, empty = fold([], date(2024, 3, 1), date(2024, 3, 2), "day")
    assert advice(empty) == ["no_uploads"]
    _, clean = fold(
        [_counter("2024-03-02", uploads=2, t_le_1h=2)], date(2024, 3, 1), date(2024, 3, 2), "day"
    )
    assert advice(clean) == []


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-12", date(2023, 12, 1), date(2023, 12, 31)),
        ("2024-04", date(2024, 4, 1), date(2024, 4, 30)),
    ],
)
def test_a_month_is_its_calendar_days(month, first, last):
    assert month_range(month) == (first, last)


@pytest.mark.parametrize("month", ["2024-13", "2024-2", "2024-02-01", "", "abcd-ef"])
def test_a_month_not_written_yyyy_mm_is_refused(month):
    with pytest.raises(ValidationFailedError):
        month_range(month)
