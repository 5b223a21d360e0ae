"""Shop portal: enter a record by hand, list and search own records, read, correct and void.

Why: manual entry (上传维修记录, digest §1.7) is one more front door. The form becomes the REST
body, is checked by `RecordIn` and stored by `RecordService`, the service both API doors use,
so rules, flags, receipts and idempotency are the API's. Another shop's record id answers
exactly like a missing one (RecordService.own raises NotFoundError for both).
"""

from __future__ import annotations

from datetime import date

from chalice import Response
from chalice.app import Request

from chalicelib.bootstrap import record_service, shop_record_finder
from chalicelib.domain.china_time import china_date
from chalicelib.domain.plate import PLATE_COLORS
from chalicelib.domain.record import EARLIEST_DATE, Receipt, StoredRecord
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.portal.door import door
from chalicelib.doors.portal.pages import (
    FORM_TYPES,
    RECORDS,
    error_text,
    page,
    page_language,
    texts_for,
    texts_of,
)
from chalicelib.doors.portal.record_form import (
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
from chalicelib.doors.portal.record_messages import hint
from chalicelib.doors.portal.session import SignedIn, posted_form, signed_in
from chalicelib.doors.portal.views import (
    china_time,
    flag_help,
    flag_views,
    record_view,
    records_view,
    search_text,
)
from chalicelib.errors import ConflictError, ValidationFailedError

PAGE_SIZE = 50


@door.route(f"{RECORDS}/new", methods=["GET"], page=True)
def new_record_form() -> Response:
    who = signed_in(door.request)
    return _form_page(door.request, who, blank_form(who.shop.name), 200)


@door.route(f"{RECORDS}/new", methods=["POST"], content_types=FORM_TYPES, page=True)
def new_record() -> Response:
    request = door.request
    who = signed_in(request)
    form = posted_form(request, who, max_fields=MAX_FORM_FIELDS, too_large=TOO_LARGE)
    return _submit(request, who, posted(form), form.get("action"), None)


@door.route(RECORDS, methods=["GET"], page=True)
def records_list() -> Response:
    request = door.request
    who = signed_in(request)
    params = query_params(request)
    records, cursor, problem = _search(who, params)
    view = records_view(params, records, cursor, texts_of(request)[problem] if problem else "")
    status = 400 if problem else 200
    return page(request, "portal/records.html", who, title="records_title", status=status, **view)


@door.route(RECORDS + "/{record_id}", methods=["GET"], page=True)
def record_page(record_id: str) -> Response:
    who = signed_in(door.request)
    return _record_page(door.request, who, record_service().own(who.shop, record_id), 200)


@door.route(RECORDS + "/{record_id}/edit", methods=["GET"], page=True)
def correction_form(record_id: str) -> Response:
    who = signed_in(door.request)
    record = _active(who, record_id)
    return _form_page(door.request, who, form_of(record.content), 200, record)


@door.route(RECORDS + "/{record_id}/edit", methods=["POST"], content_types=FORM_TYPES, page=True)
def correct_record(record_id: str) -> Response:
    request = door.request
    who = signed_in(request)
    form = posted_form(request, who, max_fields=MAX_FORM_FIELDS, too_large=TOO_LARGE)
    record = _active(who, record_id)
    record_form = posted(form)
    # The settlement number is the record's identity: whatever was posted, it stays.
    record_form.values["settlement_list_code"] = record.content.settlement_list_code
    return _submit(request, who, record_form, form.get("action"), record)


@door.route(RECORDS + "/{record_id}/void", methods=["POST"], content_types=FORM_TYPES, page=True)
def void_record(record_id: str) -> Response:
    request = door.request
    who = signed_in(request)
    form = posted_form(request, who)
    try:
        receipt = record_service().void(who.shop, record_id, form.get("reason"))
    except ValidationFailedError:  # no reason: the record page again, saying so beside the form
        problem = texts_of(request)["reason_required"]
        record = record_service().own(who.shop, record_id)
        return _record_page(request, who, record, 400, void_error=problem)
    record = record_service().own(who.shop, record_id)
    return _receipt_page(request, who, receipt, record.content.settlement_list_code)


def _search(who: SignedIn, params: dict[str, str]) -> tuple[list[StoredRecord], str | None, str]:
    """The shop's records asked for, the next page's cursor, and what was wrong (a text key)."""
    date_from = _date(params.get("from")) or EARLIEST_DATE
    date_to = _date(params.get("to")) or china_date(record_service().now())
    try:
        found = shop_record_finder().find(
            who.shop,
            date_from,
            date_to,
            search_text(params),
            PAGE_SIZE,
            params.get("cursor") or None,
        )
    except ValidationFailedError as exc:
        # A cursor is only ever taken from our own "next" link: one that does not decode was
        # edited, and saying so beats blaming the dates.
        edited = any(e.field == "cursor" for e in exc.errors)
        return [], None, "cursor_invalid" if edited else "range_invalid"
    return found.items, found.cursor, ""


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
    action = f"{RECORDS}/{correcting.record_id}/edit" if correcting else f"{RECORDS}/new"
    fields = (*BASIC_FIELDS, "correction_reason")
    return page(
        request,
        "portal/record_form.html",
        who,
        status=status,
        title="edit_title" if correcting else "new_title",
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
        title="receipt_title",
        receipt=receipt,
        settlement_list_code=code,
        received_at=china_time(receipt.received_at),
        flags=flag_views(receipt.flags, lang),
    )


def _record_page(
    request: Request, who: SignedIn, record: StoredRecord, status: int, void_error: str = ""
) -> Response:
    lang, _ = page_language(request)
    versions = record_service().own_versions(who.shop, record.record_id)
    view = record_view(record, versions, lang)
    if void_error:
        view["void_error"] = void_error
    return page(request, "portal/record.html", who, status=status, title="record_title", **view)


def _active(who: SignedIn, record_id: str) -> StoredRecord:
    record = record_service().own(who.shop, record_id)
    if record.status != "active":
        raise ConflictError("this record was voided", code="record_voided")
    return record


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
