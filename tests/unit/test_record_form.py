"""The entry form ↔ RecordIn: errors land on the form row the clerk typed them in."""

from __future__ import annotations

from chalicelib.doors.kit.forms import parse_urlencoded
from chalicelib.doors.portal.record_form import add_rows, check, input_limits, posted


def _form(pairs):
    from urllib.parse import urlencode

    return posted(parse_urlencoded(urlencode(pairs)))


BASIC = [
    ("settlement_list_code", "A-1"),
    ("vin", "LSVAU2180N2183294"),
    ("company_name", "示范"),
    ("repair_date", "2024-03-01"),
    ("repair_mileage", "1000"),
    ("settlement_date", "2024-03-02"),
    ("fault_description", "常规保养"),
]


def test_blank_rows_are_ignored_and_errors_keep_their_form_row():
    # Given an empty first item row, a second without hours, and a part with a bad quantity
    record_form = _form(
        [*BASIC, ("item_name", ""), ("item_labour_hours", ""), ("item_name", "更换刹车片")]
        + [("item_labour_hours", ""), ("part_name", "机油"), ("part_code", "N/A")]
        + [("part_quantity", "0")]
    )
    # When it is checked
    assert check(record_form, "zh-CN") is None
    # Then the errors sit on form row 1 of the items (the body's item 0) and part row 0
    assert set(record_form.errors) == {"item.1.labour_hours", "part.0.quantity"}
    assert record_form.errors["part.0.quantity"] == "必须大于 0"


def test_a_complete_form_is_the_apis_record():
    record = check(_form([*BASIC, ("item_name", "保养"), ("item_labour_hours", "1")]), "en")
    assert record is not None and record.repair_mileage == 1000
    assert [i.name for i in record.repair_items] == ["保养"]


def test_a_correction_needs_its_reason():
    record_form = _form([*BASIC, ("item_name", "保养"), ("item_labour_hours", "1")])
    assert check(record_form, "en", reason_required=True) is None
    assert record_form.errors == {"correction_reason": "required"}


def test_add_rows_adds_three_blank_rows_up_to_the_schemas_limit():
    record_form = _form(BASIC)
    add_rows(record_form, "parts")
    assert len(record_form.parts) == 4 and record_form.errors == {}
    for _ in range(100):
        add_rows(record_form, "parts")
    assert len(record_form.parts) == 200


def test_input_limits_come_from_the_schema():
    limits = input_limits()
    assert limits["vin"]["max"] == 32 and limits["settlement_list_code"]["max"] == 50
    assert limits["item_labour_hours"]["step"] == "0.01"
    assert limits["part_quantity"]["step"] == "0.001"


def test_a_mileage_in_other_scripts_digits_is_refused_not_a_crash():
    for mileage in ("１２０００", "12²", "١٢٠"):
        record_form = _form([(k, mileage if k == "repair_mileage" else v) for k, v in BASIC])
        assert check(record_form, "en") is None
        assert "repair_mileage" in record_form.errors
