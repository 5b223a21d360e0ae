"""Consumer feedback pages: rate a repair, complain, follow a complaint, browse shop ratings.

Why: owners act from their phone on the vehicle page; these pages are plain HTML forms (no
script, strict CSP) over the same services and schemas as the JSON API, so the rules are the
same whichever way an owner comes. Form errors are shown next to their fields; every failed
proof shows the same sentence. Province stacks only; limits, a failed proof and storage
trouble become the door's message pages (`errors.py`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalice import Response
from chalice.app import Request
from pydantic import ValidationError

from chalicelib.bootstrap import (
    complaint_service,
    evaluation_service,
    history_service,
    public_gate,
    shop_directory,
)
from chalicelib.domain.complaint import PHOTO_MAX_BYTES
from chalicelib.domain.evaluation import BAD_TAGS, GOOD_TAGS, SCORE_DIMENSIONS
from chalicelib.doors.kit.feedback_views import complaint_public_view
from chalicelib.doors.kit.forms import Form, UploadedFile
from chalicelib.doors.kit.http import query_params, source_ip
from chalicelib.doors.kit.models import validation_errors
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.respond import language
from chalicelib.doors.public.door import door
from chalicelib.doors.public.errors import message_errors
from chalicelib.doors.public.forms import FORM_TYPES, consumer_page, query_language, read_form
from chalicelib.doors.public.models import ComplaintIn, EvaluationIn
from chalicelib.doors.public.views import directory_rows
from chalicelib.errors import (
    ConflictError,
    DomainError,
    FieldError,
    NotFoundError,
    ValidationFailedError,
)
from chalicelib.services.complaints import ComplaintSubmission

# A phone photo is often 3-5 MB. The whole body is read up to Lambda's 6 MB request limit, so
# an oversized photo is refused on its own field and everything typed is kept; only a body
# over 6 MB (which API Gateway cannot even hand to Lambda) is unreadable.
MAX_COMPLAINT_FORM_BYTES = 6 * 1024 * 1024


def _complaint_language(request: Request) -> str:
    """The complaint form's language: the form's, or for a body too large to read, the one
    its URL names (the form posts to `/complain/submit?lang=...&kind=...`)."""
    if len(request.raw_body or b"") > MAX_COMPLAINT_FORM_BYTES:
        return query_language(request)
    return read_form(request, MAX_COMPLAINT_FORM_BYTES)[1]


@door.route("/evaluate", methods=["POST"], content_types=FORM_TYPES, stacks=PROVINCE, page=True)
def evaluate_form() -> Response:
    """The evaluation form for one repair of the timeline (proof of VIN + plate again)."""
    form, lang = read_form(door.request)
    return _evaluation_page(form, lang, 200, {}, None)


@door.route(
    "/evaluate/submit", methods=["POST"], content_types=FORM_TYPES, stacks=PROVINCE, page=True
)
def evaluate_submit() -> Response:
    # The form comes back with each error beside its field (or the refusal above it), so
    # those errors are caught here; the door's message page answers the rest.
    form, lang = read_form(door.request)
    try:
        body = EvaluationIn.model_validate(_evaluation_data(form))
    except ValidationError as exc:
        return _evaluation_page(form, lang, 400, _by_field(validation_errors(exc)), None)
    public_gate().admit(source_ip(door.request), body.vin, submission=True)
    try:
        evaluation_service().evaluate(body.to_request(), source_ip=source_ip(door.request))
    except NotFoundError:
        return _evaluation_page(form, lang, 404, {}, "no_match")
    except ConflictError:
        return _evaluation_page(form, lang, 409, {}, "already_evaluated")
    return consumer_page("evaluated.html", lang, 201)


@door.route("/complain", methods=["POST"], content_types=FORM_TYPES, stacks=PROVINCE, page=True)
def complain_form() -> Response:
    """The "record incorrect" form for one repair of the timeline."""
    form, lang = read_form(door.request)
    return _complaint_page(form, lang, 200, {}, None, "incorrect")


@door.route("/complain/new", methods=["GET"], stacks=PROVINCE, page=True)
def complain_not_uploaded_form() -> Response:
    """The "record not uploaded" form about one shop of the directory."""
    params = query_params(door.request)
    lang = language(params.get("lang"))
    form = Form(fields={"companycode": params.get("shop", "")[:15], "lang": lang})
    return _complaint_page(form, lang, 200, {}, None, "not_uploaded")


@door.route(
    "/complain/submit",
    methods=["POST"],
    content_types=FORM_TYPES,
    stacks=PROVINCE,
    page=True,
    errors=message_errors(_complaint_language),
)
def complain_submit() -> Response:
    # As for an evaluation: the form comes back with each error beside its field.
    if len(door.request.raw_body or b"") > MAX_COMPLAINT_FORM_BYTES:
        return _oversized_complaint()
    form, lang = read_form(door.request, MAX_COMPLAINT_FORM_BYTES)
    kind = "not_uploaded" if form.get("kind") == "not_uploaded" else "incorrect"
    submission = _complaint_submission(form, lang, kind)
    if isinstance(submission, Response):
        return submission
    public_gate().admit(source_ip(door.request), submission.vin, submission=True)
    try:
        complaint, _ = complaint_service().submit(submission, source_ip=source_ip(door.request))
    except ValidationFailedError as exc:
        return _complaint_page(form, lang, 400, _by_field(exc.errors), None, kind)
    except NotFoundError:
        return _complaint_page(form, lang, 404, {}, "no_match", kind)
    except ConflictError as exc:
        return _complaint_page(form, lang, 409, {}, exc.code, kind)
    return consumer_page("complained.html", lang, 201, complaint=complaint_public_view(complaint))


@door.route("/complaints/follow", methods=["GET"], stacks=PROVINCE, page=True)
def follow_form() -> Response:
    lang = query_language(door.request)
    return consumer_page("follow.html", lang, 200, complaint=None, unknown=False)


@door.route(
    "/complaints/follow", methods=["POST"], content_types=FORM_TYPES, stacks=PROVINCE, page=True
)
def follow_result() -> Response:
    form, lang = read_form(door.request)
    public_gate().admit(source_ip(door.request))
    try:  # an unknown code: the follow form again, saying so
        complaint = complaint_service().follow(form.get("code")[:32])
    except NotFoundError:
        return consumer_page("follow.html", lang, 404, complaint=None, unknown=True)
    return consumer_page("follow.html", lang, 200, complaint=complaint_public_view(complaint))


@door.route("/shops", methods=["GET"], stacks=PROVINCE, page=True)
def shops_page() -> Response:
    params = query_params(door.request)
    lang, division = language(params.get("lang")), params.get("division", "")[:6]
    public_gate().admit(source_ip(door.request))
    ranked = shop_directory().ranked(division) if division else []
    view = {"divisions": shop_directory().divisions(), "division": division}
    return consumer_page("shops.html", lang, 200, shops=directory_rows(ranked, lang), **view)


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


def _complaint_submission(form: Form, lang: str, kind: str) -> ComplaintSubmission | Response:
    """The complaint the form holds, or the form again with every error beside its field
    (the photo's size is checked first, so the owner fixes everything in one go)."""
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
    submission = body.to_submission()
    return submission if photo is None else replace(submission, photo=photo.data)


def _photo_errors(photo: UploadedFile | None, lang: str) -> dict[str, str]:
    """The photo's size error, in the page's language, before anything else is checked: the
    owner then fixes the photo and every other field in one go."""
    from chalicelib.doors.public.texts import consumer_texts

    if photo is None or len(photo.data) <= PHOTO_MAX_BYTES:
        return {}
    size = f"{len(photo.data) / 1024 / 1024:.1f}"
    return {"photo": consumer_texts(lang)["photo_too_large"].format(size=size)}


def _oversized_complaint() -> Response:
    """A complaint body over 6 MB: nothing in it can be read, so the form comes back empty
    (language and kind from the form's URL) with the error on the photo field."""
    from chalicelib.doors.public.texts import consumer_texts

    params = query_params(door.request)
    lang = language(params.get("lang"))
    kind = "not_uploaded" if params.get("kind") == "not_uploaded" else "incorrect"
    errors = {"photo": consumer_texts(lang)["photo_too_large_lost"]}
    form = Form(fields={"lang": lang, "kind": kind})
    return _complaint_page(form, lang, 413, errors, None, kind)


def _context_record(form: Form) -> dict[str, Any] | None:
    """The timeline entry the owner came from (shown for context), proved by VIN + plate."""
    vin, plate, ref = form.get("vin"), form.get("plate"), form.get("ref")
    if not (vin and plate and ref):
        return None
    public_gate().admit(source_ip(door.request), vin)
    records = history_service().history(vin, plate, source_ip=source_ip(door.request))
    record = next((r for r in records if r.record_id == ref), None)
    if record is None:
        return None
    return {"date": record.content.settlement_date.isoformat(), "shop": record.shop_name}


def _evaluation_page(
    form: Form, lang: str, status: int, errors: dict[str, str], notice: str | None
) -> Response:
    from chalicelib.doors.public.texts import tag_label

    return consumer_page(
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
    return consumer_page(
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
