"""The demo vehicle and complaint `make run` loads through the real APIs, so a newcomer can
look the vehicle up and handle the complaint in the console.

Why: the consumer page, the evaluation and the complaint flows need a vehicle with history, and
the regulator console needs a complaint to handle. Uploading over HTTP (not writing items)
means the data takes the path every DMS and every owner takes: the records are validated,
flagged, chained and forwarded to the ministry by the stream pollers; the complaint is proved
against the record, gets its code and its photo voucher is checked and stored.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

DEMO_VIN = "LSVAU2180N2183294"
DEMO_PLATE = "苏A12345"
DEMO_SETTLEMENT_NUMBERS = ("JS-DEMO-0001", "JS-DEMO-0002", "JS-DEMO-0003")
DEMO_COMPLAINT_TEXT = "3号结算单的里程（33000公里）比6月份保养时还低，记录可能录错了，请核实。"


def _post(url: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def demo_records(company_name: str) -> list[dict[str, Any]]:
    """Three visits: a service, a brake job later corrected, and a lower odometer reading."""
    common = {"vin": DEMO_VIN, "plate_number": DEMO_PLATE, "company_name": company_name}
    return [
        {
            **common,
            "repair_date": "2024-03-01",
            "settlement_date": "2024-03-02",
            "repair_mileage": 30000,
            "fault_description": "常规保养",
            "settlement_list_code": DEMO_SETTLEMENT_NUMBERS[0],
            "repair_items": [{"name": "发动机油保养", "labour_hours": 1.5}],
            "parts": [
                {"name": "机油", "code": "N/A", "quantity": "4.5"},
                {"name": "机油滤清器", "code": "B11.42.8.570.590", "quantity": "1"},
            ],
        },
        {
            **common,
            "repair_date": "2024-06-10",
            "settlement_date": "2024-06-10",
            "repair_mileage": 36000,
            "fault_description": "刹车异响",
            "settlement_list_code": DEMO_SETTLEMENT_NUMBERS[1],
            "repair_items": [{"name": "更换前刹车片", "labour_hours": 2}],
            "parts": [{"name": "前刹车片", "code": "BP-0102", "quantity": "1"}],
        },
        {
            **common,
            "repair_date": "2024-09-20",
            "settlement_date": "2024-09-21",
            "repair_mileage": 33000,
            "fault_description": "空调不制冷",
            "settlement_list_code": DEMO_SETTLEMENT_NUMBERS[2],
            "repair_items": [{"name": "空调系统检修", "labour_hours": 2.5}],
            "parts": [{"name": "R134a 制冷剂", "code": "AC-134A", "quantity": "0.6"}],
        },
    ]


def seed_demo_vehicle(base_url: str, companycode: str, secret: str, company_name: str) -> None:
    """Upload the demo visits (idempotent: a second run answers `unchanged`)."""
    token = _post(f"{base_url}/v1/auth/token", {"companycode": companycode, "secret": secret})
    bearer = str(token["access_token"])
    records = demo_records(company_name)
    for record in records:
        _post(f"{base_url}/v1/records", record, bearer)
    corrected = {
        **records[1],
        "parts": [{"name": "前刹车片", "code": "BP-0102", "quantity": "2"}],
        "correction_reason": "配件数量录入错误",
    }
    _post(f"{base_url}/v1/records", corrected, bearer)


def file_demo_complaint(base_url: str) -> str:
    """The owner's complaint about the third visit (its odometer reading is lower than the
    one before), with a photo of the voucher; returns its code (a retry gets the same)."""
    import base64

    body = {
        "kind": "incorrect",
        "vin": DEMO_VIN,
        "plate": DEMO_PLATE,
        "settlement_list_code": DEMO_SETTLEMENT_NUMBERS[2],
        "text": DEMO_COMPLAINT_TEXT,
        "contact_phone": "13900000000",
        "photo_base64": base64.b64encode(voucher_png()).decode("ascii"),
    }
    return str(_post(f"{base_url}/v1/complaints", body)["code"])


def voucher_png(width: int = 96, height: int = 64) -> bytes:
    """A small stand-in for a photographed voucher: a real PNG (paper, ruled lines, a red
    stamp), drawn with the standard library."""
    import struct
    import zlib

    def pixel(x: int, y: int) -> bytes:
        if (x - 72) ** 2 + (y - 44) ** 2 < 100:
            return b"\xc8\x28\x28"  # the stamp
        if y % 8 == 0 and 6 <= x < width - 6:
            return b"\x9a\xa5\xb1"  # a ruled line
        return b"\xf6\xf1\xe4"  # paper

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
