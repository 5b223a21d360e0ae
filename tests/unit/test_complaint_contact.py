"""The complainant's contact as one submitter: spellings of one phone number are one contact."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.complaint import normalize_contact


@pytest.mark.parametrize(
    "spelt",
    ["13800001111", "138 0000 1111", "138-0000-1111", "+86 138 0000 1111", "0086-13800001111"],
)
def test_every_spelling_of_a_mobile_number_is_one_contact(spelt):
    assert normalize_contact(spelt) == "13800001111"


def test_a_landline_keeps_its_area_code_and_no_contact_is_empty():
    assert normalize_contact("025-8000 0001") == "02580000001"
    assert normalize_contact("8613800001111") == "13800001111"
    assert normalize_contact("86025800001") == "86025800001"  # not a mobile number after 86
    assert normalize_contact("  ") == ""


@given(st.text(alphabet="0123456789 +-", max_size=20))
def test_normalising_is_idempotent_and_keeps_digits_only(phone):
    once = normalize_contact(phone)
    assert once == normalize_contact(once)
    assert once.isdigit() or once == ""
