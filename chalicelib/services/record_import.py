"""Spreadsheet import for shops without a DMS: submit checked rows, upload them chunk by chunk.

Why: an import of up to 5,000 rows cannot run inside one API request (API Gateway stops at
29 s; each upload is a read and a transaction). `submit` stores the checked rows as chunks and
returns at once; the stream handler hands each new chunk to `process_delivered`, which
uploads its rows through the very RecordService both API doors use, as the shop, so every
rule, flag and receipt is identical. The job page reads `progress`.

Delivery semantics: chunks arrive at least once. A chunk whose outcomes are stored is skipped;
outcomes are stored once (conditional write), so a redelivery never overwrites the first
results. A row already stored reads `unchanged`, which is also what a re-import shows. A row
whose upload meets a busy table is tried again after a back-off (an upload is idempotent)
before the chunk is given back to Lambda: a chunk makes some 250 calls, so failing it on the
first busy answer would start it over until its retries ran out.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence

from chalicelib.domain.changes import Delivered, ImportChange, Unreadable
from chalicelib.domain.record import Receipt
from chalicelib.domain.record_import import (
    MAX_IMPORT_ROWS,
    CheckedRow,
    ImportChunk,
    ImportJob,
    ImportProgress,
    RowOutcome,
    UploadRow,
    count_results,
    mark_repeated_numbers,
    plan_chunks,
)
from chalicelib.domain.shop import Shop
from chalicelib.errors import (
    DomainError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.observability import logger, metrics
from chalicelib.services.ports import Clock, ImportStore, ShopRepository
from chalicelib.services.records import RecordService

UPLOADED = "uploaded"
MAX_FILENAME = 120
ROW_ATTEMPTS = 6
FIRST_BACKOFF_SECONDS = 0.05  # doubled after each busy answer


class RecordImportService:
    def __init__(
        self,
        store: ImportStore,
        records: RecordService,
        shops: ShopRepository,
        clock: Clock,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._records = records
        self._shops = shops
        self._clock = clock
        self._new_id = new_id
        self._sleep = sleep

    def submit(self, shop: Shop, filename: str, rows: list[CheckedRow]) -> ImportJob:
        """Store an import of `rows` (in file order) for the shop; nothing is uploaded yet.

        Raises
        ------
        ValidationFailedError
            No rows, or more than MAX_IMPORT_ROWS: nothing is stored.
        ForbiddenError
            The shop is suspended.
        ServiceUnavailableError
            Storage stayed busy; the job was not created (chunks already stored are uploaded
            and read `unchanged` when the file is imported again).
        """
        if shop.status != "active":
            raise ForbiddenError("this shop is suspended", code="shop_suspended")
        if not 1 <= len(rows) <= MAX_IMPORT_ROWS:
            raise ValidationFailedError(
                [FieldError("file", "row_count", f"a file holds 1–{MAX_IMPORT_ROWS} rows")]
            )
        plans = plan_chunks(mark_repeated_numbers(rows))
        job_id = self._new_id()
        chunks = [
            ImportChunk(job_id, plan.index, shop.companycode, plan.uploads)
            for plan in plans
            if plan.uploads
        ]
        job = ImportJob(
            job_id=job_id,
            companycode=shop.companycode,
            filename=_clean_filename(filename),
            created_at=self._clock.now(),
            total_rows=len(rows),
            upload_rows=sum(len(c.rows) for c in chunks),
            upload_chunks=len(chunks),
        )
        refused = [(plan.index, list(plan.refused)) for plan in plans if plan.refused]
        self._store.store(job, chunks, refused)
        metrics.add_metric(name="ImportSubmitted", unit="Count", value=1)
        return job

    def process_delivered(self, chunks: Sequence[Delivered[ImportChange]]) -> list[str]:
        """Process the chunks the stream brought, in stream order; the delivery ids to retry.

        After the first failed chunk the rest are reported failed too, so Lambda delivers
        them again in order (the chunks handled meanwhile are skipped then).
        """
        failed: list[str] = []
        for delivered in chunks:
            chunk = delivered.change
            if failed:
                failed.append(delivered.delivery_id)
                continue
            if isinstance(chunk, Unreadable):
                logger.error("import chunk unreadable", extra={"seq": delivered.delivery_id})
                failed.append(delivered.delivery_id)
                continue
            try:
                self.process(chunk)
            except Exception:
                logger.exception("import chunk failed", extra={"seq": delivered.delivery_id})
                failed.append(delivered.delivery_id)
        return failed

    def process(self, chunk: ImportChunk) -> None:
        """Upload a chunk's rows as its shop and store their outcomes once.

        Raises ServiceUnavailableError when storage stays busy (a row after ROW_ATTEMPTS): the
        stream handler reports the chunk as failed and Lambda delivers it again.
        """
        if self._store.has_outcomes(chunk.job_id, chunk.index, UPLOADED):
            return
        shop = self._shops.get(chunk.companycode, consistent=True)
        outcomes = [self._upload_patiently(shop, row) for row in chunk.rows]
        stored = self._store.put_outcomes(
            chunk.job_id, chunk.index, UPLOADED, outcomes, self._clock.now()
        )
        if stored:
            metrics.add_metric(name="ImportRowsProcessed", unit="Count", value=len(outcomes))

    def progress(self, shop: Shop, job_id: str) -> ImportProgress:
        """The shop's own import with the outcomes known so far. Another shop's id: 404."""
        job = self._store.job(job_id) if _plausible_job_id(job_id) else None
        if job is None or job.companycode != shop.companycode:
            raise NotFoundError("no such import")
        outcomes, uploaded = self._store.outcomes(job_id)
        outcomes.sort(key=lambda o: o.row)
        return ImportProgress(job, outcomes, uploaded, count_results(outcomes))

    def recent(self, shop: Shop, limit: int = 20) -> list[ImportJob]:
        return self._store.jobs_of(shop.companycode, limit)

    def _upload_patiently(self, shop: Shop | None, row: UploadRow) -> RowOutcome:
        for attempt in range(ROW_ATTEMPTS - 1):
            try:
                return self._upload(shop, row)
            except ServiceUnavailableError:
                self._sleep(FIRST_BACKOFF_SECONDS * 2**attempt)
        return self._upload(shop, row)

    def _upload(self, shop: Shop | None, row: UploadRow) -> RowOutcome:
        code = row.content.settlement_list_code
        if shop is None:
            return _failed(row, code, "unknown_shop", "the shop is not registered")
        try:
            receipt = self._records.upload(shop, row.content, row.correction_reason)
        except ValidationFailedError as exc:
            return _failed(row, code, exc.code, exc.message, tuple(exc.errors))
        except ServiceUnavailableError:
            raise
        except DomainError as exc:
            return _failed(row, code, exc.code, exc.message)
        except Exception:
            # A bug must not stall the stream for a day: the row reads as failed, loudly logged.
            logger.exception("import row failed", extra={"row": row.row})
            return _failed(row, code, "internal_error", "internal error")
        return _succeeded(row, receipt)


def _succeeded(row: UploadRow, receipt: Receipt) -> RowOutcome:
    return RowOutcome(
        row=row.row,
        settlement_list_code=row.content.settlement_list_code,
        result="unchanged" if receipt.result == "voided" else receipt.result,
        record_id=receipt.record_id,
        version=receipt.version,
        flags=tuple(f.code for f in receipt.flags),
    )


def _failed(
    row: UploadRow,
    code: str,
    error_code: str,
    message: str,
    errors: tuple[FieldError, ...] = (),
) -> RowOutcome:
    return RowOutcome(
        row=row.row,
        settlement_list_code=code,
        result="error",
        error_code=error_code,
        error_message=message,
        errors=errors,
    )


def _clean_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in base if c.isprintable())
    return printable[:MAX_FILENAME] or "import"


def _plausible_job_id(job_id: str) -> bool:
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)
