"""Files the import page hands out: templates (XLSX, CSV) and the per-row results (CSV).

Why: a clerk starts from a template with the right headers and cell formats, and keeps the
results of an import as a file, which reads like the page (words in the page's language; each
flag's code kept after its words, for whoever filters the file). CSVs are UTF-8 with a BOM,
which Excel needs to show Chinese correctly; any cell that Excel could read as a formula
(=, +, -, @) is written with a leading apostrophe, so a downloaded file can never run anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from chalicelib.domain.record_import import RowOutcome
from chalicelib.doors.portal.import_layout import COLUMNS, Column
from chalicelib.doors.portal.record_messages import hint

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
_TEXT_COLUMNS = ("settlement_list_code", "vin", "plate_number")
_DATE_COLUMNS = ("repair_date", "settlement_date")


def header_of(column: Column, lang: str) -> str:
    return column.zh if lang == "zh-CN" else column.en


def template_csv(lang: str) -> bytes:
    return _csv([[header_of(c, lang) for c in COLUMNS]])


def template_xlsx(lang: str) -> bytes:
    """A workbook: the records sheet (headers, text and date formats) and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "维修记录" if lang == "zh-CN" else "Records"
    sheet.append([header_of(c, lang) for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 24 if column.field in _TEXT_COLUMNS else 18
        sheet.cell(row=1, column=index).font = Font(bold=True)
        # Formats for the first rows a clerk fills: long numbers stay text, dates stay dates.
        fmt = "@" if column.field in _TEXT_COLUMNS else None
        fmt = "yyyy-mm-dd" if column.field in _DATE_COLUMNS else fmt
        for row in range(2, 502) if fmt else ():
            sheet.cell(row=row, column=index).number_format = fmt
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明" if lang == "zh-CN" else "Instructions")
    notes.append(
        ["列名", "英文列名", "必填", "填写说明", "示例"]
        if lang == "zh-CN"
        else ["Column", "Chinese header", "Required", "What to enter", "Example"]
    )
    for column in COLUMNS:
        other = column.en if lang == "zh-CN" else column.zh
        required = ("是" if lang == "zh-CN" else "yes") if column.required else ""
        notes.append(
            [header_of(column, lang), other, required, hint(column.field, lang), column.example]
        )
    for letter, width in zip("ABCDE", (18, 20, 8, 60, 36), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def results_csv(
    outcomes: Iterable[RowOutcome],
    texts: dict[str, str],
    reason: Callable[[RowOutcome], str],
    flags: Callable[[RowOutcome], str],
) -> bytes:
    """The per-row results as the page shows them: results, flags and reasons in words."""
    header = [
        texts["row"],
        texts["settlement_list_code_short"],
        texts["result"],
        texts["record_id"],
        texts["version"],
        texts["flags"],
        texts["error_reason"],
    ]
    rows = [header]
    for outcome in outcomes:
        rows.append(
            [
                str(outcome.row),
                outcome.settlement_list_code,
                texts.get(outcome.result, outcome.result),
                outcome.record_id or "",
                str(outcome.version or ""),
                flags(outcome),
                reason(outcome),
            ]
        )
    return _csv(rows)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_inert(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _inert(cell: str) -> str:
    """A cell Excel would take for a formula gets a leading apostrophe (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
