"""The hosted query page (public): a VIN + plate form and the vehicle's timeline.

Why: owners look up their vehicle's file on a phone. The form is POSTed so the plate (the
proof of possession) never sits in URLs, browser history or access logs. A failed proof
renders exactly the same page as an unknown VIN. Everything the page needs (CSS) is served
here: no CDN, no script. Both stacks serve it (at the ministry the file is national).
"""

from __future__ import annotations

from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import history_service, public_gate, record_service, report_verifier
from chalicelib.domain.china_time import china_date
from chalicelib.doors.kit.forms import parse_urlencoded
from chalicelib.doors.kit.http import source_ip
from chalicelib.doors.kit.respond import language, stylesheet
from chalicelib.doors.public.door import door
from chalicelib.doors.public.forms import FORM_TYPES, consumer_page, query_language
from chalicelib.doors.public.views import vehicle_view
from chalicelib.errors import NotFoundError, RateLimitedError, ServiceUnavailableError
from chalicelib.observability import logger

MAX_FORM_BYTES = 4096


@door.route("/", methods=["GET"], page=True)
def query_page() -> Response:
    lang = query_language(door.request)
    return consumer_page("query.html", lang, 200, vin="", plate="", not_found=False)


@door.route("/vehicle", methods=["POST"], content_types=FORM_TYPES, page=True)
def vehicle_page() -> Response:
    lang, plate, found = _look_up(door.request)
    if isinstance(found, Response):
        return found
    return consumer_page("vehicle.html", lang, 200, plate=plate, **found)


@door.route("/vehicle/report.pdf", methods=["POST"], content_types=FORM_TYPES, page=True)
def vehicle_report_pdf() -> Response:
    """The vehicle page as a PDF file: the same form fields, limits, proof and error pages."""
    lang, _, found = _look_up(door.request)
    if isinstance(found, Response):
        return found
    return _pdf_response(door.request, found, lang)


@door.route("/verify/{code}", methods=["GET"], page=True)
def verify_page(code: str) -> Response:
    lang = query_language(door.request)
    try:  # refused: the query form again, saying so (as a refused lookup does)
        public_gate().admit(source_ip(door.request))
        result = report_verifier().verify(code[:256])
    except (RateLimitedError, ServiceUnavailableError) as exc:
        return _refused(lang, "", exc)
    return consumer_page("verify.html", lang, 200 if result.valid else 404, result=result)


@door.route("/static/{name}", methods=["GET"], page=True)
def static_asset(name: str) -> Response:
    from chalicelib.doors.kit.render import static_file

    return stylesheet(static_file(name) if name.endswith(".css") else None)


def _look_up(request: Request) -> tuple[str, str, dict[str, Any] | Response]:
    """(language, plate, the vehicle page's context) for a posted VIN + plate form.

    Instead of the context: the query page to answer (429 past a limit, 404 for any failed
    proof, 503 with Retry-After when storage fails), the same for the HTML page and the PDF.
    A storage failure must never read as "no vehicle matches": the owner would give up on a
    file that exists. These are caught here, not by the door, because the query form comes
    back with the VIN the owner typed and the refusal beside it.
    """
    form = parse_urlencoded(request.raw_body, MAX_FORM_BYTES).fields
    lang = language(form.get("lang"))
    vin, plate = form.get("vin", "")[:32], form.get("plate", "")[:16]
    try:
        public_gate().admit(source_ip(request), vin)
        records = history_service().history(vin, plate, source_ip=source_ip(request))
        return lang, plate, _vehicle_context(records, lang)
    except NotFoundError:
        return (
            lang,
            plate,
            consumer_page("query.html", lang, 404, vin=vin, plate="", not_found=True),
        )
    except (RateLimitedError, ServiceUnavailableError) as exc:
        return lang, plate, _refused(lang, vin, exc)
    except Exception:
        logger.exception("vehicle page failed")
        return lang, plate, _refused(lang, vin, ServiceUnavailableError("vehicle page failed"))


def _refused(lang: str, vin: str, exc: RateLimitedError | ServiceUnavailableError) -> Response:
    """The query page saying "too many requests" (429) or "try again" (503), with Retry-After."""
    limited = isinstance(exc, RateLimitedError)
    response = consumer_page(
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
    """What the vehicle page shows: only entries that still hash to their chain link (the
    rest are withheld, and then no report code is issued: it would vouch for a file that does
    not match its chain), with the shops' ratings and the entries' evaluations."""
    vin = records[0].content.vin
    served = report_verifier().served(vin, records)
    today = china_date(record_service().now())
    return vehicle_view(vin, served, _feedback_of(served.records), today, lang)


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


def _pdf_response(request: Request, context: dict[str, Any], lang: str) -> Response:
    from chalicelib.doors.kit.respond import public_url
    from chalicelib.doors.public.report_pdf import report_pdf
    from chalicelib.doors.public.texts import consumer_texts

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
