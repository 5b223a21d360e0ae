"""Regulators' record search: by VIN, plate, shop, settlement dates and flag, within a scope.

Why: a regulator checks what a shop uploaded, follows up a complaint or an odometer
rollback, and exports what it found (digest §3.4 `query4manager`, §1.7). The search picks the
one index that fits the most selective criterion, filters the rest as it goes and yields
results lazily, newest first: a page for the console, every row for an export, never the
whole result in memory. District officers only ever see their divisions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import FieldError, ValidationFailedError

MAX_DAYS = 366
MAX_OFFSET = 5000
ANY_FLAG = "any"
"""The flag criterion that matches every flagged record (the records behind an error rate)."""

Scope = tuple[str, ...] | None


class RecordIndex(Protocol):
    def by_vin(self, vin: str) -> Iterator[dict[str, Any]]: ...

    def by_plate(self, plate: str) -> Iterator[dict[str, Any]]: ...

    def by_shop(self, companycode: str, first: date, last: date) -> Iterator[dict[str, Any]]: ...

    def by_day(
        self, province_code: str, day: date, prefix: str = ""
    ) -> Iterator[dict[str, Any]]: ...

    def heads(self, record_ids: list[str]) -> list[StoredRecord]: ...


@dataclass(frozen=True)
class SearchCriteria:
    date_from: date
    date_to: date
    vin: str = ""
    plate: str = ""
    companycode: str = ""
    flag: str = ""

    def checked(self) -> SearchCriteria:
        errors = []
        if self.date_to < self.date_from:
            errors.append(FieldError("to", "not_before_from", "`to` must be on or after `from`"))
        elif (self.date_to - self.date_from).days >= MAX_DAYS:
            errors.append(FieldError("from", "max_range", f"search at most {MAX_DAYS} days"))
        if self.companycode and not (len(self.companycode) == 15 and self.companycode.isdigit()):
            errors.append(FieldError("companycode", "pattern", "companycode is 15 digits"))
        if errors:
            raise ValidationFailedError(errors)
        return SearchCriteria(
            date_from=self.date_from,
            date_to=self.date_to,
            vin=normalize_vin(self.vin)[:32],
            plate=normalize_plate(self.plate)[:16],
            companycode=self.companycode,
            flag=self.flag.strip()[:40],
        )


class RecordSearchService:
    def __init__(self, index: RecordIndex, province_code: str) -> None:
        self._index = index
        self._province = province_code

    def iterate(
        self, criteria: SearchCriteria, scope: Scope, *, provinces: tuple[str, ...] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every matching record summary, newest settlement first (lazily)."""
        criteria = criteria.checked()
        for summary in self._candidates(criteria, scope, provinces):
            if _matches(summary, criteria, scope) and _in_provinces(summary, provinces):
                yield summary

    def page(
        self, criteria: SearchCriteria, scope: Scope, offset: int, limit: int, **kw: Any
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of results and whether more follow (offset paging, up to MAX_OFFSET)."""
        offset = max(0, min(offset, MAX_OFFSET))
        found: list[dict[str, Any]] = []
        for index, summary in enumerate(self.iterate(criteria, scope, **kw)):
            if index < offset:
                continue
            if len(found) == limit:
                return found, True
            found.append(summary)
        return found, False

    def full_records(self, summaries: list[dict[str, Any]]) -> list[StoredRecord]:
        return self._index.heads([str(s["record_id"]) for s in summaries])

    def _candidates(
        self, criteria: SearchCriteria, scope: Scope, provinces: tuple[str, ...] | None
    ) -> Iterator[dict[str, Any]]:
        if criteria.vin:
            yield from self._index.by_vin(criteria.vin)
        elif criteria.plate:
            yield from self._index.by_plate(criteria.plate)
        elif criteria.companycode:
            yield from self._index.by_shop(
                criteria.companycode, criteria.date_from, criteria.date_to
            )
        else:
            day = criteria.date_to
            while day >= criteria.date_from:
                for province in (self._province,) if provinces is None else provinces:
                    for prefix in scope or ("",):
                        yield from self._index.by_day(province, day, prefix)
                day -= timedelta(days=1)


def _in_provinces(summary: dict[str, Any], provinces: tuple[str, ...] | None) -> bool:
    """At the ministry, a search may be limited to some provinces (None: the stack's own)."""
    if provinces is None:
        return True
    return str(summary.get("companycode") or "")[:2] in {p[:2] for p in provinces}


def _matches(summary: dict[str, Any], criteria: SearchCriteria, scope: Scope) -> bool:
    companycode = str(summary.get("companycode") or "")
    settled = str(summary.get("settlement_date") or "")
    if scope is not None and companycode[:6] not in scope:
        return False
    if not criteria.date_from.isoformat() <= settled <= criteria.date_to.isoformat():
        return False
    if criteria.companycode and companycode != criteria.companycode:
        return False
    if criteria.vin and summary.get("vin") != criteria.vin:
        return False
    if criteria.plate and summary.get("plate_number") != criteria.plate:
        return False
    flags = summary.get("flag_codes") or []
    if criteria.flag == ANY_FLAG:
        return bool(flags)
    return not criteria.flag or criteria.flag in flags
