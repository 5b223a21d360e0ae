"""An agency's reads as CSV parts, for the regulators' JSON API and the ministry console.

Why: the regulator can see, for any agency, every read it made (digest §1.11), from
`/v1/agencies/{id}/reads/csv` or the console's agency page; both answer the same file. A part
holds at most `CSV_ROWS` reads of at most 31 days; when more remain, the answer's
`Link: <…>; rel="next"` (and `X-Next-Cursor`) fetches the next part. Reads are stored per
agency and China day, so each part is a few queries, never a scan; see docs/assumptions.md for
why this is not an export job.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib.bootstrap import agency_read_service, record_service
from chalicelib.config import get_settings
from chalicelib.domain.china_time import china_date
from chalicelib.doors.kit.http import date_or_default
from chalicelib.services.agency_reads import reads_csv

CSV_ROWS = 10_000


def csv_part(actor: Any, agency_id: str, params: dict[str, str], next_path: str) -> Response:
    """One part of an agency's reads as CSV, with a link to the next part if there is one."""
    first, last = period(params)
    cursor = params.get("cursor") or None
    reads, next_cursor = agency_read_service().reads_of_agency(
        actor, agency_id, first, last, cursor, CSV_ROWS
    )
    body = b"".join(reads_csv(reads, header=True)).decode("utf-8")
    filename = f"agency-reads-{agency_id}-{first.isoformat()}-{last.isoformat()}.csv"
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if next_cursor:
        query = urlencode(
            {"from": first.isoformat(), "to": last.isoformat(), "cursor": next_cursor}
        )
        headers["Link"] = f'<{get_settings().base_path}{next_path}?{query}>; rel="next"'
        headers["X-Next-Cursor"] = next_cursor
    return Response(body=body, status_code=200, headers=headers)


def period(params: dict[str, str]) -> tuple[date, date]:
    """`from` and `to` (China days, inclusive); by default the last 7 days to today."""
    today = china_date(record_service().now())
    last = date_or_default(params, "to", today)
    return date_or_default(params, "from", last - timedelta(days=6)), last
