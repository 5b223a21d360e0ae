"""The hosted query page (public): a VIN + plate form and the vehicle's timeline.

Why: owners look up their vehicle's file on a phone. The form is POSTed so the plate (the
proof of possession) never sits in URLs, browser history or access logs. A failed proof
renders exactly the same page as an unknown VIN. Everything the page needs (CSS) is served
here: no CDN, no script.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.feedback_views import evaluation_view
from chalicelib.api.views import history_entry_view
from chalicelib.bootstrap import history_service, public_gate, record_service
from chalicelib.domain.china_time import china_date
from chalicelib.doors.kit.forms import parse_urlencoded
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.respond import html_page, language
from chalicelib.errors import NotFoundError, RateLimitedError, ServiceUnavailableError
from chalicelib.observability import logger

bp = Blueprint(__name__)
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
MAX_FORM_BYTES = 4096


@bp.route("/", methods=["GET"])
def query_page() -> Response:
    lang = _lang(query_params(bp.current_request).get("lang"))
    return _page("query.html", lang, 200, vin="", plate="", not_found=False)


@bp.route("/vehicle", methods=["POST"], content_types=FORM_TYPES)
def vehicle_page() -> Response:
    lang, plate, found = _look_up(bp.current_request)
    if isinstance(found, Response):
        return found
    return _page("vehicle.html", lang, 200, plate=plate, **found)


@bp.route("/vehicle/report.pdf", methods=["POST"], content_types=FORM_TYPES)
def vehicle_report_pdf() -> Response:
    """The vehicle page as a PDF file: the same form fields, limits, proof and error pages."""
    request = bp.current_request
    lang, _, found = _look_up(request)
    if isinstance(found, Response):
        return found
    return _pdf_response(request, found, lang)


@bp.route("/verify/{code}", methods=["GET"])
def verify_page(code: str) -> Response:
    from chalicelib.bootstrap import report_verifier

    lang = _lang(query_params(bp.current_request).get("lang"))
    try:
        public_gate().admit(source_ip(bp.current_request))
        result = report_verifier().verify(code[:256])
    except RateLimitedError as exc:
        return _refused(lang, "", exc)
    except ServiceUnavailableError as exc:
        return _refused(lang, "", exc)
    return _page("verify.html", lang, 200 if result.valid else 404, result=result)


@bp.route("/static/{name}", methods=["GET"])
def static_asset(name: str) -> Response:
    from chalicelib.doors.kit.render import static_file

    body = static_file(name) if name.endswith(".css") else None
    if body is None:
        return Response(
            body="not found",
            status_code=404,
            headers={"Content-Type": "text/plain", "X-Content-Type-Options": "nosniff"},
        )
    return Response(
        body=body.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": "text/css; charset=utf-8",
            "Cache-Control": "max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _look_up(request: Any) -> tuple[str, str, dict[str, Any] | Response]:
    """(language, plate, the vehicle page's context) for a posted VIN + plate form.

    Instead of the context: the query page to answer (429 past a limit, 404 for any failed
    proof, 503 with Retry-After when storage fails), the same for the HTML page and the PDF.
    A storage failure must never read as "no vehicle matches": the owner would give up on a
    file that exists.
    """
    form = _form(request.raw_body)
    lang = _lang(form.get("lang"))
    vin, plate = form.get("vin", "")[:32], form.get("plate", "")[:16]
    try:
        public_gate().admit(source_ip(request), vin)
        records = history_service().history(vin, plate, source_ip=source_ip(request))
        return lang, plate, _vehicle_context(records, lang)
    except NotFoundError:
        return lang, plate, _page("query.html", lang, 404, vin=vin, plate="", not_found=True)
    except (RateLimitedError, ServiceUnavailableError) as exc:
        return lang, plate, _refused(lang, vin, exc)
    except Exception:
        logger.exception("vehicle page failed")
        return lang, plate, _refused(lang, vin, ServiceUnavailableError("vehicle page failed"))


def _refused(lang: str, vin: str, exc: RateLimitedError | ServiceUnavailableError) -> Response:
    """The query page saying "too many requests" (429) or "try again" (503), with Retry-After."""
    limited = isinstance(exc, RateLimitedError)
    response = _page(
        "query.html",
        lang,
        429 if limited else 503,
        vin=vin,
        plate="",
        not_found=False,
        limited=limited,
        unavailable=not limited,
    )
    response.headers["Retry-After"] = str(max(exc.retry_after, 1))
    return response


def _vehicle_context(records: list[Any], lang: str) -> dict[str, Any]:
    from chalicelib.bootstrap import report_verifier
    from chalicelib.web.i18n import TEXTS, explain_flag
    from chalicelib.web.mileage_chart import Reading, mileage_svg
    from chalicelib.web.vehicle_card import decode_vin

    vin = records[0].content.vin
    # Only entries that still hash to their chain link are shown; the rest are withheld, and
    # then no report code is issued (it would vouch for a file that does not match its chain).
    served = report_verifier().served(vin, records)
    records = served.records
    entries = []
    feedback = _feedback_of(records)
    for record in records:
        entry = history_entry_view(record)
        entry["explained_flags"] = [explain_flag(f, lang) for f in entry["flags"]]
        entry["ref"] = record.record_id
        entry["corrected_text"] = _corrected_text(record, lang)
        entry["rating"] = feedback["ratings"].get(record.companycode)
        evaluation = feedback["evaluations"].get(record.record_id)
        entry["evaluation"] = evaluation_view(evaluation) if evaluation else None
        entries.append(entry)
    readings = [
        Reading(
            r.content.settlement_date,
            r.content.repair_mileage,
            any(f.code == "mileage_rollback" for f in r.flags),
        )
        for r in records
    ]
    today = china_date(record_service().now())
    return {
        "vin": vin,
        "report_code": served.code,
        "withheld": served.withheld,
        "card": decode_vin(vin, today),
        "records": entries,
        "feedback_enabled": feedback["enabled"],
        "chart": _markup(mileage_svg(readings, TEXTS[lang]["chart"])),
        "grants_link": _grants_link(lang),
    }


def _pdf_response(request: Any, context: dict[str, Any], lang: str) -> Response:
    from chalicelib.doors.kit.respond import public_url
    from chalicelib.web.i18n import consumer_texts
    from chalicelib.web.report_pdf import report_pdf

    code = context["report_code"]
    query = "?lang=en" if lang == "en" else ""
    verify_url = public_url(request, f"/verify/{code}{query}") if code else ""
    today = china_date(record_service().now()).isoformat()
    texts = consumer_texts(lang)
    body = report_pdf(context, texts, lang=lang, verify_url=verify_url, generated_on=today)
    filename = (
        "vehicle-report-"
        + "".join(c for c in context["vin"] if c.isascii() and c.isalnum())
        + ".pdf"
    )
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _grants_link(lang: str) -> str | None:
    """The ministry's page links to the owner's data-sharing page (grants, who read)."""
    from chalicelib.config import get_settings
    from chalicelib.web.sharing_texts import GRANT_TEXTS

    return GRANT_TEXTS[lang]["grants_link"] if get_settings().stack_role == "ministry" else None


def _page(template: str, lang: str, status: int, **context: Any) -> Response:
    from chalicelib.web.i18n import consumer_texts

    return html_page(template, lang=lang, texts=consumer_texts(lang), status=status, **context)


def _feedback_of(records: list[Any]) -> dict[str, Any]:
    """Shop ratings and the records' evaluations (province stacks only: they hold feedback)."""
    from chalicelib.bootstrap import evaluation_service
    from chalicelib.config import get_settings

    if get_settings().stack_role != "province":
        return {"enabled": False, "ratings": {}, "evaluations": {}}
    service = evaluation_service()
    return {
        "enabled": True,
        "ratings": service.ratings([r.companycode for r in records]),
        "evaluations": service.evaluations_of([r.record_id for r in records]),
    }


def _corrected_text(record: Any, lang: str) -> str | None:
    """ "corrected on 2024-05-02 (reason)" for a record whose current version is a correction."""
    from chalicelib.web.i18n import consumer_texts

    if record.version <= 1:
        return None
    texts = consumer_texts(lang)
    day = china_date(record.updated_at).isoformat()
    if record.reason:
        return texts["corrected_on"].format(date=day, reason=record.reason)
    return texts["corrected_on_no_reason"].format(date=day)


def _markup(svg: str) -> Any:
    """The chart is built from escaped values only, so it may be inserted as markup."""
    from markupsafe import Markup

    return Markup(svg)  # noqa: S704 - every interpolated value is escaped in mileage_svg


def _form(raw: bytes | str | None) -> dict[str, str]:
    return parse_urlencoded(raw, MAX_FORM_BYTES).fields


def _lang(value: str | None) -> str:
    return language(value)
