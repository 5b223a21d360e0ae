"""Texts of agency sharing: the owner's grant page and the console's agencies section.

Why: kept apart from the consumer and console texts so this feature's words can be reviewed
(and translated) on their own; the pages merge them into their usual texts.
"""

from __future__ import annotations

GRANT_TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "grants_title": "数据授权与查询记录",
        "grants_intro": (
            "保险公司、二手车交易平台等机构查看您的车辆维修档案，需要您的授权。"
            "排放检验（I/M）和缺陷召回机构依法查看，无需授权。所有查看都会记录并显示在本页。"
        ),
        "grants_proof": (
            "请输入车辆识别代号、车辆现在的号牌（最近一次维修记录上的号牌，不论在哪个省份维修），"
            "以及挂此号牌期间任意一张结算清单的编号，以证明您是现在的车主。"
            "车辆过户换牌后，原车主的号牌和结算清单不能再授权或撤销授权，"
            "原车主给出的授权也随之失效。"
        ),
        "grants_open": "查看授权",
        "grants_link": "数据授权与查询记录",
        "new_grant": "新增授权",
        "grant_to": "授权机构与用途",
        "grant_days": "授权期限",
        "days_n": "{n} 天",
        "grant_submit": "授权",
        "my_grants": "我的授权",
        "no_grants": "您还没有授权任何机构。",
        "no_options": "目前没有需要授权的机构。",
        "agency": "机构",
        "purpose": "用途",
        "expires": "有效期至",
        "state": "状态",
        "state_active": "有效",
        "state_expired": "已过期",
        "state_revoked": "已撤销",
        "revoke": "撤销",
        "reads_title": "谁查看了我的车辆档案",
        "no_reads": "还没有机构查看过您的车辆档案。",
        "read_at": "时间",
        "read_result": "结果",
        "granted": "授权成功。",
        "revoked_notice": "授权已撤销，该机构从现在起无法再查看。",
        "outcome_ok": "已查看（{n} 条记录）",
        "outcome_refused": "被拒绝",
        "code_no_grant": "未获授权",
        "code_grant_expired": "授权已过期",
        "code_grant_revoked": "授权已撤销",
        "code_purpose_not_allowed": "用途未获授权",
        "code_quota_exceeded": "超出每日限额",
        "code_burst_exceeded": "请求过于频繁",
        "code_key_revoked": "密钥已失效",
        "code_vehicle_not_found": "未找到档案",
        "grant_errors": "请检查授权机构、用途和期限后重试。",
        "china_time": "北京时间",
    },
    "en": {
        "grants_title": "Data sharing and who read my file",
        "grants_intro": (
            "Insurers, used-car platforms and other companies read your vehicle's maintenance "
            "file only with your consent. Emissions inspection (I/M) and recall authorities "
            "read it by law, without consent. Every read is logged and shown on this page."
        ),
        "grants_proof": (
            "Enter the VIN, the plate the vehicle carries now (the plate on its latest repair "
            "record, in any province) and the number of any settlement list from a repair under "
            "that plate, to show you are its current owner. Once the vehicle is sold and "
            "re-registered, the previous owner's plate and settlement lists can no longer grant "
            "or revoke, and the previous owner's grants end."
        ),
        "grants_open": "Show my grants",
        "grants_link": "Data sharing and who read my file",
        "new_grant": "New grant",
        "grant_to": "Company and purpose",
        "grant_days": "For",
        "days_n": "{n} days",
        "grant_submit": "Grant",
        "my_grants": "My grants",
        "no_grants": "You have not authorised any company.",
        "no_options": "No company asks for consent at the moment.",
        "agency": "Company",
        "purpose": "Purpose",
        "expires": "Valid until",
        "state": "State",
        "state_active": "active",
        "state_expired": "expired",
        "state_revoked": "revoked",
        "revoke": "Revoke",
        "reads_title": "Who read my vehicle's file",
        "no_reads": "No company has read your vehicle's file yet.",
        "read_at": "When",
        "read_result": "Result",
        "granted": "Consent given.",
        "revoked_notice": "Consent withdrawn: the company can no longer read the file.",
        "outcome_ok": "read, {n} record(s)",
        "outcome_refused": "refused",
        "code_no_grant": "no consent",
        "code_grant_expired": "consent expired",
        "code_grant_revoked": "consent withdrawn",
        "code_purpose_not_allowed": "purpose not consented",
        "code_quota_exceeded": "daily quota reached",
        "code_burst_exceeded": "too many requests",
        "code_key_revoked": "key no longer valid",
        "code_vehicle_not_found": "no file found",
        "grant_errors": "Please check the company, purpose and period, then try again.",
        "china_time": "China time",
    },
}

