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
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalice import Response

from chalicelib.bootstrap import audit_trail, monitoring_service, shop_registry
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.shop import DIVISION_PATTERN, Shop
from chalicelib.doors.console import province_views
from chalicelib.doors.console.door import door, page
from chalicelib.doors.console.pages import console_page, may_do, scope_of, signed_in
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.session import WebSession
from chalicelib.errors import NotFoundError
from chalicelib.services.monitoring import Scope

TREND_DAYS = 30
IDLE_DAYS_DEFAULT = 7
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class _Asked:
    """A monitoring page's request: the reader, its language and query, and the districts to
    show (its own, or the one district asked for if it lies in them)."""

    session: WebSession
    lang: str
    params: dict[str, str]
    scope: Scope
    division: str

    @property
    def offset(self) -> int:
        return _bounded(self.params.get("offset"), 0, 0, 1_000_000)

    @property
    def contacts(self) -> bool:
        return may_do(self.session, Permission.REGISTRY_CONTACTS)


@page("/console/coverage", stacks=PROVINCE)
def coverage_page() -> Response:
    asked = _monitoring_request()
    service = monitoring_service()
    last = service.today()
    first = last - timedelta(days=TREND_DAYS - 1)
    daily = service.daily(asked.scope, first, last)
    timely = service.timeliness(asked.scope, first, last)
    view = province_views.coverage(daily, timely, service.coverage(asked.scope), asked.lang)
    return _page("console/coverage.html", asked, idle_days=IDLE_DAYS_DEFAULT, **view)


@page("/console/coverage/idle", stacks=PROVINCE)
def idle_page() -> Response:
    asked = _monitoring_request()
    days = _bounded(asked.params.get("days"), IDLE_DAYS_DEFAULT, 1, 366)
    idle = monitoring_service().not_uploading(asked.scope, days)
    shown = _shown_idle(asked, idle, days)
    view = province_views.idle(shown, len(idle), asked.offset, days, asked.contacts, asked.lang)
    may_remind = may_do(asked.session, Permission.REMINDERS_SEND)
    return _page("console/idle.html", asked, may_remind=may_remind, **view)


@page("/console/coverage/errors", stacks=PROVINCE)
def error_rates_page() -> Response:
    asked = _monitoring_request()
    service = monitoring_service()
    today = service.today()
    month = _month(asked.params.get("month", ""), today)
    every = service.error_rates(asked.scope, month)
    view = province_views.error_rates(every, asked.offset, month, today, asked.lang)
    _audit(asked, "monitoring.error_rates", month=month, shops=len(every), shown=len(view["rows"]))
    return _page("console/error_rates.html", asked, **view)


def _monitoring_request() -> _Asked:
    """The signed-in reader of statistics, its language, the query, the scope to show (its
    districts, or the one district asked for if it lies in them) and that district."""
    params = query_params(door.request)
    division = params.get("division", "").strip()
    if division and not DIVISION_PATTERN.match(division):
        division = ""
    session, lang = signed_in(door.request, Permission.STATS_READ, division=division or None)
    scope = (division,) if division else scope_of(session)
    return _Asked(session, lang, params, scope, division)


def _page(template: str, asked: _Asked, **context: Any) -> Response:
    """A monitoring page, with the district it shows (every page can narrow to one)."""
    return console_page(
        template,
        asked.session,
        asked.lang,
        active="coverage",
        division=asked.division,
        division_label=province_views.division_label(asked.division),
        **context,
    )


def _audit(asked: _Asked, action: str, **details: Any) -> None:
    """Lists of shops are cross-shop data (with contacts): each view of one is audited."""
    target = asked.division or (",".join(asked.scope) if asked.scope is not None else "province")
    audit_trail().record(actor_of(door.request, asked.session.principal), action, target, details)


def _shown_idle(
    asked: _Asked, idle: list[dict[str, Any]], days: int
) -> list[tuple[dict[str, Any], Shop | None]]:
    """The page of not-uploading shops shown, each with its registry entry (for its contact)
    if it has one; the view is audited."""
    page = idle[asked.offset : asked.offset + province_views.IDLE_PAGE_SIZE]
    shown = [(shop, _profile(shop["companycode"])) for shop in page]
    details = {"days": days, "shops": len(idle), "shown": len(shown), "contacts": asked.contacts}
    _audit(asked, "monitoring.not_uploading", **details)
    return shown


def _profile(companycode: str) -> Shop | None:
    try:
        return shop_registry().get(companycode)
    except NotFoundError:
        return None


def _month(value: str, today: date) -> str:
    """The month asked for (YYYY-MM), or this month for none, a malformed or a future one."""
    this_month = today.isoformat()[:7]
    return value if _MONTH.match(value) and value <= this_month else this_month


def _bounded(value: str | None, default: int, low: int, high: int) -> int:
    if value is None or not value.isdigit():
        return default
    return max(low, min(int(value), high))
