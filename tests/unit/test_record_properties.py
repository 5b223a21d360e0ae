"""Property tests (hypothesis) of the record rules: hashing, identity, dates and flags.

Each property is checked against an oracle written here independently of the code: what the
assumptions say (docs/assumptions.md), not how `domain/record.py` computes it. Examples are
derandomized so a run is repeatable; PROPERTY_EXAMPLES raises their number (`make soak`).
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.record import (
    EARLIEST_DATE,
    EarlierReading,
    check_dates,
    quality_flags,
    record_id_for,
)
from chalicelib.doors.kit.record_models import RecordIn

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
PROPERTIES = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)
_SPACES = st.text(" \t", max_size=2)


@st.composite
def decimals(draw: st.DrawFn, places: int, low: int, high: int) -> Decimal:
    units = draw(st.integers(low * 10**places, high * 10**places))
    return Decimal(units).scaleb(-places)


@st.composite
def records(draw: st.DrawFn) -> dict:
    """A valid REST upload body (as the schema reads it), before any messy spelling."""
    repair = draw(st.dates(date(1990, 1, 1), date(2024, 12, 31)))
    settled = repair + timedelta(days=draw(st.integers(0, 30)))
    return {
        "vin": "".join(draw(st.lists(st.sampled_from(_VIN_CHARS), min_size=17, max_size=17))),
        "plate_number": "苏A" + draw(st.text("0123456789ABCDEFGHJK", min_size=5, max_size=5)),
        "company_name": draw(_TEXT),
        "repair_date": repair.isoformat(),
        "repair_mileage": draw(st.integers(0, 9_999_999)),
        "settlement_date": settled.isoformat(),
        "fault_description": draw(_TEXT),
        "settlement_list_code": draw(_TEXT),
        "repair_items": [
            {"name": name, "labour_hours": str(hours)}
            for name, hours in draw(st.lists(st.tuples(_TEXT, decimals(2, 0, 999)), max_size=3))
        ],
        "parts": [
            {"name": name, "code": code, "quantity": str(quantity)}
            for name, code, quantity in draw(
                st.lists(st.tuples(_TEXT, _TEXT, decimals(3, 0, 99_999)), max_size=3)
            )
            if quantity > 0
        ],
    }


def _messy(body: dict, draw: st.DrawFn) -> dict:
    """The same record as an untidy DMS sends it: spaces, lower case, separators, zeros."""
    pad = draw(_SPACES)
    vin = body["vin"]
    cut = draw(st.integers(0, len(vin)))
    plate = body["plate_number"]
    messy = {
        **body,
        "vin": f"{pad}{vin[:cut].lower()} {vin[cut:]}{pad}",
        "plate_number": f"{plate[:2]}{draw(st.sampled_from(['·', ' ', '-', '']))}{plate[2:]}",
        "company_name": f"{pad}{body['company_name']}{draw(_SPACES)}",
        "repair_items": [
            {**item, "labour_hours": item["labour_hours"] + draw(st.sampled_from(["", "0"]))}
            for item in body["repair_items"]
        ],
        "parts": [
            {**part, "quantity": _trailing_zeros(part["quantity"], draw(st.integers(0, 2)))}
            for part in body["parts"]
        ],
    }
    keys = list(messy)
    random.Random(draw(st.integers(0, 2**32))).shuffle(keys)
    return {key: messy[key] for key in keys}


def _trailing_zeros(text: str, zeros: int) -> str:
    """ "4" -> "4.00", "4.5" -> "4.500": the same value, spelled with more decimals (≤ 3)."""
    whole, _, fraction = text.partition(".")
    fraction = (fraction + "0" * zeros)[:3]
    return f"{whole}.{fraction}" if fraction else whole


def _hash(body: dict) -> str:
    return RecordIn.model_validate(body).to_content().content_hash()


@PROPERTIES
@given(data=st.data())
def test_content_hash_is_stable_under_normalisation_and_key_order(data):
    # Given a valid record and the same record spelled untidily, keys in another order
    body = data.draw(records())
    messy = _messy(body, data.draw)
    # When both are parsed and hashed
    # Then the hashes are equal (equal content is a replay, not a correction)
    assert _hash(messy) == _hash(body)


@PROPERTIES
@given(body=records(), mileage=st.integers(0, 9_999_999))
def test_a_changed_value_changes_the_hash(body, mileage):
    # Given a record and the same record with another odometer reading
    changed = {**body, "repair_mileage": mileage}
    # Then the hashes differ exactly when the content does
    assert (_hash(changed) == _hash(body)) == (mileage == body["repair_mileage"])


_COMPANYCODES = st.text("0123456789", min_size=15, max_size=15)
_SETTLEMENT_CODES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=50
)


@PROPERTIES
@given(keys=st.lists(st.tuples(_COMPANYCODES, _SETTLEMENT_CODES), min_size=2, max_size=50))
def test_record_ids_are_stable_and_distinct_for_distinct_keys(keys):
    # Given distinct (companycode, settlement number) pairs as the schema admits them
    distinct = set(keys)
    # When their record ids are derived (twice)
    ids = {record_id_for(*key) for key in distinct}
    again = {record_id_for(*key) for key in distinct}
    # Then every pair has its own id, the same every time, 32 lowercase hex characters
    assert ids == again
    assert len(ids) == len(distinct)
    assert all(len(i) == 32 and set(i) <= set("0123456789abcdef") for i in ids)


def _expected_date_errors(repair: date, settled: date, latest: date, has_lines: bool) -> set:
    """The oracle: docs/assumptions.md, "Dates" and "A record needs at least one ..."."""
    expected = set()
    for field, value in (("repair_date", repair), ("settlement_date", settled)):
        if value > latest:
            expected.add((field, "not_in_future"))
        elif value < date(1990, 1, 1):
            expected.add((field, "minimum"))
    if settled < repair:
        expected.add(("settlement_date", "not_before_repair_date"))
    if not has_lines:
        expected.add(("repair_items", "min_items"))
    return expected


_DAYS = st.dates(date(1985, 1, 1), date(2035, 12, 31))


@PROPERTIES
@given(body=records(), repair=_DAYS, settled=_DAYS, latest=_DAYS, has_lines=st.booleans())
def test_date_rules_match_the_oracle(body, repair, settled, latest, has_lines):
    # Given any pair of dates, any "today", with or without repair lines
    content = RecordIn.model_validate(body).to_content()
    content = type(content)(
        **{
            **content.__dict__,
            "repair_date": repair,
            "settlement_date": settled,
            "repair_items": content.repair_items if has_lines else (),
            "parts": content.parts if has_lines else (),
        }
    )
    if has_lines and not content.repair_items and not content.parts:
        return  # the generated record had no lines to keep
    # When the cross-field rules run
    errors = check_dates(content, latest)
    # Then exactly the oracle's errors come back, each once
    assert {(e.field, e.rule) for e in errors} == _expected_date_errors(
        repair, settled, latest, has_lines
    )
    assert len(errors) == len({(e.field, e.rule) for e in errors})
    assert EARLIEST_DATE == date(1990, 1, 1)


@PROPERTIES
@given(
    body=records(),
    earlier=st.none() | st.integers(0, 9_999_999),
    same_name=st.booleans(),
)
def test_odometer_and_name_flags_match_the_oracle(body, earlier, same_name):
    # Given a record, maybe an earlier reading of the same vehicle, and a registered name
    content = RecordIn.model_validate(body).to_content()
    reading = (
        None if earlier is None else EarlierReading(earlier, content.settlement_date, "0" * 32)
    )
    registered = content.company_name if same_name else content.company_name + "分公司"
    # When the quality flags are computed
    codes = {f.code for f in quality_flags(content, registered_name=registered, earlier=reading)}
    # Then the odometer and name flags are the oracle's (VIN and plate flags aside)
    mileage = content.repair_mileage
    expected = set()
    if mileage == 0:
        expected.add("mileage_zero")
    elif earlier is not None and mileage < earlier:
        expected.add("mileage_rollback")
    if not same_name:
        expected.add("company_name_mismatch")
    assert codes - {c for c in codes if c.startswith(("vin_", "plate_"))} == expected
