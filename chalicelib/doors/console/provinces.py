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

from chalice import Response

from chalicelib.bootstrap import audit_trail, exchange_credentials, national_monitoring
from chalicelib.domain.provinces import is_province_code
from chalicelib.doors.console import national_views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import console_page, signed_form, signed_in
from chalicelib.doors.kit.auth import Permission, actor_of, may_here
from chalicelib.doors.kit.operations import MINISTRY
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession
from chalicelib.errors import NotFoundError

STATUS, CREDENTIALS = Permission.EXCHANGE_STATUS, Permission.EXCHANGE_CREDENTIALS
DAYS = 30
CREDENTIAL_ACTIONS = ("issue", "rotate", "revoke")
MAX_FORM_BYTES = 4096


@page("/console/provinces", stacks=MINISTRY)
def provinces_page() -> Response:
    session, lang = signed_in(door.request, STATUS)
    monitoring = national_monitoring()
    rows, credentials = monitoring.overview(DAYS), exchange_credentials().statuses()
    nation = monitoring.nation_daily(DAYS)
    audit_trail().record(actor_of(door.request, session.principal), "provinces.read", "*")
    view = national_views.provinces(rows, credentials, nation, lang)
    return console_page("console/provinces.html", session, lang, **view)


@page("/console/provinces/{province_code}", stacks=MINISTRY)
def province_page(province_code: str) -> Response:
    session, lang = signed_in(door.request, STATUS)
    _known(province_code)
    figures = national_monitoring().province(province_code, DAYS)
    audit_trail().record(actor_of(door.request, session.principal), "provinces.read", province_code)
    credential = exchange_credentials().status(province_code)
    manage = may_here(session.principal, CREDENTIALS)
    view = national_views.province(figures, credential, lang, manage)
    return console_page("console/province.html", session, lang, **view)


@form("/console/provinces/{province_code}/credential/{credential_action}", stacks=MINISTRY)
def credential_action(province_code: str, credential_action: str) -> Response:
    session, form, lang = signed_form(door.request, CREDENTIALS, max_bytes=MAX_FORM_BYTES)
    _known(province_code)
    if credential_action not in CREDENTIAL_ACTIONS:
        raise NotFoundError("no such action")
    if credential_action != "issue" and form.get("confirm") != "yes":  # it stops the feed
        return _confirm(session, lang, province_code, credential_action)
    return _credential(session, lang, province_code, credential_action)


def _credential(session: WebSession, lang: str, province_code: str, action: str) -> Response:
    """Revoke (back to the province's page), or issue or rotate (the secret, shown once)."""
    service, actor = exchange_credentials(), actor_of(door.request, session.principal)
    if action == "revoke":
        service.revoke(actor, province_code)
        return redirect(f"/console/provinces/{province_code}", query={"lang": lang})
    if action == "issue" and service.status(province_code).status == "active":
        return _confirm(session, lang, province_code, "rotate")  # issuing again is a rotation
    issued = service.issue(actor, province_code)
    view = national_views.province_credential(issued, province_code, lang)
    status = 200 if issued.rotated else 201
    return console_page("console/province_credential.html", session, lang, status=status, **view)


def _confirm(session: WebSession, lang: str, province_code: str, action: str) -> Response:
    view = national_views.province_confirm(province_code, action, lang)
    return console_page("console/province_confirm.html", session, lang, **view)


def _known(province_code: str) -> None:
    if not is_province_code(province_code):
        raise NotFoundError("no such province")
