"""Writes the demo import spreadsheet (docs/samples/import-sample.xlsx and .csv).

Why: `make run`'s walk-through imports a file with good and bad rows and shows each row's
result; the file is generated from code so its VINs carry correct check digits and what each
row demonstrates is written down next to it. Run `python -m infra.samples` after changing it;
a functional test imports the files and checks every row's result.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from chalicelib.domain.vin import check_digit

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"
SHOP = "南京玄武示范汽车维修有限公司"
HEADER = [
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


def _vin(body: str) -> str:
    """A 17-character VIN with its GB 16735 check digit in place."""
    digit = check_digit(body[:8] + "0" + body[9:])
    assert digit is not None
    return body[:8] + digit + body[9:]


# (row as in HEADER, what it shows, the expected result). The formula row is XLSX only.
ROWS: list[tuple[list[str], str, str]] = [
    (
        [
            "JS-IMP-0001",
            _vin("LSVAU2180P2100001"),
            "苏A10001",
            SHOP,
            "2026-11-02",
            "35000",
            "20261102",
            "常规保养",
            "发动机油保养:1.5",
            "机油|N/A|4.5; 机油滤清器|B11.42.8.570.590|1",
        ],
        "a complete record, dates in both forms",
        "created",
    ),
    (
        [
            "JS-IMP-0002",
            _vin("LFV2A21K0N3100002"),
            "苏A10002",
            SHOP,
            "2026-11-03",
            "48210",
            "2026-11-04",
            "刹车异响",
            "更换前刹车片:2; 制动系统检查：0.5",
            "前刹车片|BP-01|1",
        ],
        "two repair items (half- and full-width colons)",
        "created",
    ),
    (
        [
            "JS-IMP-0003",
            "LSVAU2180N2183294",
            "苏A12345",
            SHOP,
            "2026-11-05",
            "41000",
            "2026-11-05",
            "空调不制冷",
            "空调系统检修:2",
            "",
        ],
        "the demo vehicle `make run` seeds (VIN with a wrong check digit): accepted, flagged,"
        " joins its history; labour only",
        "created",
    ),
    (
        [
            "JS-IMP-0004",
            "",
            "苏A10004",
            SHOP,
            "2026-11-06",
            "22000",
            "2026-11-06",
            "常规保养",
            "发动机油保养:1",
            "机油|N/A|4",
        ],
        "no VIN: refused at once",
        "error",
    ),
    (
        [
            "JS-IMP-0005",
            _vin("LGBH52E05N0100005"),
            "苏A10005",
            SHOP,
            "2026-11-08",
            "30500",
            "2026-11-07",
            "更换轮胎",
            "更换轮胎:1",
            "轮胎|205/55R16|2",
        ],
        "settled before its repair date: refused by the upload's own rule",
        "error",
    ),
    (
        [
            "JS-IMP-0006",
            _vin("LHGCR2650N8100006"),
            "苏A10006",
            SHOP,
            "2026-11-09",
            "12800",
            "2026-11-09",
            "发动机异响",
            "发动机检修:两小时",
            "",
        ],
        "labour hours that are not a number: refused at once",
        "error",
    ),
    (
        [
            "JS-IMP-0002",
            _vin("LSGPC52U0N6100007"),
            "苏A10007",
            SHOP,
            "2026-11-10",
            "9000",
            "2026-11-10",
            "常规保养",
            "发动机油保养:1",
            "机油|N/A|4",
        ],
        "the settlement number of row 3 again: refused",
        "error",
    ),
]
FORMULA_ROW: tuple[list[str], str, str] = (
    [
        "JS-IMP-0008",
        _vin("LVSHCAMB0NE100008"),
        "苏A10008",
        SHOP,
        "2026-11-11",
        "=1000*12",
        "2026-11-11",
        "常规保养",
        "发动机油保养:1",
        "机油|N/A|4",
    ],
    "a formula in the odometer cell: refused, naming the column",
    "error",
)


def sample_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row, _, _ in ROWS:
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sample_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "维修记录"
    sheet.append(HEADER)
    for row, _, _ in [*ROWS, FORMULA_ROW]:
        values: list[object] = list(row)
        values[5] = row[5] if row[5].startswith("=") else int(row[5])  # a real number cell
        sheet.append(values)
    for column in ("A", "B", "I", "J"):
        sheet.column_dimensions[column].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> int:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / "import-sample.csv").write_bytes(sample_csv())
    (SAMPLES / "import-sample.xlsx").write_bytes(sample_xlsx())
    print(f"wrote {SAMPLES}/import-sample.csv and import-sample.xlsx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
