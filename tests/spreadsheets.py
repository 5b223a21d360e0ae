"""Builders of import spreadsheets (CSV and XLSX) with unique settlement numbers and VINs."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.builders import DEMO_SHOP_NAME, unique_code, unique_plate, unique_vin

HEADER_ZH = [
    "结算清单编号",
    "车辆识别代码",
    "车牌号码",
    "企业名称",
    "送修日期",
    "送修里程",
    "结算日期",
    "故障描述",
    "维修项目",
    "配件",
]
HEADER_EN = [
    "Settlement number",
    "VIN",
    "Plate number",
    "Shop name",
    "Repair date",
    "Odometer",
    "Settlement date",
    "Fault description",
    "Repair items",
    "Parts",
]


def sheet_row(**overrides: Any) -> list[Any]:
    """One good data row in HEADER_ZH order; override a column by its English field name."""
    values: dict[str, Any] = {
        "settlement_list_code": unique_code("IM"),
        "vin": unique_vin(),
        "plate_number": unique_plate(),
        "company_name": DEMO_SHOP_NAME,
        "repair_date": "2024-03-01",
        "repair_mileage": "12000",
        "settlement_date": "20240302",
        "fault_description": "常规保养",
        "repair_items": "发动机油保养:1.5; 更换刹车片：2",
        "parts": "机油|N/A|4.5; 机油滤清器|B11.42|1",
    }
    values.update(overrides)
    return list(values.values())


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], raw_numbers: dict[float, str] | None = None) -> bytes:
    """A workbook whose first sheet holds the rows (a string starting with = is a formula).

    `raw_numbers` rewrites number cells in the sheet's XML: a cell holding the key is saved
    with the value's text, e.g. {4242.5: "1e999"} for a number openpyxl reads back as inf
    (a file written by another program may hold what openpyxl itself would never write).
    """
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not raw_numbers:
        return buffer.getvalue()
    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                for number, raw in raw_numbers.items():
                    data = data.replace(f"<v>{number!r}</v>".encode(), f"<v>{raw}</v>".encode())
            target.writestr(member, data)
    return rewritten.getvalue()
