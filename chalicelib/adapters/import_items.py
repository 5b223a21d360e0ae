"""Import job, chunk and outcome items <-> the domain types of a spreadsheet import.

Why: the portal writes these items, the stream handler reads the chunk from its stream image,
and the job page reads them back; building and parsing them in one place keeps the three in
step. Rows and outcomes travel as compact JSON strings: an exact round trip, and far smaller
than DynamoDB's typed maps of a few hundred rows.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters import keys
from chalicelib.domain.record_import import ImportChunk, ImportJob, RowOutcome

KIND_JOB = "import_job"
KIND_CHUNK = "import_chunk"
KIND_OUTCOMES = "import_outcomes"
RETENTION = timedelta(days=30)


def expiry(moment: datetime) -> int:
    return int((moment + RETENTION).timestamp())


def job_item(job: ImportJob) -> dict[str, Any]:
    created = job.created_at.isoformat()
    return {
        **keys.key(keys.import_pk(job.job_id), keys.IMPORT_JOB),
        keys.GSI1PK: keys.shop_imports_gsi_pk(job.companycode),
        keys.GSI1SK: keys.shop_imports_gsi_sk(created, job.job_id),
        "kind": KIND_JOB,
        "job_id": job.job_id,
        "companycode": job.companycode,
        "filename": job.filename,
        "created_at": created,
        "total_rows": job.total_rows,
        "upload_rows": job.upload_rows,
        "upload_chunks": job.upload_chunks,
        keys.TTL_ATTRIBUTE: expiry(job.created_at),
    }


def job_from(attrs: dict[str, Any]) -> ImportJob:
    return ImportJob(
        job_id=attrs["job_id"],
        companycode=attrs["companycode"],
        filename=attrs["filename"],
        created_at=datetime.fromisoformat(attrs["created_at"]),
        total_rows=int(attrs["total_rows"]),
        upload_rows=int(attrs["upload_rows"]),
        upload_chunks=int(attrs["upload_chunks"]),
    )


def chunk_item(chunk: ImportChunk, created_at: datetime) -> dict[str, Any]:
    return {
        **keys.key(keys.import_pk(chunk.job_id), keys.import_chunk_sk(chunk.index)),
        "kind": KIND_CHUNK,
        "job_id": chunk.job_id,
        "chunk_index": chunk.index,
        "companycode": chunk.companycode,
        "rows": chunk.rows_json(),
        keys.TTL_ATTRIBUTE: expiry(created_at),
    }


def chunk_from(attrs: dict[str, Any]) -> ImportChunk:
    return ImportChunk.with_rows_json(
        attrs["job_id"], int(attrs["chunk_index"]), attrs["companycode"], attrs["rows"]
    )


def outcomes_item(
    job_id: str, index: int, phase: str, outcomes: list[RowOutcome], now: datetime
) -> dict[str, Any]:
    return {
        **keys.key(keys.import_pk(job_id), keys.import_result_sk(index, phase)),
        "kind": KIND_OUTCOMES,
        "phase": phase,
        "outcomes": json.dumps([o.to_dict() for o in outcomes], ensure_ascii=False),
        keys.TTL_ATTRIBUTE: expiry(now),
    }


def outcomes_from(attrs: dict[str, Any]) -> list[RowOutcome]:
    return [RowOutcome.from_dict(o) for o in json.loads(attrs["outcomes"])]
