"""Console pages of complaint handling (投诉处理): the queue, one complaint, each decision.

Why: a regulator works through the complaints about its districts' shops: it opens one, sees
what the owner wrote, the photo voucher and the maintenance record it is about, accepts it or
rejects it with a reason, sees the shop's reply (and the correction it links), and closes it
as resolved or unresolved (digest §1.7, [S29]). Every read and every step goes through
`services.complaints`, which audits them; a complaint about a shop outside the caller's
districts answers 404, exactly like one that does not exist. The photo is streamed by a
console route (the page's CSP allows images from this site only).
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.complaint_handling import authorize_complaint
from chalicelib.api.views import MASK
from chalicelib.bootstrap import (
    audit_trail,
    complaint_service,
    record_search_service,
    shop_registry,
)
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.complaint import Complaint
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_form,
    console_lang,
    console_page,
    console_session,
    may_do,
    scope_of,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError

READ, HANDLE = Permission.COMPLAINTS_READ, Permission.COMPLAINTS_HANDLE
STATUSES = ("submitted", "accepted", "replied", "rejected", "resolved", "unresolved")
PAGE_SIZE = 50


@door.route("/console/complaints", methods=["GET"], page=True, stacks=PROVINCE)
def queue_page() -> Response:
    request = door.request
    session = console_session(request, READ)
    lang = console_lang(request)
    params = query_params(request)
    status = params.get("status", "submitted")
    status = status if status in STATUSES else "submitted"
    items, cursor = complaint_service().queue(
        status, PAGE_SIZE, params.get("cursor") or None, divisions=scope_of(session)
    )
    audit_trail().record(
        actor_of(request, session.principal),
        "complaint.queue",
        status,
        {"returned": len(items)},
    )
    names = _shop_names({c.companycode for c in items})
    return console_page(
        "console/complaints.html",
        session,
        lang,
        active="complaints",
        switch_path="/console/complaints",
        statuses=STATUSES,
        queue_status=status,
        complaints=[{**_summary(c), "shop_name": names.get(c.companycode, "")} for c in items],
        next_cursor=cursor,
    )


@door.route("/console/complaints/{complaint_id}", methods=["GET"], page=True, stacks=PROVINCE)
def complaint_page(complaint_id: str) -> Response:
    session = _allowed(READ, complaint_id)
    return _detail(session, console_lang(door.request), complaint_id)


@door.route("/console/complaints/{complaint_id}/photo", methods=["GET"], page=True, stacks=PROVINCE)
def complaint_photo(complaint_id: str) -> Response:
    session = _allowed(READ, complaint_id)
    actor = actor_of(door.request, session.principal)
    data, content_type = complaint_service().photo(complaint_id, actor)
    return Response(
        body=data,
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{complaint_id}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


@door.route(
    "/console/complaints/{complaint_id}/accept",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def accept(complaint_id: str) -> Response:
    return _decide(complaint_id, "accept")


@door.route(
    "/console/complaints/{complaint_id}/reject",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def reject(complaint_id: str) -> Response:
    return _decide(complaint_id, "reject")


@door.route(
    "/console/complaints/{complaint_id}/close",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def close(complaint_id: str) -> Response:
    return _decide(complaint_id, "close")


def _allowed(permission: Permission, complaint_id: str) -> WebSession:
    """The signed-in regulator, if it may use `permission` on this complaint's shop."""
    session = console_session(door.request, permission)
    authorize_complaint(session.principal, permission, complaint_id)
    return session


def _decide(complaint_id: str, step: str) -> Response:
    request = door.request
    session = _allowed(HANDLE, complaint_id)
    form = console_form(request)
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    actor = actor_of(request, session.principal)
    service = complaint_service()
    try:
        if step == "accept":
            service.accept(complaint_id, actor)
        elif step == "reject":
            service.reject(complaint_id, form.get("reason"), actor)
        else:
            service.close(complaint_id, form.get("outcome"), form.get("note"), actor)
    except ValidationFailedError as exc:
        return _detail(session, lang, complaint_id, status=400, errors=exc.errors, form=form.fields)
    except ConflictError as exc:
        return _detail(session, lang, complaint_id, status=409, conflict=exc.code)
    return redirect(f"/console/complaints/{complaint_id}", query={"lang": lang, "done": step})


def _detail(
    session: WebSession,
    lang: str,
    complaint_id: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    conflict: str = "",
) -> Response:
    request = door.request
    complaint = complaint_service().for_regulator(
        complaint_id, actor_of(request, session.principal)
    )
    contacts = may_do(session, Permission.REGISTRY_CONTACTS)
    try:
        shop = shop_registry().get(complaint.companycode)
        shop_view: dict[str, Any] = {
            "companycode": shop.companycode,
            "name": shop.name,
            "contact_name": shop.contact_name if contacts else MASK,
            "contact_phone": shop.contact_phone if contacts else MASK,
        }
    except NotFoundError:
        shop_view = {"companycode": complaint.companycode, "name": ""}
    record: dict[str, Any] | None = None
    if complaint.record_id:
        found = record_search_service().full_records([{"record_id": complaint.record_id}])
        if found:
            flags = [f.code for f in found[0].flags]
            record = found[0].content.to_dict() | {"version": found[0].version, "flags": flags}
    return console_page(
        "console/complaint.html",
        session,
        lang,
        status=status,
        active="complaints",
        switch_path=f"/console/complaints/{complaint.complaint_id}",
        complaint=_summary(complaint) | _details(complaint),
        shop=shop_view,
        record=record,
        may_handle=may_do(session, HANDLE),
        done=query_params(request).get("done", "") if status == 200 else "",
        errors=errors or [],
        form=form or {},
        conflict=conflict,
    )


def _summary(c: Complaint) -> dict[str, Any]:
    return {
        "code": c.complaint_id,
        "kind": c.kind,
        "status": c.status,
        "companycode": c.companycode,
        "settlement_list_code": c.settlement_list_code,
        "settlement_date": c.settlement_date.isoformat() if c.settlement_date else "",
        "created_local": china_time(c.created_at),
        "has_photo": c.has_photo,
        "shop_read": c.shop_read_at is not None,
    }


def _details(c: Complaint) -> dict[str, Any]:
    return {
        "vin": c.vin,
        "plate_number": c.plate_number,
        "text": c.text,
        "contact_phone": c.contact_phone or "",
        "regulator_reason": c.regulator_reason or "",
        "regulator_actor": (c.regulator_actor or "").removeprefix("regulator:"),
        "shop_read_local": china_time(c.shop_read_at) if c.shop_read_at else "",
        "shop_reply": c.shop_reply or "",
        "shop_replied_local": china_time(c.shop_replied_at) if c.shop_replied_at else "",
        "correction": c.correction.to_dict() if c.correction else None,
        "outcome_note": c.outcome_note or "",
        "closed_local": china_time(c.closed_at) if c.closed_at else "",
        "updated_local": china_time(c.updated_at),
        "may_decide": c.status == "submitted",
        "may_close": c.status in ("accepted", "replied"),
    }


def _shop_names(companycodes: set[str]) -> dict[str, str]:
    names = {}
    for companycode in companycodes:
        try:
            names[companycode] = shop_registry().get(companycode).name
        except NotFoundError:
            continue
    return names
