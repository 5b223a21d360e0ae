"""Shop portal: the data-quality scorecard.

Why: a shop improves what it can see. The scorecard shows the shop's own uploads, error rate
(错误率), timeliness (及时率) and flags over time, with what to fix for each problem. They are
counted as the regulator's are (the same counting rule into the same counters, see
`services/shop_scorecard.py`): `?month=YYYY-MM` shows a calendar month, which is exactly the
shop's row in the console's error-rate table for that month; `from`/`to` (default the last
30 days) show any other range.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.portal_common import page, page_language, portal_view, signed_in, texts_for
from chalicelib.api.portal_views import china_time, flag_title
from chalicelib.bootstrap import record_service, shop_scorecard
from chalicelib.domain.china_time import china_date
from chalicelib.domain.scorecard import Figures, Granularity, month_range
from chalicelib.doors.kit.http import query_params
from chalicelib.errors import ValidationFailedError
from chalicelib.services.shop_scorecard import Scorecard
from chalicelib.web.flag_advice import advice_for

bp = Blueprint(__name__)
DEFAULT_DAYS = 30


@bp.route("/portal/scorecard", methods=["GET"])
@portal_view(bp)
def scorecard_page() -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    texts = texts_for(lang)
    params = query_params(request)
    today = china_date(record_service().now())
    granularity: Granularity = "week" if params.get("by") == "week" else "day"
    problem = ""
    try:
        date_from, date_to, month = _range(params, today)
        card = shop_scorecard().scorecard(who.shop.companycode, date_from, date_to, granularity)
    except ValidationFailedError:
        problem = texts["range_invalid"]
        date_to, date_from, month = today, today - timedelta(days=DEFAULT_DAYS - 1), ""
        card = shop_scorecard().scorecard(who.shop.companycode, date_from, date_to, granularity)
    return page(
        request,
        "portal/scorecard.html",
        who,
        status=400 if problem else 200,
        heading=texts["scorecard_title"],
        problem=problem,
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        month=month,
        this_month=today.isoformat()[:7],
        by=granularity,
        total=_figures(card.total),
        periods=[_figures(p) for p in reversed(card.periods)],
        flags=[
            {
                "code": f.code,
                "title": flag_title(f.code, lang),
                "count": f.count,
                "share": _percent(f.share),
            }
            for f in card.flags
        ],
        # Flags over time: a column per flag that occurs in the range, most frequent first.
        flag_columns=[{"code": f.code, "title": flag_title(f.code, lang)} for f in card.flags],
        advice=_advice(card, lang, texts),
        last_upload=china_time(card.last_upload_at) if card.last_upload_at else "",
    )


def _range(params: dict[str, str], today: date) -> tuple[date, date, str]:
    """From, to and the month asked for: `month` (up to today) wins over `from` / `to`.

    Raises ValidationFailedError for a month that is not YYYY-MM.
    """
    month = params.get("month", "").strip()
    if month:
        first, last = month_range(month)
        return first, min(last, today), month
    date_to = _date(params.get("to")) or today
    date_from = _date(params.get("from")) or date_to - timedelta(days=DEFAULT_DAYS - 1)
    return date_from, date_to, ""


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


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
