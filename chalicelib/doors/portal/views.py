"""Page view models of the shop portal: what each page shows, in the clerk's terms.

Why: the receipt, the record page, the import results, the messages and the scorecard all show
times and quality flags; a shop clerk reads times in China Standard Time and flags as
sentences with what to do about them, the same way on every page. Building each page's
context here keeps the routes a few lines and what a shop may see reviewable in one place
(a complaint's view, for example, never carries the complainant's phone or photo).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from chalicelib.domain.china_time import CST
from chalicelib.domain.complaint import Complaint
from chalicelib.domain.record import Flag, StoredRecord
from chalicelib.domain.record_import import ImportProgress, RowOutcome
from chalicelib.domain.reminder import Delivery
from chalicelib.domain.scorecard import Figures
from chalicelib.doors.portal.pages import MESSAGES, RECORDS, error_text, texts_for
from chalicelib.doors.portal.record_messages import describe
from chalicelib.doors.portal.texts import FLAG_TITLES
from chalicelib.services.shop_scorecard import Scorecard
from chalicelib.web.flag_advice import advice_for
from chalicelib.web.i18n import explain_flag


def china_time(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def flag_views(flags: tuple[Flag, ...] | list[Flag], lang: str) -> list[dict[str, Any]]:
    """Each flag of a record explained with its details, and the advice on fixing it."""
    return [
        {
            "code": f.code,
            "text": explain_flag(f.to_dict(), lang),
            "advice": advice_for(f.code, lang),
        }
        for f in flags
    ]


def flag_title(code: str, lang: str) -> str:
    return FLAG_TITLES[lang].get(code, code)


def flag_help(lang: str) -> list[dict[str, str]]:
    """Every flag by name with its advice (the entry form's explanation of data notes)."""
    return [
        {"code": code, "title": title, "advice": advice_for(code, lang)}
        for code, title in FLAG_TITLES[lang].items()
    ]


# --- home ----------------------------------------------------------------------------------


def home_view(card: Scorecard, unread: int) -> dict[str, Any]:
    """The last 30 days at a glance, and how many messages are unread."""
    return {
        "total": card.total,
        "last_upload": china_time(card.last_upload_at) if card.last_upload_at else "",
        "unread": unread,
    }


# --- records -------------------------------------------------------------------------------


def search_text(params: dict[str, str]) -> str:
    """The text searched for in the shop's records (settlement number, VIN, plate)."""
    return params.get("q", "").strip()[:50]


def records_view(
    params: dict[str, str], records: list[StoredRecord], cursor: str | None, problem: str
) -> dict[str, Any]:
    """The search form as asked, the records found and the link to the next page."""
    text = search_text(params)
    query = {"from": params.get("from", ""), "to": params.get("to", ""), "q": text}
    next_url = f"{RECORDS}?{urlencode({**query, 'cursor': cursor})}" if cursor else ""
    return {
        "records": [_summary(r) for r in records],
        "date_from": params.get("from", ""),
        "date_to": params.get("to", ""),
        "q": text,
        "next_url": next_url,
        "problem": problem,
    }


def record_view(record: StoredRecord, versions: list[StoredRecord], lang: str) -> dict[str, Any]:
    """One record as stored, its flags explained, and every version of it."""
    return {
        "record": record,
        "content": record.content.to_dict(),
        "received_at": china_time(record.received_at),
        "flags": flag_views(record.flags, lang),
        "versions": [
            {
                "version": v.version,
                "status": v.status,
                "reason": v.reason,
                "updated_at": china_time(v.updated_at),
                "content": v.content.to_dict(),
                "flags": [flag_title(f.code, lang) for f in v.flags],
            }
            for v in versions
        ],
    }


def _summary(record: StoredRecord) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "status": record.status,
        "version": record.version,
        "flags": record.flags,
        "content": record.content.to_dict(),
    }


# --- imports -------------------------------------------------------------------------------


def import_job_view(progress: ImportProgress, only_errors: bool, lang: str) -> dict[str, Any]:
    """An import's progress and its rows' outcomes (only the refused ones, if asked)."""
    outcomes = [o for o in progress.outcomes if o.result == "error" or not only_errors]
    return {
        "job": progress.job,
        "created_at": china_time(progress.job.created_at),
        "done": progress.done,
        "rows_done": progress.rows_done,
        "counts": progress.counts,
        "only_errors": only_errors,
        "outcomes": [_outcome_view(o, lang) for o in outcomes],
    }


def outcome_reason(outcome: RowOutcome, lang: str) -> str:
    """错误原因: every failing field in words, or what refused the whole row."""
    if outcome.result != "error":
        return ""
    if outcome.errors:
        separator = "；" if lang == "zh-CN" else "; "
        return separator.join(describe(e, lang) for e in outcome.errors)
    return error_text(outcome.error_code or "default", texts_for(lang))


