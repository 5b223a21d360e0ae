# ruff: noqa: E501 - a text catalogue: one sentence per line reads and translates best
"""What a shop should do about each quality flag, in zh-CN and English.

Why: a flag names a problem (i18n.explain_flag says what it means); a shop also needs to know
how to avoid it next time. The shop portal's scorecard and the regulator console show the same
advice for the same flag codes, so it is written once, here.
"""

from __future__ import annotations

_ADVICE: dict[str, dict[str, str]] = {
    "zh-CN": {
        "vin_length": "按行驶证核对车辆识别代码，应为 17 位；不要用其他编号代替。",
        "vin_charset": "车辆识别代码中不会出现 I、O、Q，通常是把 1、0 误写成了字母，请按行驶证改正。",
        "vin_check_digit": "按行驶证逐位核对车辆识别代码（第 9 位是校验位）；进口车可能没有校验位，核对无误即可。",
        "plate_missing": "填写车辆号牌；只有新车尚未上牌时才可以不填。",
        "plate_format": "按“省份简称 + 字母 + 5 或 6 位”填写，如 苏A12345，不要加空格或点。",
        "mileage_zero": "填写仪表盘上的实际里程；确实无法读取时才填 0。",
        "mileage_rollback": "核对仪表读数；如果之前那条记录的里程填错了，请更正那条记录。",
        "company_name_mismatch": "企业名称请与登记名称完全一致（可在录入页面看到预填的登记名称）。",
    },
    "en": {
        "vin_length": "Copy the VIN from the vehicle licence: 17 characters, never another number.",
        "vin_charset": "A VIN never holds I, O or Q; usually 1 or 0 was typed as a letter. Copy it from the vehicle licence.",
        "vin_check_digit": "Check the VIN character by character against the vehicle licence (the 9th is a check digit); imported cars may have none.",
        "plate_missing": "Enter the plate; leave it empty only for a new car that has none yet.",
        "plate_format": "Write province + letter + 5 or 6 characters, e.g. 苏A12345, without spaces or dots.",
        "mileage_zero": "Enter the odometer reading; 0 only when it truly cannot be read.",
        "mileage_rollback": "Check the odometer reading; if the earlier record was wrong, correct that record.",
        "company_name_mismatch": "Use the shop name exactly as registered (the entry form fills it in for you).",
    },
}


def advice_for(code: str, lang: str) -> str:
    """How to avoid a flag; an unknown code gets an empty string."""
    return _ADVICE.get(lang, _ADVICE["zh-CN"]).get(code, "")
