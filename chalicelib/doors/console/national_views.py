"""View models of the ministry console's sections: provinces (部省联网) and agencies.

Why: as for `views.py`: the routes call services, these turn what they return into what the
templates show (province names in the page's language, exchange lags in words, credentials
by status, never a secret except on the page that issues it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.agency import AGENCY_KINDS, FIELD_SCOPES, PURPOSES
from chalicelib.doors.console.pages import china_time, console_texts
from chalicelib.doors.console.views import coverage_rows, local_time, timeliness_rows, trend

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.domain.agency import Agency, AgencyKey
    from chalicelib.services.agencies import IssuedKey
    from chalicelib.services.exchange_credentials import CredentialStatus, IssuedCredential
    from chalicelib.services.national_monitoring import ProvinceFigures


# --- provinces (ministry) ----------------------------------------------------------------------


def provinces(
    rows: list[ProvinceFigures],
    credentials: dict[str, CredentialStatus],
    nation: list[dict[str, Any]],
    lang: str,
) -> dict[str, Any]:
    """Every province's figures and credential, the nation's totals and its daily trend."""
    texts = console_texts(lang)
    uploads = sum(r.uploads for r in rows)
    flagged = sum(r.flagged for r in rows)
    timely = sum(r.timely for r in rows)
    return {
        "active": "provinces",
        "switch_path": "/console/provinces",
        "page_title": texts["provinces_heading"],
        "rows": [_province_row(r, credentials[r.province_code], lang) for r in rows],
        "connected": sum(1 for r in rows if r.connected),
        "total": len(rows),
        "today": int(nation[-1].get("uploads", 0)),
        "yesterday": int(nation[-2].get("uploads", 0)),
        "uploads": uploads,
        "error_rate": flagged / uploads if uploads else None,
        "timely_rate": timely / uploads if uploads else None,
        "trend_svg": trend(nation, texts["national_trend_title"], texts["trend_bar"]),
        "trend": list(reversed(nation)),
        "first_day": nation[0]["day"],
        "last_day": nation[-1]["day"],
    }


def province(
    figures: ProvinceFigures, credential: CredentialStatus, lang: str, manage: bool
) -> dict[str, Any]:
    """One province: its figures by class, 及时率, daily trend and exchange credential."""
    texts = console_texts(lang)
    code = figures.province_code
    return {
        "active": "provinces",
        "switch_path": f"/console/provinces/{code}",
        "page_title": province_heading(code, lang),
        "province": province_heading(code, lang),
        "province_code": code,
        "row": _province_row(figures, credential, lang),
        "coverage": coverage_rows(figures.classes, lang),
        "timeliness": timeliness_rows(figures.timeliness),
        "trend_svg": trend(figures.daily, texts["trend_title"], texts["trend_bar"]),
        "trend": list(reversed(figures.daily)),
        "first_day": figures.daily[0]["day"],
        "last_day": figures.daily[-1]["day"],
        "manage": manage,
    }


def province_confirm(province_code: str, action: str, lang: str) -> dict[str, Any]:
    """The page that asks once more before a province's feed is stopped."""
    return {
        "active": "provinces",
        "action": action,
        "province": province_heading(province_code, lang),
        "province_code": province_code,
    }


def province_credential(issued: IssuedCredential, province_code: str, lang: str) -> dict[str, Any]:
    """The page that shows a new or rotated exchange secret once."""
    return {
        "active": "provinces",
        "province": province_heading(province_code, lang),
        "secret": issued.secret,
        "credential": _credential(issued.status, lang),
    }


def province_heading(province_code: str, lang: str) -> str:
    from chalicelib.doors.console.national_texts import province_label

    return f"{province_label(province_code, lang)} {province_code}"


def _province_row(
    figures: ProvinceFigures, credential: CredentialStatus, lang: str
) -> dict[str, Any]:
    from chalicelib.doors.console.national_texts import province_label

    coverage = figures.coverage
    return {
        "province_code": figures.province_code,
        "name": province_label(figures.province_code, lang),
        "connected": figures.connected,
        "silent": figures.silent,
        "registered": coverage.registered,
        "docked": coverage.docked,
        "coverage_rate": coverage.rate,
        "uploads_today": figures.uploads_today,
        "uploads_yesterday": figures.uploads_yesterday,
        "uploads": figures.uploads,
        "flagged": figures.flagged,
        "error_rate": figures.error_rate,
        "timely_rate": figures.timely_rate,
        "last_exchange_local": local_time(figures.last_exchange_at),
        "lag": _lag(figures.exchange_lag_seconds, lang),
        "lag_seconds": figures.exchange_lag_seconds,
        "batches": figures.batches,
        "credential": _credential(credential, lang),
    }


def _credential(status: CredentialStatus, lang: str) -> dict[str, Any]:
    texts = console_texts(lang)
    label = {
        "none": texts["credential_none"],
        "active": texts["credential_active"].format(generation=status.generation),
        "revoked": texts["credential_revoked"],
    }[status.status]
    return {
        "status": status.status,
        "label": label,
        "generation": status.generation,
        "issued_local": local_time(status.issued_at),
        "revoked_local": local_time(status.revoked_at),
    }


def _lag(seconds: int | None, lang: str) -> str:
    if seconds is None:
        return ""
    texts = console_texts(lang)
    if seconds < 120:
        return str(texts["lag_seconds"].format(seconds=seconds))
    if seconds < 7200:
        return str(texts["lag_minutes"].format(minutes=seconds // 60))
    return str(texts["lag_hours"].format(hours=seconds // 3600))


# --- agencies (ministry) -----------------------------------------------------------------------


def agencies(
    listed: list[tuple[Agency, list[AgencyKey]]], lang: str, manage: bool
) -> dict[str, Any]:
    """The agencies page: each agency with its purposes and keys; forms only for `manage`."""
    from chalicelib.web.sharing_texts import CONSOLE_TEXTS, KIND_LABELS, PURPOSE_LABELS

    return {
        "active": "agencies",
        "switch_path": "/console/agencies",
        "a": CONSOLE_TEXTS[lang],
        "agencies": [
            {
                "agency_id": agency.agency_id,
                "name": agency.name,
                "kind": KIND_LABELS[lang].get(agency.kind, agency.kind),
                "purposes": [(p.code, PURPOSE_LABELS[lang][p.code]) for p in agency.purposes()],
                "keys": [_key_row(k.public_view(), lang) for k in keys],
            }
            for agency, keys in listed
        ],
        "kinds": [(k, KIND_LABELS[lang][k]) for k in AGENCY_KINDS],
        "scopes": FIELD_SCOPES,
        "manage": manage,
    }


def agency_key(issued: IssuedKey, lang: str) -> dict[str, Any]:
    """The page that shows a key's secret once, with its terms."""
    from chalicelib.web.sharing_texts import CONSOLE_TEXTS, PURPOSE_LABELS

    return {
        "active": "agencies",
        "a": CONSOLE_TEXTS[lang],
        "key": issued.key.public_view(),
        "purpose_label": PURPOSE_LABELS[lang].get(issued.key.purpose, issued.key.purpose),
        "agency_name": issued.key.agency_name,
        "secret": issued.secret,
    }


def _key_row(view: dict[str, Any], lang: str) -> dict[str, Any]:
    from chalicelib.web.sharing_texts import PURPOSE_LABELS

    purpose = PURPOSES.get(view["purpose"])
    return {
        **view,
        "purpose_label": PURPOSE_LABELS[lang].get(view["purpose"], view["purpose"]),
        "needs_grant": purpose.needs_grant if purpose else True,
        "created_local": china_time(datetime.fromisoformat(view["created_at"])),
    }
