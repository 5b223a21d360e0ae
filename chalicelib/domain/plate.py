"""Chinese licence plate (号牌) normalisation and format check (GA 36).

Why: 车牌正确 is one of the quality checks regulators see per record. A plate that does not
match the national formats is accepted and flagged, never rejected: new cars may have no plate
yet and DMS exports are untidy.
"""

from __future__ import annotations

import re

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"
# Ordinary plates: province + issuing letter + 5 characters (the last may be a use suffix).
# New-energy plates: province + letter + 6 characters, D/F at the first or last position.
_ORDINARY = re.compile(
    rf"^[{_PROVINCES}][{_LETTER}][{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳领试超]$"
)
_NEW_ENERGY = re.compile(rf"^[{_PROVINCES}][{_LETTER}](?:[DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF])$")
_EMBASSY = re.compile(r"^(?:使\d{6}|\d{3}\d{3}使|[沪粤川云桂鄂陕蒙藏黑辽渝]A\d{4}领)$")
_SEPARATORS = re.compile(r"[\s·•．.\-_]")

FLAG_PLATE_MISSING = "plate_missing"
FLAG_PLATE_FORMAT = "plate_format"

PLATE_COLORS = ("蓝", "黄", "黑", "白", "绿", "黄绿", "渐变绿")


def normalize_plate(raw: str) -> str:
    """Remove separators (苏A·12345 → 苏A12345) and upper-case the Latin letters."""
    return _SEPARATORS.sub("", raw).upper()


def plate_flags(plate: str) -> list[str]:
    """Quality flags for an already normalised plate; an empty list means it looks right."""
    if not plate:
        return [FLAG_PLATE_MISSING]
    if _ORDINARY.match(plate) or _NEW_ENERGY.match(plate) or _EMBASSY.match(plate):
        return []
    return [FLAG_PLATE_FORMAT]
