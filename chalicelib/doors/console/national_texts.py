"""Texts of the ministry console's "provinces" section (部省联网) in zh-CN and English, and the
provinces' English names.

Why: the ministry's own words (对接率 by province, 交换延迟, 交换凭据) sit apart from the
provincial sections' (`province_texts.py`); `texts.py` merges both. Province
names in Chinese come from the GB/T 2260 table (`domain/provinces.py`); their English names
are the official romanisations, which that table lacks.
"""

from __future__ import annotations

NATIONAL_TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "provinces_heading": "部省联网与全国监控",
        "national_figures": "全国概况",
        "connected_provinces": "已联网省份",
        "connected_of": "{connected} / {total}",
        "province": "省份",
        "province_all": "全部已联网省份",
        "uploads_30": "近30天上传",
        "exchange_last": "最近交换",
        "exchange_lag": "交换延迟",
        "lag_seconds": "{seconds} 秒",
        "lag_minutes": "{minutes} 分钟",
        "lag_hours": "{hours} 小时",
        "not_connected": "未联网",
        "silent": "超过24小时未交换",
        "credential": "交换凭据",
        "credential_none": "未签发",
        "credential_active": "有效（第{generation}代）",
        "credential_revoked": "已吊销",
        "credential_issued_at": "签发时间",
        "credential_revoked_at": "吊销时间",
        "national_trend_heading": "全国近30天上传趋势",
        "national_trend_title": "全国近30天每日上传数（其中有问题的记录以红色标出）",
        "province_trend_heading": "近30天上传趋势",
        "provinces_table": "各省份情况",
        "provinces_hint": (
            "数字来自各省转发到部级系统的记录与企业备案副本；交换延迟为最近一批记录变更中"
            "等待最久的一条从省级入库到部级入库的用时。"
        ),
        "province_detail": "详情",
        "coverage_province_heading": "对接率（按企业类别）",
        "exchange_heading": "部省交换",
        "batches": "已接收批次",
        "credential_issue": "签发交换凭据",
        "credential_rotate": "更换交换凭据",
        "credential_revoke": "吊销交换凭据",
        "confirm_rotate_heading": "确认更换交换凭据？",
        "confirm_rotate_text": (
            "旧凭据及其令牌将立即失效：该省在配置新凭据之前无法向部级系统转发数据"
            "（变更会在省级排队重试，超过次数后进入死信队列，配置后可重新投递）。"
        ),
        "confirm_revoke_heading": "确认吊销交换凭据？",
        "confirm_revoke_text": ("该省的凭据及令牌将立即失效，部省交换随即中断，直到重新签发凭据。"),
        "confirm": "确认",
        "credential_shown_heading": "{name}的交换凭据",
        "credential_shown_once": (
            "以下密钥只显示这一次。请通过安全渠道交给该省云平台运维人员，"
            "配置为省级系统的 EXCHANGE_SECRET（见部署指南）。"
        ),
        "the_secret": "交换密钥",
        "back_to_province": "返回省份详情",
        "back_to_provinces": "返回省份列表",
        "search_national": "全国档案查询",
        "field_province": "省份",
        "rule_gb_t_2260_province": "应为省级行政区划代码，如 320000",
    },
    "en": {
        "provinces_heading": "Provinces' link and national monitoring",
        "national_figures": "The nation",
        "connected_provinces": "Provinces connected",
        "connected_of": "{connected} of {total}",
        "province": "Province",
        "province_all": "every connected province",
        "uploads_30": "Uploads, last 30 days",
        "exchange_last": "Last exchange",
        "exchange_lag": "Exchange lag",
        "lag_seconds": "{seconds} s",
        "lag_minutes": "{minutes} min",
        "lag_hours": "{hours} h",
        "not_connected": "not connected",
        "silent": "silent for over 24 h",
        "credential": "Exchange credential",
        "credential_none": "not issued",
        "credential_active": "active (generation {generation})",
        "credential_revoked": "revoked",
        "credential_issued_at": "Issued",
        "credential_revoked_at": "Revoked",
        "national_trend_heading": "National uploads over the last 30 days",
        "national_trend_title": "National uploads per day over the last 30 days (flagged in red)",
        "province_trend_heading": "Uploads over the last 30 days",
        "provinces_table": "Provinces",
        "provinces_hint": (
            "Figures come from the records and registry copies the provinces forwarded to the "
            "ministry; the exchange lag is how long the oldest change of the latest batch of "
            "records waited from the province's store to the ministry's."
        ),
        "province_detail": "details",
        "coverage_province_heading": "Coverage by shop class",
        "exchange_heading": "Exchange with the ministry",
        "batches": "Batches received",
        "credential_issue": "Issue an exchange credential",
        "credential_rotate": "Replace the exchange credential",
        "credential_revoke": "Revoke the exchange credential",
        "confirm_rotate_heading": "Replace the exchange credential?",
        "confirm_rotate_text": (
            "The old secret and its tokens stop at once: the province forwards nothing to the "
            "ministry until it is configured with the new one (its changes wait and are retried, "
            "then parked in its dead-letter queue, to be re-driven once configured)."
        ),
        "confirm_revoke_heading": "Revoke the exchange credential?",
        "confirm_revoke_text": (
            "The province's secret and tokens stop at once, and so does its exchange with the "
            "ministry, until a new credential is issued."
        ),
        "confirm": "Confirm",
        "credential_shown_heading": "Exchange credential of {name}",
        "credential_shown_once": (
            "This secret is shown only now. Hand it over a secure channel to the province's "
            "cloud team, to configure as the provincial stack's EXCHANGE_SECRET (see the "
            "deployment guide)."
        ),
        "the_secret": "Exchange secret",
        "back_to_province": "Back to the province",
        "back_to_provinces": "Back to the provinces",
        "search_national": "National record search",
        "field_province": "Province",
        "rule_gb_t_2260_province": "must be a province code, e.g. 320000",
    },
}

PROVINCE_NAMES_EN: dict[str, str] = {
    "110000": "Beijing",
    "120000": "Tianjin",
    "130000": "Hebei",
    "140000": "Shanxi",
    "150000": "Inner Mongolia",
    "210000": "Liaoning",
    "220000": "Jilin",
    "230000": "Heilongjiang",
    "310000": "Shanghai",
    "320000": "Jiangsu",
    "330000": "Zhejiang",
    "340000": "Anhui",
    "350000": "Fujian",
    "360000": "Jiangxi",
    "370000": "Shandong",
    "410000": "Henan",
    "420000": "Hubei",
    "430000": "Hunan",
    "440000": "Guangdong",
    "450000": "Guangxi",
    "460000": "Hainan",
    "500000": "Chongqing",
    "510000": "Sichuan",
    "520000": "Guizhou",
    "530000": "Yunnan",
    "540000": "Tibet",
    "610000": "Shaanxi",
    "620000": "Gansu",
    "630000": "Qinghai",
    "640000": "Ningxia",
    "650000": "Xinjiang",
}


def province_label(code: str, lang: str) -> str:
    """A province's name in the page's language (its code if unknown)."""
    from chalicelib.domain.provinces import province_name

    if lang == "en":
        return PROVINCE_NAMES_EN.get(code, code)
    return province_name(code) or code
