"""A 10,000-record export is streamed: never more than one page of records in memory.

The index below produces record summaries lazily (as DynamoDB pages would) and counts how
many it has handed out; the object writer counts the CSV lines written. At every write the
records handed out but not yet written must stay within one page, and the file must hold
every record once.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import boto3

from chalicelib.adapters.s3_exports import S3ExportSink
from chalicelib.config import get_settings
from chalicelib.domain.record import Part, RecordContent, RepairItem, StoredRecord
from chalicelib.services.record_export import PAGE_SIZE, csv_lines
from chalicelib.services.record_search import RecordSearchService, SearchCriteria

TOTAL = 10_000


class CountingIndex:
    """A lazily paged index of TOTAL records of one day."""

    def __init__(self) -> None:
        self.handed_out = 0

    def by_day(self, province_code, day, prefix, budget, start):
        for n in range(TOTAL):
            self.handed_out += 1
            summary = {
                "record_id": f"{n:032x}",
                "companycode": "320102000000001",
                "settlement_date": day.isoformat(),
                "flag_codes": None,
            }
            yield summary, {"n": str(n)}

    def heads(self, record_ids: list[str]) -> list[StoredRecord]:
        return [_record(r) for r in record_ids]

    def by_vin(self, vin, budget, start):
        return iter(())

    by_plate = by_vin

    def by_shop(self, companycode, first, last, budget, start):
        return iter(())


def _record(record_id: str) -> StoredRecord:
    now = datetime(2024, 3, 2, 10, tzinfo=UTC)
    content = RecordContent(
        vin="LSVAU2180N2183294",
        plate_number="苏A12345",
        company_name="南京玄武示范汽车维修有限公司",
        repair_date=date(2024, 3, 1),
        repair_mileage=int(record_id, 16) % 100000,
        settlement_date=date(2024, 3, 2),
        fault_description='=HYPERLINK("x") 常规保养',
        settlement_list_code=f"JS-{record_id[-8:]}",
        repair_items=(RepairItem("发动机油保养", Decimal("1.5")),),
        parts=(Part("机油", "N/A", Decimal("4.5")),),
    )
    return StoredRecord(
        record_id=record_id,
        companycode="320102000000001",
        version=1,
        status="active",
        content=content,
        content_hash=content.content_hash(),
        flags=(),
        shop_name="南京玄武示范汽车维修有限公司",
        shop_class="class_2",
        received_at=now,
        updated_at=now,
    )


def test_ten_thousand_records_are_exported_one_page_at_a_time(aws):
    # Given an index of 10,000 records and the province's bucket
    index = CountingIndex()
    search = RecordSearchService(index, "320000")  # type: ignore[arg-type]
    criteria = SearchCriteria(date_from=date(2024, 3, 2), date_to=date(2024, 3, 2))
    writer = S3ExportSink(get_settings().photo_bucket).open("exports/t.csv", "text/csv")
    written, most_in_flight = -1, 0
    # When the CSV is produced and written line by line
    for line in csv_lines(search, search.iterate(criteria, None)):
        writer.write(line)
        written += 1
        most_in_flight = max(most_in_flight, index.handed_out - written)
    writer.close()
    # Then no more than one page was ever held, and the object holds every record once
    assert most_in_flight <= PAGE_SIZE
    body = boto3.client("s3").get_object(Bucket=get_settings().photo_bucket, Key="exports/t.csv")
    rows = list(csv.reader(io.StringIO(body["Body"].read().decode("utf-8-sig"))))
    assert len(rows) == TOTAL + 1
    assert len({r[0] for r in rows[1:]}) == TOTAL
    # And a cell that a spreadsheet would run as a formula is neutralised
    assert rows[1][9].startswith("'=HYPERLINK")


def test_a_file_larger_than_a_part_is_uploaded_in_parts(aws):
    # Given more than two 5 MiB parts of lines
    line = ("x" * 1023 + "\n").encode()
    writer = S3ExportSink(get_settings().photo_bucket).open("exports/big.csv", "text/csv")
    # When they are written one line at a time
    for _ in range(11 * 1024):
        writer.write(line)
    writer.close()
    # Then the object is whole, in order, and was assembled from parts
    s3 = boto3.client("s3")
    head = s3.head_object(Bucket=get_settings().photo_bucket, Key="exports/big.csv")
    assert head["ContentLength"] == 11 * 1024 * 1024
    assert "-" in head["ETag"]  # multipart ETags carry the part count
