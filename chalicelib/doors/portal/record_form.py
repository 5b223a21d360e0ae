"""The manual entry form of a maintenance record: form fields ↔ the API's RecordIn.

Why: manual entry is one more front door, so the form is turned into exactly the body the REST
API takes and checked by `RecordIn`: same rules, same limits. This module keeps the form's own
concerns: repeatable rows for repair items and parts (N blank rows, and an "add rows" button
that re-renders the form, since pages run no script), and mapping each error back to the form
field it belongs to, so it is shown right beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.record import RecordContent
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.record_models import MAX_LIST_ITEMS, RecordIn
from chalicelib.doors.portal.record_messages import limits, rule_message
from chalicelib.errors import FieldError, ValidationFailedError

BASIC_FIELDS = (
    "settlement_list_code",
    "vin",
    "plate_number",
    "plate_color",
    "company_name",
    "repair_date",
    "repair_mileage",
    "settlement_date",
    "fault_description",
)
ITEM_FIELDS = ("name", "labour_hours")
PART_FIELDS = ("name", "code", "quantity")
BLANK_ROWS = 3
ADD_ROWS = 3
MAX_ROWS = MAX_LIST_ITEMS  # the schema's limit: a correction shows every row of the record
# Every row posts all its fields, blank or not: room for MAX_ROWS rows of both lists, the
# basic fields and the form's own (CSRF token, action, reason), so only the bytes can overflow.
MAX_FORM_FIELDS = MAX_ROWS * (len(ITEM_FIELDS) + len(PART_FIELDS)) + len(BASIC_FIELDS) + 10
TOO_LARGE = "record_form_too_large"


@dataclass
class RecordForm:
    """What the clerk typed (kept as text, so a re-rendered form shows it unchanged)."""

    values: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, str]] = field(default_factory=list)
    parts: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # form key → sentence

    def error_count(self) -> int:
        return len(self.errors)


def blank_form(company_name: str) -> RecordForm:
    return RecordForm(
        values={"company_name": company_name},
        items=[_blank(ITEM_FIELDS) for _ in range(BLANK_ROWS)],
        parts=[_blank(PART_FIELDS) for _ in range(BLANK_ROWS)],
    )


def form_of(content: RecordContent) -> RecordForm:
    """A stored record's content as a prefilled form (for a correction)."""
    data = content.to_dict()
    values = {name: "" if data[name] is None else str(data[name]) for name in BASIC_FIELDS}
    items = [{k: str(i[k]) for k in ITEM_FIELDS} for i in data["repair_items"]]
    parts = [{k: str(p[k]) for k in PART_FIELDS} for p in data["parts"]]
    return RecordForm(
        values=values,
        items=items + [_blank(ITEM_FIELDS)],
        parts=parts + [_blank(PART_FIELDS)],
    )


def posted(form: Form) -> RecordForm:
    """The form as posted (rows beyond MAX_ROWS are dropped, as the schema allows no more)."""
    values = {name: form.get(name) for name in BASIC_FIELDS}
    return RecordForm(
        values=values,
        items=_rows(form, "item", ITEM_FIELDS),
        parts=_rows(form, "part", PART_FIELDS),
        reason=form.get("correction_reason"),
    )


def add_rows(record_form: RecordForm, which: str) -> RecordForm:
    rows = record_form.items if which == "items" else record_form.parts
    names = ITEM_FIELDS if which == "items" else PART_FIELDS
    room = max(MAX_ROWS - len(rows), 0)
    rows.extend(_blank(names) for _ in range(min(ADD_ROWS, room)))
    return record_form


def check(record_form: RecordForm, lang: str, *, reason_required: bool = False) -> RecordIn | None:
    """The form as RecordIn, or None with `errors` filled in beside each field."""
    data, item_rows, part_rows = _api_body(record_form)
    if reason_required and not record_form.reason.strip():
        record_form.errors["correction_reason"] = rule_message(
            FieldError("correction_reason", "required", ""), lang
        )
    try:
        record: RecordIn = parse(RecordIn, data)
    except ValidationFailedError as exc:
        show_errors(record_form, exc.errors, lang, item_rows, part_rows)
        return None
    return None if record_form.errors else record


def show_errors(
    record_form: RecordForm,
    errors: list[FieldError],
    lang: str,
    item_rows: list[int] | None = None,
    part_rows: list[int] | None = None,
) -> None:
    """Put each error beside its form field (row numbers of the form, not of the body)."""
    if item_rows is None or part_rows is None:
        _, item_rows, part_rows = _api_body(record_form)
    for error in errors:
        key = _form_key(error.field, item_rows, part_rows)
        record_form.errors.setdefault(key, rule_message(error, lang))


def input_limits() -> dict[str, dict[str, Any]]:
    """HTML attributes (maxlength, min, max, step) per form field, from the schema."""
    attributes: dict[str, dict[str, Any]] = {}
    for name in (*BASIC_FIELDS, "correction_reason"):
        attributes[name] = limits(name)
    for name in ITEM_FIELDS:
        attributes[f"item_{name}"] = limits(f"repair_items.0.{name}")
    for name in PART_FIELDS:
        attributes[f"part_{name}"] = limits(f"parts.0.{name}")
    for key in attributes:
        places = attributes[key].get("places")
        if places is not None:
            attributes[key]["step"] = f"{1 / 10**places:.{places}f}"
    return attributes


def _api_body(record_form: RecordForm) -> tuple[dict[str, Any], list[int], list[int]]:
    """The REST body for the form, and which form row each item / part came from."""
    data: dict[str, Any] = {k: v for k, v in record_form.values.items() if v != ""}
    data.setdefault("plate_number", "")
    mileage = record_form.values.get("repair_mileage", "")
    if mileage.isascii() and mileage.isdigit():  # other scripts' digits stay text: refused
        data["repair_mileage"] = int(mileage)
    item_rows = [i for i, row in enumerate(record_form.items) if any(row.values())]
    part_rows = [i for i, row in enumerate(record_form.parts) if any(row.values())]
    data["repair_items"] = [_present(record_form.items[i]) for i in item_rows]
    data["parts"] = [_present(record_form.parts[i]) for i in part_rows]
    if record_form.reason:
        data["correction_reason"] = record_form.reason
    return data, item_rows, part_rows


def _present(row: dict[str, str]) -> dict[str, str]:
    """Only the cells the clerk filled: an empty cell then reads as `required`."""
    return {k: v for k, v in row.items() if v != ""}


def _form_key(path: str, item_rows: list[int], part_rows: list[int]) -> str:
    parts = path.split(".")
    if parts[0] in ("repair_items", "parts") and len(parts) >= 2 and parts[1].isdigit():
        rows = item_rows if parts[0] == "repair_items" else part_rows
        index = int(parts[1])
        row = rows[index] if index < len(rows) else index
        prefix = "item" if parts[0] == "repair_items" else "part"
        leaf = parts[2] if len(parts) > 2 else "name"
        return f"{prefix}.{row}.{leaf}"
    if parts[0] == "repair_items":
        return "items"
    return parts[0]


def _rows(form: Form, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    columns = {name: form.getlist(f"{prefix}_{name}") for name in names}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROWS)
    rows = [
        {name: (columns[name][i] if i < len(columns[name]) else "") for name in names}
        for i in range(count)
    ]
    return rows or [_blank(names)]


def _blank(names: tuple[str, ...]) -> dict[str, str]:
    return dict.fromkeys(names, "")
