"""Reading an uploaded spreadsheet (XLSX or CSV) into rows of cell values, within hard limits.

Why: shops export their settlement lists from Excel. A spreadsheet is untrusted input: its size,
what it unpacks to (an XLSX is a zip: `xlsx_archive` checks every part before openpyxl opens
it), its row and column counts are bounded here before any row is looked at, and a file over
a limit is refused whole, never half-read. XLSX is
read with openpyxl in read-only mode and formulas are never evaluated: a formula cell comes
back as a `Formula`, which the import reports as an error of its row. CSV is read as UTF-8
(with or without BOM) or, failing that, GB18030 (what Chinese Excel writes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from chalicelib.doors.portal.xlsx_archive import ArchiveRefusedError, check_archive

MAX_FILE_BYTES = 4 * 1024 * 1024  # a Lambda request carries ≤ 6 MB, base64 costs a third
MAX_COLUMNS = 30
MAX_SCANNED_ROWS = 100_000  # blank rows included: a sheet cannot make us loop for long
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its text, never its (possibly stale) cached value."""

    text: str


CellValue = str | int | float | Decimal | date | datetime | bool | Formula | None


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet shows it, the first row is 1
    cells: tuple[CellValue, ...]


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported; nothing of it is used."""

    def __init__(self, code: str, **params: int | str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def read_rows(filename: str, data: bytes, max_data_rows: int) -> list[SheetRow]:
    """The non-empty rows of the first sheet (header included), in order.

    Raises SpreadsheetError: too_large, unreadable, old_excel, empty, too_many_rows, and for
    an XLSX archive_suspicious, unpacked_too_large or too_complex (`xlsx_archive`).
    """
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError("too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise SpreadsheetError("empty")
    if data.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise SpreadsheetError("old_excel")
    if data.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("unreadable")
    else:
        rows = _csv_rows(data)
    try:
        return _non_empty(rows, max_data_rows)
    finally:
        rows.close()  # an XLSX reader holds the workbook open until closed


def _non_empty(rows: Iterator[SheetRow], max_data_rows: int) -> list[SheetRow]:
    kept: list[SheetRow] = []
    for row in rows:
        if row.number > MAX_SCANNED_ROWS:
            raise SpreadsheetError("too_many_rows", limit=max_data_rows)
        if all(_blank(v) for v in row.cells):
            continue
        kept.append(row)
        if len(kept) > max_data_rows + 1:  # the header row and one row too many
            raise SpreadsheetError("too_many_rows", limit=max_data_rows)
    if not kept:
        raise SpreadsheetError("empty")
    return kept


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_rows(data: bytes) -> Generator[SheetRow, None, None]:
    try:
        check_archive(data)
    except ArchiveRefusedError as exc:
        raise SpreadsheetError(exc.code, limit=exc.limit) from exc
    from openpyxl import load_workbook  # imported here: only imports need it

    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError("unreadable") from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("empty")
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            yield SheetRow(number, tuple(_xlsx_value(c) for c in cells))
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError("unreadable") from exc
    finally:
        workbook.close()


def _xlsx_value(cell: object) -> CellValue:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    if isinstance(value, str | int | float | Decimal | date | datetime | bool) or value is None:
        return value
    return str(value)  # rich text and other cell objects read as their text


def _csv_rows(data: bytes) -> Generator[SheetRow, None, None]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        for number, cells in enumerate(reader, start=1):
            yield SheetRow(number, tuple(cells[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise SpreadsheetError("unreadable") from exc


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError("unreadable") from exc
