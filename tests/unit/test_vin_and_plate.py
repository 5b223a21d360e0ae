"""VIN check digit (GB 16735 / ISO 3779) and plate formats: flags, never exceptions."""

from __future__ import annotations

import pytest

from chalicelib.domain.plate import normalize_plate, plate_flags
from chalicelib.domain.vin import check_digit, normalize_vin, vin_flags


def test_known_valid_vin_has_no_flags():
    # Given the textbook VIN whose check digit is X
    vin = "1M8GDM9AXKP042788"
    # Then its check digit computes to X and it carries no flag
    assert check_digit(vin) == "X"
    assert vin_flags(vin) == []


def test_wrong_check_digit_is_flagged():
    assert vin_flags("1M8GDM9A1KP042788") == ["vin_check_digit"]


@pytest.mark.parametrize(
    ("vin", "flags"),
    [
        ("1M8GDM9AXKP04278", ["vin_length"]),
        ("1M8GDM9AXKP0427OO", ["vin_charset"]),
        ("1M8GDM9AXKP0427-", ["vin_length", "vin_charset"]),
    ],
)
def test_length_and_charset_problems_are_flagged(vin, flags):
    assert vin_flags(vin) == flags


def test_vin_is_trimmed_and_upper_cased():
    assert normalize_vin(" 1m8gdm9axkp042788 \t") == "1M8GDM9AXKP042788"


@pytest.mark.parametrize("plate", ["苏A12345", "苏AD12345", "苏A12345D", "京A1234学", "鄂AF1234"])
def test_national_plate_formats_pass(plate):
    assert plate_flags(plate) == []


@pytest.mark.parametrize("plate", ["A12345", "苏I12345", "苏A1234", "苏A123456789"])
def test_bad_plates_are_flagged(plate):
    assert plate_flags(plate) == ["plate_format"]


def test_blank_plate_is_flagged_missing():
    assert plate_flags("") == ["plate_missing"]


def test_plate_separators_are_removed():
    assert normalize_plate(" 苏a·123 45 ") == "苏A12345"
