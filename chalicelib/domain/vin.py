"""VIN (车辆识别代号) normalisation and quality checks per GB 16735 / ISO 3779.

Why: regulators expect VIN problems to be *accepted and flagged* (VIN正确=否), not rejected,
because vehicles built for other markets may carry no check digit. So this module returns
quality flags; only an empty or absurd value is a structural error (decided by the schema).
"""

from __future__ import annotations

import re

VIN_LENGTH = 17
_VALID_CHARS = re.compile(r"^[A-HJ-NPR-Z0-9]+$")
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}

FLAG_VIN_LENGTH = "vin_length"
FLAG_VIN_CHARSET = "vin_charset"
FLAG_VIN_CHECK_DIGIT = "vin_check_digit"


def normalize_vin(raw: str) -> str:
    """Trim and upper-case; inner spaces are removed because DMS exports often pad them."""
    return re.sub(r"\s+", "", raw).upper()


def check_digit(vin: str) -> str | None:
    """The expected 9th character of a 17-character VIN, or None if it cannot be computed."""
    if len(vin) != VIN_LENGTH or not _VALID_CHARS.match(vin):
        return None
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_flags(vin: str) -> list[str]:
    """Quality flags for an already normalised VIN; an empty list means the VIN looks right."""
    flags: list[str] = []
    if len(vin) != VIN_LENGTH:
        flags.append(FLAG_VIN_LENGTH)
    if not _VALID_CHARS.match(vin):
        flags.append(FLAG_VIN_CHARSET)
    if not flags and check_digit(vin) != vin[8]:
        flags.append(FLAG_VIN_CHECK_DIGIT)
    return flags
