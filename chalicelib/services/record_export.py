"""CSV export of a record search, streamed page by page to object storage, within a budget.

Why: regulators export what they searched (digest §1.7 "everything is exportable"). A
province holds millions of records, more than a Lambda response (6 MB) or its memory can
hold, so an export is a job: the search is read one page at a time, each page becomes CSV
lines, and the lines go straight into a multipart object upload. At no point is more than one
page of records in memory. The file is UTF-8 with a BOM so Excel opens Chinese correctly.

Delivery semantics: the job runs from the table stream (at least once); a job that is done
already is not run again, and a re-run overwrites the same object with the same content. A
busy table (ServiceUnavailableError) is not the job's fault: the run is given back to the
stream without counting toward MAX_ATTEMPTS, which is for errors that would recur.

A job reads within a budget sized to its function's 15 minutes (docs/deploy.md, "Read
budgets"): a search that would read more fails at once with `search_too_broad`, so the
regulator narrows it, rather than timing out and being run again from the start.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain.changes import Delivered, ExportChange, Unreadable
from chalicelib.domain.record import StoredRecord
from chalicelib.errors import NotFoundError, SearchTooBroadError, ServiceUnavailableError
from chalicelib.observability import logger
from chalicelib.services.ports import AuditLog, Clock, ReadBudget
from chalicelib.services.record_search import RecordSearchService, Scope, SearchCriteria

PAGE_SIZE = 100
MAX_ATTEMPTS = 3
COLUMNS = (
    "record_id",
    "companycode",
    "shop_name",
    "vin",
    "plate_number",
    "repair_date",
    "settlement_date",
    "repair_mileage",
    "settlement_list_code",
    "fault_description",
    "repair_items",
    "parts",
    "flags",
    "status",
    "version",
    "received_at",
    "updated_at",
)


@dataclass(frozen=True)
class ExportJob:
    job_id: str
    requester: str
    criteria: SearchCriteria
    scope: Scope
    status: str
    created_at: datetime
    provinces: tuple[str, ...] | None = None
    rows: int = 0
    object_key: str | None = None
    attempts: int = 0
    error: str | None = None


class ExportJobStore(Protocol):
    def create(self, job: ExportJob) -> bool: ...

    def get(self, job_id: str) -> ExportJob | None: ...

    def start(self, job_id: str) -> int:
        """Count one more attempt; return it."""

    def finish(self, job_id: str, rows: int, object_key: str) -> None: ...

    def fail(self, job_id: str, error: str) -> None: ...


class ObjectWriter(Protocol):
    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class ExportSink(Protocol):
    def open(self, key: str, content_type: str) -> ObjectWriter: ...

    def link(self, key: str, filename: str) -> str: ...


def csv_lines(search: RecordSearchService, summaries: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """The header, then one CSV line per record, reading `PAGE_SIZE` records at a time."""
    yield "\ufeff".encode() + _line(COLUMNS)
    page: list[dict[str, Any]] = []
    for summary in summaries:
        page.append(summary)
        if len(page) == PAGE_SIZE:
            yield from _rows(search, page)
            page = []
    if page:
        yield from _rows(search, page)


class ExportService:
    def __init__(
        self,
        search: RecordSearchService,
        jobs: ExportJobStore,
        sink: ExportSink,
        audit: AuditLog,
        clock: Clock,
        *,
        read_items: int | None = None,
        read_requests: int | None = None,
    ) -> None:
        """`read_*` bound what one job may read (None: unbounded); bootstrap passes the
        stack's settings."""
        self._search = search
        self._read_items = read_items
        self._read_requests = read_requests
        self._jobs = jobs
        self._sink = sink
        self._audit = audit
        self._clock = clock

    def request(
        self,
        requester: str,
        criteria: SearchCriteria,
        scope: Scope,
        *,
        source_ip: str,
        provinces: tuple[str, ...] | None = None,
    ) -> ExportJob:
        """Queue an export (the same search by the same person within the hour is one job)."""
        criteria = criteria.checked()
        now = self._clock.now()
        job = ExportJob(
            job_id=_job_id(requester, criteria, scope, provinces, now),
            requester=requester,
            criteria=criteria,
            scope=scope,
            status="pending",
            created_at=now,
            provinces=provinces,
        )
        self._jobs.create(job)
        self._audit.append(
            actor=requester,
            action="records.export_requested",
            target=job.job_id,
            source_ip=source_ip,
            details={
                "criteria": _criteria_dict(criteria),
                "scope": list(scope or []),
                **({"provinces": list(provinces)} if provinces is not None else {}),
            },
        )
        return self._jobs.get(job.job_id) or job

    def status(self, requester: str, job_id: str) -> tuple[ExportJob, str | None]:
        """The job and, once done, a short-lived download link (only for who asked)."""
        job = self._jobs.get(job_id[:64])
        if job is None or job.requester != requester:
            raise NotFoundError("no such export")
        link = None
        if job.status == "done" and job.object_key:
            link = self._sink.link(job.object_key, f"records-{job.job_id}.csv")
        return job, link

    def run_requested(self, requests: Sequence[Delivered[ExportChange]]) -> list[str]:
        """Run each export job the stream brought; the delivery ids of those that failed
        (reported, and delivered again by the stream)."""
        failed = []
        for request in requests:
            change = request.change
            if isinstance(change, Unreadable):
                logger.error(
                    "export failed", extra={"job": change.identity, "reason": change.reason}
                )
                failed.append(request.delivery_id)
                continue
            try:
                self.run(change.job_id)
            except Exception:
                logger.exception("export failed", extra={"job": change.job_id})
                failed.append(request.delivery_id)
        return failed

    def run(self, job_id: str) -> ExportJob | None:
        """Write the job's CSV; raise to have the stream retry it (up to MAX_ATTEMPTS)."""
        job = self._jobs.get(job_id)
        if job is None or job.status in ("done", "failed"):
            return job
        attempt = self._jobs.start(job_id)
        key = f"exports/{job.job_id}.csv"
        writer = self._sink.open(key, "text/csv; charset=utf-8")
        rows = -1  # the header is not a row
        budget = ReadBudget(self._read_items, self._read_requests)
        try:
            summaries = self._search.iterate(
                job.criteria, job.scope, provinces=job.provinces, budget=budget
            )
            for line in csv_lines(self._search, summaries):
                writer.write(line)
                rows += 1
            writer.close()
        except SearchTooBroadError:
            writer.abort()  # would recur on every run: the job fails now, saying why
            self._jobs.fail(job_id, SearchTooBroadError.code)
            return self._jobs.get(job_id)
        except ServiceUnavailableError:
            writer.abort()
            raise  # storage busy: the stream delivers the job again (mapping's retry cap)
        except Exception as exc:
            writer.abort()
            if attempt >= MAX_ATTEMPTS:
                self._jobs.fail(job_id, type(exc).__name__)
                return self._jobs.get(job_id)
            raise
        self._jobs.finish(job_id, rows, key)
        return dataclasses.replace(job, status="done", rows=rows, object_key=key)


