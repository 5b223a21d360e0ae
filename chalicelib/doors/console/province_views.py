"""View models of the provincial console's sections: registry, monitoring, complaints,
reminders.

Why: as for `views.py`: the routes call services, these turn what they return into what the
templates show; contacts are masked here for roles without `registry.contacts`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.shop import SHOP_CLASSES, division_name
from chalicelib.doors.console.pages import china_time, console_texts
from chalicelib.doors.console.views import coverage_rows, local_time, timeliness_rows, trend
from chalicelib.doors.kit.masking import MASK

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.domain.complaint import Complaint
    from chalicelib.domain.record import StoredRecord
    from chalicelib.domain.reminder import Reminder
    from chalicelib.domain.shop import Shop
    from chalicelib.services.monitoring import CoverageRow


# --- the shop registry (province) --------------------------------------------------------------


def registry(
    shops: list[Shop],
    next_cursor: str | None,
    divisions: tuple[str, ...] | None,
    *,
    contacts: bool,
    may_write: bool,
) -> dict[str, Any]:
    """A page of the registry and, for writers, the registration form (its districts and
    shop classes to pick from)."""
    return {
        "active": "registry",
        "switch_path": "/console/shops",
        "shops": [shop_row(s, contacts) for s in shops],
        "next_cursor": next_cursor,
        "may_write": may_write,
        "divisions": [{"code": d, "name": division_name(d) or ""} for d in divisions or ()],
        "classes": list(SHOP_CLASSES),
    }


def shop(
    entry: Shop, *, contacts: bool, form: dict[str, Any] | None, allowed: dict[str, bool]
) -> dict[str, Any]:
    """One shop, its edit form (the values posted, after a refused edit) and the actions the
    role may take (`allowed`: may_write, may_remind, may_search)."""
    view = shop_row(entry, contacts)
    return {
        "active": "registry",
        "switch_path": f"/console/shops/{entry.companycode}",
        "shop": view,
        "form": {**view, **(form or {})},
        "classes": list(SHOP_CLASSES),
        **allowed,
    }


def shop_confirm(entry: Shop, action: str) -> dict[str, Any]:
    """The page that asks once more before an action that stops a shop's uploads."""
    return {
        "active": "registry",
        "switch_path": f"/console/shops/{entry.companycode}",
        "shop": shop_row(entry, False),
        "action": action,
    }


def shop_secret(entry: Shop, secret: str, registered: bool) -> dict[str, Any]:
    """A shop's new secret, shown once (with its companycode, after a registration)."""
    return {
        "active": "registry",
        "switch_path": "/console/shops",
        "shop": shop_row(entry, True),
        "secret": secret,
        "registered": registered,
    }


def shop_row(entry: Shop, contacts: bool) -> dict[str, Any]:
    """A registry entry as the console shows it; contacts masked unless `contacts`."""
    return {
        "companycode": entry.companycode,
        "name": entry.name,
        "uscc": entry.uscc,
        "division_code": entry.division_code,
        "division_name": division_name(entry.division_code) or "",
        "shop_class": entry.shop_class,
        "address": entry.address,
        "contact_name": entry.contact_name if contacts else MASK,
        "contact_phone": entry.contact_phone if contacts else MASK,
        "status": entry.status,
        "version": entry.version,
        "created_local": china_time(entry.created_at),
        "updated_local": china_time(entry.updated_at),
    }


# --- upload monitoring (province) --------------------------------------------------------------

IDLE_PAGE_SIZE = 100
ERRORS_PAGE_SIZE = 100


def coverage(
    daily: list[dict[str, Any]], timeliness: dict[str, Any], rows: list[CoverageRow], lang: str
) -> dict[str, Any]:
    """对接率 by class, uploads today and yesterday, 及时率 and the daily trend (oldest first)."""
    texts = console_texts(lang)
    return {
        "switch_path": "/console/coverage",
        "page_title": texts["coverage_heading"],
        "coverage": coverage_rows(rows, lang),
        "today": int(daily[-1].get("uploads", 0)),
        "yesterday": int(daily[-2].get("uploads", 0)),
        "timeliness": timeliness_rows(timeliness),
        "timely_rate": timeliness["rate"],
        "period_uploads": timeliness["uploads"],
        "first_day": daily[0]["day"],
        "last_day": daily[-1]["day"],
        "trend_svg": trend(daily, texts["trend_title"], texts["trend_bar"]),
        "trend": list(reversed(daily)),
        "month": daily[-1]["day"][:7],
    }


def idle(
    shown: list[tuple[dict[str, Any], Shop | None]],
    total: int,
    offset: int,
    days: int,
    contacts: bool,
    lang: str,
) -> dict[str, Any]:
    """One page of the shops that stopped uploading, with their contacts (masked for roles
    without `registry.contacts`) and the reminder the page offers to send them."""
    texts = console_texts(lang)
    return {
        "switch_path": "/console/coverage/idle",
        "page_title": texts["idle_heading"],
        "days": days,
        "total": total,
        "offset": offset,
        "next_offset": offset + IDLE_PAGE_SIZE if offset + IDLE_PAGE_SIZE < total else None,
        "shops": [_idle_row(shop, profile, contacts) for shop, profile in shown],
        "reminder_title": texts["idle_reminder_title"],
        "reminder_body": texts["idle_reminder_body"].format(days=days),
    }


