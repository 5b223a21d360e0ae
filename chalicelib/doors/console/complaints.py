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

from chalice import Response

from chalicelib.bootstrap import (
    audit_trail,
    complaint_service,
    record_search_service,
    shop_registry,
)
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.complaint import Complaint
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import Shop
from chalicelib.doors.console import province_views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import (
    console_form,
    console_lang,
    console_page,
    console_session,
    may_do,
    scope_of,
    signed_in,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.complaint_scope import authorize_complaint
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.respond import inline_image, redirect
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError

READ, HANDLE = Permission.COMPLAINTS_READ, Permission.COMPLAINTS_HANDLE
STATUSES = ("submitted", "accepted", "replied", "rejected", "resolved", "unresolved")
PAGE_SIZE = 50


@page("/console/complaints", stacks=PROVINCE)
def queue_page() -> Response:
    session, lang = signed_in(door.request, READ)
    params = query_params(door.request)
    status = params.get("status", "submitted")
    status = status if status in STATUSES else "submitted"
    items, cursor = _queue(session, status, params.get("cursor") or None)
    names = _shop_names({c.companycode for c in items})
    view = province_views.complaint_queue(items, cursor, status, STATUSES, names)
    return console_page("console/complaints.html", session, lang, **view)


@page("/console/complaints/{complaint_id}", stacks=PROVINCE)
def complaint_page(complaint_id: str) -> Response:
    session = _allowed(READ, complaint_id)
    return _detail(session, console_lang(door.request), complaint_id)


@page("/console/complaints/{complaint_id}/photo", stacks=PROVINCE)
def complaint_photo(complaint_id: str) -> Response:
    session = _allowed(READ, complaint_id)
    actor = actor_of(door.request, session.principal)
    data, content_type = complaint_service().photo(complaint_id, actor)
    # A page's answer: no script or style may run from it even if a browser opens it alone.
    return inline_image(complaint_id, data, content_type, csp="default-src 'none'")


@form("/console/complaints/{complaint_id}/accept", stacks=PROVINCE)
def accept(complaint_id: str) -> Response:
    return _decide(complaint_id, "accept")


@form("/console/complaints/{complaint_id}/reject", stacks=PROVINCE)
def reject(complaint_id: str) -> Response:
    return _decide(complaint_id, "reject")


@form("/console/complaints/{complaint_id}/close", stacks=PROVINCE)
def close(complaint_id: str) -> Response:
    return _decide(complaint_id, "close")


def _allowed(permission: Permission, complaint_id: str) -> WebSession:
    """The signed-in regulator, if it may use `permission` on this complaint's shop."""
    session = console_session(door.request, permission)
    authorize_complaint(session.principal, permission, complaint_id)
    return session


def _queue(
    session: WebSession, status: str, cursor: str | None
) -> tuple[list[Complaint], str | None]:
    """One page of the queue of complaints in `status` within the caller's districts; the
    read is audited (who saw which queue, and how many complaints)."""
    items, cursor = complaint_service().queue(
        status, PAGE_SIZE, cursor, divisions=scope_of(session)
    )
    audit_trail().record(
        actor_of(door.request, session.principal),
        "complaint.queue",
        status,
        {"returned": len(items)},
    )
    return items, cursor


def _decide(complaint_id: str, step: str) -> Response:
    session = _allowed(HANDLE, complaint_id)
    form = console_form(door.request)
    require_csrf(session, form)
    lang = console_lang(door.request, form.get("lang"))
    actor = actor_of(door.request, session.principal)
    service = complaint_service()
    # A refused step shows the complaint again with the error beside its field (or the
    # conflict: someone else decided first), not an error page.
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
    """One complaint with its shop and the record it is about (its read is audited)."""
    complaint = complaint_service().for_regulator(
        complaint_id, actor_of(door.request, session.principal)
    )
    view = province_views.complaint(
        complaint,
        _shop(complaint.companycode),
        _record(complaint.record_id),
        contacts=may_do(session, Permission.REGISTRY_CONTACTS),
        may_handle=may_do(session, HANDLE),
    )
    return console_page(
        "console/complaint.html",
        session,
        lang,
        status=status,
        done=query_params(door.request).get("done", "") if status == 200 else "",
        errors=errors or [],
        form=form or {},
        conflict=conflict,
        **view,
    )


def _shop(companycode: str) -> Shop | None:
    try:
        return shop_registry().get(companycode)
    except NotFoundError:
        return None


def _record(record_id: str | None) -> StoredRecord | None:
    if not record_id:
        return None
    found = record_search_service().full_records([{"record_id": record_id}])
    return found[0] if found else None


def _shop_names(companycodes: set[str]) -> dict[str, str]:
    names = {}
    for companycode in companycodes:
        try:
            names[companycode] = shop_registry().get(companycode).name
        except NotFoundError:
            continue
    return names
