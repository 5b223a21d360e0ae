"""Regulators' record search: by VIN, plate, shop, district, settlement dates and flag, within
a scope, a page at a time from an opaque cursor, within a read budget.

Why: a regulator checks what a shop uploaded, follows up a complaint or an odometer
rollback, and exports what it found (digest §3.4 `query4manager`, §1.7). The search picks the
one index that fits the most selective criterion, filters the rest as it goes and yields
results lazily, newest first: a page for the console, every row for an export, never the
whole result in memory. District officers only ever see their divisions.

A page resumes where the last one stopped: its cursor holds the position of its last record
in the index walk, so page 40 reads no more than page 1 (offset paging re-read every earlier
page). A cursor is untrusted input: it carries a digest of the search it belongs to (criteria,
scope, provinces) and every part of the position is checked against the search being asked,
so it can neither be replayed against other criteria nor point outside the caller's scope.
A page may read at most `max_items` index items in `max_requests` reads; a search that
would read more before its page is full is refused with SearchTooBroadError (400, naming the
criteria that narrow it) instead of scanning on towards the 29 s request timeout.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from chalicelib.domain.json_limits import loads_bounded
from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import COMPANYCODE_PATTERN, DIVISION_PATTERN
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import FieldError, SearchTooBroadError, ValidationFailedError
from chalicelib.services.ports import ReadBudget

MAX_DAYS = 366
MAX_CURSOR_LENGTH = 2048
ANY_FLAG = "any"
"""The flag criterion that matches every flagged record (the records behind an error rate)."""

Scope = tuple[str, ...] | None
Position = dict[str, str]
"""Where an index walk stands: the key of the last item read, opaque to this service."""
Hit = tuple[dict[str, Any], Position]


class RecordIndex(Protocol):
    """The record indexes the search walks, newest first. Each method starts after `start`
    (a Position it yielded before; checked to belong to the same walk, or
    ValidationFailedError naming `cursor`) and charges every read to `budget`."""

    def by_vin(self, vin: str, budget: ReadBudget, start: Position | None) -> Iterator[Hit]: ...

    def by_plate(self, plate: str, budget: ReadBudget, start: Position | None) -> Iterator[Hit]: ...

    def by_shop(
        self, companycode: str, first: date, last: date, budget: ReadBudget, start: Position | None
    ) -> Iterator[Hit]: ...

    def by_day(
        self, province_code: str, day: date, prefix: str, budget: ReadBudget, start: Position | None
    ) -> Iterator[Hit]: ...

    def heads(self, record_ids: list[str]) -> list[StoredRecord]: ...


@dataclass(frozen=True)
class SearchCriteria:
    date_from: date
    date_to: date
    vin: str = ""
    plate: str = ""
    companycode: str = ""
    flag: str = ""
    division: str = ""

    def checked(self) -> SearchCriteria:
        errors = []
        if self.date_to < self.date_from:
            errors.append(FieldError("to", "not_before_from", "`to` must be on or after `from`"))
        elif (self.date_to - self.date_from).days >= MAX_DAYS:
            errors.append(FieldError("from", "max_range", f"search at most {MAX_DAYS} days"))
        if self.companycode and not COMPANYCODE_PATTERN.match(self.companycode):
            errors.append(FieldError("companycode", "pattern", "companycode is 15 digits"))
        if self.division and not DIVISION_PATTERN.match(self.division):
            errors.append(FieldError("division", "pattern", "division is a 6-digit code"))
        if errors:
            raise ValidationFailedError(errors)
        return SearchCriteria(
            date_from=self.date_from,
            date_to=self.date_to,
            vin=normalize_vin(self.vin)[:32],
            plate=normalize_plate(self.plate)[:16],
            companycode=self.companycode,
            flag=self.flag.strip()[:40],
            division=self.division,
        )


@dataclass(frozen=True)
class SearchPage:
    records: list[dict[str, Any]]
    next_cursor: str | None
    """Where the next page starts; None when the search is complete."""


@dataclass(frozen=True)
class _Walk:
    """One search as the index walk sees it: what to read, in which order, and its digest."""

    criteria: SearchCriteria
    scope: Scope
    provinces: tuple[str, ...]
    national: bool

    @property
    def by_day(self) -> bool:
        c = self.criteria
        return not (c.vin or c.plate or c.companycode)

    def prefixes(self) -> tuple[str, ...]:
        """The companycode prefixes a day is read under: the named district, the caller's
        districts, or the whole province ("")."""
        division = self.criteria.division
        if division:
            return (division,) if self.scope is None or division in self.scope else ()
        return self.scope or ("",)

    def digest(self) -> str:
        canonical = json.dumps(
            [_criteria_dict(self.criteria), self.scope, self.provinces if self.national else None],
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


class RecordSearchService:
    def __init__(
        self,
        index: RecordIndex,
        province_code: str,
        *,
        page_read_items: int | None = None,
        page_read_requests: int | None = None,
    ) -> None:
        """`page_read_*` bound what one page may read (None: unbounded); bootstrap passes
        the stack's settings, whose defaults docs/deploy.md ("Read budgets") fits to the
        29 s API timeout."""
        self._index = index
        self._province = province_code
        self._page_items = page_read_items
        self._page_requests = page_read_requests

    def iterate(
        self,
        criteria: SearchCriteria,
        scope: Scope,
        *,
        provinces: tuple[str, ...] | None = None,
        budget: ReadBudget | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every matching record summary, newest settlement first (lazily), within `budget`
        (None: unbounded)."""
        walk = self._walk(criteria, scope, provinces)
        spend = budget or ReadBudget(None, None)
        for summary, _ in self._hits(walk, spend, None):
            yield summary

    def page(
        self,
        criteria: SearchCriteria,
        scope: Scope,
        limit: int,
        cursor: str | None = None,
        *,
        provinces: tuple[str, ...] | None = None,
    ) -> SearchPage:
        """One page of results from `cursor` (None: the first page), within the page budget.

        Raises
        ------
        ValidationFailedError
            Bad criteria, or a cursor that is malformed, forged, or from another search
            (field `cursor`, rule `valid_cursor`).
        SearchTooBroadError
            The budget was spent before the page was full: the caller should narrow the
            search (date range, shop, district). Nothing more is read.
        """
        walk = self._walk(criteria, scope, provinces)
        start = _decode(cursor, walk) if cursor else None
        budget = ReadBudget(self._page_items, self._page_requests)
        found: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        try:
            for summary, at in self._hits(walk, budget, start):
                if len(found) == limit:
                    return SearchPage(found, _encode(walk, last))
                found.append(summary)
                last = at
        except SearchTooBroadError:
            if len(found) < limit:
                raise
            # The page is full; whether more follow is unknown, so the next page may tell.
            return SearchPage(found, _encode(walk, last))
        return SearchPage(found, None)

    def full_records(self, summaries: list[dict[str, Any]]) -> list[StoredRecord]:
        return self._index.heads([str(s["record_id"]) for s in summaries])

    def _walk(
        self, criteria: SearchCriteria, scope: Scope, provinces: tuple[str, ...] | None
    ) -> _Walk:
        criteria = criteria.checked()
        national = provinces is not None
        covered = provinces if provinces is not None else (self._province,)
        if criteria.division:
            covered = tuple(p for p in covered if p[:2] == criteria.division[:2])
        return _Walk(criteria, scope, covered, national)

    def _hits(
        self, walk: _Walk, budget: ReadBudget, start: dict[str, Any] | None
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """The matching summaries, each with where the walk stands after it."""
        for summary, at in self._candidates(walk, budget, start):
            if _matches(summary, walk):
                yield summary, at

    def _candidates(
        self, walk: _Walk, budget: ReadBudget, start: dict[str, Any] | None
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        criteria = walk.criteria
        position = start["at"] if start else None
        if criteria.vin:
            hits = self._index.by_vin(criteria.vin, budget, position)
        elif criteria.plate:
            hits = self._index.by_plate(criteria.plate, budget, position)
        elif criteria.companycode:
            hits = self._index.by_shop(
                criteria.companycode, criteria.date_from, criteria.date_to, budget, position
            )
        else:
            yield from self._by_day(walk, budget, start)
            return
        for summary, at in hits:
            yield summary, {"at": at}

    def _by_day(
        self, walk: _Walk, budget: ReadBudget, start: dict[str, Any] | None
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """Day by day, newest first; within a day, province by province, district by district.
        A cursor's day, province and district say where to pick the walk up again."""
        criteria = walk.criteria
        day = date.fromisoformat(start["day"]) if start else criteria.date_to
        while day >= criteria.date_from:
            for province in walk.provinces:
                for prefix in walk.prefixes():
                    position = None
                    if start is not None:
                        if (province, prefix) != (start["province"], start["prefix"]):
                            continue
                        position, start = start["at"], None
                    for summary, at in self._index.by_day(province, day, prefix, budget, position):
                        where = {"day": day.isoformat(), "province": province, "prefix": prefix}
                        yield summary, {**where, "at": at}
            day -= timedelta(days=1)


def _matches(summary: dict[str, Any], walk: _Walk) -> bool:
    criteria, scope = walk.criteria, walk.scope
    companycode = str(summary.get("companycode") or "")
    settled = str(summary.get("settlement_date") or "")
    if scope is not None and companycode[:6] not in scope:
        return False
    if walk.national and companycode[:2] not in {p[:2] for p in walk.provinces}:
        return False
    if not criteria.date_from.isoformat() <= settled <= criteria.date_to.isoformat():
        return False
    if criteria.companycode and companycode != criteria.companycode:
        return False
    if criteria.division and companycode[:6] != criteria.division:
        return False
    if criteria.vin and summary.get("vin") != criteria.vin:
        return False
    if criteria.plate and summary.get("plate_number") != criteria.plate:
        return False
    flags = summary.get("flag_codes") or []
    if criteria.flag == ANY_FLAG:
        return bool(flags)
    return not criteria.flag or criteria.flag in flags


def _criteria_dict(criteria: SearchCriteria) -> dict[str, str]:
    values = asdict(criteria)
    return {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in values.items()}


# --- cursors -----------------------------------------------------------------------------


def _encode(walk: _Walk, resume: dict[str, Any] | None) -> str | None:
    if resume is None:
        return None
    data = {"v": 1, "q": walk.digest(), **resume}
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(cursor: str, walk: _Walk) -> dict[str, Any]:
    """The cursor's resume point, if it is one this search issued; else ValidationFailedError.

    The digest is not a secret (it only tells a cursor of this search from one of another);
    what keeps a cursor inside the caller's scope is that its day, province and district
    must be ones this search walks, and the index checks its position the same way."""
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise _invalid()
    try:
        data = loads_bounded(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise _invalid() from exc
    if not isinstance(data, dict) or data.get("v") != 1 or data.get("q") != walk.digest():
        raise _invalid()
    if isinstance(data["v"], bool):
        raise _invalid()
    position = data.get("at")
    if not isinstance(position, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in position.items()
    ):
        raise _invalid()
    if not walk.by_day:
        if set(data) != {"v", "q", "at"}:
            raise _invalid()
        return {"at": position}
    return {**_day_position(data, walk), "at": position}


def _day_position(data: dict[str, Any], walk: _Walk) -> dict[str, str]:
    if set(data) != {"v", "q", "at", "day", "province", "prefix"}:
        raise _invalid()
    day, province, prefix = data["day"], data["province"], data["prefix"]
    try:
        settled = date.fromisoformat(day) if isinstance(day, str) else None
    except ValueError:
        settled = None
    if (
        settled is None
        or not walk.criteria.date_from <= settled <= walk.criteria.date_to
        or province not in walk.provinces
        or prefix not in walk.prefixes()
    ):
        raise _invalid()
    return {"day": day, "province": province, "prefix": prefix}


def _invalid() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this search issued")]
    )
