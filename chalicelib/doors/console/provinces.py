"""Ministry console section "provinces" (部省联网): national monitoring and exchange credentials.

Why: the ministry supervises provinces (digest §1.6, §4.1): per province its coverage (对接率),
uploads, error rate (错误率), timeliness (及时率) and how far its exchange lags, with the
nation's daily trend; and a ministry administrator issues, rotates and revokes each
province's exchange credential here rather than on a command line. Figures come from
`services.national_monitoring`; credentials from `services.exchange_credentials`, which
audits every change. A new or rotated secret is shown once, on the answer page; rotating and
revoking stop a province's feed, so both ask for confirmation first. Reading the overview
is audited like the API's `GET /v1/provinces`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalice import Response

from chalicelib.bootstrap import audit_trail, exchange_credentials, national_monitoring
from chalicelib.domain.provinces import is_province_code
from chalicelib.domain.statistics import TIMELINESS_BUCKETS
from chalicelib.doors.console.door import door
from chalicelib.doors.console.monitoring import coverage_view
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_form,
    console_lang,
    console_page,
    console_session,
)
from chalicelib.doors.kit.auth import Permission, actor_of, may_here
from chalicelib.doors.kit.operations import MINISTRY
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import NotFoundError
from chalicelib.services.exchange_credentials import CredentialStatus
from chalicelib.services.national_monitoring import ProvinceFigures

DAYS = 30
CREDENTIAL_ACTIONS = ("issue", "rotate", "revoke")


@door.route("/console/provinces", methods=["GET"], page=True, stacks=MINISTRY)
def provinces_page() -> Response:
    request = door.request
    session = console_session(request, Permission.EXCHANGE_STATUS)
    lang = console_lang(request)
    monitoring = national_monitoring()
    rows = monitoring.overview(DAYS)
    credentials = exchange_credentials().statuses()
    nation = monitoring.nation_daily(DAYS)
    audit_trail().record(actor_of(request, session.principal), "provinces.read", "*")
    uploads = sum(r.uploads for r in rows)
    flagged = sum(r.flagged for r in rows)
    timely = sum(r.timely for r in rows)
    texts = _texts(lang)
    return console_page(
        "console/provinces.html",
        session,
        lang,
        active="provinces",
        switch_path="/console/provinces",
        page_title=texts["provinces_heading"],
        rows=[_row(r, credentials[r.province_code], lang) for r in rows],
        connected=sum(1 for r in rows if r.connected),
        total=len(rows),
        today=int(nation[-1].get("uploads", 0)),
        yesterday=int(nation[-2].get("uploads", 0)),
        uploads=uploads,
        error_rate=flagged / uploads if uploads else None,
        timely_rate=timely / uploads if uploads else None,
        trend_svg=_trend(nation, texts["national_trend_title"], texts["trend_bar"]),
        trend=list(reversed(nation)),
        first_day=nation[0]["day"],
        last_day=nation[-1]["day"],
    )


@door.route("/console/provinces/{province_code}", methods=["GET"], page=True, stacks=MINISTRY)
def province_page(province_code: str) -> Response:
    request = door.request
    session = console_session(request, Permission.EXCHANGE_STATUS)
    _known(province_code)
    return _province(session, console_lang(request), province_code)


@door.route(
    "/console/provinces/{province_code}/credential/{credential_action}",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=MINISTRY,
)
def credential_action(province_code: str, credential_action: str) -> Response:
    request = door.request
    session = console_session(request, Permission.EXCHANGE_CREDENTIALS)
    form = console_form(request, 4096)
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    _known(province_code)
    action = credential_action
    if action not in CREDENTIAL_ACTIONS:
        raise NotFoundError("no such action")
    service = exchange_credentials()
    current = service.status(province_code)
    if action != "issue" and form.get("confirm") != "yes":
        return _confirm(session, lang, province_code, action)
    actor = actor_of(request, session.principal)
    if action == "revoke":
        service.revoke(actor, province_code)
        from chalicelib.doors.kit.respond import redirect

        return redirect(f"/console/provinces/{province_code}", query={"lang": lang})
    if action == "issue" and current.status == "active":
        return _confirm(session, lang, province_code, "rotate")  # issuing again is a rotation
    issued = service.issue(actor, province_code)
    return console_page(
        "console/province_credential.html",
        session,
        lang,
        status=200 if issued.rotated else 201,
        active="provinces",
        province=_province_heading(province_code, lang),
        secret=issued.secret,
        credential=_credential(issued.status, lang),
    )


def _province(session: WebSession, lang: str, province_code: str) -> Response:
    figures = national_monitoring().province(province_code, DAYS)
    daily = figures.daily
    timeliness = figures.timeliness
    texts = _texts(lang)
    audit_trail().record(actor_of(door.request, session.principal), "provinces.read", province_code)
    counted = timeliness["uploads"]
    return console_page(
        "console/province.html",
        session,
        lang,
        active="provinces",
        switch_path=f"/console/provinces/{province_code}",
        page_title=_province_heading(province_code, lang),
        province=_province_heading(province_code, lang),
        province_code=province_code,
        row=_row(figures, exchange_credentials().status(province_code), lang),
        coverage=coverage_view(figures.classes, lang),
        timeliness=[
            {
                "bucket": bucket,
                "count": timeliness["buckets"][bucket],
                "share": timeliness["buckets"][bucket] / counted if counted else None,
            }
            for bucket in TIMELINESS_BUCKETS
        ],
        trend_svg=_trend(daily, texts["trend_title"], texts["trend_bar"]),
        trend=list(reversed(daily)),
        first_day=daily[0]["day"],
        last_day=daily[-1]["day"],
        manage=may_here(session.principal, Permission.EXCHANGE_CREDENTIALS),
    )


def _confirm(session: WebSession, lang: str, province_code: str, action: str) -> Response:
    return console_page(
        "console/province_confirm.html",
        session,
        lang,
        active="provinces",
        action=action,
        province=_province_heading(province_code, lang),
        province_code=province_code,
    )


def _row(figures: ProvinceFigures, credential: CredentialStatus, lang: str) -> dict[str, Any]:
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
        "last_exchange_local": _local(figures.last_exchange_at),
        "lag": _lag(figures.exchange_lag_seconds, lang),
        "lag_seconds": figures.exchange_lag_seconds,
        "batches": figures.batches,
        "credential": _credential(credential, lang),
    }


def _credential(status: CredentialStatus, lang: str) -> dict[str, Any]:
    texts = _texts(lang)
    label = {
        "none": texts["credential_none"],
        "active": texts["credential_active"].format(generation=status.generation),
        "revoked": texts["credential_revoked"],
    }[status.status]
    return {
        "status": status.status,
        "label": label,
        "generation": status.generation,
        "issued_local": _local(status.issued_at),
        "revoked_local": _local(status.revoked_at),
    }


def _lag(seconds: int | None, lang: str) -> str:
    if seconds is None:
        return ""
    texts = _texts(lang)
    if seconds < 120:
        return str(texts["lag_seconds"].format(seconds=seconds))
    if seconds < 7200:
        return str(texts["lag_minutes"].format(minutes=seconds // 60))
    return str(texts["lag_hours"].format(hours=seconds // 3600))


def _trend(days: list[dict[str, Any]], title: str, bar_label: str) -> str:
    from chalicelib.doors.console.trend_chart import DayBar, trend_svg

    bars = [
        DayBar(date.fromisoformat(d["day"]), int(d.get("uploads", 0)), int(d.get("flagged", 0)))
        for d in days
    ]
    return trend_svg(bars, title, bar_label)


def _province_heading(province_code: str, lang: str) -> str:
    from chalicelib.doors.console.national_texts import province_label

    return f"{province_label(province_code, lang)} {province_code}"


def _known(province_code: str) -> None:
    if not is_province_code(province_code):
        raise NotFoundError("no such province")


def _local(value: Any) -> str:
    return china_time(datetime.fromisoformat(str(value))) if value else ""


def _texts(lang: str) -> dict[str, str]:
    from chalicelib.doors.console.pages import console_texts

    return console_texts(lang)
