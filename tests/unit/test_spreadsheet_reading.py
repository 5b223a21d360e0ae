"""Reading uploaded spreadsheets: encodings, formulas, blank rows and the hard limits."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from chalicelib.doors.portal.spreadsheet import MAX_FILE_BYTES, Formula, SpreadsheetError, read_rows
from chalicelib.doors.portal.xlsx_archive import MAX_PART_BYTES
from tests.spreadsheets import csv_bytes, xlsx_bytes


def test_csv_in_utf8_with_bom_without_bom_and_gb18030_reads_the_same():
    rows = [["结算清单编号", "故障描述"], ["A-1", "空调不制冷"]]
    readings = [
        read_rows("a.csv", csv_bytes(rows, encoding), 10)
        for encoding in ("utf-8-sig", "utf-8", "gb18030")
    ]
    assert all([r.cells for r in reading] == [tuple(x) for x in rows] for reading in readings)


def test_blank_rows_are_skipped_but_row_numbers_stay_as_the_spreadsheet_shows_them():
    rows = read_rows("a.csv", csv_bytes([["h"], [""], ["x"], [" "], ["y"]]), 10)
    assert [(r.number, r.cells[0]) for r in rows] == [(1, "h"), (3, "x"), (5, "y")]


def test_xlsx_cells_keep_their_types_and_a_formula_is_never_evaluated():
    # Given a workbook with a date, a number and a formula
    data = xlsx_bytes([["h1", "h2", "h3"], [datetime(2024, 3, 1), 12000, "=SUM(1,2)"]])
    # When it is read
    header, row = read_rows("a.xlsx", data, 10)
    # Then the date and number keep their types and the formula comes back as a formula
    assert row.cells[:2] == (datetime(2024, 3, 1), 12000)
    assert row.cells[2] == Formula("=SUM(1,2)")


def test_one_row_over_the_limit_refuses_the_whole_file():
    rows = [["h"]] + [[str(i)] for i in range(11)]
    assert len(read_rows("a.csv", csv_bytes(rows[:11]), 10)) == 11
    with pytest.raises(SpreadsheetError) as refused:
        read_rows("a.csv", csv_bytes(rows), 10)
    assert (refused.value.code, refused.value.params) == ("too_many_rows", {"limit": 10})


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("a.csv", b"x" * (MAX_FILE_BYTES + 1), "too_large"),
        ("a.csv", b"  \r\n ", "empty"),
        ("a.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "old_excel"),
        ("a.xlsx", b"not a workbook", "unreadable"),
        ("a.xlsx", b"PK\x03\x04broken", "unreadable"),
        ("a.csv", "中文".encode("utf-16"), "unreadable"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_a_reason(name, data, code):
    with pytest.raises(SpreadsheetError) as refused:
        read_rows(name, data, 10)
    assert refused.value.code == code


def test_a_zip_that_unpacks_to_too_much_is_refused_before_it_is_opened():
    # Given an archive whose one member unpacks past the per-part limit
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_PART_BYTES + 1))
    # Then it is refused, naming the limit in MB
    with pytest.raises(SpreadsheetError) as refused:
        read_rows("bomb.xlsx", buffer.getvalue(), 10)
    assert (refused.value.code, refused.value.params) == ("unpacked_too_large", {"limit": 32})