PURPOSE_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "claims_assessment": "保险理赔核定",
        "underwriting": "保险承保定价",
        "used_car_transparency": "二手车车况信息公开",
        "emissions_inspection": "排放检验与维护（I/M）",
        "recall_campaign": "缺陷调查与召回",
        "owner_authorised": "经车主授权的其他用途",
    },
    "en": {
        "claims_assessment": "insurance claims assessment",
        "underwriting": "insurance underwriting",
        "used_car_transparency": "used-car condition disclosure",
        "emissions_inspection": "emissions inspection and maintenance (I/M)",
        "recall_campaign": "defect investigation and recall",
        "owner_authorised": "other use the owner consents to",
    },
}

KIND_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "insurance": "保险",
        "used_car": "二手车交易",
        "emissions_im": "排放检验与维护（I/M）",
        "recall": "缺陷调查与召回",
        "other": "其他",
    },
    "en": {
        "insurance": "insurance",
        "used_car": "used-car trading",
        "emissions_im": "emissions inspection (I/M)",
        "recall": "recalls",
        "other": "other",
    },
}

CONSOLE_TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "agencies_heading": "部门与行业接口",
        "agencies_intro": (
            "为保险、二手车交易、排放检验、缺陷召回等机构登记接口并发放密钥。"
            "密钥只显示一次；需车主授权的用途只能读取已获授权的车辆。"
        ),
        "no_agencies": "尚未登记任何机构。",
        "agency_name": "机构名称",
        "agency_kind": "类别",
        "register_agency": "登记机构",
        "keys": "密钥",
        "key_id": "密钥编号",
        "purpose": "用途",
        "field_scope": "字段范围",
        "scope_summary": "摘要",
        "scope_full": "完整",
        "quota_per_day": "每日限额",
        "burst_per_minute": "每分钟限额",
        "needs_grant": "需车主授权",
        "no_grant_needed": "无需授权",
        "key_status": "状态",
        "key_active": "有效",
        "key_revoked": "已吊销",
        "issue_key": "发放密钥",
        "action_rotate": "更换密钥",
        "action_revoke": "吊销",
        "export_reads": "导出查询记录（CSV）",
        "from": "起始日期",
        "to": "截止日期",
        "key_shown_once": "请立即把密钥安全地交给该机构：它只显示这一次，系统只保存其摘要。",
        "the_key": "密钥",
        "back_to_agencies": "返回机构列表",
        "form_errors": "请修改后重试：",
    },
    "en": {
        "agencies_heading": "Agency and industry access",
        "agencies_intro": (
            "Register insurers, used-car platforms, emissions inspection and recall authorities "
            "and issue their keys. A key is shown once; purposes that need the owner's consent "
            "read only the vehicles whose owners consented."
        ),
        "no_agencies": "No agency is registered yet.",
        "agency_name": "Agency",
        "agency_kind": "Kind",
        "register_agency": "Register agency",
        "keys": "Keys",
        "key_id": "Key",
        "purpose": "Purpose",
        "field_scope": "Fields",
        "scope_summary": "summary",
        "scope_full": "full",
        "quota_per_day": "Per day",
        "burst_per_minute": "Per minute",
        "needs_grant": "owner's consent",
        "no_grant_needed": "no consent needed",
        "key_status": "Status",
        "key_active": "active",
        "key_revoked": "revoked",
        "issue_key": "Issue key",
        "action_rotate": "Rotate",
        "action_revoke": "Revoke",
        "export_reads": "Export reads (CSV)",
        "from": "From",
        "to": "To",
        "key_shown_once": (
            "Hand this key to the agency safely now: it is shown this once, and only its "
            "digest is stored."
        ),
        "the_key": "Key",
        "back_to_agencies": "Back to the agencies",
        "form_errors": "Please correct:",
    },
}
