"""Shop portal: spreadsheet import (XLSX / CSV), its templates, progress and per-row results.

Why: Excel batch import with a per-row 错误原因 is how shops without a DMS catch up (digest
§1.1, §1.7). The POST reads and checks the whole file first: too large (as sent or, for an
XLSX, as unpacked: `xlsx_archive.py`), too many rows (> 5,000) or a header that does not fit
refuses the file and stores nothing. Otherwise the checked rows are stored as an import job
and uploaded chunk by chunk by the `run_jobs` stream handler through RecordService, the API's
own service; the job page refreshes itself (an HTTP Refresh header: pages run no script) until
every row has its result.
"""

from __future__ import annotations

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import record_import_service
from chalicelib.domain.record_import import MAX_IMPORT_ROWS
from chalicelib.doors.kit.forms import UploadedFile
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.portal.door import door
from chalicelib.doors.portal.import_files import (
    CSV_TYPE,
    XLSX_TYPE,
    header_of,
    results_csv,
    template_csv,
    template_xlsx,
)
from chalicelib.doors.portal.import_layout import COLUMNS, LayoutError, check_rows
from chalicelib.doors.portal.pages import (
    FORM_TYPES,
    IMPORTS,
    PORTAL,
    download,
    page,
    page_language,
    see_other,
    texts_for,
    texts_of,
)
from chalicelib.doors.portal.record_messages import hint
from chalicelib.doors.portal.session import SignedIn, posted_form, signed_in
from chalicelib.doors.portal.spreadsheet import MAX_FILE_BYTES, SpreadsheetError, read_rows
from chalicelib.doors.portal.views import china_time, import_job_view, outcome_flags, outcome_reason
from chalicelib.errors import NotFoundError

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


@door.route(IMPORTS, methods=["GET"], page=True)
def imports_page() -> Response:
    return _imports_page(door.request, signed_in(door.request), 200)


@door.route(IMPORTS, methods=["POST"], content_types=FORM_TYPES, page=True)
def import_file() -> Response:
    request = door.request
    who = signed_in(request)
    if len(request.raw_body or b"") > MAX_BODY_BYTES:
        # Refused before anything is read or stored, so it needs no CSRF check.
        problem = texts_of(request)["file_too_large"].format(limit=MAX_FILE_BYTES // (1024 * 1024))
        return _imports_page(request, who, 413, problem, "too_large")
    upload = posted_form(request, who, MAX_BODY_BYTES).files.get("file")
    if upload is None:
        return _imports_page(request, who, 400, texts_of(request)["file_missing"], "file_missing")
    return _submit(request, who, upload)


@door.route(IMPORTS + "/{import_id}", methods=["GET"], page=True)
def import_job(import_id: str) -> Response:
    request = door.request
    who = signed_in(request)
    progress = record_import_service().progress(who.shop, import_id)
    only_errors = query_params(request).get("show") == "errors"
    view = import_job_view(progress, only_errors, page_language(request)[0])
    response = page(request, "portal/import_job.html", who, title="job_title", **view)
    if not progress.done:
        response.headers["Refresh"] = REFRESH_SECONDS
    return response


@door.route(IMPORTS + "/{import_id}/results.csv", methods=["GET"], page=True)
def import_results(import_id: str) -> Response:
    request = door.request
    who = signed_in(request)
    lang, _ = page_language(request)
    progress = record_import_service().progress(who.shop, import_id)
    body = results_csv(
        progress.outcomes,
        texts_for(lang),
        lambda o: outcome_reason(o, lang),
        lambda o: outcome_flags(o, lang),
    )
    return download(body.decode("utf-8"), CSV_TYPE, f"import-{import_id}-results.csv")


@door.route(TEMPLATES + "/{template}", methods=["GET"], page=True)
def import_template(template: str) -> Response:
    signed_in(door.request)
    if template not in TEMPLATE_FILES:
        raise NotFoundError("no such template")
    lang, kind = TEMPLATE_FILES[template]
    if kind == "xlsx":
        return download(template_xlsx(lang), XLSX_TYPE, template)
    return download(template_csv(lang).decode("utf-8"), CSV_TYPE, template)


def _submit(request: Request, who: SignedIn, upload: UploadedFile) -> Response:
    """The checked rows stored as an import job, or the import page again saying why the file
    was refused (beside the upload form; nothing stored)."""
    texts = texts_of(request)
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
        title="imports_title",
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
