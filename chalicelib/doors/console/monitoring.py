"""Console pages of upload monitoring (维修记录上传监控): coverage, idle shops, error rates.

Why: these are the figures a provincial regulator opens every morning (digest §1.7): 对接率 by
shop class, uploads today and yesterday, 及时率 and a 30-day trend; the shops that stopped
uploading (未上传) with their last upload and contact, to remind them at once; and each shop's
错误率 with links to the flagged records behind it. Every figure comes from
`services.monitoring` within the caller's districts (a district officer sees only its own, and
may narrow further to one district; others may pick any district of the province). Lists of
shops are cross-shop data with contacts: each view of one is audited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from chalice import Response

from chalicelib.api.views import MASK
from chalicelib.bootstrap import audit_trail, monitoring_service, shop_registry
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.shop import DIVISION_PATTERN, division_name
from chalicelib.domain.statistics import TIMELINESS_BUCKETS
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    china_time,
    console_lang,
    console_page,
    console_session,
    may_do,
    scope_of,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.session import WebSession
from chalicelib.errors import NotFoundError
from chalicelib.services.monitoring import CoverageRow

TREND_DAYS = 30
IDLE_DAYS_DEFAULT = 7
IDLE_PAGE_SIZE = 100
ERRORS_PAGE_SIZE = 100
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@door.route("/console/coverage", methods=["GET"], page=True, stacks=PROVINCE)
def coverage_page() -> Response:
    from chalicelib.doors.console.trend_chart import DayBar, trend_svg

    session, lang, params, scope, division = _monitoring_request()
    service = monitoring_service()
    today = service.today()
    first = today - timedelta(days=TREND_DAYS - 1)
    days = service.daily(scope, first, today)
    timeliness = service.timeliness(scope, first, today)
    texts = _texts(lang)
    bars = [
        DayBar(date.fromisoformat(d["day"]), int(d.get("uploads", 0)), int(d.get("flagged", 0)))
        for d in days
    ]
    uploads = timeliness["uploads"]
    return console_page(
        "console/coverage.html",
        session,
        lang,
        active="coverage",
        switch_path="/console/coverage",
        page_title=texts["coverage_heading"],
        division=division,
        division_label=_division_label(division),
        coverage=coverage_view(service.coverage(scope), lang),
        today=int(days[-1].get("uploads", 0)),
        yesterday=int(days[-2].get("uploads", 0)),
        timeliness=[
            {
                "bucket": bucket,
                "count": timeliness["buckets"][bucket],
                "share": timeliness["buckets"][bucket] / uploads if uploads else None,
            }
            for bucket in TIMELINESS_BUCKETS
        ],
        timely_rate=timeliness["rate"],
        period_uploads=uploads,
        first_day=first.isoformat(),
        last_day=today.isoformat(),
        trend_svg=trend_svg(bars, texts["trend_title"], texts["trend_bar"]),
        trend=list(reversed(days)),
        idle_days=IDLE_DAYS_DEFAULT,
        month=today.isoformat()[:7],
        params=params,
    )


@door.route("/console/coverage/idle", methods=["GET"], page=True, stacks=PROVINCE)
def idle_page() -> Response:
    session, lang, params, scope, division = _monitoring_request()
    days = _bounded(params.get("days"), IDLE_DAYS_DEFAULT, 1, 366)
    offset = _bounded(params.get("offset"), 0, 0, 1_000_000)
    idle = monitoring_service().not_uploading(scope, days)
    shown = idle[offset : offset + IDLE_PAGE_SIZE]
    contacts = may_do(session, Permission.REGISTRY_CONTACTS)
    rows = [_idle_row(shop, contacts) for shop in shown]
    audit_trail().record(
        actor_of(door.request, session.principal),
        "monitoring.not_uploading",
        division or _scope_target(scope),
        {"days": days, "shops": len(idle), "shown": len(rows), "contacts": contacts},
    )
    texts = _texts(lang)
    more = offset + IDLE_PAGE_SIZE < len(idle)
    return console_page(
        "console/idle.html",
        session,
        lang,
        active="coverage",
        switch_path="/console/coverage/idle",
        page_title=texts["idle_heading"],
        division=division,
        division_label=_division_label(division),
        days=days,
        total=len(idle),
        offset=offset,
        next_offset=offset + IDLE_PAGE_SIZE if more else None,
        shops=rows,
        may_remind=may_do(session, Permission.REMINDERS_SEND),
        reminder_title=texts["idle_reminder_title"],
        reminder_body=texts["idle_reminder_body"].format(days=days),
    )


@door.route("/console/coverage/errors", methods=["GET"], page=True, stacks=PROVINCE)
def error_rates_page() -> Response:
    session, lang, params, scope, division = _monitoring_request()
    service = monitoring_service()
    today = service.today()
    month = params.get("month", "")
    if not _MONTH.match(month) or month > today.isoformat()[:7]:
        month = today.isoformat()[:7]
    window = _search_window(month, today)
    every = service.error_rates(scope, month)
    offset = _bounded(params.get("offset"), 0, 0, 1_000_000)
    rows = every[offset : offset + ERRORS_PAGE_SIZE]
    for row in rows:
        row["flag_links"] = [
            {"code": code, "count": count, "query": {**window, "flag": code}}
            for code, count in sorted(row["flags"].items(), key=lambda item: -item[1])
        ]
        row["flagged_query"] = {**window, "flag": "any", "companycode": row["companycode"]}
        for link in row["flag_links"]:
            link["query"]["companycode"] = row["companycode"]
        row["last_upload_local"] = _local(row.get("last_upload_at"))
    audit_trail().record(
        actor_of(door.request, session.principal),
        "monitoring.error_rates",
        division or _scope_target(scope),
        {"month": month, "shops": len(every), "shown": len(rows)},
    )
    return console_page(
        "console/error_rates.html",
        session,
        lang,
        active="coverage",
        switch_path="/console/coverage/errors",
        page_title=_texts(lang)["errors_heading"],
        division=division,
        division_label=_division_label(division),
        month=month,
        rows=rows,
        window=window,
        offset=offset,
        next_offset=offset + ERRORS_PAGE_SIZE if offset + ERRORS_PAGE_SIZE < len(every) else None,
    )


def coverage_view(rows: list[CoverageRow], lang: str) -> list[dict[str, Any]]:
    """对接率 rows as the coverage tables show them (class names in the page's language)."""
    from chalicelib.doors.console.texts import SHOP_CLASS_NAMES

    return [
        {
            "shop_class": row.shop_class,
            "name": SHOP_CLASS_NAMES[lang].get(row.shop_class, row.label),
            "registered": row.registered,
            "docked": row.docked,
            "rate": row.rate,
        }
        for row in rows
    ]


def _monitoring_request() -> tuple[WebSession, str, dict[str, str], tuple[str, ...] | None, str]:
    """The signed-in reader of statistics, its language, the query, the scope to show (its
    districts, or the one district asked for if it lies in them) and that district."""
    request = door.request
    params = query_params(request)
    division = params.get("division", "").strip()
    if division and not DIVISION_PATTERN.match(division):
        division = ""
    session = console_session(request, Permission.STATS_READ, division=division or None)
    scope = (division,) if division else scope_of(session)
    return session, console_lang(request), params, scope, division


def _idle_row(shop: dict[str, Any], contacts: bool) -> dict[str, Any]:
    try:
        profile = shop_registry().get(shop["companycode"])
    except NotFoundError:
        profile = None
    return {
        **shop,
        "last_upload_local": _local(shop.get("last_upload_at")),
        "contact_name": (profile.contact_name if contacts else MASK) if profile else "",
        "contact_phone": (profile.contact_phone if contacts else MASK) if profile else "",
    }


def _search_window(month: str, today: date) -> dict[str, str]:
    """Settlement dates to search for a month's flagged uploads: the year up to the month's
    end (an upload of the month may settle up to a year before; searches span ≤ 366 days)."""
    first = date.fromisoformat(month + "-01")
    end = min((first + timedelta(days=32)).replace(day=1) - timedelta(days=1), today)
    return {"from": (end - timedelta(days=365)).isoformat(), "to": end.isoformat()}


def _local(value: Any) -> str:
    from datetime import datetime

    return china_time(datetime.fromisoformat(str(value))) if value else ""


def _bounded(value: str | None, default: int, low: int, high: int) -> int:
    if value is None or not value.isdigit():
        return default
    return max(low, min(int(value), high))


def _division_label(division: str) -> str:
    return f"{division} {division_name(division) or ''}".strip() if division else ""


def _scope_target(scope: tuple[str, ...] | None) -> str:
    return ",".join(scope) if scope is not None else "province"


def _texts(lang: str) -> dict[str, str]:
    from chalicelib.doors.console.pages import console_texts

    return console_texts(lang)
