"""Plain-word explanations of quality flags, in zh-CN (default) and English.

Why: quality flags are codes in the API; on a page each becomes a sentence a person
understands, e.g. "odometer lower than the record of 2024-03-02". The consumers' vehicle page
and the shop portal explain the same flags, so the sentences are written once, here; each
door's own texts live in the door (the consumers' in `doors/public/texts.py`).
"""

from __future__ import annotations

from typing import Any

_FLAGS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "vin_length": "车辆识别代号不是17位",
        "vin_charset": "车辆识别代号含有不允许的字符（如 I、O、Q）",
        "vin_check_digit": "车辆识别代号校验位不符（进口车可能没有校验位）",
        "plate_missing": "未填写号牌",
        "plate_format": "号牌格式不符合国家标准",
        "mileage_zero": "里程填写为0",
        "mileage_rollback": "里程低于 {previous_settlement_date} 的记录（{previous_mileage} 公里）",
        "company_name_mismatch": "上传的企业名称与登记名称（{registered_name}）不一致",
    },
    "en": {
        "vin_length": "the VIN is not 17 characters long",
        "vin_charset": "the VIN contains characters that are not allowed (such as I, O, Q)",
        "vin_check_digit": "the VIN check digit does not match (imports may have none)",
        "plate_missing": "no plate was given",
        "plate_format": "the plate does not follow the national format",
        "mileage_zero": "the odometer was entered as 0",
        "mileage_rollback": (
            "odometer lower than the record of {previous_settlement_date} ({previous_mileage} km)"
        ),
        "company_name_mismatch": (
            "the uploaded shop name differs from the registered one ({registered_name})"
        ),
    },
}


def explain_flag(flag: dict[str, Any], lang: str) -> str:
    """One flag as a sentence; unknown codes fall back to the code itself."""
    template = _FLAGS[lang].get(flag["code"], flag["code"])
    try:
        return template.format(**flag.get("detail", {}))
    except (KeyError, IndexError):
        return template
