"""The owner's grant page at the ministry: consent to agencies, withdraw it, see who read.

Why: an owner decides which insurer or used-car platform may read the vehicle's national file
(digest §1.11: authorisation, revocable), and sees every agency read of it. The page proves
possession like an evaluation (VIN + plate + settlement number) on every request: nothing is
remembered between pages, the proof travels in the POSTed form only (never in a URL), and
every failed proof shows the same sentence. Plain HTML forms, no script; rate-limited like the
other public forms. Ministry stack only.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.bootstrap import owner_grant_service, public_gate
from chalicelib.domain.agency import GRANT_DAYS
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.http import source_ip
from chalicelib.doors.kit.operations import MINISTRY
from chalicelib.doors.kit.respond import html_page
from chalicelib.doors.public.door import door
from chalicelib.doors.public.errors import message_errors, page_language
from chalicelib.doors.public.forms import FORM_TYPES, query_language, read_form
from chalicelib.doors.public.views import grants_view
from chalicelib.errors import ValidationFailedError
from chalicelib.services.owner_grants import Proof

MAX_FORM_BYTES = 4096
# The grant forms are read within their own limit, and so is the language of their refusals.
grant_errors = message_errors(page_language(MAX_FORM_BYTES))


@door.route("/grants", methods=["GET"], stacks=MINISTRY, page=True, errors=grant_errors)
def grants_form() -> Response:
    return _page(query_language(door.request), 200, form=Form())


@door.route(
    "/grants",
    methods=["POST"],
    content_types=FORM_TYPES,
    stacks=MINISTRY,
    page=True,
    errors=grant_errors,
)
def grants_overview() -> Response:
    form, lang = read_form(door.request, MAX_FORM_BYTES)
    proof = _proof(form)
    public_gate().admit(source_ip(door.request), proof.vin)
    return _overview(form, lang, proof, 200)


@door.route(
    "/grants/create",
    methods=["POST"],
    content_types=FORM_TYPES,
    stacks=MINISTRY,
    page=True,
    errors=grant_errors,
)
def create_grant() -> Response:
    form, lang = read_form(door.request, MAX_FORM_BYTES)
    proof = _proof(form)
    public_gate().admit(source_ip(door.request), proof.vin, submission=True)
    agency_id, _, purpose = form.get("option").partition(":")
    days = int(form.get("days")) if form.get("days").isdigit() else 0
    try:  # a choice the agency does not take: the page again, saying so above the form
        owner_grant_service().create(
            proof, agency_id, purpose, days, source_ip=source_ip(door.request)
        )
    except ValidationFailedError:
        return _overview(form, lang, proof, 400, notice="grant_errors")
    return _overview(form, lang, proof, 201, notice="granted")


@door.route(
    "/grants/revoke",
    methods=["POST"],
    content_types=FORM_TYPES,
    stacks=MINISTRY,
    page=True,
    errors=grant_errors,
)
def revoke_grant() -> Response:
    form, lang = read_form(door.request, MAX_FORM_BYTES)
    proof = _proof(form)
    public_gate().admit(source_ip(door.request), proof.vin, submission=True)
    grant_id = form.get("grant_id")
    owner_grant_service().revoke(proof, grant_id, source_ip=source_ip(door.request))
    return _overview(form, lang, proof, 200, notice="revoked_notice")


def _overview(form: Form, lang: str, proof: Proof, status: int, notice: str = "") -> Response:
    service = owner_grant_service()
    overview = service.overview(proof, source_ip=source_ip(door.request))
    view = grants_view(overview, service.options(), lang)
    return _page(lang, status, form=form, proven=True, days=GRANT_DAYS, notice=notice, **view)


def _proof(form: Form) -> Proof:
    return Proof(
        vin=form.get("vin")[:32],
        plate=form.get("plate")[:16],
        settlement_list_code=form.get("settlement_list_code")[:50],
    )


def _page(lang: str, status: int, **context: Any) -> Response:
    from chalicelib.doors.public.texts import consumer_texts
    from chalicelib.web.sharing_texts import GRANT_TEXTS

    texts = {**consumer_texts(lang), **GRANT_TEXTS[lang]}
    context.setdefault("proven", False)
    return html_page(
        "grants.html", lang=lang, texts=texts, status=status, switch_path="/grants", **context
    )
