"""Texts of the regulator console in zh-CN (default) and English: pages, roles, sections, errors.

Why: regulators work in Chinese; the console must also be usable in English (the same as the
consumer page). Console texts live apart from the consumer page's (`web/i18n.py`) so the two
audiences' wording can change independently. Engineers adding a console section add its texts
here, under the section's key (the provincial sections' texts live in
`province_texts.py`, the ministry's in `national_texts.py`; both are merged in
below).
"""

from __future__ import annotations

from chalicelib.doors.console.national_texts import NATIONAL_TEXTS
from chalicelib.doors.console.province_texts import FLAG_NAMES, PROVINCE_TEXTS, SHOP_CLASS_NAMES

TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "汽车维修电子健康档案 · 监管平台",
        "title_ministry": "汽车维修电子健康档案 · 部级监管平台",
        "switch": "English",
        "skip_to_content": "跳到正文",
        "footer": "所有操作均记录在审计日志中（保存不少于180天）。",
        "sign_in": "登录",
        "sign_in_heading": "监管人员登录",
        "username": "用户名",
        "password": "密码",
        "totp": "动态验证码（6位）",
        "totp_hint": "打开身份验证器应用，输入当前显示的6位数字。",
        "sign_in_failed": "登录失败：用户名、密码或动态验证码不正确，或账户已被暂时锁定。",
        "sign_out": "退出登录",
        "signed_in_as": "当前用户",
        "home": "首页",
        "welcome": "欢迎，{username}",
        "your_role": "角色",
        "your_districts": "管辖区县",
        "whole_province": "全省",
        "whole_country": "全国",
        "session_ends": "本次登录有效至",
        "sections": "功能",
        "coming_soon": "（建设中）",
        "china_time": "（北京时间）",
        "nav_label": "主导航",
        "error_heading": "无法完成操作",
        "error_forbidden": "您的角色无权执行此操作。",
        "error_out_of_scope": "该区域不在您的管辖范围内。",
        "error_csrf": "表单已过期或并非来自本站，请返回后重试。",
        "error_not_found": "没有找到该内容。",
        "error_internal_error": "系统暂时无法处理，请稍后再试。",
        "error_other": "请求无法完成。",
        "back_home": "返回首页",
        "accounts_heading": "监管账户",
        "divisions": "管辖区县代码",
        "divisions_hint": (
            "仅区县监管员填写：6位行政区划代码，多个用逗号分隔（市级代码如320100包括全市各区县）。"
        ),
        "status": "状态",
        "active": "正常",
        "disabled": "已停用",
        "actions": "操作",
        "action_password": "重置密码",
        "action_totp": "重置动态验证码",
        "action_disable": "停用",
        "action_enable": "启用",
        "create_account": "新建账户",
        "field_username": "用户名",
        "field_role": "角色",
        "field_divisions": "管辖区县代码",
        "shown_once_heading": "账户凭据：",
        "shown_once": (
            "以下内容只显示这一次，请立即交给账户持有人，由其将密钥添加到身份验证器应用。"
        ),
        "totp_secret": "动态验证码密钥",
        "totp_uri": "身份验证器链接（otpauth）",
        "back_to_accounts": "返回账户列表",
        "audit_heading": "审计日志",
        "audit_day": "日期（北京时间）",
        "audit_actor": "账户（可选）",
        "audit_show": "查询",
        "audit_when": "时间",
        "audit_who": "操作人",
        "audit_what": "操作",
        "audit_target": "对象",
        "audit_where": "来源",
        "audit_none": "该日没有记录。",
        "audit_more": "更早的记录",
    },
    "en": {
        "title": "Vehicle maintenance records · Regulator console",
        "title_ministry": "Vehicle maintenance records · Ministry console",
        "switch": "中文",
        "skip_to_content": "Skip to content",
        "footer": "Every action is written to the audit log (kept at least 180 days).",
        "sign_in": "Sign in",
        "sign_in_heading": "Regulator sign-in",
        "username": "Username",
        "password": "Password",
        "totp": "One-time code (6 digits)",
        "totp_hint": "Open your authenticator app and enter the 6 digits it shows now.",
        "sign_in_failed": (
            "Sign-in failed: wrong username, password or one-time code, "
            "or the account is locked for a while."
        ),
        "sign_out": "Sign out",
        "signed_in_as": "Signed in as",
        "home": "Home",
        "welcome": "Welcome, {username}",
        "your_role": "Role",
        "your_districts": "Districts",
        "whole_province": "the whole province",
        "whole_country": "the whole country",
        "session_ends": "Signed in until",
        "sections": "Sections",
        "coming_soon": "(coming soon)",
        "china_time": "(China time)",
        "nav_label": "Main navigation",
        "error_heading": "This could not be done",
        "error_forbidden": "Your role may not do this.",
        "error_out_of_scope": "This area lies outside your districts.",
        "error_csrf": "The form has expired or did not come from this site. Go back and retry.",
        "error_not_found": "Nothing was found here.",
        "error_internal_error": "The system cannot handle this right now. Try again later.",
        "error_other": "The request could not be completed.",
        "back_home": "Back to the console",
        "accounts_heading": "Regulator accounts",
        "divisions": "Division codes",
        "divisions_hint": (
            "District officers only: 6-digit county-level division codes, separated by commas."
        ),
        "status": "Status",
        "active": "active",
        "disabled": "disabled",
        "actions": "Actions",
        "action_password": "Reset password",
        "action_totp": "Reset one-time codes",
        "action_disable": "Disable",
        "action_enable": "Enable",
        "create_account": "Create account",
        "field_username": "Username",
        "field_role": "Role",
        "field_divisions": "Division codes",
        "shown_once_heading": "Credentials of",
        "shown_once": (
            "Shown this once only: hand them to the account holder now, who adds the secret "
            "to an authenticator app."
        ),
        "totp_secret": "One-time code secret",
        "totp_uri": "Authenticator link (otpauth)",
        "back_to_accounts": "Back to the accounts",
        "audit_heading": "Audit log",
        "audit_day": "Day (China time)",
        "audit_actor": "Account (optional)",
        "audit_show": "Show",
        "audit_when": "When",
        "audit_who": "Who",
        "audit_what": "What",
        "audit_target": "Target",
        "audit_where": "From",
        "audit_none": "Nothing was recorded on this day.",
        "audit_more": "Earlier entries",
    },
}

