"""Statistics folds: which counters a change adds to, timeliness buckets, coalescing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.statistics import RecordChange, change_deltas, coalesce, timeliness_bucket


def _change(version=1, status="active", flags=(), cc="320102000000001", received=None, rid="r1"):
    received = received or datetime(2024, 3, 2, 3, 0, tzinfo=UTC)  # 11:00 in China
    return RecordChange(
        record_id=rid,
        version=version,
        status=status,
        companycode=cc,
        shop_class="class_2",
        settlement_date=date(2024, 3, 2),
        received_at=received,
        changed_at=received,
        flag_codes=tuple(flags),
    )


@pytest.mark.parametrize(
    ("received_utc", "bucket"),
    [
        (datetime(2024, 3, 2, 15, 0, tzinfo=UTC), "t_le_1h"),  # 23:00 CST, settlement day
        (datetime(2024, 3, 2, 16, 30, tzinfo=UTC), "t_le_1h"),  # 00:30 CST next day
        (datetime(2024, 3, 3, 10, 0, tzinfo=UTC), "t_le_24h"),
        (datetime(2024, 3, 5, 10, 0, tzinfo=UTC), "t_le_72h"),
        (datetime(2024, 3, 9, 10, 0, tzinfo=UTC), "t_gt_72h"),
    ],
)
def test_timeliness_is_measured_from_the_end_of_the_settlement_day(received_utc, bucket):
    assert timeliness_bucket(date(2024, 3, 2), received_utc) == bucket


def test_an_upload_counts_its_bucket_and_each_flag():
    deltas = change_deltas(_change(flags=("vin_check_digit", "mileage_zero")))
    assert deltas == {
        "uploads": 1,
        "t_le_1h": 1,
        "flagged": 1,
        "flag_vin_check_digit": 1,
        "flag_mileage_zero": 1,
    }


def test_corrections_and_voids_count_as_such():
    assert change_deltas(_change(version=2)) == {"corrections": 1}
    assert change_deltas(_change(version=3, status="void")) == {"voids": 1}


def test_a_batch_writes_each_counter_once_with_every_change_behind_it():
    # Given three uploads of one shop on one day, and one of another shop
    changes = [_change(rid=f"r{i}") for i in range(3)] + [_change(cc="320102000000002", rid="x")]
    # When they are coalesced for the province stack
    updates = coalesce(changes, "province")
    # Then there is one item per shop-day, one per province-day-class, one per shop-month
    by_scope = {(k.scope, k.scope_id, k.row): u for k, u in updates.items()}
    month = next(k.scope_id for k in updates if k.scope == "shopmonth")
    assert set(by_scope) == {
        ("shop", "320102000000001", None),
        ("shop", "320102000000002", None),
        ("province", "320000", None),
        ("division", "320102", None),
        ("shopmonth", month, "320102000000001"),
        ("shopmonth", month, "320102000000002"),
    }
    by_scope = {(k.scope, k.scope_id): u for k, u in updates.items() if k.row is None}
    assert by_scope[("shop", "320102000000001")].totals()["uploads"] == 3
    assert by_scope[("province", "320000")].totals()["uploads"] == 4
    assert len(by_scope[("province", "320000")].contributions) == 4


def test_ministry_scopes_are_province_and_nation():
    updates = coalesce([_change()], "ministry")
    assert {(k.scope, k.scope_id.split("#")[0], k.shop_class) for k in updates} == {
        ("province", "320000", "class_2"),
        ("nation", "000000", "class_2"),
        ("shopmonth", "320000", "class_2"),
    }
