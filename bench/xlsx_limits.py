"""`python -m bench.xlsx_limits`: what reading an import spreadsheet costs, legitimate or a bomb.

Why: the XLSX limits of `chalicelib/doors/portal/xlsx_archive.py` are set from these figures
(docs/assumptions.md keeps them). Each case is read by `read_rows`, what the portal's import
POST runs inside the API function, in a fresh interpreter, so that its peak memory is its own:
wall time, and peak RSS (`ru_maxrss`, what Lambda's memory limit counts) before and after.
Cases:
- the largest legitimate import: 5,000 rows (the import's row limit), each with a
  500-character fault description, 20 repair items and 30 parts, as Excel writes it (shared
  strings) and as openpyxl writes it (inline strings); at 4.9 MB it is over the 4 MB upload
  limit, so it is read here past that check, and 4,000 such rows (under 4 MB) are read too;
- the costliest workbooks the limits still let through: just under an element budget, with
  the kind of element openpyxl spends the most on (shared strings, the cells of one row;
  merged ranges, cell formats);
- issue 13's bomb (sharedStrings.xml of 63 MB repeated text), and the same with headers that
  lie (its part declared as 1 MB).
Nothing is asserted: timings are not test material. Prints one line per case.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
ROWS = 5_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, build in _cases().items():
            path = Path(folder) / f"{name}.xlsx"
            path.write_bytes(build())
            done = subprocess.run(
                [sys.executable, "-m", "bench.xlsx_limits", "--read", str(path)],
                cwd=PROJECT,
                capture_output=True,
                text=True,
                check=True,
            )
            print(f"{name:24} {done.stdout.strip()}", flush=True)


def _cases() -> dict[str, Callable[[], bytes]]:
    from tests.spreadsheets import long_cells_xlsx, with_declared_size, xlsx_bomb

    return {
        "legit 5000 rows, shared": long_cells_xlsx,
        "legit 5000 rows, inline": lambda: long_cells_xlsx(shared=False),
        "legit 4000 rows, shared": lambda: long_cells_xlsx(rows=4_000),
        "limit: shared strings": lambda: _just_under("strings"),
        "limit: one wide row": lambda: _just_under("row"),
        "limit: merged ranges": lambda: _just_under("merges"),
        "limit: cell formats": lambda: _just_under("formats"),
        "bomb 63 MB": xlsx_bomb,
        "bomb, lying header": lambda: with_declared_size(
            xlsx_bomb(), "xl/sharedStrings.xml", 1024 * 1024
        ),
    }


def _just_under(kind: str) -> bytes:
    """A workbook just under one element budget, filled with the kind of element that costs
    openpyxl the most of that budget: shared strings or one wide row (cells and strings),
    merged ranges or cell formats (the others). Text varies, so no part packs like a bomb."""
    from chalicelib.doors.portal.xlsx_archive import MAX_CELL_ELEMENTS, MAX_OTHER_ELEMENTS
    from tests.spreadsheets import MAIN_NS, workbook_parts, xlsx_bytes

    base = xlsx_bytes([["x"]])
    cells, others = MAX_CELL_ELEMENTS - 1_000, MAX_OTHER_ELEMENTS - 1_000
    row = b"<row><c><v>1</v></c></row>"
    namespace = MAIN_NS.encode()
    if kind == "strings":  # two elements a string
        strings = b"".join(b"<si><t>%x</t></si>" % (i * 7919) for i in range(cells // 2))
        return workbook_parts(base, b'<sst xmlns="%s">%s</sst>' % (namespace, strings))
    if kind == "formats":
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            styles = archive.read("xl/styles.xml")
        formats = b"".join(b'<xf numFmtId="%d" fontId="0"/>' % (i % 164) for i in range(others))
        styles = styles.replace(b'<cellXfs count="1">', b'<cellXfs count="1">' + formats)
        return _replaced(base, "xl/styles.xml", styles)
    if kind == "row":
        values = b"".join(b"<c><v>%d</v></c>" % (i * 7919) for i in range(cells // 2))
        data = b"<sheetData><row>%s</row></sheetData>" % values
    else:
        merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (i + 2, i + 2) for i in range(others))
        data = b"<sheetData>%s</sheetData><mergeCells>%s</mergeCells>" % (row, merges)
    return workbook_parts(base, None, b'<worksheet xmlns="%s">%s</worksheet>' % (namespace, data))


def _replaced(workbook: bytes, name: str, data: bytes) -> bytes:
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(
                member.filename, data if member.filename == name else source.read(member)
            )
    return packed.getvalue()


def _read(path: str) -> None:
    import time

    import chalicelib.doors.portal.spreadsheet as spreadsheet
    from chalicelib.doors.portal.spreadsheet import SpreadsheetError, read_rows

    data = Path(path).read_bytes()
    spreadsheet.MAX_FILE_BYTES = 8 * 1024 * 1024  # measured past the upload limit (see above)
    before = _peak_rss()
    started = time.perf_counter()
    try:
        outcome = f"read {len(read_rows('case.xlsx', data, ROWS)) - 1} rows"
    except SpreadsheetError as exc:
        outcome = f"refused: {exc.code}"
    seconds = time.perf_counter() - started
    after = _peak_rss()
    print(
        f"file {len(data) / 1e6:5.2f} MB, largest part {_largest(data):6.2f} MB: "
        f"{outcome:30} {seconds:6.2f} s, peak RSS {before:4.0f} → {after:4.0f} MiB"
    )


def _peak_rss() -> float:
    """This process's peak resident memory in MiB (VmHWM: ru_maxrss would carry over the
    parent's peak through fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def _largest(data: bytes) -> float:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return max(info.file_size for info in archive.infolist()) / 1e6


if __name__ == "__main__":
    if sys.argv[1:2] == ["--read"]:
        _read(sys.argv[2])
    else:
        main()
