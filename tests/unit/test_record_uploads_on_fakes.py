"""The upload rules of RecordService on in-memory storage: replays, corrections and races.

Why: these rules are the service's (read, decide, write conditionally, retry a lost race),
and the fakes keep the storage contract they rely on (a create over an existing head and a
replace from a stale version are refused, a chain link must follow its vehicle's head), so
each rule is shown here without moto; the functional tier shows the same on DynamoDB.
"""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib.domain.chain import GENESIS
from chalicelib.errors import ServiceUnavailableError
from chalicelib.services.records import MAX_WRITE_ATTEMPTS, RecordService
from tests.builders import record_content, registered_shop
from tests.fakes import FakeClock, InMemoryRecordRepository

KEY = b"test-signing-key-0123456789abcdef0123"


def _service(records: InMemoryRecordRepository, clock: FakeClock | None = None) -> RecordService:
    return RecordService(records, clock or FakeClock(), clock_skew_seconds=300, signing_key=KEY)


def test_a_replayed_upload_answers_the_first_receipt_and_writes_nothing():
    # Given a shop's upload that was stored
    records, shop, content = InMemoryRecordRepository(), registered_shop(), record_content()
    service = _service(records)
    first = service.upload(shop, content)
    # When the DMS sends it again (its answer was lost), later
    replay = _service(records, FakeClock(FakeClock().advance(hours=2))).upload(shop, content)
    # Then it gets the same receipt (only the result says it is a replay), nothing is written
    assert first.result == "created" and replay.result == "unchanged"
    assert dataclasses.replace(replay, result="created") == first
    assert records.writes == 1
    assert [v.version for v in records.versions(first.record_id)] == [1]


def test_a_correction_is_the_next_version_and_the_first_is_kept():
    # Given a stored upload
    records, shop = InMemoryRecordRepository(), registered_shop()
    original = record_content(repair_mileage=12000)
    service = _service(records)
    created = service.upload(shop, original)
    # When the same settlement list comes again with another mileage
    fixed = dataclasses.replace(original, repair_mileage=12500)
    corrected = service.upload(shop, fixed, "里程录入错误")
    # Then it is version 2 of the same record, and version 1 is kept as it was
    assert (corrected.result, corrected.record_id, corrected.version) == (
        "corrected",
        created.record_id,
        2,
    )
    first, second = records.versions(created.record_id)
    assert first.content == original and second.content == fixed
    assert second.reason == "里程录入错误"
    assert second.received_at == first.received_at  # when the record first arrived
    # And the vehicle file shows the correction only, as the next link of the chain
    assert [e.version for e in records.vehicle_history(original.vin)] == [2]
    links = records.chain_links(original.vin, 10)
    assert [(link.seq, link.version) for link in links] == [(1, 1), (2, 2)]
    assert links[1].prev_hash == links[0].hash


def test_two_identical_uploads_racing_converge_on_one_record():
    # Given two instances uploading the same settlement list at once: the other one writes
    # between this one's read and its write
    records, shop, content = InMemoryRecordRepository(), registered_shop(), record_content()
    other: list = []
    records.interleave(lambda: other.append(_service(records).upload(shop, content)))
    # When this one uploads
    mine = _service(records).upload(shop, content)
    # Then its create lost, it read the winner's record, and both answer the same record
    assert other[0].result == "created" and mine.result == "unchanged"
    assert (mine.record_id, mine.version, mine.chain) == (
        other[0].record_id,
        1,
        other[0].chain,
    )
    assert [v.version for v in records.versions(mine.record_id)] == [1]
    assert len(records.vehicle_history(content.vin)) == 1


def test_two_different_uploads_racing_end_as_one_record_with_both_versions():
    # Given another instance that stores the same settlement list with another mileage
    # between this one's read and its write
    records, shop = InMemoryRecordRepository(), registered_shop()
    content = record_content(repair_mileage=12000)
    theirs = dataclasses.replace(content, repair_mileage=13000)
    records.interleave(lambda: _service(records).upload(shop, theirs))
    # When this one uploads
    mine = _service(records).upload(shop, content)
    # Then this one's content is the correction of theirs: one record, two versions, in order
    assert (mine.result, mine.version) == ("corrected", 2)
    assert [v.content.repair_mileage for v in records.versions(mine.record_id)] == [13000, 12000]
    assert [e.version for e in records.vehicle_history(content.vin)] == [2]


def test_a_lost_race_for_the_vehicle_chain_is_retried_on_the_new_head():
    # Given two settlement lists of one vehicle, the other one chained first between this
    # one's read of the chain head and its write
    records, shop = InMemoryRecordRepository(), registered_shop()
    mine = record_content()
    theirs = record_content(vin=mine.vin, plate_number=mine.plate_number)
    records.interleave(lambda: _service(records).upload(shop, theirs))
    # When this one uploads
    receipt = _service(records).upload(shop, mine)
    # Then it is the chain's second link, after theirs: the chain stays continuous
    links = records.chain_links(mine.vin, 10)
    assert [link.seq for link in links] == [1, 2]
    assert links[0].prev_hash == GENESIS and links[1].prev_hash == links[0].hash
    assert receipt.chain is not None and receipt.chain.seq == 2
    assert len(records.vehicle_history(mine.vin)) == 2


def test_a_record_that_keeps_changing_gives_up_busy_without_a_half_write():
    # Given a record that another writer changes before every one of this upload's writes
    records, shop = InMemoryRecordRepository(), registered_shop()
    content = record_content(repair_mileage=12000)
    other = _service(records)
    other.upload(shop, content)
    mileages = iter(range(20000, 30000))

    def another_change() -> None:
        other.upload(shop, dataclasses.replace(content, repair_mileage=next(mileages)))
        records.interleave(another_change)  # and again before this upload's next write

    records.interleave(another_change)
    # When this instance tries its correction
    with pytest.raises(ServiceUnavailableError):
        _service(records).upload(shop, dataclasses.replace(content, repair_mileage=12345))
    # Then it answered busy (retry) after its attempts, and wrote none of its version
    (record_id,) = records.heads_by_id
    stored = [v.content.repair_mileage for v in records.versions(record_id)]
    assert 12345 not in stored
    assert stored == [12000, *range(20000, 20000 + MAX_WRITE_ATTEMPTS)]


def test_a_busy_table_fails_the_upload_and_its_retry_stores_it_once():
    # Given storage that is busy for the upload's first write
    records, shop, content = InMemoryRecordRepository(), registered_shop(), record_content()
    records.fail("create")
    # When the DMS uploads, gets 503, and retries
    with pytest.raises(ServiceUnavailableError):
        _service(records).upload(shop, content)
    receipt = _service(records).upload(shop, content)
    # Then the retry stores the record once
    assert receipt.result == "created"
    assert [v.version for v in records.versions(receipt.record_id)] == [1]