def error_rates(
    every: list[dict[str, Any]], offset: int, month: str, today: date, lang: str
) -> dict[str, Any]:
    """One page of a month's 错误率 by shop, each flag linked to the record search behind it."""
    window = _search_window(month, today)
    rows = [_error_row(row, window) for row in every[offset : offset + ERRORS_PAGE_SIZE]]
    more = offset + ERRORS_PAGE_SIZE < len(every)
    return {
        "switch_path": "/console/coverage/errors",
        "page_title": console_texts(lang)["errors_heading"],
        "month": month,
        "rows": rows,
        "window": window,
        "offset": offset,
        "next_offset": offset + ERRORS_PAGE_SIZE if more else None,
    }


def division_label(division: str) -> str:
    return f"{division} {division_name(division) or ''}".strip() if division else ""


def _idle_row(shop: dict[str, Any], profile: Shop | None, contacts: bool) -> dict[str, Any]:
    return {
        **shop,
        "last_upload_local": local_time(shop.get("last_upload_at")),
        "contact_name": (profile.contact_name if contacts else MASK) if profile else "",
        "contact_phone": (profile.contact_phone if contacts else MASK) if profile else "",
    }


def _error_row(row: dict[str, Any], window: dict[str, str]) -> dict[str, Any]:
    """A shop's error rate, with links to its flagged records (all, and by flag)."""
    companycode = row["companycode"]
    return {
        **row,
        "flag_links": [
            {
                "code": code,
                "count": count,
                "query": {**window, "flag": code, "companycode": companycode},
            }
            for code, count in sorted(row["flags"].items(), key=lambda item: -item[1])
        ],
        "flagged_query": {**window, "flag": "any", "companycode": companycode},
        "last_upload_local": local_time(row.get("last_upload_at")),
    }


def _search_window(month: str, today: date) -> dict[str, str]:
    """Settlement dates to search for a month's flagged uploads: the year up to the month's
    end (an upload of the month may settle up to a year before; searches span ≤ 366 days)."""
    first = date.fromisoformat(month + "-01")
    end = min((first + timedelta(days=32)).replace(day=1) - timedelta(days=1), today)
    return {"from": (end - timedelta(days=365)).isoformat(), "to": end.isoformat()}


# --- complaints (province) ---------------------------------------------------------------------


def complaint_queue(
    items: list[Complaint],
    cursor: str | None,
    status: str,
    statuses: tuple[str, ...],
    shop_names: dict[str, str],
) -> dict[str, Any]:
    """The queue of complaints in one status, each with its shop's name."""
    return {
        "active": "complaints",
        "switch_path": "/console/complaints",
        "statuses": statuses,
        "queue_status": status,
        "complaints": [
            {**_complaint_summary(c), "shop_name": shop_names.get(c.companycode, "")} for c in items
        ],
        "next_cursor": cursor,
    }


def complaint(
    c: Complaint,
    shop: Shop | None,
    record: StoredRecord | None,
    *,
    contacts: bool,
    may_handle: bool,
) -> dict[str, Any]:
    """One complaint: what the owner wrote, each step taken, its shop and its record."""
    shop_view: dict[str, Any] = {"companycode": c.companycode, "name": ""}
    if shop is not None:
        shop_view = {
            "companycode": shop.companycode,
            "name": shop.name,
            "contact_name": shop.contact_name if contacts else MASK,
            "contact_phone": shop.contact_phone if contacts else MASK,
        }
    record_view = None
    if record is not None:
        flags = [f.code for f in record.flags]
        record_view = record.content.to_dict() | {"version": record.version, "flags": flags}
    return {
        "active": "complaints",
        "switch_path": f"/console/complaints/{c.complaint_id}",
        "complaint": _complaint_summary(c) | _complaint_details(c),
        "shop": shop_view,
        "record": record_view,
        "may_handle": may_handle,
    }


def _complaint_summary(c: Complaint) -> dict[str, Any]:
    return {
        "code": c.complaint_id,
        "kind": c.kind,
        "status": c.status,
        "companycode": c.companycode,
        "settlement_list_code": c.settlement_list_code,
        "settlement_date": c.settlement_date.isoformat() if c.settlement_date else "",
        "created_local": china_time(c.created_at),
        "has_photo": c.has_photo,
        "shop_read": c.shop_read_at is not None,
    }


def _complaint_details(c: Complaint) -> dict[str, Any]:
    return {
        "vin": c.vin,
        "plate_number": c.plate_number,
        "text": c.text,
        "contact_phone": c.contact_phone or "",
        "regulator_reason": c.regulator_reason or "",
        "regulator_actor": (c.regulator_actor or "").removeprefix("regulator:"),
        "shop_read_local": local_time(c.shop_read_at),
        "shop_reply": c.shop_reply or "",
        "shop_replied_local": local_time(c.shop_replied_at),
        "correction": c.correction.to_dict() if c.correction else None,
        "outcome_note": c.outcome_note or "",
        "closed_local": local_time(c.closed_at),
        "updated_local": china_time(c.updated_at),
        "may_decide": c.status == "submitted",
        "may_close": c.status in ("accepted", "replied"),
    }


# --- reminders (province) ----------------------------------------------------------------------


def reminders(items: list[Reminder], next_cursor: str | None) -> dict[str, Any]:
    """The reminders sent, each with how many shops it went to and how many have read it."""
    return {
        "active": "reminders",
        "switch_path": "/console/reminders",
        "reminders": [
            {
                "reminder_id": r.reminder_id,
                "title": r.title,
                "body": r.body,
                "sender": r.sender.removeprefix("regulator:"),
                "recipients": r.recipients,
                "read": r.read,
                "rate": r.read / r.recipients if r.recipients else None,
                "created_local": china_time(r.created_at),
            }
            for r in items
        ],
        "next_cursor": next_cursor,
    }
