"""Report codes as typed by people: a malformed code is "malformed", never an exception."""

from __future__ import annotations

import pytest

from chalicelib.services.verify_report import ReportVerifier, format_code, parse_code


@pytest.mark.parametrize("sequence", ["²", "①", "٣x", ""])
def test_a_sequence_int_cannot_read_makes_a_malformed_code(sequence):
    # Given a verifier (no storage is reached for a malformed code)
    verifier = ReportVerifier(None, b"k" * 32)  # type: ignore[arg-type]
    # When a code's sequence is written in digits int() cannot read ("²": isdigit() is True)
    result = verifier.verify(f"LSVAU2180N2183294-{sequence}-abcdef")
    # Then it is judged malformed (the page answers 404), not a 500
    assert (result.valid, result.reason) == (False, "malformed")


@pytest.mark.parametrize("vin", ["LSVAU2180N2183294", "LSV-AU2180/N21832", "苏A-VIN 1", "~ABC"])
def test_a_code_reads_back_the_vin_it_was_made_for(vin):
    # Given the code of a stored VIN, whatever characters the shop's DMS put in it
    code = format_code(vin, 12, "ab" * 32)
    # Then it has exactly three parts, nothing a URL path would split, and reads back
    assert code.count("-") == 2 and "/" not in code and " " not in code
    assert parse_code(code) == (vin, 12, "ab" * 12)


def test_a_code_issued_before_vins_were_encoded_still_reads():
    # Given a code in the first format, for a VIN holding a "-" (it was written as it is)
    old = "LSVAB-2180N2183294-3-abcdef0123456789abcdef01"
    # Then it splits from the right and names that VIN
    assert parse_code(old) == ("LSVAB-2180N2183294", 3, "abcdef0123456789abcdef01")


@pytest.mark.parametrize(
    "code",
    [
        "~!!-1-abc",
        "~-1-abc",
        "-1-abc",
        "VIN-0-abc",
        "VIN-12345678-a",
        "VIN-1-é",
        "VIN-1-xyz",
        "VIN-1-",
    ],
)
def test_codes_that_cannot_be_one_are_malformed(code):
    assert parse_code(code) is None
