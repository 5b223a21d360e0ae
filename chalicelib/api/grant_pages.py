"""The owner's grant page at the ministry: consent to agencies, withdraw it, see who read.

Why: an owner decides which insurer or used-car platform may read the vehicle's national file
(digest §1.11: authorisation, revocable), and sees every agency read of it. The page proves
possession like an evaluation (VIN + plate + settlement number) on every request: nothing is
remembered between pages, the proof travels in the POSTed form only (never in a URL), and
every failed proof shows the same sentence. Plain HTML forms, no script; rate-limited like the
other public forms. Ministry stack only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.bootstrap import owner_grant_service, public_gate
from chalicelib.domain.agency import GRANT_DAYS
from chalicelib.domain.china_time import CST
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.forms import Form, parse_form
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.respond import html_page, language
from chalicelib.errors import DomainError, NotFoundError, RateLimitedError, ValidationFailedError
from chalicelib.observability import logger
from chalicelib.services.owner_grants import Proof

bp = Blueprint(__name__)
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
MAX_FORM_BYTES = 4096


@bp.route("/grants", methods=["GET"])
def grants_form() -> Response:
    lang = language(query_params(bp.current_request).get("lang"))
    return _guarded(lang, lambda: _page(lang, 200, form=Form()))


@bp.route("/grants", methods=["POST"], content_types=FORM_TYPES)
def grants_overview() -> Response:
    form, lang = _read_form()

    def show() -> Response:
        proof = _proof(form)
        public_gate().admit(source_ip(bp.current_request), proof.vin)
        return _overview(form, lang, proof, 200)

    return _guarded(lang, show)


@bp.route("/grants/create", methods=["POST"], content_types=FORM_TYPES)
def create_grant() -> Response:
    form, lang = _read_form()

    def create() -> Response:
        proof = _proof(form)
        request = bp.current_request
        public_gate().admit(source_ip(request), proof.vin, submission=True)
        agency_id, _, purpose = form.get("option").partition(":")
        days = int(form.get("days")) if form.get("days").isdigit() else 0
        try:
            owner_grant_service().create(
                proof, agency_id, purpose, days, source_ip=source_ip(request)
            )
        except ValidationFailedError:
            return _overview(form, lang, proof, 400, notice="grant_errors")
        return _overview(form, lang, proof, 201, notice="granted")

    return _guarded(lang, create)


@bp.route("/grants/revoke", methods=["POST"], content_types=FORM_TYPES)
def revoke_grant() -> Response:
    form, lang = _read_form()

    def revoke() -> Response:
        proof = _proof(form)
        request = bp.current_request
        public_gate().admit(source_ip(request), proof.vin, submission=True)
        owner_grant_service().revoke(proof, form.get("grant_id"), source_ip=source_ip(request))
        return _overview(form, lang, proof, 200, notice="revoked_notice")

    return _guarded(lang, revoke)


def _overview(form: Form, lang: str, proof: Proof, status: int, notice: str = "") -> Response:
    from chalicelib.web.sharing_texts import PURPOSE_LABELS

    service = owner_grant_service()
    overview = service.overview(proof, source_ip=source_ip(bp.current_request))
    labels = PURPOSE_LABELS[lang]
    grants = [
        {
            "grant_id": grant.grant_id,
            "agency": grant.agency_name,
            "purpose": labels.get(grant.purpose, grant.purpose),
            "expires": _local(grant.expires_at),
            "state": state,
        }
        for grant, state in overview.grants
    ]
    reads = [
        {
            "at": _local(read.at),
            "agency": read.agency_name,
            "purpose": labels.get(read.purpose, read.purpose),
            "outcome": read.outcome,
            "code": read.code,
            "records": read.records,
        }
        for read in overview.reads
    ]
    options = [
        {"value": o.value, "label": f"{o.agency_name} · {labels.get(o.purpose, o.purpose)}"}
        for o in service.options()
    ]
    return _page(
        lang,
        status,
        form=form,
        proven=True,
        vin=overview.vin,
        grants=grants,
        reads=reads,
        options=options,
        days=GRANT_DAYS,
        notice=notice,
    )


def _proof(form: Form) -> Proof:
    return Proof(
        vin=form.get("vin")[:32],
        plate=form.get("plate")[:16],
        settlement_list_code=form.get("settlement_list_code")[:50],
    )


def _read_form() -> tuple[Form, str]:
    request = bp.current_request
    content_type = request.headers.get("content-type") or ""
    form = parse_form(request.raw_body, content_type, MAX_FORM_BYTES)
    return form, language(form.get("lang"))


def _guarded(lang: str, render: Callable[[], Response]) -> Response:
    """Ministry only; a failed proof, a limit or storage trouble become pages."""
    try:
        require_role("ministry")
        return render()
    except RateLimitedError:
        return _message(lang, 429, "rate_limited")
    except NotFoundError:
        return _message(lang, 404, "no_match")
    except DomainError:
        logger.exception("grant page refused")
        return _message(lang, 503, "rate_limited")


def _message(lang: str, status: int, key: str) -> Response:
    from chalicelib.web.i18n import consumer_texts

    return html_page(
        "message.html", lang=lang, texts=consumer_texts(lang), status=status, message_key=key
    )


def _page(lang: str, status: int, **context: Any) -> Response:
    from chalicelib.web.i18n import consumer_texts
    from chalicelib.web.sharing_texts import GRANT_TEXTS

    texts = {**consumer_texts(lang), **GRANT_TEXTS[lang]}
    context.setdefault("proven", False)
    return html_page(
        "grants.html", lang=lang, texts=texts, status=status, switch_path="/grants", **context
    )


def _local(moment: Any) -> str:
    return str(moment.astimezone(CST).strftime("%Y-%m-%d %H:%M"))
