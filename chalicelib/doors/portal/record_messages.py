"""Validation errors of a record in a shop clerk's words, with the limits the schema enforces.

Why: the entry form, the import result page and its CSV download all explain the same
`FieldError`s of `RecordIn` (the API's schema). The limits in the sentences (at most 50
characters, 2 decimals…) are read from that schema, so a message can never disagree with the
rule that produced it; the sentences themselves are in texts.py.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.doors.kit.record_models import PartIn, RecordIn, RepairItemIn
from chalicelib.doors.portal.texts import FIELD_HINTS, FIELD_LABELS, RULE_TEXTS
from chalicelib.errors import FieldError

_NESTED: dict[str, tuple[type[Any], str]] = {
    "repair_items": (RepairItemIn, "item"),
    "parts": (PartIn, "part"),
}
# Their message is the detail (a row, a column letter).
_DETAIL_RULES = ("unique_in_file", "formula", "number_unusable")


@functools.cache
def limits(path: str) -> dict[str, Any]:
    """The schema's constraints of a field path ('vin', 'repair_items.2.labour_hours')."""
    model, name = _model_field(path)
    field = model.model_fields.get(name) if model is not None else None
    found: dict[str, Any] = {}
    for meta in field.metadata if field is not None else ():
        for attribute, key in (
            ("min_length", "min_length"),
            ("max_length", "max"),
            ("ge", "min"),
            ("gt", "min"),
            ("le", "max"),
            ("decimal_places", "places"),
        ):
            value = getattr(meta, attribute, None)
            if value is not None:
                found[key] = value
    return found


def field_label(path: str, lang: str) -> str:
    """'repair_items.1.labour_hours' → '维修项目 第 2 项 · 工时'."""
    labels = FIELD_LABELS[lang]
    parts = path.split(".")
    if parts[0] in _NESTED and len(parts) >= 2 and parts[1].isdigit():
        label = f"{labels[parts[0]]} {labels['item_n'].format(n=int(parts[1]) + 1)}"
        if len(parts) > 2:
            name = parts[2]
            if name == "name":
                name = f"{_NESTED[parts[0]][1]}_name"
            label += f" · {labels.get(name, name)}"
        return label
    return labels.get(parts[0], path)


def rule_message(error: FieldError, lang: str) -> str:
    """The rule of one error as a sentence (without the field's name)."""
    template = RULE_TEXTS[lang].get(error.rule)
    if template is None:
        return error.message
    leaf = error.field.split(".")[-1]
    top = error.field.split(".")[0]
    hints = FIELD_HINTS[lang]
    params: dict[str, Any] = {"min": "", "max": "", "places": "", **limits(error.field)}
    params["hint"] = hints.get(leaf) or hints.get(top, "").format(**params)
    params["detail"] = error.message if error.rule in _DETAIL_RULES else ""
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return error.message


def describe(error: FieldError, lang: str) -> str:
    """'结算日期：不能早于送修日期' — the field's label and the rule's sentence."""
    separator = "：" if lang == "zh-CN" else ": "
    return f"{field_label(error.field, lang)}{separator}{rule_message(error, lang)}"


def hint(field: str, lang: str) -> str:
    """What to enter in a field, with its limits filled in."""
    params = {"min": "", "max": "", "places": "", **limits(field)}
    return FIELD_HINTS[lang].get(field, "").format(**params)


def _model_field(path: str) -> tuple[type[Any] | None, str]:
    parts = path.split(".")
    if parts[0] in _NESTED:
        if len(parts) == 3:
            return _NESTED[parts[0]][0], parts[2]
        return RecordIn, parts[0]
    return (RecordIn, parts[0]) if parts[0] in RecordIn.model_fields else (None, parts[0])
