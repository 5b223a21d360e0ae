"""Report codes as typed by people: a malformed code is "malformed", never an exception."""

from __future__ import annotations

import pytest

from chalicelib.services.verify_report import ReportVerifier


@pytest.mark.parametrize("sequence", ["²", "①", "٣x", ""])
def test_a_sequence_int_cannot_read_makes_a_malformed_code(sequence):
    # Given a verifier (no storage is reached for a malformed code)
    verifier = ReportVerifier(None, b"k" * 32)  # type: ignore[arg-type]
    # When a code's sequence is written in digits int() cannot read ("²": isdigit() is True)
    result = verifier.verify(f"LSVAU2180N2183294-{sequence}-abcdef")
    # Then it is judged malformed (the page answers 404), not a 500
    assert (result.valid, result.reason) == (False, "malformed")