def outcome_flags(outcome: RowOutcome, lang: str) -> str:
    """The row's flags in words with their codes: '车辆识别代码校验位不符 (vin_check_digit)'."""
    separator = "；" if lang == "zh-CN" else "; "
    return separator.join(f"{flag_title(code, lang)} ({code})" for code in outcome.flags)


def _outcome_view(outcome: RowOutcome, lang: str) -> dict[str, object]:
    return {
        "row": outcome.row,
        "code": outcome.settlement_list_code,
        "result": outcome.result,
        "record_id": outcome.record_id,
        "flags": [flag_title(f, lang) for f in outcome.flags],
        "reason": outcome_reason(outcome, lang),
    }


# --- messages ------------------------------------------------------------------------------


def messages_view(
    complaints: tuple[list[Complaint], str | None], reminders: tuple[list[Delivery], str | None]
) -> dict[str, Any]:
    """A page of complaints and a page of reminders, each with the link to its next page."""
    (complaint_items, next_complaints), (reminder_items, next_reminders) = complaints, reminders
    return {
        "complaints": [complaint_view(c) for c in complaint_items],
        "more_complaints": f"{MESSAGES}?complaints={next_complaints}" if next_complaints else "",
        "reminders": [reminder_view(r) for r in reminder_items],
        "more_reminders": f"{MESSAGES}?reminders={next_reminders}" if next_reminders else "",
    }


def complaint_view(complaint: Complaint) -> dict[str, Any]:
    """What the shop may see of a complaint: never the complainant's phone or photo."""
    return {
        "code": complaint.complaint_id,
        "kind": complaint.kind,
        "status": complaint.status,
        "created_at": china_time(complaint.created_at),
        "vin": complaint.vin,
        "plate_number": complaint.plate_number,
        "settlement_list_code": complaint.settlement_list_code,
        "settlement_date": complaint.settlement_date.isoformat()
        if complaint.settlement_date
        else "",
        "text": complaint.text,
        "record_id": complaint.record_id,
        "read_at": china_time(complaint.shop_read_at) if complaint.shop_read_at else "",
        "reply": complaint.shop_reply or "",
        "replied_at": china_time(complaint.shop_replied_at) if complaint.shop_replied_at else "",
        "correction": complaint.correction,
        "outcome_note": complaint.outcome_note or "",
        "can_reply": complaint.status == "accepted",
    }


def reminder_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.reminder_id,
        "title": delivery.title,
        "body": delivery.body,
        "sender": delivery.sender,
        "sent_at": china_time(delivery.created_at),
        "read_at": china_time(delivery.read_at) if delivery.read_at else "",
    }


# --- scorecard -----------------------------------------------------------------------------


def scorecard_view(
    card: Scorecard, month: str, today: date, lang: str, texts: dict[str, str]
) -> dict[str, Any]:
    """The range shown, its figures and each day's or week's, the flags, and what to fix."""
    return {
        "date_from": card.date_from.isoformat(),
        "date_to": card.date_to.isoformat(),
        "month": month,
        "this_month": today.isoformat()[:7],
        "by": card.granularity,
        "total": _figures(card.total),
        "periods": [_figures(p) for p in reversed(card.periods)],
        "flags": [
            {
                "code": f.code,
                "title": flag_title(f.code, lang),
                "count": f.count,
                "share": _percent(f.share),
            }
            for f in card.flags
        ],
        # Flags over time: a column per flag that occurs in the range, most frequent first.
        "flag_columns": [{"code": f.code, "title": flag_title(f.code, lang)} for f in card.flags],
        "advice": _advice(card, lang, texts),
        "last_upload": china_time(card.last_upload_at) if card.last_upload_at else "",
    }


def _figures(figures: Figures) -> dict[str, Any]:
    same_day = figures.start == figures.end
    return {
        "label": figures.start.isoformat()
        if same_day
        else f"{figures.start.isoformat()} – {figures.end.isoformat()}",
        "uploads": figures.uploads,
        "flagged": figures.flagged,
        "corrections": figures.corrections,
        "voids": figures.voids,
        "error_rate": _percent(figures.error_rate),
        "error_rate_value": figures.error_rate,
        "timeliness": _percent(figures.timeliness),
        "timeliness_value": figures.timeliness,
        "flags": figures.flags,
    }


def _advice(card: Scorecard, lang: str, texts: dict[str, str]) -> list[dict[str, str]]:
    advice = []
    for code in card.advice:
        if code in ("late_uploads", "no_uploads"):
            advice.append({"code": code, "title": "", "text": texts[f"advice_{code}"]})
        else:
            advice.append(
                {"code": code, "title": flag_title(code, lang), "text": advice_for(code, lang)}
            )
    return advice


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"
