"""The import layout: headers in two languages, in-cell lists, dates, and the API's rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from chalicelib.doors.portal.import_layout import (
    LayoutError,
    check_rows,
    column_letter,
    header_columns,
)
from chalicelib.doors.portal.spreadsheet import Formula, SheetRow
from tests.spreadsheets import HEADER_EN, HEADER_ZH, sheet_row

REGISTERED = "南京玄武示范汽车维修有限公司"


def _check(*rows, header=HEADER_ZH):
    sheet = [SheetRow(1, tuple(header))]
    sheet += [SheetRow(n, tuple(r)) for n, r in enumerate(rows, start=2)]
    return check_rows(sheet, REGISTERED)


def test_a_good_row_becomes_the_apis_record_content():
    # Given a row with in-cell items (half- and full-width separators) and parts
    [checked] = _check(
        sheet_row(repair_items="发动机油保养:1.5；更换刹车片：2", vin=" lsvau2180n2183294 ")
    )
    # Then it is the content the REST door would have made of the same record
    assert checked.uploadable and checked.errors == ()
    content = checked.content
    assert content.vin == "LSVAU2180N2183294"
    assert [(i.name, i.labour_hours) for i in content.repair_items] == [
        ("发动机油保养", Decimal("1.5")),
        ("更换刹车片", Decimal("2")),
    ]
    assert [(p.name, p.code, p.quantity) for p in content.parts] == [
        ("机油", "N/A", Decimal("4.5")),
        ("机油滤清器", "B11.42", Decimal("1")),
    ]
    assert (content.repair_date, content.settlement_date) == (date(2024, 3, 1), date(2024, 3, 2))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        (datetime(2024, 3, 1), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        (20240301, date(2024, 3, 1)),
    ],
)
def test_dates_in_every_accepted_form(cell, expected):
    [checked] = _check(sheet_row(repair_date=cell, settlement_date="2024-03-02"))
    assert checked.content.repair_date == expected


def test_numbers_typed_as_numbers_lose_excels_decimal_point():
    [checked] = _check(sheet_row(settlement_list_code=20181113411166.0, repair_mileage=12000.0))
    assert checked.content.settlement_list_code == "20181113411166"
    assert checked.content.repair_mileage == 12000


def test_an_empty_shop_name_means_the_registered_name():
    [checked] = _check(sheet_row(company_name=None))
    assert checked.content.company_name == REGISTERED


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"vin": ""}, "vin", "required"),
        ({"repair_date": "2024-02-30"}, "repair_date", "date"),
        ({"repair_date": "03/01/2024"}, "repair_date", "format"),
        ({"repair_mileage": "12000.5"}, "repair_mileage", "type"),
        ({"repair_mileage": "１２０００"}, "repair_mileage", "type"),
        ({"repair_mileage": "12²"}, "repair_mileage", "type"),
        ({"repair_items": "更换刹车片"}, "repair_items.0.labour_hours", "required"),
        ({"repair_items": "更换刹车片:1.555"}, "repair_items.0.labour_hours", "decimal_places"),
        ({"parts": "机油|N/A"}, "parts.0.quantity", "required"),
        ({"parts": "机油|N/A|1|多余"}, "parts.0.extra", "unknown_field"),
        ({"settlement_list_code": "A" * 51}, "settlement_list_code", "max_length"),
    ],
)
def test_a_bad_row_carries_the_apis_field_and_rule(overrides, field, rule):
    [checked] = _check(sheet_row(**overrides))
    assert not checked.uploadable
    assert (field, rule) in {(e.field, e.rule) for e in checked.errors}


def test_a_formula_cell_is_an_error_of_its_row_naming_the_column():
    row = sheet_row()
    row[5] = Formula("=1000*12")
    [checked] = _check(row)
    assert not checked.uploadable
    assert [(e.field, e.rule, e.message) for e in checked.errors] == [
        ("repair_mileage", "formula", "F")
    ]


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("repair_mileage", float("inf")),  # openpyxl reads a cell of 1e999 as inf
        ("repair_mileage", float("-inf")),
        ("repair_mileage", float("nan")),
        ("repair_mileage", Decimal("Infinity")),
        ("repair_mileage", Decimal("NaN")),
        ("repair_mileage", 1e15),  # past Excel's 15 digits: not the number typed
        ("settlement_list_code", float("inf")),  # once stored as the settlement number "inf"
        ("settlement_list_code", 1.2345678901234567e19),
        ("fault_description", float("nan")),
    ],
)
def test_a_number_cell_that_is_not_a_usable_number_is_an_error_naming_its_column(column, cell):
    # Given a row whose cell holds an infinite, NaN or too-large number
    row = sheet_row(**{column: cell})
    # When it is checked
    [checked] = _check(row)
    # Then the row is refused, naming the field and the column letter, without a crash
    letter = "ABCDEFGHIJ"[HEADER_ZH.index(_HEADER_OF[column])]
    assert not checked.uploadable
    assert (column, "number_unusable", letter) in {
        (e.field, e.rule, e.message) for e in checked.errors
    }


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"repair_items": "保养:1e999"}, "repair_items.0.labour_hours", "maximum"),
        ({"repair_items": "保养:inf"}, "repair_items.0.labour_hours", "finite_number"),
        ({"repair_items": "保养:NaN"}, "repair_items.0.labour_hours", "finite_number"),
        ({"repair_items": "保养:1e-999999999"}, "repair_items.0.labour_hours", "decimal_places"),
        ({"parts": "机油|N/A|1e999"}, "parts.0.quantity", "maximum"),
        ({"parts": "机油|N/A|-inf"}, "parts.0.quantity", "finite_number"),
        ({"parts": "机油|N/A|nan"}, "parts.0.quantity", "finite_number"),
    ],
)
def test_hours_and_quantities_in_list_cells_are_bounded_finite_numbers(overrides, field, rule):
    # Given labour hours or a part quantity written as an absurd or non-finite number
    # When the row is checked
    [checked] = _check(sheet_row(**overrides))
    # Then the schema refuses that item's field (the cells are text, read by RecordIn)
    assert not checked.uploadable
    assert (field, rule) in {(e.field, e.rule) for e in checked.errors}


_HEADER_OF = {
    "repair_mileage": "送修里程",
    "settlement_list_code": "结算清单编号",
    "fault_description": "故障描述",
}


def test_english_headers_and_api_names_in_any_order_are_understood():
    columns = header_columns(SheetRow(1, tuple(reversed(HEADER_EN))))
    assert columns[0].field == "parts" and columns[9].field == "settlement_list_code"
    names = ("vin", "settlement_list_code", "plate_number", "repair_date", "repair_mileage")
    names += ("settlement_date", "fault_description", "repair_items", "parts")
    assert {c.field for c in header_columns(SheetRow(1, names)).values()} == set(names)


@pytest.mark.parametrize(
    ("header", "code", "columns"),
    [
        ([*HEADER_ZH, "备注"], "header_unknown", ["K「备注」"]),
        (HEADER_ZH[1:], "header_missing", ["结算清单编号"]),
        ([*HEADER_ZH, "vin"], "header_repeated", ["车辆识别代码"]),
    ],
)
def test_a_header_that_does_not_fit_is_refused(header, code, columns):
    with pytest.raises(LayoutError) as refused:
        header_columns(SheetRow(1, tuple(header)))
    assert (refused.value.code, refused.value.columns) == (code, columns)


def test_column_letters_follow_excel():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]
