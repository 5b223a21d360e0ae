"""Shop portal: enter a record by hand, list and search own records, read, correct and void.

Why: manual entry (上传维修记录, digest §1.7) is one more front door. The form becomes the REST
body, is checked by `RecordIn` and stored by `RecordService`, the service both API doors use,
so rules, flags, receipts and idempotency are the API's. Another shop's record id answers
exactly like a missing one (RecordService.own raises NotFoundError for both).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.portal_common import (
    FORM_TYPES,
    PORTAL,
    SignedIn,
    error_text,
    page,
    page_language,
    portal_view,
    posted_form,
    signed_in,
    texts_for,
)
from chalicelib.api.portal_views import china_time, flag_help, flag_title, flag_views
from chalicelib.api.record_form import (
    BASIC_FIELDS,
    MAX_FORM_FIELDS,
    TOO_LARGE,
    RecordForm,
    add_rows,
    blank_form,
    check,
    form_of,
    input_limits,
    posted,
    show_errors,
)
from chalicelib.api.record_messages import hint
from chalicelib.bootstrap import record_service, shop_record_finder
from chalicelib.domain.china_time import china_date
from chalicelib.domain.plate import PLATE_COLORS
from chalicelib.domain.record import EARLIEST_DATE, Receipt, StoredRecord
from chalicelib.doors.kit.http import query_params
from chalicelib.errors import ConflictError, ValidationFailedError

bp = Blueprint(__name__)
RECORDS = f"{PORTAL}/records"
PAGE_SIZE = 50


@bp.route(f"{RECORDS}/new", methods=["GET"])
@portal_view(bp)
def new_record_form() -> Response:
    request = bp.current_request
    who = signed_in(request)
    return _form_page(request, who, blank_form(who.shop.name), 200)


@bp.route(f"{RECORDS}/new", methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def new_record() -> Response:
    request = bp.current_request
    who = signed_in(request)
    form = posted_form(request, who, max_fields=MAX_FORM_FIELDS, too_large=TOO_LARGE)
    return _submit(request, who, posted(form), form.get("action"), None)


@bp.route(RECORDS, methods=["GET"])
@portal_view(bp)
def records_list() -> Response:
    request = bp.current_request
    who = signed_in(request)
    lang, _ = page_language(request)
    params = query_params(request)
    today = china_date(record_service().now())
    date_from = _date(params.get("from")) or EARLIEST_DATE
    date_to = _date(params.get("to")) or today
    text = params.get("q", "").strip()[:50]
    problem = ""
    try:
        found = shop_record_finder().find(
            who.shop, date_from, date_to, text, PAGE_SIZE, params.get("cursor") or None
        )
        records, cursor = found.items, found.cursor
    except ValidationFailedError as exc:
        # A cursor is only ever taken from our own "next" link: one that does not decode was
        # edited, and saying so beats blaming the dates.
        edited = any(e.field == "cursor" for e in exc.errors)
        records, cursor = [], None
        problem = texts_for(lang)["cursor_invalid" if edited else "range_invalid"]
    query = {"from": params.get("from", ""), "to": params.get("to", ""), "q": text}
    next_url = f"{RECORDS}?{urlencode({**query, 'cursor': cursor})}" if cursor else ""
    return page(
        request,
        "portal/records.html",
        who,
        heading=texts_for(lang)["records_title"],
        records=[_summary(r) for r in records],
        date_from=params.get("from", ""),
        date_to=params.get("to", ""),
        q=text,
        next_url=next_url,
        problem=problem,
        status=400 if problem else 200,
    )


@bp.route(RECORDS + "/{record_id}", methods=["GET"])
@portal_view(bp)
def record_page(record_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    return _record_page(request, who, record_service().own(who.shop, record_id), 200)


@bp.route(RECORDS + "/{record_id}/edit", methods=["GET"])
@portal_view(bp)
def correction_form(record_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    record = _active(who, record_id)
    return _form_page(request, who, form_of(record.content), 200, record)


@bp.route(RECORDS + "/{record_id}/edit", methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def correct_record(record_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    form = posted_form(request, who, max_fields=MAX_FORM_FIELDS, too_large=TOO_LARGE)
    record = _active(who, record_id)
    record_form = posted(form)
    # The settlement number is the record's identity: whatever was posted, it stays.
    record_form.values["settlement_list_code"] = record.content.settlement_list_code
    return _submit(request, who, record_form, form.get("action"), record)


@bp.route(RECORDS + "/{record_id}/void", methods=["POST"], content_types=FORM_TYPES)
@portal_view(bp)
def void_record(record_id: str) -> Response:
    request = bp.current_request
    who = signed_in(request)
    form = posted_form(request, who)
    lang, _ = page_language(request)
    try:
        receipt = record_service().void(who.shop, record_id, form.get("reason"))
    except ValidationFailedError:
        record = record_service().own(who.shop, record_id)
        problem = texts_for(lang)["reason_required"]
        return _record_page(request, who, record, 400, void_error=problem)
    record = record_service().own(who.shop, record_id)
    return _receipt_page(request, who, receipt, record.content.settlement_list_code)


def _submit(
    request: Request,
    who: SignedIn,
    record_form: RecordForm,
    action: str,
    correcting: StoredRecord | None,
) -> Response:
    """Add rows, or check and upload; a rule that fails re-renders the form beside its field."""
    lang, _ = page_language(request)
    if action in ("add_items", "add_parts"):
        add_rows(record_form, "items" if action == "add_items" else "parts")
        return _form_page(request, who, record_form, 200, correcting)
    record = check(record_form, lang, reason_required=correcting is not None)
    if record is None:
        return _form_page(request, who, record_form, 400, correcting)
    reason = record_form.reason.strip() or None
    try:
        receipt = record_service().upload(who.shop, record.to_content(), reason)
    except ValidationFailedError as exc:
        show_errors(record_form, exc.errors, lang)
        return _form_page(request, who, record_form, 400, correcting)
    except ConflictError as exc:
        record_form.errors["settlement_list_code"] = error_text(exc.code, texts_for(lang))
        return _form_page(request, who, record_form, 409, correcting)
    return _receipt_page(request, who, receipt, record.settlement_list_code)


def _form_page(
    request: Request,
    who: SignedIn,
    record_form: RecordForm,
    status: int,
    correcting: StoredRecord | None = None,
) -> Response:
    lang, _ = page_language(request)
    texts = texts_for(lang)
    action = f"{RECORDS}/{correcting.record_id}/edit" if correcting else f"{RECORDS}/new"
    fields = (*BASIC_FIELDS, "correction_reason")
    return page(
        request,
        "portal/record_form.html",
        who,
        status=status,
        heading=texts["edit_title"] if correcting else texts["new_title"],
        form=record_form,
        correcting=correcting is not None,
        action=action,
        lim=input_limits(),
        hints={name: hint(name, lang) for name in fields},
        plate_colors=PLATE_COLORS,
        today=china_date(record_service().now()).isoformat(),
        flag_help=flag_help(lang),
    )


def _receipt_page(request: Request, who: SignedIn, receipt: Receipt, code: str) -> Response:
    lang, _ = page_language(request)
    return page(
        request,
        "portal/receipt.html",
        who,
        heading=texts_for(lang)["receipt_title"],
        receipt=receipt,
        settlement_list_code=code,
        received_at=china_time(receipt.received_at),
        flags=flag_views(receipt.flags, lang),
    )


def _record_page(
    request: Request, who: SignedIn, record: StoredRecord, status: int, **extra: Any
) -> Response:
    lang, _ = page_language(request)
    versions = record_service().own_versions(who.shop, record.record_id)
    return page(
        request,
        "portal/record.html",
        who,
        status=status,
        heading=texts_for(lang)["record_title"],
        record=record,
        content=record.content.to_dict(),
        received_at=china_time(record.received_at),
        flags=flag_views(record.flags, lang),
        versions=[
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
        **extra,
    )


def _active(who: SignedIn, record_id: str) -> StoredRecord:
    record = record_service().own(who.shop, record_id)
    if record.status != "active":
        raise ConflictError("this record was voided", code="record_voided")
    return record


def _summary(record: StoredRecord) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "status": record.status,
        "version": record.version,
        "flags": record.flags,
        "content": record.content.to_dict(),
    }


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
