"""A shop finds its own records: by settlement date range, optionally by VIN, plate or number.

Why: the portal's "my records" page lists what the shop uploaded (digest §1.7 shop services)
and a counter clerk looks a car up by whatever is at hand: the VIN, the plate or the
settlement number. Searching stays inside the shop's own index partition, so no query can
reach another shop's records.
"""

from __future__ import annotations

from datetime import date

from chalicelib.domain.shop import Shop
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.ports import Page, RecordRepository, ShopRecordSearch

MAX_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 50


class ShopRecordFinder:
    def __init__(self, records: RecordRepository, search: ShopRecordSearch) -> None:
        self._records = records
        self._search = search

    def find(
        self,
        shop: Shop,
        date_from: date,
        date_to: date,
        text: str = "",
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """The shop's records settled in the range, newest first, filtered by `text` if given.

        Raises ValidationFailedError for a reversed range, an overlong search or a cursor this
        service did not issue for this shop.
        """
        if date_to < date_from:
            raise ValidationFailedError(
                [FieldError("to", "not_before_from", "`to` must be on or after `from`")]
            )
        text = text.strip()
        if len(text) > MAX_SEARCH_LENGTH:
            raise ValidationFailedError(
                [FieldError("q", "max_length", f"search at most {MAX_SEARCH_LENGTH} characters")]
            )
        limit = min(max(limit, 1), MAX_PAGE_SIZE)
        if not text:
            return self._records.by_shop(shop.companycode, date_from, date_to, limit, cursor)
        return self._search.search_by_shop(
            shop.companycode, date_from, date_to, text, limit, cursor
        )
