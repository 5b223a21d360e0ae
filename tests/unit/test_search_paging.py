"""Record search paging (services/record_search.py) against an in-memory index: cursor pages
are the one long walk cut into pieces, and the read budget ends a page only when it must.

The index below keeps summaries per (province, day) sorted as GSI2 sorts them
(companycode#record_id), reads them `READ` at a time as DynamoDB pages would, charges each
read to the budget, and resumes after a position it gave out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.errors import SearchTooBroadError, ValidationFailedError
from chalicelib.services.record_search import RecordSearchService, SearchCriteria

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
PROPERTIES = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
FIRST = date(2024, 5, 1)
DIVISIONS = ("320102", "320104", "320106")
READ = 3


class DayIndex:
    def __init__(self, summaries: list[dict[str, Any]]) -> None:
        self.days: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for s in summaries:
            self.days.setdefault(("320000", s["settlement_date"]), []).append(s)
        for rows in self.days.values():
            rows.sort(key=lambda s: f"{s['companycode']}#{s['record_id']}")

    def by_day(self, province, day, prefix, budget, start) -> Iterator[Any]:
        rows = [
            s
            for s in self.days.get((province, day.isoformat()), [])
            if s["companycode"].startswith(prefix)
        ]
        at = int(start["i"]) + 1 if start else 0
        while True:
            limit = budget.next_read()
            chunk = rows[at : at + min(READ, limit if limit is not None else READ)]
            budget.spend(len(chunk))
            for offset, summary in enumerate(chunk):
                yield summary, {"i": str(at + offset)}
            at += len(chunk)
            if at >= len(rows):
                return

    def by_vin(self, *args: Any) -> Iterator[Any]:
        return iter(())

    by_plate = by_shop = by_vin

    def heads(self, record_ids: list[str]) -> list[Any]:
        return []


def _summary(n: int, day_offset: int, division: str, flagged: bool) -> dict[str, Any]:
    return {
        "record_id": f"{n:032x}",
        "companycode": f"{division}{n:09d}",
        "settlement_date": (FIRST + timedelta(days=day_offset)).isoformat(),
        "flag_codes": ["mileage_zero"] if flagged else None,
    }


_RECORDS = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(DIVISIONS), st.booleans()), max_size=25
).map(lambda rows: [_summary(n, *row) for n, row in enumerate(rows)])
_SCOPES = st.one_of(st.none(), st.sets(st.sampled_from(DIVISIONS), min_size=1).map(tuple))


def _pages(service, criteria, scope, limit):
    seen, cursor = [], None
    for _ in range(100):
        page = service.page(criteria, scope, limit, cursor)
        assert len(page.records) <= limit
        seen += page.records
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("paging did not end")


@PROPERTIES
@given(_RECORDS, _SCOPES, st.integers(1, 6), st.booleans(), st.sampled_from(("", "320104")))
def test_cursor_pages_are_the_whole_walk_in_order(records, scope, limit, flagged, division):
    # Given an index of records over five days and three districts
    service = RecordSearchService(DayIndex(records), "320000")
    criteria = SearchCriteria(
        FIRST, FIRST + timedelta(days=4), flag="mileage_zero" if flagged else "", division=division
    )
    # When a search is read page by page, following each cursor
    paged = _pages(service, criteria, scope, limit)
    # Then the pages are exactly the one unbounded walk, and only records in scope
    assert paged == list(service.iterate(criteria, scope))
    assert all(scope is None or s["companycode"][:6] in scope for s in paged)
    assert all(not division or s["companycode"][:6] == division for s in paged)


def test_a_full_page_ends_with_a_cursor_when_the_budget_runs_out_while_looking_further():
    # Given five matching records followed by many that do not match, and a 9-item budget
    records = [_summary(n, 4, "320102", True) for n in range(5)]
    records += [_summary(n, 3, "320102", False) for n in range(5, 40)]
    service = RecordSearchService(DayIndex(records), "320000", page_read_items=9)
    criteria = SearchCriteria(FIRST, FIRST + timedelta(days=4), flag="mileage_zero")
    # When a page of five is asked for
    page = service.page(criteria, None, 5)
    # Then the five come back, with a cursor, since whether more follow is not known
    assert len(page.records) == 5 and page.next_cursor
    # And the next page, which would read beyond its budget before finding anything, is
    # refused asking to narrow the search
    with pytest.raises(SearchTooBroadError):
        service.page(criteria, None, 5, page.next_cursor)


def test_a_request_budget_ends_a_walk_over_empty_days():
    # Given no records at all and a budget of 10 reads
    service = RecordSearchService(DayIndex([]), "320000", page_read_requests=10)
    criteria = SearchCriteria(FIRST, FIRST + timedelta(days=300))
    # When a 301-day search is asked for, it is refused rather than read to the end
    with pytest.raises(SearchTooBroadError):
        service.page(criteria, None, 50)
    # And a 10-day search (10 reads) answers, empty
    short = SearchCriteria(FIRST, FIRST + timedelta(days=9))
    assert service.page(short, None, 50).records == []


@pytest.mark.parametrize(
    ("scope", "other_scope"),
    [(("320102",), ("320104",)), (None, ("320102",)), (("320102",), None)],
)
def test_a_cursor_is_bound_to_the_scope_it_was_issued_in(scope, other_scope):
    # Given a cursor of a search in one scope
    records = [_summary(n, 0, d, False) for n, d in enumerate(DIVISIONS * 2)]
    service = RecordSearchService(DayIndex(records), "320000")
    criteria = SearchCriteria(FIRST, FIRST)
    cursor = service.page(criteria, scope, 1).next_cursor
    assert cursor
    # When it is used in another scope, it is refused naming the cursor
    with pytest.raises(ValidationFailedError) as refused:
        service.page(criteria, other_scope, 1, cursor)
    assert [e.field for e in refused.value.errors] == ["cursor"]
