"""The spreadsheet layout of a record import: columns, in-cell lists, and each row → RecordIn.

Why: a shop's spreadsheet is one more front door, like the REST API and the national
interface. Each row is turned into the API's own `RecordIn` and checked by it, so the rules
are the API's; only the layout is decided here (README, "Spreadsheet import"):
- one row per settlement list; the first non-empty row is the header, in Chinese or English
  (or the API's field names), in any column order;
- repair items in one cell, `名称:工时; 名称:工时` (full-width ：；also accepted);
- parts in one cell, `名称|编码|数量; …` (｜ accepted);
- dates as YYYY-MM-DD, YYYYMMDD, YYYY/M/D or real Excel dates;
- an empty shop name means the registered name; a formula in any cell is an error of its row;
- a number cell that is not a usable number (infinite or NaN: openpyxl reads `1e999` as inf;
  or 1e15 and beyond, past the 15 digits Excel keeps, so not the digits the clerk typed) is an
  error of its row naming the column, never a crash and never text like "inf".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.record_import import CheckedRow
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.record_models import RecordIn
from chalicelib.doors.portal.spreadsheet import CellValue, Formula, SheetRow
from chalicelib.errors import FieldError, ValidationFailedError


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    required: bool
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("settlement_list_code", "结算清单编号", "Settlement number", True, "JS-20241101-001"),
    Column("vin", "车辆识别代码", "VIN", True, "LSVAU2180N2183294"),
    Column("plate_number", "车牌号码", "Plate number", True, "苏A12345"),
    Column("plate_color", "车牌颜色", "Plate colour", False, "蓝"),
    Column("company_name", "企业名称", "Shop name", False, ""),
    Column("repair_date", "送修日期", "Repair date", True, "2024-11-01"),
    Column("repair_mileage", "送修里程", "Odometer", True, "12000"),
    Column("settlement_date", "结算日期", "Settlement date", True, "2024-11-02"),
    Column("fault_description", "故障描述", "Fault description", True, "常规保养"),
    Column("repair_items", "维修项目", "Repair items", True, "发动机油保养:1.5; 更换刹车片:2"),
    Column("parts", "配件", "Parts", True, "机油|N/A|4.5; 机油滤清器|B11.42|1"),
    Column("correction_reason", "更正原因", "Correction reason", False, ""),
)
_DATE_FIELDS = ("repair_date", "settlement_date")
_TEXT_FIELDS = (
    "settlement_list_code",
    "vin",
    "plate_number",
    "plate_color",
    "company_name",
    "fault_description",
    "correction_reason",
)
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_LIST_SEPARATORS = re.compile(r"[;；\n]")
MAX_EXACT_NUMBER = 1e15  # Excel keeps 15 significant digits; beyond, the digits are not typed


class LayoutError(Exception):
    """The header row does not fit the layout: the file is refused as a whole."""

    def __init__(self, code: str, columns: list[str]) -> None:
        super().__init__(code)
        self.code = code
        self.columns = columns


def _header_key(text: str) -> str:
    return re.sub(r"[\s_()（）*]", "", text).lower()


_BY_HEADER: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.zh, _column.en, _column.field):
        _BY_HEADER[_header_key(_name)] = _column


def header_columns(header: SheetRow) -> dict[int, Column]:
    """Cell index → column, from the header row. Raises LayoutError."""
    found: dict[int, Column] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header.cells):
        text = "" if cell is None or isinstance(cell, Formula) else str(cell).strip()
        if not text:
            continue
        column = _BY_HEADER.get(_header_key(text))
        if column is None:
            unknown.append(f"{column_letter(index)}「{text[:30]}」")
        else:
            found[index] = column
    if unknown:
        raise LayoutError("header_unknown", unknown)
    seen: dict[str, int] = {}
    for column in found.values():
        seen[column.field] = seen.get(column.field, 0) + 1
    repeated = [c.zh for c in COLUMNS if seen.get(c.field, 0) > 1]
    if repeated:
        raise LayoutError("header_repeated", repeated)
    missing = [c.zh for c in COLUMNS if c.required and c.field not in seen]
    if missing:
        raise LayoutError("header_missing", missing)
    return found


def check_rows(rows: list[SheetRow], registered_name: str) -> list[CheckedRow]:
    """Every data row checked by the API's schema (the first row is the header).

    Raises LayoutError for a header that does not fit, or a file with no data rows.
    """
    columns = header_columns(rows[0])
    if len(rows) < 2:
        raise LayoutError("file_no_rows", [])
    return [check_row(row, columns, registered_name) for row in rows[1:]]


def check_row(row: SheetRow, columns: dict[int, Column], registered_name: str) -> CheckedRow:
    data: dict[str, Any] = {}
    refused: list[FieldError] = []  # cells refused before the schema: formulas, bad numbers
    for index, column in columns.items():
        cell = row.cells[index] if index < len(row.cells) else None
        if isinstance(cell, Formula):
            refused.append(FieldError(column.field, "formula", column_letter(index)))
            continue
        if _unusable_number(cell):
            refused.append(FieldError(column.field, "number_unusable", column_letter(index)))
            continue
        value = _field_value(column.field, cell)
        if value is not None:
            data[column.field] = value
    data.setdefault("company_name", registered_name)
    code = str(data.get("settlement_list_code", ""))[:50]
    try:
        record: RecordIn = parse(RecordIn, data)
    except ValidationFailedError as exc:
        failing = {f.field for f in refused}
        errors = refused + [e for e in exc.errors if e.field.split(".")[0] not in failing]
        return CheckedRow(row.number, code, errors=tuple(errors))
    if refused:
        return CheckedRow(row.number, code, errors=tuple(refused))
    return CheckedRow(
        row.number, record.settlement_list_code, record.to_content(), record.correction_reason
    )


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _unusable_number(cell: CellValue) -> bool:
    """A float or Decimal cell that is infinite, NaN, or too large to hold the typed digits."""
    if isinstance(cell, Decimal):
        return not cell.is_finite() or abs(cell) >= Decimal(MAX_EXACT_NUMBER)
    if isinstance(cell, float):
        return not math.isfinite(cell) or abs(cell) >= MAX_EXACT_NUMBER
    return False


def _field_value(field: str, cell: CellValue) -> Any:
    """A cell as the value RecordIn expects for the field; None for an empty cell."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return [] if field in ("repair_items", "parts") else None
    if field in _DATE_FIELDS:
        return _date_value(cell)
    if field == "repair_mileage":
        return _mileage_value(cell)
    if field == "repair_items":
        return _items(_text(cell))
    if field == "parts":
        return _parts(_text(cell))
    return _text(cell)


