"""Builders of valid test inputs with unique ids, so no test copies literals from another."""

from __future__ import annotations

import itertools
import random
import string
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.record import RecordContent
from chalicelib.domain.shop import Shop
from chalicelib.domain.vin import check_digit

_counter = itertools.count(1)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

DEMO_SHOP_NAME = "南京玄武示范汽车维修有限公司"


def unique_vin(*, valid: bool = True) -> str:
    """A 17-character VIN with a correct GB 16735 check digit (or a wrong one)."""
    rng = random.Random(uuid.uuid4().int)
    body = "LSV" + "".join(rng.choice(_VIN_CHARS) for _ in range(14))
    digit = check_digit(body[:8] + "0" + body[9:])
    assert digit is not None
    if not valid:
        digit = "0" if digit != "0" else "1"
    return body[:8] + digit + body[9:]


def unique_code(prefix: str = "JS") -> str:
    return f"{prefix}-{next(_counter):05d}-{uuid.uuid4().hex[:8]}"


def unique_plate() -> str:
    rng = random.Random(uuid.uuid4().int)
    return "苏A" + "".join(rng.choice(string.digits) for _ in range(5))


def record_payload(**overrides: Any) -> dict[str, Any]:
    """A valid REST upload body; override any field."""
    settled = date(2024, 3, 2)
    payload: dict[str, Any] = {
        "vin": unique_vin(),
        "plate_number": unique_plate(),
        "company_name": DEMO_SHOP_NAME,
        "repair_date": (settled - timedelta(days=1)).isoformat(),
        "repair_mileage": 12000,
        "settlement_date": settled.isoformat(),
        "fault_description": "常规保养",
        "settlement_list_code": unique_code(),
        "repair_items": [{"name": "发动机油保养", "labour_hours": 1.5}],
        "parts": [{"name": "机油滤清器", "code": "B11.42.8.570.590", "quantity": "1"}],
    }
    payload.update(overrides)
    return payload


def compat_payload(access_token: str, **basic_overrides: str) -> dict[str, Any]:
    """A national-interface upload exactly as a DMS sends it: every value a string."""
    basic = {
        "vehicleplatenumber": unique_plate(),
        "companyname": DEMO_SHOP_NAME,
        "vin": unique_vin(),
        "repairdate": "20240301",
        "repairmileage": "12000",
        "settledate": "20240302",
        "faultdescription": "常规维修",
        "costlistcode": unique_code("WX"),
    }
    basic.update(basic_overrides)
    return {
        "access_token": access_token,
        "basicInfo": basic,
        "vehiclepartslist": [{"partsname": "机油", "partscode": "N/A", "partsquantity": "4.00"}],
        "repairprojectlist": [{"repairproject": "发动机油保养", "workinghours": "1.0"}],
    }


def shop_application(**overrides: Any) -> dict[str, Any]:
    """A valid registration body with a fresh, valid unified social credit code."""
    from stdnum.cn import uscc

    rng = random.Random(uuid.uuid4().int)
    base = "91320102" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    body: dict[str, Any] = {
        "name": f"测试汽车维修厂{next(_counter)}",
        "uscc": base + uscc.calc_check_digit(base),
        "division_code": "320102",
        "shop_class": "二类",
        "address": "南京市玄武区测试路1号",
        "contact_name": "李师傅",
        "contact_phone": "025-80000000",
    }
    body.update(overrides)
    return body


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A real, decodable PNG (grey pixels) built with the standard library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def tiny_jpeg() -> bytes:
    """A minimal JPEG stream shape: SOI, a JFIF APP0 segment, some data and EOI."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\x00" * 40 + b"\xff\xd9"


def evaluation_payload(vin: str, plate: str, code: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "vin": vin,
        "plate": plate,
        "settlement_list_code": code,
        "scores": {"appointment": 5, "attitude": 4, "quality": 5, "speed": 4, "price": 3},
        "tags": ["warm_service", "fair_price"],
        "text": "师傅很专业，价格公道",
    }
    body.update(overrides)
    return body


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The TOTP code of `secret` now, or `steps_ahead` 30-second steps later (the server
    accepts one step either side, and never the same step twice)."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain.totp import STEP_SECONDS, current_code

    return current_code(secret, datetime.now(UTC) + timedelta(seconds=steps_ahead * STEP_SECONDS))


def compat_from_rest(access_token: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The same record as `payload` (a REST body), as a DMS sends it to the national door."""
    body = compat_payload(
        access_token,
        vehicleplatenumber=payload["plate_number"],
        companyname=payload["company_name"],
        vin=payload["vin"],
        repairdate=payload["repair_date"].replace("-", ""),
        repairmileage=str(payload["repair_mileage"]),
        settledate=payload["settlement_date"].replace("-", ""),
        faultdescription=payload["fault_description"],
        costlistcode=payload["settlement_list_code"],
    )
    body["repairprojectlist"] = [
        {"repairproject": i["name"], "workinghours": str(i["labour_hours"])}
        for i in payload["repair_items"]
    ]
    body["vehiclepartslist"] = [
        {"partsname": p["name"], "partscode": p["code"], "partsquantity": str(p["quantity"])}
        for p in payload["parts"]
    ]
    return body


def largest_record_payload(**overrides: Any) -> dict[str, Any]:
    """A valid REST upload at every limit of the record schema (doors/kit/record_models.py):
    200 repair items and 200 parts, every text at its longest and in Chinese (3 bytes a character in
    UTF-8). As an exchange item it is about 260 KB, the largest a province ever forwards."""
    from chalicelib.doors.kit.record_models import MAX_LIST_ITEMS

    def text(length: int, seed: str) -> str:
        return (seed * length)[:length]

    payload = record_payload(
        fault_description=text(500, "发动机异响"),
        settlement_list_code=f"{unique_code()}{text(50, '结算清单')}"[:50],
        repair_items=[
            {"name": text(200, "更换发动机总成"), "labour_hours": "998.75"}
            for _ in range(MAX_LIST_ITEMS)
        ],
        parts=[
            {
                "name": text(100, "机油滤清器"),
                "code": text(100, "原厂编码"),
                "quantity": "99998.125",
            }
            for _ in range(MAX_LIST_ITEMS)
        ],
    )
    payload.update(overrides)
    return payload


def record_content(**overrides: Any) -> RecordContent:
    """The content of a valid upload (`record_payload`), as the domain holds it."""
    payload = record_payload(**overrides)
    payload.setdefault("plate_color", None)
    return RecordContent.from_dict(payload)


def registered_shop(companycode: str | None = None, **overrides: Any) -> Shop:
    """An active class-2 shop of Nanjing Xuanwu district (320102) with a unique code."""
    code = companycode or f"320102{uuid.uuid4().int % 10**9:09d}"
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    values: dict[str, Any] = {
        "companycode": code,
        "name": DEMO_SHOP_NAME,
        "uscc": f"91{code[:6]}MA{next(_counter) % 10**8:08d}",
        "division_code": code[:6],
        "shop_class": "class_2",
        "address": "南京市玄武区",
        "contact_name": "李师傅",
        "contact_phone": "025-80000000",
        "status": "active",
        "created_at": moment,
        "updated_at": moment,
    }
    values.update(overrides)
    return Shop(**values)
