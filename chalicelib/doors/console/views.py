"""View models of the console's pages on both stacks: what each template shows, built from
what services return.

Why: a route reads its request, calls its service and renders one page; turning domain
objects into the rows and figures a template shows (times in China time, names in the page's
language) is done here, apart from HTTP, so it can be read on its own. Every function is
pure: services are the routes' to call. The provincial sections' views are in
`province_views.py`, the ministry's in `national_views.py`; the figures both show (对接率 and
及时率 rows, the daily trend chart) are here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.access_policy import CREATABLE_ROLES
from chalicelib.domain.provinces import provinces as all_provinces
from chalicelib.domain.shop import division_name
from chalicelib.domain.statistics import TIMELINESS_BUCKETS
from chalicelib.doors.console.pages import china_time
from chalicelib.errors import SearchTooBroadError
from chalicelib.services.record_export import criteria_to

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.domain.access_policy import StackKind
    from chalicelib.domain.principal import Principal
    from chalicelib.domain.regulator_account import RegulatorAccount
    from chalicelib.errors import FieldError
    from chalicelib.services.monitoring import CoverageRow
    from chalicelib.services.record_export import ExportJob
    from chalicelib.services.record_search import SearchPage
    from chalicelib.services.regulator_accounts import Enrolment


# --- home ------------------------------------------------------------------------------------


def home(principal: Principal, lang: str, stack: StackKind) -> dict[str, Any]:
    """The home page: who is signed in, in which role and districts, until when."""
    from chalicelib.doors.console.texts import ROLE_NAMES, TEXTS

    texts = TEXTS[lang]
    return {
        "welcome": texts["welcome"].format(username=principal.principal_id),
        "role_name": ROLE_NAMES[lang].get(principal.role, principal.role),
        "districts": [{"code": d, "name": division_name(d) or ""} for d in principal.divisions],
        "area": texts["whole_country" if stack == "ministry" else "whole_province"],
        "session_ends": china_time(principal.expires_at),
        "session_ends_iso": principal.expires_at.isoformat(),
    }


# --- accounts and the audit log ----------------------------------------------------------------


def accounts(
    listed: list[RegulatorAccount], lang: str, stack: StackKind, me: Principal
) -> dict[str, Any]:
    """The accounts page: every account, and the roles this stack's administrator may create."""
    from chalicelib.doors.console.texts import ROLE_NAMES

    return {
        "active": "accounts",
        "switch_path": "/console/accounts",
        "accounts": [a.public_view() for a in listed],
        "role_names": ROLE_NAMES[lang],
        "roles": [(r.value, ROLE_NAMES[lang][r.value]) for r in CREATABLE_ROLES[stack]],
        "me": me.principal_id,
    }


def shown(enrolment: Enrolment) -> dict[str, Any]:
    """The page that shows a new password or TOTP secret once."""
    return {"active": "accounts", "shown": enrolment}


def audit(
    entries: list[dict[str, Any]], cursor: str | None, day: date, actor: str
) -> dict[str, Any]:
    """A day's audit entries (times in China time), the actor asked for and the next page."""
    return {
        "active": "audit",
        "switch_path": "/console/audit",
        "entries": [
            {**e, "at_local": china_time(datetime.fromisoformat(e["at"]))} for e in entries
        ],
        "next_cursor": cursor,
        "day": day.isoformat(),
        "actor": actor,
    }


# --- record search and export ------------------------------------------------------------------


def record_search(
    given: dict[str, str], errors: list[FieldError], national: bool, lang: str
) -> dict[str, Any]:
    """The search form as filled in (at the ministry, with the provinces to pick from), its
    errors, and no results yet (`search_results` adds them)."""
    from chalicelib.doors.console.national_texts import province_label
    from chalicelib.doors.console.texts import FLAG_NAMES

    return {
        "active": "records",
        "switch_path": "/console/records",
        "form": given,
        "query": {name: value for name, value in given.items() if value},
        "flags": list(FLAG_NAMES[lang].items()),
        "provinces": [(code, province_label(code, lang)) for code, _ in all_provinces()]
        if national
        else [],
        "errors": errors,
        "searched": False,
        "results": [],
        "paged": False,
        "next_cursor": None,
        "too_broad": any(e.rule == "narrow_search" for e in errors),
    }


def search_results(page: SearchPage, cursor: str | None) -> dict[str, Any]:
    """A page of results (received times in China time); `paged` past the first page."""
    return {
        "searched": True,
        "results": [_search_row(r) for r in page.records],
        "paged": cursor is not None,
        "next_cursor": page.next_cursor,
    }


def export(job: ExportJob, link: str | None, refresh_seconds: int) -> dict[str, Any]:
    """An export's state; while it runs, the page refreshes itself (the console runs no script)."""
    running = job.status not in ("done", "failed")
    return {
        "active": "records",
        "switch_path": f"/console/records/exports/{job.job_id}",
        "refresh_seconds": refresh_seconds if running else None,
        "job": {
            "job_id": job.job_id,
            "status": job.status,
            "rows": job.rows,
            "created_local": china_time(job.created_at),
            "criteria": criteria_to(job.criteria),
            "too_broad": job.error == SearchTooBroadError.code,
        },
        "link": link,
        "running": running,
    }


def _search_row(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        **summary,
        "flag_codes": list(summary.get("flag_codes") or []),
        "received_local": local_time(summary.get("received_at")),
    }


# --- figures both stacks show ------------------------------------------------------------------


def coverage_rows(rows: list[CoverageRow], lang: str) -> list[dict[str, Any]]:
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


def timeliness_rows(timeliness: dict[str, Any]) -> list[dict[str, Any]]:
    """及时率: how many uploads came in each delay bucket, and their share."""
    counted = timeliness["uploads"]
    return [
        {
            "bucket": bucket,
            "count": timeliness["buckets"][bucket],
            "share": timeliness["buckets"][bucket] / counted if counted else None,
        }
        for bucket in TIMELINESS_BUCKETS
    ]


def trend(days: list[dict[str, Any]], title: str, bar_label: str) -> str:
    """The daily uploads (flagged part marked) as a server-drawn SVG chart."""
    from chalicelib.doors.console.trend_chart import DayBar, trend_svg

    bars = [
        DayBar(date.fromisoformat(d["day"]), int(d.get("uploads", 0)), int(d.get("flagged", 0)))
        for d in days
    ]
    return trend_svg(bars, title, bar_label)


# --- times -----------------------------------------------------------------------------------


def local_time(value: Any) -> str:
    """A moment (or its ISO text) in China time; "" for none."""
    if not value:
        return ""
    return china_time(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
