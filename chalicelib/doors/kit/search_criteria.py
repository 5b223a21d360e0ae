"""The regulators' record-search criteria, read the same way by the JSON API and the console.

Why: a regulator searches records by VIN, plate, shop, district, dates and flag (digest §3.4
`query4manager`) through `/v1/search/records` or the console's search page, and exports the
result from either. Both must accept the same parameters, default the dates alike, cover the
same provinces at the ministry (digest §1.6: one named, or every connected one) and write the
same criteria to the audit log, so those rules are stated here once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.bootstrap import exchange_store
from chalicelib.config import get_settings
from chalicelib.domain.china_time import china_date
from chalicelib.domain.provinces import is_province_code
from chalicelib.doors.kit.http import date_or_default
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.record_export import criteria_to
from chalicelib.services.record_search import SearchCriteria

CRITERIA = frozenset({"from", "to", "vin", "plate", "companycode", "flag", "division"})
PAGING = frozenset({"cursor", "limit"})


def criteria_from_params(params: dict[str, str], *, paging: bool = False) -> SearchCriteria:
    """Search criteria from query parameters or a JSON body (dates default to the last 30
    days). `paging`: a page's `cursor` and `limit` are known too (an export has neither)."""
    known = set(CRITERIA | PAGING) if paging else set(CRITERIA)
    if _national():
        known.add("province")
    unknown = set(params) - known
    if unknown:
        raise ValidationFailedError(
            [
                FieldError(name, "unknown_field", f"unknown parameter {name}")
                for name in sorted(unknown)
            ]
        )
    today = china_date(_now())
    return SearchCriteria(
        date_from=date_or_default(params, "from", today - timedelta(days=30)),
        date_to=date_or_default(params, "to", today),
        vin=params.get("vin", ""),
        plate=params.get("plate", ""),
        companycode=params.get("companycode", ""),
        flag=params.get("flag", ""),
        division=params.get("division", ""),
    )


def search_provinces(params: dict[str, str]) -> tuple[str, ...] | None:
    """The provinces a search covers: None on a province stack (its own); at the ministry,
    the one named by `province`, or every province that has exchanged (national search)."""
    if not _national():
        return None
    named = params.get("province", "").strip()
    if named:
        if not is_province_code(named):
            raise ValidationFailedError(
                [FieldError("province", "gb_t_2260_province", "province: a code like 320000")]
            )
        return (named,)
    return tuple(sorted(s.province_code for s in exchange_store().provinces()))


def search_details(criteria: SearchCriteria, provinces: tuple[str, ...] | None) -> dict[str, Any]:
    """What the audit log keeps of a search: its criteria and, at the ministry, its provinces."""
    details: dict[str, Any] = dict(criteria_to(criteria))
    if provinces is not None:
        details["provinces"] = list(provinces)
    return details


def _national() -> bool:
    return get_settings().stack_role == "ministry"


def _now() -> Any:
    from chalicelib.bootstrap import record_service

    return record_service().now()
