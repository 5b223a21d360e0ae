"""Stream jobs on in-memory storage: spreadsheet import chunks and CSV export jobs.

Why: both run from the table's stream at least once. An import's chunks must be uploaded in
file order, a chunk after a failed one given back to Lambda with it, and a redelivered chunk
never upload twice; an export job that is done must not run again. The services get the
typed changes the stream's edge makes (chalicelib/domain/changes.py).
"""

from __future__ import annotations

from datetime import date

from chalicelib.domain.changes import Delivered, ExportRequested, ImportChange, Unreadable
from chalicelib.domain.record_import import CheckedRow
from chalicelib.services.record_export import ExportService
from chalicelib.services.record_import import RecordImportService
from chalicelib.services.record_search import RecordSearchService, SearchCriteria
from chalicelib.services.records import RecordService
from tests.builders import record_content, registered_shop
from tests.fakes import (
    FakeClock,
    InMemoryAuditLog,
    InMemoryExportJobStore,
    InMemoryExportSink,
    InMemoryImportStore,
    InMemoryRecordIndex,
    InMemoryRecordRepository,
    InMemoryShopRepository,
)


class Portal:
    """A province's import pipeline in memory: the shop, its records and its imports."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.records = InMemoryRecordRepository()
        self.shops = InMemoryShopRepository()
        self.shop = registered_shop()
        self.shops.create(self.shop, "hash")
        self.store = InMemoryImportStore()
        self.imports = RecordImportService(
            self.store,
            RecordService(self.records, self.clock, 300),
            self.shops,
            self.clock,
            sleep=lambda seconds: None,
        )

    def submit(self, rows: int) -> list[Delivered[ImportChange]]:
        """Import `rows` rows; the chunks the stream then delivers, in order."""
        checked = [
            CheckedRow(row=n + 2, settlement_list_code=c.settlement_list_code, content=c)
            for n, c in enumerate(record_content() for _ in range(rows))
        ]
        self.imports.submit(self.shop, "records.xlsx", checked)
        return [Delivered(str(300 + i), c) for i, c in enumerate(self.store.chunks)]


def test_a_failed_chunk_and_the_chunks_after_it_are_redelivered_and_none_uploads_twice():
    # Given an import of three chunks, the first of which was handled
    portal = Portal()
    chunks = portal.submit(120)
    assert len(chunks) == 3
    assert portal.imports.process_delivered(chunks[:1]) == []
    # When the stream delivers the other two while the table is busy as the second one's
    # outcomes are stored (after its rows were uploaded), then, Lambda retrying, all three
    portal.store.fail("put_outcomes")
    answer = portal.imports.process_delivered(chunks[1:])
    retry = portal.imports.process_delivered(chunks)
    # Then the failed chunk and the one after it were given back, the retry did them, and
    # every row is one record of version 1: a row uploaded again reads `unchanged`
    assert answer == [chunks[1].delivery_id, chunks[2].delivery_id]
    assert retry == []
    job_id = chunks[0].change.job_id
    outcomes, uploaded = portal.store.outcomes(job_id)
    assert uploaded == 3 and len(outcomes) == 120
    results = [o.result for o in outcomes]
    assert (results.count("created"), results.count("unchanged")) == (70, 50)
    assert {r.version for r in portal.records.heads_by_id.values()} == {1}
    assert len(portal.records.heads_by_id) == 120


def test_an_unreadable_chunk_is_given_back_with_every_chunk_after_it():
    # Given two chunks, the first of which the stream's edge could not read
    portal = Portal()
    (chunk,) = portal.submit(10)
    broken = Delivered("299", Unreadable("import_chunk", "job", "unreadable import_chunk"))
    # When they are delivered
    answer = portal.imports.process_delivered([broken, chunk])
    # Then both are given back, in order, and nothing was uploaded
    assert answer == ["299", chunk.delivery_id]
    assert portal.records.heads_by_id == {}


def test_an_export_job_runs_once_and_an_unreadable_request_is_given_back():
    # Given a regulator's export of a shop's records, requested once
    clock, records = FakeClock(), InMemoryRecordRepository()
    shop = registered_shop()
    uploads = RecordService(records, clock, 300)
    for _ in range(3):
        uploads.upload(shop, record_content())
    sink, jobs = InMemoryExportSink(), InMemoryExportJobStore()
    service = ExportService(
        RecordSearchService(InMemoryRecordIndex(records), "320000"),
        jobs,
        sink,
        InMemoryAuditLog(clock),
        clock,
    )
    criteria = SearchCriteria(date(2024, 1, 1), date(2024, 12, 31), companycode=shop.companycode)
    job = service.request("regulator:li", criteria, None, source_ip="10.0.0.1")
    request = Delivered("400", ExportRequested(job.job_id))
    broken = Delivered("401", Unreadable("export_job", "", "unreadable export_job image"))
    # When the stream delivers the job (with an unreadable one), then the job once more
    answer = service.run_requested([request, broken])
    written = dict(sink.objects)
    again = service.run_requested([request])
    # Then the unreadable one is given back, the job wrote its CSV of 3 rows, and the
    # redelivery did not run it again
    assert answer == ["401"] and again == []
    done = jobs.get(job.job_id)
    assert done is not None and (done.status, done.rows, done.attempts) == ("done", 3, 1)
    ((body, _),) = written.values()
    assert body.decode("utf-8-sig").count("\n") == 4
    assert sink.objects == written
