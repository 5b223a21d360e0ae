"""Import planning: repeated settlement numbers, chunks by rows and by size, outcomes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.domain.record import Part, RecordContent, RepairItem
from chalicelib.domain.record_import import (
    CHUNK_MAX_BYTES,
    CHUNK_ROWS,
    CheckedRow,
    ImportChunk,
    RowOutcome,
    count_results,
    mark_repeated_numbers,
    plan_chunks,
)
from chalicelib.errors import FieldError


def _content(code: str, items: int = 1) -> RecordContent:
    return RecordContent(
        vin="LSVAU2180N2183294",
        plate_number="苏A12345",
        company_name="示范",
        repair_date=date(2024, 3, 1),
        repair_mileage=1000,
        settlement_date=date(2024, 3, 2),
        fault_description="常规保养",
        settlement_list_code=code,
        repair_items=tuple(RepairItem("项" * 200, Decimal("1")) for _ in range(items)),
        parts=(Part("机油", "N/A", Decimal("4")),),
    )


def _good(row: int, code: str, items: int = 1) -> CheckedRow:
    return CheckedRow(row, code, _content(code, items))


def _bad(row: int) -> CheckedRow:
    return CheckedRow(row, "", errors=(FieldError("vin", "required", "x"),))


def test_a_repeated_settlement_number_is_refused_on_its_later_rows():
    rows = mark_repeated_numbers([_good(2, "A"), _good(3, "B"), _good(4, "A"), _good(5, "A")])
    assert [r.uploadable for r in rows] == [True, True, False, False]
    assert [e.message for e in rows[2].errors] == ["2"]  # the first row that carries it


def test_chunks_hold_at_most_50_rows_in_file_order_with_their_refusals():
    rows = [_bad(n) if n % 10 == 0 else _good(n, f"C{n}") for n in range(2, 2 + 120)]
    plans = plan_chunks(rows)
    assert [len(p.uploads) + len(p.refused) for p in plans] == [CHUNK_ROWS, CHUNK_ROWS, 20]
    assert [u.row for u in plans[0].uploads][:3] == [2, 3, 4]
    assert [r.row for r in plans[0].refused] == [10, 20, 30, 40, 50]
    assert all(r.result == "error" for p in plans for r in p.refused)


def test_rows_with_many_items_are_cut_into_chunks_by_size():
    # Given rows that each carry 200 repair items of 200 Chinese characters (~130 KB each)
    rows = [_good(n, f"BIG{n}", items=200) for n in range(2, 12)]
    # When they are planned
    plans = plan_chunks(rows)
    # Then every chunk's rows fit in one DynamoDB item, and no row is lost
    sizes = [len(ImportChunk("j", p.index, "c", p.uploads).rows_json().encode()) for p in plans]
    assert len(plans) > 1 and max(sizes) <= CHUNK_MAX_BYTES
    assert sorted(u.row for p in plans for u in p.uploads) == list(range(2, 12))


def test_an_outcome_survives_its_round_trip():
    outcome = RowOutcome(
        row=7,
        settlement_list_code="A",
        result="error",
        error_code="validation_failed",
        error_message="invalid input",
        errors=(FieldError("vin", "required", "Field required"),),
    )
    assert RowOutcome.from_dict(outcome.to_dict()) == outcome
    created = RowOutcome(8, "B", "created", record_id="r" * 32, version=1, flags=("vin_length",))
    assert RowOutcome.from_dict(created.to_dict()) == created
    assert count_results([outcome, created]) == {
        "created": 1,
        "unchanged": 0,
        "corrected": 0,
        "error": 1,
    }
