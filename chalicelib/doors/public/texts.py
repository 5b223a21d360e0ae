"""Texts of the consumers' pages in zh-CN (default) and English.

Why: owners read the page on a phone, usually in Chinese; a used-car buyer may not. The query,
vehicle and verify pages' words are here; the feedback pages' are in `feedback_texts.py`, and
`consumer_texts` merges both for the templates. Quality flags are explained in plain words by
`web/i18n.py` (the shop portal explains the same flags).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "汽车维修电子健康档案查询",
        "intro": "输入车辆识别代号（VIN）和当前号牌，查询车辆的维修记录。",
        "vin": "车辆识别代号（VIN）",
        "plate": "号牌号码",
        "query": "查询",
        "switch": "English",
        "not_found": "没有与该车辆识别代号和号牌相符的档案。请核对后重试。",
        "vehicle": "车辆信息",
        "manufacturer": "制造商",
        "region": "产地",
        "model_year": "车型年份（可能）",
        "records": "维修记录",
        "record_count": "共 {n} 条记录",
        "settled": "结算日期",
        "mileage": "送修里程",
        "km": "公里",
        "shop": "维修企业",
        "fault": "故障描述",
        "items": "维修项目",
        "hours": "工时",
        "parts": "配件",
        "code": "编码",
        "quantity": "数量",
        "flags": "数据提示",
        "corrected": "该记录已更正（第 {version} 版）",
        "chart": "里程变化",
        "chart_rollback": "红点表示里程低于之前的记录",
        "unknown": "未知",
        "privacy": "本页只显示您输入的车辆信息，不含车主个人信息。",
        "report_code": "报告验证码",
        "report_hint": "任何人都可以用此验证码核对本报告是否与系统中的记录一致：",
        "download_pdf": "下载 PDF 报告",
        "pdf_generated": "报告生成日期",
        "verify_title": "报告验证",
        "verify_ok": "验证通过：验证码有效，所涵盖的档案（截至第 {seq} 个链节）未被篡改。",
        "verify_bad": "验证未通过：验证码无效，或报告所依据的记录已被更改。",
        "verify_covered": "报告出具时的维修记录",
        "verify_compare": (
            "请逐条与手中的报告核对：结算日期、维修企业、里程和维修项目都应一致。"
            "不一致之处说明报告被改动过。"
        ),
        "verify_corrected_later": (
            "注意：报告出具后，该记录已于 {date} 被更正，报告中的内容已不是最新。"
        ),
        "verify_voided_later": "注意：报告出具后，该记录已于 {date} 被作废。",
        "verify_change_reason": "原因：{reason}",
        "verify_added_later": "报告出具后，该车又新增了 {n} 条维修记录（报告未包含）。",
        "skip_to_content": "跳到正文",
        "rate_limited": "查询过于频繁，请稍后再试。",
        "unavailable": "查询服务暂时不可用，请稍后再试。",
        "withheld": (
            "有 {n} 条记录与系统的防篡改档案不符，未予显示，本页也不出具报告验证码。"
            "请联系当地交通运输主管部门。"
        ),
    },
    "en": {
        "title": "Vehicle maintenance record lookup",
        "intro": "Enter the vehicle identification number (VIN) and the current plate.",
        "vin": "Vehicle identification number (VIN)",
        "plate": "Plate number",
        "query": "Look up",
        "switch": "中文",
        "not_found": "No vehicle file matches this VIN and plate. Please check and try again.",
        "vehicle": "Vehicle",
        "manufacturer": "Manufacturer",
        "region": "Made in",
        "model_year": "Model year (likely)",
        "records": "Maintenance records",
        "record_count": "{n} records",
        "settled": "Settled",
        "mileage": "Odometer",
        "km": "km",
        "shop": "Repair shop",
        "fault": "Fault",
        "items": "Repair items",
        "hours": "hours",
        "parts": "Parts",
        "code": "code",
        "quantity": "qty",
        "flags": "Data notes",
        "corrected": "This record was corrected (version {version})",
        "chart": "Odometer over time",
        "chart_rollback": "Red dots mark readings lower than an earlier record",
        "unknown": "unknown",
        "privacy": "This page shows only the vehicle you entered, never owner data.",
        "report_code": "Report verification code",
        "report_hint": "Anyone can check that this report matches the stored records at:",
        "download_pdf": "Download PDF report",
        "pdf_generated": "Report generated on",
        "verify_title": "Report verification",
        "verify_ok": "Verified: the code is genuine and the file it covers (up to link {seq}) "
        "has not been tampered with.",
        "verify_bad": "Not verified: the code is invalid or the records behind it have changed.",
        "verify_covered": "The records when the report was issued",
        "verify_compare": (
            "Compare each with the report you were given: settlement date, shop, odometer and "
            "repair items must all agree. Any difference means the report was altered."
        ),
        "verify_corrected_later": (
            "Note: this record was corrected on {date}, after the report was issued; the "
            "report no longer shows its current content."
        ),
        "verify_voided_later": (
            "Note: this record was voided on {date}, after the report was issued."
        ),
        "verify_change_reason": "Reason: {reason}",
        "verify_added_later": "{n} record(s) were added after the report was issued (not in it).",
        "skip_to_content": "Skip to content",
        "rate_limited": "Too many requests. Please try again later.",
        "unavailable": "The lookup is unavailable for a moment. Please try again shortly.",
        "withheld": (
            "{n} record(s) no longer match the tamper-evident file and are not shown, and this "
            "page issues no verification code. Please contact the local transport authority."
        ),
    },
}


def consumer_texts(lang: str) -> dict[str, str]:
    """Every text of the consumer pages: the query page's and the feedback pages'."""
    from chalicelib.doors.public.feedback_texts import FEEDBACK_TEXTS

    return {**TEXTS[lang], **FEEDBACK_TEXTS[lang]}


def tag_label(tag: str, lang: str) -> str:
    from chalicelib.domain.evaluation import ALL_TAGS
    from chalicelib.doors.public.feedback_texts import TAG_LABELS_EN

    return TAG_LABELS_EN.get(tag, tag) if lang == "en" else ALL_TAGS.get(tag, tag)
