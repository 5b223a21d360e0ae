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

from chalice import Response

from chalicelib.bootstrap import record_service, shop_scorecard
from chalicelib.domain.china_time import china_date
from chalicelib.domain.scorecard import Granularity, month_range
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.portal.door import door
from chalicelib.doors.portal.pages import PORTAL, page, page_language, texts_for
from chalicelib.doors.portal.session import SignedIn, signed_in
from chalicelib.doors.portal.views import scorecard_view
from chalicelib.errors import ValidationFailedError
from chalicelib.services.shop_scorecard import Scorecard

DEFAULT_DAYS = 30


@door.route(f"{PORTAL}/scorecard", methods=["GET"], page=True)
def scorecard_page() -> Response:
    request = door.request
    who = signed_in(request)
    lang, _ = page_language(request)
    today = china_date(record_service().now())
    card, month, refused = _scorecard(who, query_params(request), today)
    view = scorecard_view(card, month, today, lang, texts_for(lang))
    problem = texts_for(lang)["range_invalid"] if refused else ""
    return page(
        request,
        "portal/scorecard.html",
        who,
        status=400 if refused else 200,
        title="scorecard_title",
        problem=problem,
        **view,
    )


def _scorecard(who: SignedIn, params: dict[str, str], today: date) -> tuple[Scorecard, str, bool]:
    """The card of the range asked for (the last 30 days if that range is refused), the month
    asked for, and whether the range was refused."""
    granularity: Granularity = "week" if params.get("by") == "week" else "day"
    try:
        date_from, date_to, month = _range(params, today)
        card = shop_scorecard().scorecard(who.shop.companycode, date_from, date_to, granularity)
    except ValidationFailedError:
        date_from = today - timedelta(days=DEFAULT_DAYS - 1)
        card = shop_scorecard().scorecard(who.shop.companycode, date_from, today, granularity)
        return card, "", True
    return card, month, False


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


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