ROLE_NAMES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "province_admin": "省级管理员",
        "district_officer": "区县监管员",
        "province_analyst": "省级分析员（只读）",
        "ministry_admin": "部级管理员",
        "ministry_analyst": "部级分析员（只读）",
    },
    "en": {
        "province_admin": "Provincial administrator",
        "district_officer": "District officer",
        "province_analyst": "Provincial analyst (read-only)",
        "ministry_admin": "Ministry administrator",
        "ministry_analyst": "Ministry analyst (read-only)",
    },
}

SECTION_NAMES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "registry": "企业备案",
        "records": "档案查询",
        "coverage": "上传监控",
        "complaints": "投诉处理",
        "reminders": "提醒通知",
        "provinces": "部省联网",
        "agencies": "部门接口",
        "accounts": "账户管理",
        "audit": "审计日志",
    },
    "en": {
        "registry": "Shop registry",
        "records": "Record search",
        "coverage": "Upload coverage",
        "complaints": "Complaints",
        "reminders": "Reminders",
        "provinces": "Provinces' link",
        "agencies": "Agency access",
        "accounts": "Accounts",
        "audit": "Audit log",
    },
}


def error_message(lang: str, code: str) -> str:
    texts = TEXTS[lang]
    return texts.get(f"error_{code}", texts["error_other"])


for _lang, _texts in PROVINCE_TEXTS.items():
    TEXTS[_lang].update(_texts)
for _lang, _texts in NATIONAL_TEXTS.items():
    TEXTS[_lang].update(_texts)

__all__ = [
    "FLAG_NAMES",
    "ROLE_NAMES",
    "SECTION_NAMES",
    "SHOP_CLASS_NAMES",
    "TEXTS",
    "error_message",
]
