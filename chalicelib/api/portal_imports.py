"""Shop portal: spreadsheet import (XLSX / CSV), its templates, progress and per-row results.

Why: Excel batch import with a per-row 错误原因 is how shops without a DMS catch up (digest
§1.1, §1.7). The POST reads and checks the whole file first: too large (as sent or, for an
XLSX, as unpacked: `web/xlsx_archive`), too many rows (> 5,000) or a header that does not fit
refuses the file and stores nothing. Otherwise the checked rows are stored as an import job
and uploaded chunk by chunk by the `run_jobs` stream handler through RecordService, the API's
own service; the job page refreshes itself (an HTTP Refresh header: pages run no script) until
every row has its result.
"""

from __future__ import annotations

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.import_files import (
    CSV_TYPE,
    XLSX_TYPE,
    header_of,
    results_csv,
    template_csv,
    template_xlsx,
)
from chalicelib.api.import_layout import COLUMNS, LayoutError, check_rows
from chalicelib.api.portal_common import (
    FORM_TYPES,
    PORTAL,
    SignedIn,
    error_text,
    page,
    page_language,
    portal_view,
    posted_form,
    see_other,
    signed_in,
    texts_for,
)
from chalicelib.api.portal_views import china_time, flag_title
from chalicelib.api.record_messages import describe, hint
from chalicelib.bootstrap import record_import_service
from chalicelib.domain.record_import import MAX_IMPORT_ROWS, RowOutcome
from chalicelib.doors.kit.http import query_params
from chalicelib.errors import NotFoundError
from chalicelib.web.spreadsheet import MAX_FILE_BYTES, SpreadsheetError, read_rows

bp = Blueprint(__name__)
IMPORTS = f"{PORTAL}/imports"
TEMPLATES = f"{PORTAL}/templates"
MAX_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024  # the file and the multipart envelope
REFRESH_SECONDS = "2"
_TOO_LARGE = ("too_large", "too_many_rows", "unpacked_too_large", "too_complex")
TEMPLATE_FILES = {
    "records-zh-CN.xlsx": ("zh-CN", "xlsx"),
    "records-en.xlsx": ("en", "xlsx"),
    "records-zh-CN.csv": ("zh-CN", "csv"),
    "records-en.csv": ("en", "csv"),
}


@bp.route(IMPORTS, methods=["GET"])
@portal_view(bp)
def imports_page() -> Response:
    request = bp.current_request
    return _imports_page(request, signed_in(request), 200)


@bp.route(IMPORTS, methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def import_file() -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    texts = texts_for(lang)
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        # Refused before anything is read or stored, so it needs no CSRF check.
        problem = texts["file_too_large"].format(limit=MAX_FILE_BYTES // (1024 * 1024))
        return _imports_page(request, who, 413, problem, "too_large")
    form = posted_form(request, who, MAX_BODY_BYTES)
    upload = form.files.get("file")
    if upload is None:
        return _imports_page(request, who, 400, texts["file_missing"], "file_missing")
    try:
        rows = check_rows(read_rows(upload.filename, upload.data, MAX_IMPORT_ROWS), who.shop.name)
    except SpreadsheetError as exc:
        status = 413 if exc.code in _TOO_LARGE else 400
        problem = texts[f"file_{exc.code}"].format(**exc.params)
        return _imports_page(request, who, status, problem, exc.code)
    except LayoutError as exc:
        problem = texts[exc.code].format(columns="、".join(exc.columns))
        return _imports_page(request, who, 400, problem, exc.code)
    job = record_import_service().submit(who.shop, upload.filename, rows)
    return see_other(f"{IMPORTS}/{job.job_id}")


@bp.route(IMPORTS + "/{import_id}", methods=["GET"])
@portal_view(bp)
def import_job(import_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    progress = record_import_service().progress(who.shop, import_id)
    only_errors = query_params(request).get("show") == "errors"
    outcomes = [o for o in progress.outcomes if o.result == "error" or not only_errors]
    response = page(
        request,
        "portal/import_job.html",
        who,
        heading=texts_for(lang)["job_title"],
        job=progress.job,
        created_at=china_time(progress.job.created_at),
        done=progress.done,
        rows_done=progress.rows_done,
        counts=progress.counts,
        only_errors=only_errors,
        outcomes=[_outcome_view(o, lang) for o in outcomes],
    )
    if not progress.done:
        response.headers["Refresh"] = REFRESH_SECONDS
    return response


@bp.route(IMPORTS + "/{import_id}/results.csv", methods=["GET"])
@portal_view(bp)
def import_results(import_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    progress = record_import_service().progress(who.shop, import_id)
    body = results_csv(
        progress.outcomes,
        texts_for(lang),
        lambda o: outcome_reason(o, lang),
        lambda o: outcome_flags(o, lang),
    )
    return _download(body.decode("utf-8"), CSV_TYPE, f"import-{import_id}-results.csv")


@bp.route(TEMPLATES + "/{template}", methods=["GET"])
@portal_view(bp)
def import_template(template: str) -> Response:
    signed_in(bp.current_request)
    if template not in TEMPLATE_FILES:
        raise NotFoundError("no such template")
    lang, kind = TEMPLATE_FILES[template]
    if kind == "xlsx":
        return _download(template_xlsx(lang), XLSX_TYPE, template)
    return _download(template_csv(lang).decode("utf-8"), CSV_TYPE, template)


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


def _imports_page(
    request: Request, who: SignedIn, status: int, problem: str = "", code: str = ""
) -> Response:
    lang, _ = page_language(request)
    texts = texts_for(lang)
    jobs = record_import_service().recent(who.shop)
    return page(
        request,
        "portal/imports.html",
        who,
        status=status,
        heading=texts["imports_title"],
        problem=problem,
        problem_code=code,
        intro=texts["imports_intro"].format(
            max_rows=MAX_IMPORT_ROWS, max_mb=MAX_FILE_BYTES // (1024 * 1024)
        ),
        columns=[
            {
                "header": header_of(c, lang),
                "other": header_of(c, "en" if lang == "zh-CN" else "zh-CN"),
                "required": c.required,
                "hint": hint(c.field, lang),
                "example": c.example,
            }
            for c in COLUMNS
        ],
        templates=[(name, texts[_template_label(name)]) for name in TEMPLATE_FILES],
        jobs=[{"job": j, "created_at": china_time(j.created_at)} for j in jobs],
    )


def _template_label(name: str) -> str:
    lang, kind = TEMPLATE_FILES[name]
    return f"template_{kind}" + ("_en" if lang == "en" else "")


def _download(body: str | bytes, content_type: str, filename: str) -> Response:
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
