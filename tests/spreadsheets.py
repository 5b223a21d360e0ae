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


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORDS = (
    "发动机 机油 保养 更换 滤清器 空气 空调 制冷 刹车片 刹车盘 轮胎 动平衡 四轮定位 火花塞 "
    "变速箱 离合器 正时皮带 水泵 节温器 散热器 冷却液 蓄电池 发电机 起动机 雨刮 灯泡 "
    "前照灯 尾灯 异响 抖动 漏油 渗水 检查 调整 清洗 紧固 底盘 悬架 减震器 球头 摆臂 "
    "转向机 助力泵 排气管 三元催化 氧传感器 喷油嘴 节气门 积碳 故障灯 报警 仪表 线束 "
    "插头 保险丝 继电器 车门 玻璃 升降器 后视镜 座椅 安全带 气囊 方向盘 左前 右前 左后 右后"
).split()


def xlsx_bomb(unpacked_bytes: int = 63 * 1024 * 1024) -> bytes:
    """A small, valid workbook whose xl/sharedStrings.xml unpacks to about `unpacked_bytes`.

    The shape of issue 13's file (154 KB that unpacked to 63 MB): a header and one good row,
    plus a shared-strings part holding the same string over and over, which deflate packs
    about three hundred to one. openpyxl reads the whole part when it opens the workbook.
    """
    item = "<si><t>发动机油保养更换机油滤清器空气滤清器</t></si>".encode()
    count = unpacked_bytes // len(item)
    head = f'<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'.encode()
    return workbook_parts(xlsx_bytes([HEADER_ZH, sheet_row()]), head + item * count + b"</sst>")


def long_cells_xlsx(
    rows: int = 5_000, items: int = 20, parts: int = 30, shared: bool = True, seed: int = 13
) -> bytes:
    """The largest legitimate import: `rows` rows (the import's limit) with long cells.

    Every row has a 500-character fault description (its schema maximum), `items` repair items
    and `parts` parts. Written as Excel writes (every text once in sharedStrings.xml) or, with
    `shared=False`, as openpyxl and some DMS exports write (inline strings in the sheet). Text
    is drawn from maintenance words, so it packs about as well as a real settlement list.
    """
    import random

    rng = random.Random(seed)
    strings: dict[str, int] = {}

    def text(value: str) -> str:
        if not shared:
            return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c t="s"><v>{strings.setdefault(value, len(strings))}</v></c>'

    pool = "".join(rng.choices(_WORDS, k=100_000))  # ~290,000 characters of running text

    def words(chars: int) -> str:
        start = rng.randrange(len(pool) - chars)
        return pool[start : start + chars]

    def code(length: int) -> str:
        return f"{rng.getrandbits(4 * length):0{length}X}"

    sheet = ["<row>" + "".join(text(h) for h in HEADER_ZH) + "</row>"]
    for number in range(rows):
        repairs = (
            f"{words(rng.randrange(4, 13))}:{rng.randrange(1, 40) / 4}" for _ in range(items)
        )
        spares = (
            f"{words(rng.randrange(3, 9))}|{code(10)}|{rng.randrange(1, 9)}" for _ in range(parts)
        )
        cells = [
            text(f"JS-2024{number:06d}-{rng.randrange(10**8):08d}"),
            text("LSV" + code(14)),
            text("苏A" + code(5)),
            text(DEMO_SHOP_NAME),
            text("2024-03-01"),
            f"<c><v>{rng.randrange(1, 300_000)}</v></c>",
            text("2024-03-02"),
            text(words(500)),
            text("; ".join(repairs)),
            text("; ".join(spares)),
        ]
        sheet.append("<row>" + "".join(cells) + "</row>")
    sheet_xml = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{"".join(sheet)}</sheetData></worksheet>'
    if not shared:
        return workbook_parts(xlsx_bytes([["x"]]), None, sheet_xml.encode())
    texts = "".join(f"<si><t>{t}</t></si>" for t in strings)
    sst = (
        f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{texts}</sst>'
    )
    return workbook_parts(xlsx_bytes([["x"]]), sst.encode(), sheet_xml.encode())


def workbook_parts(
    workbook: bytes, shared_strings: bytes | None, sheet: bytes | None = None
) -> bytes:
    """The workbook with its first sheet's XML replaced and a sharedStrings.xml part added (as
    Excel writes one; openpyxl writes inline strings), deflated."""
    import zipfile

    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml" and shared_strings is not None:
                data = data.replace(b"</Types>", override + b"</Types>")
            if member.filename == "xl/worksheets/sheet1.xml" and sheet is not None:
                data = sheet
            target.writestr(member.filename, data)
        if shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
    return packed.getvalue()


def with_declared_size(data: bytes, member: str, declared: int) -> bytes:
    """The same zip, but its headers say `member` unpacks to `declared` bytes (a lying header).

    Both the member's local header and its central directory entry are rewritten; the data
    and its CRC are left as they are.
    """
    import struct
    import zipfile

    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
        directory = archive.start_dir  # type: ignore[attr-defined]
    name = member.encode()
    # Local file header: signature, then the uncompressed size at offset 22.
    assert patched[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", patched, info.header_offset + 22, declared)
    # Central directory entry: signature, uncompressed size at 24, the name at 46.
    entry = directory
    while patched[entry + 46 : entry + 46 + len(name)] != name:
        assert patched[entry : entry + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", patched, entry + 28)
        entry += 46 + name_length + extra_length + comment_length
    struct.pack_into("<I", patched, entry + 24, declared)
    return bytes(patched)