def _text(cell: CellValue) -> str:
    """A cell as text; whole numbers lose Excel's `.0` (a settlement number typed as a number)."""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def _date_value(cell: CellValue) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = _text(cell)
    for pattern in (_DATE_TEXT, _COMPACT_DATE):
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return text
    return text


def _mileage_value(cell: CellValue) -> Any:
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():  # False for inf and NaN
        return int(cell)
    if isinstance(cell, Decimal) and cell.is_finite() and cell == cell.to_integral_value():
        return int(cell)
    text = _text(cell).replace(",", "").replace("，", "").replace(" ", "")
    # Only ASCII digits make a number (as on every route); "１２０００" or "²" is refused.
    return int(text) if text.isascii() and text.isdigit() else text


def _items(text: str) -> list[dict[str, str]]:
    items = []
    for entry in _entries(text):
        name, separator, hours = entry.replace("：", ":").rpartition(":")
        if not separator:
            items.append({"name": entry})
        else:
            items.append({"name": name.strip(), "labour_hours": hours.strip()})
    return items


def _parts(text: str) -> list[dict[str, str]]:
    parts = []
    for entry in _entries(text):
        fields = [f.strip() for f in entry.replace("｜", "|").split("|")]
        part = dict(zip(("name", "code", "quantity"), fields, strict=False))
        if len(fields) > 3:
            part["extra"] = "|".join(fields[3:])  # refused by the schema as an unknown field
        parts.append(part)
    return parts


def _entries(text: str) -> list[str]:
    return [e.strip() for e in _LIST_SEPARATORS.split(text) if e.strip()]