def _rows(search: RecordSearchService, page: list[dict[str, Any]]) -> Iterator[bytes]:
    for record in search.full_records(page):
        yield _line(_cells(record))


def _cells(record: StoredRecord) -> list[str]:
    content = record.content.to_dict()
    return [
        record.record_id,
        record.companycode,
        record.shop_name,
        content["vin"],
        content["plate_number"],
        content["repair_date"],
        content["settlement_date"],
        str(content["repair_mileage"]),
        content["settlement_list_code"],
        content["fault_description"],
        "; ".join(f"{i['name']}:{i['labour_hours']}" for i in content["repair_items"]),
        "; ".join(f"{p['name']}|{p['code']}|{p['quantity']}" for p in content["parts"]),
        " ".join(f.code for f in record.flags),
        record.status,
        str(record.version),
        record.received_at.isoformat(),
        record.updated_at.isoformat(),
    ]


def _line(cells: Any) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_safe(str(c)) for c in cells])
    return buffer.getvalue().encode("utf-8")


def _safe(cell: str) -> str:
    """Cells a spreadsheet would run as a formula are prefixed with an apostrophe (CSV
    injection): shop-typed text must never execute in a regulator's Excel."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _criteria_dict(criteria: SearchCriteria) -> dict[str, str]:
    values = dataclasses.asdict(criteria)
    return {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in values.items()}


def _job_id(
    requester: str,
    criteria: SearchCriteria,
    scope: Scope,
    provinces: tuple[str, ...] | None,
    now: datetime,
) -> str:
    canonical = json.dumps(
        [
            requester,
            _criteria_dict(criteria),
            list(scope or []),
            list(provinces or []),
            now.strftime("%Y-%m-%dT%H"),
        ],
        ensure_ascii=False,
    )
    return "EX" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24].upper()


def criteria_from(data: dict[str, Any]) -> SearchCriteria:
    return SearchCriteria(
        date_from=date.fromisoformat(data["date_from"]),
        date_to=date.fromisoformat(data["date_to"]),
        vin=data.get("vin", ""),
        plate=data.get("plate", ""),
        companycode=data.get("companycode", ""),
        flag=data.get("flag", ""),
        division=data.get("division", ""),
    )


def criteria_to(criteria: SearchCriteria) -> dict[str, str]:
    return _criteria_dict(criteria)
