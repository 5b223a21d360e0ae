"""Record rules: dates, flags, content hash and the derived record id."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from chalicelib.domain.china_time import latest_allowed_date
from chalicelib.domain.record import (
    EarlierReading,
    Part,
    RecordContent,
    RepairItem,
    check_dates,
    quality_flags,
    record_id_for,
)


def _content(**overrides):
    values = {
        "vin": "1M8GDM9AXKP042788",
        "plate_number": "苏A12345",
        "company_name": "示范维修厂",
        "repair_date": date(2024, 3, 1),
        "repair_mileage": 1000,
        "settlement_date": date(2024, 3, 2),
        "fault_description": "保养",
        "settlement_list_code": "A-1",
        "repair_items": (RepairItem("保养", Decimal("1.50")),),
        "parts": (Part("机油", "N/A", Decimal("4.0")),),
    }
    values.update(overrides)
    return RecordContent(**values)


def test_settlement_before_repair_is_an_error():
    errors = check_dates(_content(repair_date=date(2024, 3, 5)), date(2030, 1, 1))
    assert [(e.field, e.rule) for e in errors] == [("settlement_date", "not_before_repair_date")]


def test_future_dates_are_errors_on_the_china_calendar():
    # Given 2024-03-01 20:00 UTC, which is already 2024-03-02 04:00 in China
    now = datetime(2024, 3, 1, 20, 0, tzinfo=UTC)
    latest = latest_allowed_date(now, clock_skew_seconds=0)
    # Then a record settled on 2024-03-02 is not in the future, one on 03-03 is
    assert latest == date(2024, 3, 2)
    assert check_dates(_content(), latest) == []
    tomorrow = _content(repair_date=date(2024, 3, 3), settlement_date=date(2024, 3, 3))
    assert {e.rule for e in check_dates(tomorrow, latest)} == {"not_in_future"}


def test_dates_before_1990_are_errors():
    old = _content(repair_date=date(1989, 12, 31), settlement_date=date(1989, 12, 31))
    assert {e.rule for e in check_dates(old, date(2030, 1, 1))} == {"minimum"}


def test_equal_content_has_equal_hash_whatever_the_decimal_spelling():
    a = _content()
    b = _content(
        repair_items=(RepairItem("保养", Decimal("1.5")),),
        parts=(Part("机油", "N/A", Decimal("4")),),
    )
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != _content(repair_mileage=1001).content_hash()


def test_content_round_trips_through_its_dict():
    content = _content(plate_color="蓝")
    assert RecordContent.from_dict(content.to_dict()).content_hash() == content.content_hash()


def test_rollback_flag_names_the_earlier_reading():
    earlier = EarlierReading(mileage=5000, settlement_date=date(2024, 1, 1), record_id="r1")
    flags = quality_flags(_content(), registered_name="示范维修厂", earlier=earlier)
    assert [f.code for f in flags] == ["mileage_rollback"]
    assert flags[0].detail["previous_settlement_date"] == "2024-01-01"


def test_higher_mileage_than_earlier_is_fine_and_zero_is_flagged():
    earlier = EarlierReading(mileage=500, settlement_date=date(2024, 1, 1), record_id="r1")
    assert quality_flags(_content(), registered_name="示范维修厂", earlier=earlier) == []
    zero = quality_flags(_content(repair_mileage=0), registered_name="示范维修厂", earlier=earlier)
    assert [f.code for f in zero] == ["mileage_zero"]


def test_company_name_compare_ignores_spaces_and_bracket_width():
    flags = quality_flags(
        _content(company_name="示范 维修厂（南京）"),
        registered_name="示范维修厂(南京)",
        earlier=None,
    )
    assert flags == []


def test_record_id_depends_on_shop_and_settlement_number_only():
    assert record_id_for("320102000000001", "A-1") == record_id_for("320102000000001", "A-1")
    assert record_id_for("320102000000001", "A-1") != record_id_for("320102000000002", "A-1")
    assert len(record_id_for("320102000000001", "A-1")) == 32
