"""Page views of the shop portal: times in China, flags in words with how to fix them.

Why: the receipt, the record page, the import results and the scorecard all show times and
quality flags; a shop clerk reads times in China Standard Time and flags as sentences with
what to do about them, the same way on every page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.china_time import CST
from chalicelib.domain.record import Flag
from chalicelib.web.flag_advice import advice_for
from chalicelib.web.i18n import explain_flag
from chalicelib.web.portal_texts import FLAG_TITLES


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
