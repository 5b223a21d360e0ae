"""Spreadsheet import of maintenance records: checked rows, chunks and per-row outcomes.

Why: a shop without a DMS imports up to 5,000 settlement lists from one spreadsheet (digest
§1.1, §1.7: Excel import with a per-row 错误原因). Such an import cannot run inside one API
request, so the rows are checked at once, split into small chunks and uploaded one chunk at a
time by a stream handler. The rules that decide what a chunk holds, which rows are refused
before any upload (a settlement number twice in one file) and how an outcome reads are pure and
live here, so the page, the service and the handler agree on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from chalicelib.domain.record import RecordContent
from chalicelib.errors import FieldError

MAX_IMPORT_ROWS = 5_000
CHUNK_ROWS = 50
# A chunk is one DynamoDB item (≤ 400 KB); the content of 50 ordinary rows is far below this,
# but a row may carry 200 items and 200 parts, so chunks are also cut by size.
CHUNK_MAX_BYTES = 300_000
MAX_ERRORS_PER_ROW = 10

RowResult = Literal["created", "unchanged", "corrected", "error"]
Phase = Literal["checked", "uploaded"]


@dataclass(frozen=True)
class CheckedRow:
    """One spreadsheet row after the schema check: either content to upload or its errors."""

    row: int  # the row number the shop sees in its spreadsheet (the header is row 1)
    settlement_list_code: str
    content: RecordContent | None = None
    correction_reason: str | None = None
    errors: tuple[FieldError, ...] = ()

    @property
    def uploadable(self) -> bool:
        return self.content is not None and not self.errors


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row: a receipt's result, or the reason it was refused (错误原因)."""

    row: int
    settlement_list_code: str
    result: RowResult
    record_id: str | None = None
    version: int | None = None
    flags: tuple[str, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    errors: tuple[FieldError, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "code": self.settlement_list_code}
        data["result"] = self.result
        if self.record_id:
            data.update(record_id=self.record_id, version=self.version)
        if self.flags:
            data["flags"] = list(self.flags)
        if self.result == "error":
            data.update(
                error_code=self.error_code,
                error_message=self.error_message,
                errors=[[e.field, e.rule, e.message] for e in self.errors],
            )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowOutcome:
        return cls(
            row=int(data["row"]),
            settlement_list_code=str(data.get("code", "")),
            result=data["result"],
            record_id=data.get("record_id"),
            version=int(data["version"]) if data.get("version") is not None else None,
            flags=tuple(data.get("flags") or ()),
            error_code=data.get("error_code"),
            error_message=data.get("error_message"),
            errors=tuple(FieldError(f, r, m) for f, r, m in data.get("errors") or ()),
        )


def refused(row: CheckedRow) -> RowOutcome:
    """The outcome of a row refused before upload (schema or layout errors)."""
    return RowOutcome(
        row=row.row,
        settlement_list_code=row.settlement_list_code,
        result="error",
        error_code="validation_failed",
        error_message="invalid input",
        errors=row.errors[:MAX_ERRORS_PER_ROW],
    )


@dataclass(frozen=True)
class UploadRow:
    """A checked row as it travels in a chunk: its row number, content and correction reason."""

    row: int
    content: RecordContent
    correction_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        content = self.content.to_dict()
        return {"row": self.row, "content": content, "reason": self.correction_reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UploadRow:
        return cls(
            row=int(data["row"]),
            content=RecordContent.from_dict(data["content"]),
            correction_reason=data.get("reason"),
        )


@dataclass(frozen=True)
class ImportChunk:
    """A slice of one import: rows to upload as the shop, handled by one stream delivery."""

    job_id: str
    index: int
    companycode: str
    rows: tuple[UploadRow, ...]

    def rows_json(self) -> str:
        return json.dumps([r.to_dict() for r in self.rows], ensure_ascii=False)

    @classmethod
    def with_rows_json(cls, job_id: str, index: int, companycode: str, text: str) -> ImportChunk:
        rows = tuple(UploadRow.from_dict(r) for r in json.loads(text))
        return cls(job_id=job_id, index=index, companycode=companycode, rows=rows)


@dataclass(frozen=True)
class ChunkPlan:
    """One chunk's share of the file: the rows it uploads and the rows refused up front."""

    index: int
    uploads: tuple[UploadRow, ...]
    refused: tuple[RowOutcome, ...]


@dataclass(frozen=True)
class ImportJob:
    """An import as the shop submitted it. `upload_chunks` chunks must report back."""

    job_id: str
    companycode: str
    filename: str
    created_at: datetime
    total_rows: int
    upload_rows: int
    upload_chunks: int


@dataclass(frozen=True)
class ImportProgress:
    """A job with the outcomes known so far, in row order."""

    job: ImportJob
    outcomes: list[RowOutcome]
    chunks_done: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.chunks_done >= self.job.upload_chunks

    @property
    def rows_done(self) -> int:
        return len(self.outcomes)


def mark_repeated_numbers(rows: Iterable[CheckedRow]) -> list[CheckedRow]:
    """A settlement number may appear once per file: later rows repeating it are refused.

    Chunks of one import may be uploaded in any order after a retry, so two rows with one
    number would make the stored version depend on timing; refusing the repeat is predictable.
    """
    # The error's message is the earlier row's number: the page puts it into words.
    first_row: dict[str, int] = {}
    checked = []
    for row in rows:
        code = row.settlement_list_code
        if code and code in first_row:
            error = FieldError("settlement_list_code", "unique_in_file", str(first_row[code]))
            row = replace(row, content=None, errors=(*row.errors, error))
        elif code:
            first_row[code] = row.row
        checked.append(row)
    return checked


def plan_chunks(rows: list[CheckedRow]) -> list[ChunkPlan]:
    """Cut the rows, in file order, into chunks of at most CHUNK_ROWS rows and CHUNK_MAX_BYTES."""
    plans: list[ChunkPlan] = []
    uploads: list[UploadRow] = []
    refusals: list[RowOutcome] = []
    size = 0
    for row in rows:
        upload = (
            UploadRow(row.row, row.content, row.correction_reason)
            if row.uploadable and row.content is not None
            else None
        )
        row_size = _encoded_size(upload.to_dict()) if upload else 0
        if len(uploads) + len(refusals) >= CHUNK_ROWS or size + row_size > CHUNK_MAX_BYTES:
            plans.append(ChunkPlan(len(plans), tuple(uploads), tuple(refusals)))
            uploads, refusals, size = [], [], 0
        if upload is not None:
            uploads.append(upload)
            size += row_size
        else:
            refusals.append(refused(row))
    if uploads or refusals:
        plans.append(ChunkPlan(len(plans), tuple(uploads), tuple(refusals)))
    return plans


def count_results(outcomes: Iterable[RowOutcome]) -> dict[str, int]:
    counts = {"created": 0, "unchanged": 0, "corrected": 0, "error": 0}
    for outcome in outcomes:
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    return counts


def _encoded_size(data: dict[str, Any]) -> int:
    """Bytes as stored (UTF-8): a Chinese character takes three."""
    return len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
