"""Consumer feedback pages: rate a repair, complain, follow a complaint, browse shop ratings.

Why: owners act from their phone on the vehicle page; these pages are plain HTML forms (no
script, strict CSP) over the same services and schemas as the JSON API, so the rules are the
same whichever way an owner comes. Form errors are shown next to their fields; every failed
proof shows the same sentence. Province stacks only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from pydantic import ValidationError

from chalicelib.api.feedback_schemas import ComplaintIn, EvaluationIn
from chalicelib.api.feedback_views import complaint_public_view
from chalicelib.api.schemas import validation_errors
from chalicelib.bootstrap import (
    complaint_service,
    evaluation_service,
    history_service,
    public_gate,
    shop_directory,
)
from chalicelib.domain.complaint import PHOTO_MAX_BYTES
from chalicelib.domain.evaluation import BAD_TAGS, GOOD_TAGS, SCORE_DIMENSIONS
from chalicelib.doors.kit.auth import require_role
from chalicelib.doors.kit.forms import Form, UploadedFile, parse_form
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.respond import html_page, language
from chalicelib.errors import (
    ConflictError,
    DomainError,
    FieldError,
    NotFoundError,
    RateLimitedError,
    ValidationFailedError,
)
from chalicelib.observability import logger

bp = Blueprint(__name__)
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]
# A phone photo is often 3-5 MB. The whole body is read up to Lambda's 6 MB request limit, so
# an oversized photo is refused on its own field and everything typed is kept; only a body
# over 6 MB (which API Gateway cannot even hand to Lambda) is unreadable.
MAX_COMPLAINT_FORM_BYTES = 6 * 1024 * 1024


@bp.route("/evaluate", methods=["POST"], content_types=FORM_TYPES)
def evaluate_form() -> Response:
    """The evaluation form for one repair of the timeline (proof of VIN + plate again)."""
    form, lang = _read_form()
    return _guarded(lang, lambda: _evaluation_page(form, lang, 200, {}, None))


@bp.route("/evaluate/submit", methods=["POST"], content_types=FORM_TYPES)
def evaluate_submit() -> Response:
    form, lang = _read_form()

    def submit() -> Response:
        request = bp.current_request
        try:
            body = EvaluationIn.model_validate(_evaluation_data(form))
        except ValidationError as exc:
            return _evaluation_page(form, lang, 400, _by_field(validation_errors(exc)), None)
        public_gate().admit(source_ip(request), body.vin, submission=True)
        try:
            evaluation_service().evaluate(body.to_request(), source_ip=source_ip(request))
        except NotFoundError:
            return _evaluation_page(form, lang, 404, {}, "no_match")
        except ConflictError:
            return _evaluation_page(form, lang, 409, {}, "already_evaluated")
        return _page("evaluated.html", lang, 201)

    return _guarded(lang, submit)


@bp.route("/complain", methods=["POST"], content_types=FORM_TYPES)
def complain_form() -> Response:
    """The "record incorrect" form for one repair of the timeline."""
    form, lang = _read_form()
    return _guarded(lang, lambda: _complaint_page(form, lang, 200, {}, None, "incorrect"))


@bp.route("/complain/new", methods=["GET"])
def complain_not_uploaded_form() -> Response:
    """The "record not uploaded" form about one shop of the directory."""
    params = query_params(bp.current_request)
    lang = language(params.get("lang"))
    form = Form(fields={"companycode": params.get("shop", "")[:15], "lang": lang})
    return _guarded(lang, lambda: _complaint_page(form, lang, 200, {}, None, "not_uploaded"))


@bp.route("/complain/submit", methods=["POST"], content_types=FORM_TYPES)
def complain_submit() -> Response:
    if len(bp.current_request.raw_body or b"") > MAX_COMPLAINT_FORM_BYTES:
        return _oversized_complaint()
    form, lang = _read_form(MAX_COMPLAINT_FORM_BYTES)
    kind = "not_uploaded" if form.get("kind") == "not_uploaded" else "incorrect"

    def submit() -> Response:
        request = bp.current_request
        data = {k: form.get(k) for k in _COMPLAINT_FIELDS if form.get(k)}
        data["kind"] = kind
        photo = form.files.get("photo")
        errors = _photo_errors(photo, lang)
        try:
            body = ComplaintIn.model_validate(data)
        except ValidationError as exc:
            errors = {**_by_field(validation_errors(exc)), **errors}
            return _complaint_page(form, lang, 400, errors, None, kind)
        if errors:
            return _complaint_page(form, lang, 400, errors, None, kind)
        public_gate().admit(source_ip(request), body.vin, submission=True)
        submission = body.to_submission()
        if photo is not None:
            from dataclasses import replace

            submission = replace(submission, photo=photo.data)
        try:
            complaint, _ = complaint_service().submit(submission, source_ip=source_ip(request))
        except ValidationFailedError as exc:
            return _complaint_page(form, lang, 400, _by_field(exc.errors), None, kind)
        except NotFoundError:
            return _complaint_page(form, lang, 404, {}, "no_match", kind)
        except ConflictError as exc:
            return _complaint_page(form, lang, 409, {}, exc.code, kind)
        return _page("complained.html", lang, 201, complaint=complaint_public_view(complaint))

    return _guarded(lang, submit)


@bp.route("/complaints/follow", methods=["GET"])
def follow_form() -> Response:
    lang = language(query_params(bp.current_request).get("lang"))
    return _guarded(lang, lambda: _page("follow.html", lang, 200, complaint=None, unknown=False))


@bp.route("/complaints/follow", methods=["POST"], content_types=FORM_TYPES)
def follow_result() -> Response:
    form, lang = _read_form()

    def lookup() -> Response:
        public_gate().admit(source_ip(bp.current_request))
        try:
            complaint = complaint_service().follow(form.get("code")[:32])
        except NotFoundError:
            return _page("follow.html", lang, 404, complaint=None, unknown=True)
        return _page("follow.html", lang, 200, complaint=complaint_public_view(complaint))

    return _guarded(lang, lookup)


@bp.route("/shops", methods=["GET"])
def shops_page() -> Response:
    params = query_params(bp.current_request)
    lang = language(params.get("lang"))
    division = params.get("division", "")[:6]

    def directory() -> Response:
        from chalicelib.web.i18n import tag_label

        public_gate().admit(source_ip(bp.current_request))
        service = shop_directory()
        rows = service.ranked(division) if division else []
        for row in rows:
            row["tag_labels"] = [tag_label(t, lang) for t in row["top_tags"]]
        return _page(
            "shops.html", lang, 200, divisions=service.divisions(), division=division, shops=rows
        )

    return _guarded(lang, directory)


# --- helpers ------------------------------------------------------------------------------

_COMPLAINT_FIELDS = (
    "vin",
    "plate",
    "settlement_list_code",
    "text",
    "companycode",
    "settlement_date",
    "contact_phone",
)


def _photo_errors(photo: UploadedFile | None, lang: str) -> dict[str, str]:
    """The photo's size error, in the page's language, before anything else is checked: the
    owner then fixes the photo and every other field in one go."""
    from chalicelib.web.i18n import consumer_texts

    if photo is None or len(photo.data) <= PHOTO_MAX_BYTES:
        return {}
    size = f"{len(photo.data) / 1024 / 1024:.1f}"
    return {"photo": consumer_texts(lang)["photo_too_large"].format(size=size)}


def _oversized_complaint() -> Response:
    """A complaint body over 6 MB: nothing in it can be read, so the form comes back empty
    (language and kind from the form's URL) with the error on the photo field."""
    params = query_params(bp.current_request)
    lang = language(params.get("lang"))
    kind = "not_uploaded" if params.get("kind") == "not_uploaded" else "incorrect"
    from chalicelib.web.i18n import consumer_texts

    errors = {"photo": consumer_texts(lang)["photo_too_large_lost"]}
    form = Form(fields={"lang": lang, "kind": kind})
    return _guarded(lang, lambda: _complaint_page(form, lang, 413, errors, None, kind))


def _read_form(max_bytes: int = 64 * 1024) -> tuple[Form, str]:
    request = bp.current_request
    content_type = request.headers.get("content-type") or ""
    form = parse_form(request.raw_body, content_type, max_bytes)
    return form, language(form.get("lang"))


def _guarded(lang: str, render: Callable[[], Response]) -> Response:
    """Province only; rate limits and storage trouble become pages, not stack traces."""
    try:
        require_role("province")
        return render()
    except RateLimitedError:
        return _page("message.html", lang, 429, message_key="rate_limited")
    except NotFoundError:
        return _page("message.html", lang, 404, message_key="no_match")
    except ValidationFailedError as exc:
        return _page("message.html", lang, 400, message_key="fix_errors", errors=exc.errors)
    except DomainError:
        logger.exception("feedback page refused")
        return _page("message.html", lang, 503, message_key="rate_limited")


def _context_record(form: Form) -> dict[str, Any] | None:
    """The timeline entry the owner came from (shown for context), proved by VIN + plate."""
    vin, plate, ref = form.get("vin"), form.get("plate"), form.get("ref")
    if not (vin and plate and ref):
        return None
    public_gate().admit(source_ip(bp.current_request), vin)
    records = history_service().history(vin, plate, source_ip=source_ip(bp.current_request))
    record = next((r for r in records if r.record_id == ref), None)
    if record is None:
        return None
    return {"date": record.content.settlement_date.isoformat(), "shop": record.shop_name}


def _evaluation_page(
    form: Form, lang: str, status: int, errors: dict[str, str], notice: str | None
) -> Response:
    from chalicelib.web.i18n import tag_label

    return _page(
        "evaluate.html",
        lang,
        status,
        form=form,
        errors=errors,
        notice=notice,
        context=_context_record(form) if status == 200 else None,
        dimensions=SCORE_DIMENSIONS,
        good_tags=[(t, tag_label(t, lang)) for t in GOOD_TAGS],
        bad_tags=[(t, tag_label(t, lang)) for t in BAD_TAGS],
        chosen_tags=set(form.getlist("tags")),
    )


def _complaint_page(
    form: Form,
    lang: str,
    status: int,
    errors: dict[str, str],
    notice: str | None,
    kind: str,
) -> Response:
    context = _context_record(form) if status == 200 and kind == "incorrect" else None
    shop_name = None
    if kind == "not_uploaded" and form.get("companycode"):
        shop_name = _shop_name(form.get("companycode"))
    return _page(
        "complain.html",
        lang,
        status,
        form=form,
        errors=errors,
        notice=notice,
        kind=kind,
        context=context,
        shop_name=shop_name,
    )


def _shop_name(companycode: str) -> str | None:
    from chalicelib.bootstrap import shop_registry

    try:
        return str(shop_registry().get(companycode).name)
    except DomainError:
        return None


def _evaluation_data(form: Form) -> dict[str, Any]:
    scores: dict[str, Any] = {}
    for dimension in SCORE_DIMENSIONS:
        value = form.get(f"score_{dimension}")
        if value:
            scores[dimension] = int(value) if value.isascii() and value.isdigit() else value
    return {
        "vin": form.get("vin"),
        "plate": form.get("plate"),
        "settlement_list_code": form.get("settlement_list_code"),
        "scores": scores,
        "tags": form.getlist("tags"),
        "text": form.get("text"),
    }


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    """Form errors keyed by the form field they belong to (scores.x -> score_x)."""
    shown: dict[str, str] = {}
    for error in errors:
        field = error.field.replace("scores.", "score_").split(".")[0]
        if field == "photo_base64":
            field = "photo"
        shown.setdefault(field, error.message)
    return shown


def _page(template: str, lang: str, status: int, **context: Any) -> Response:
    from chalicelib.web.i18n import consumer_texts

    return html_page(template, lang=lang, texts=consumer_texts(lang), status=status, **context)
