"""The stream's edge reads DynamoDB stream records into the typed changes services take.

Why: services never see an image or a key; what they are handed must still be exactly what
was written (each kind read by the adapters' own item builders here), with the record's
sequence number as the delivery id, and an image that cannot be read must arrive as
Unreadable with its reason rather than stop the batch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamo_codec import to_item
from chalicelib.adapters.dynamo_shops import _profile_item
from chalicelib.adapters.import_items import chunk_item
from chalicelib.adapters.record_items import head_item, version_item
from chalicelib.domain.changes import ExportRequested, Unreadable
from chalicelib.domain.record_import import ImportChunk, UploadRow
from chalicelib.domain.shop import RegistryChange
from chalicelib.domain.statistics import RecordChange
from chalicelib.streams.stream_records import export_requests, import_chunks, statistics_changes
from tests.builders import record_content, registered_shop
from tests.exchange_items import stored_version


def _event(*images: dict[str, Any], name: str = "INSERT") -> list[dict[str, Any]]:
    return [
        {"eventName": name, "dynamodb": {"SequenceNumber": str(500 + i), "NewImage": to_item(m)}}
        for i, m in enumerate(images)
    ]


def test_statistics_get_record_versions_and_registry_changes_and_nothing_else():
    # Given a batch with a head, a version, a registry entry and a version missing a field
    record = stored_version(flags=())
    shop = registered_shop(status="suspended")
    broken = {**version_item(record), "record_id": "f" * 32}
    del broken["received_at"]
    records = _event(head_item(record), version_item(record), _profile_item(shop), broken)
    # When the statistics' reader takes it
    changes = statistics_changes(records)
    # Then the head is no change; the version and the entry are typed, each with its
    # sequence number; the broken version is Unreadable, naming what is missing
    assert [c.delivery_id for c in changes] == ["501", "502", "503"]
    version, entry, unreadable = (c.change for c in changes)
    assert isinstance(version, RecordChange)
    assert (version.change_id, version.companycode) == (
        f"{record.record_id}#1",
        record.companycode,
    )
    assert entry == RegistryChange(shop.companycode, "", shop.updated_at.isoformat())
    assert isinstance(unreadable, Unreadable) and "received_at" in unreadable.reason
    assert unreadable.identity == "f" * 32


def test_a_removed_item_is_no_change_for_anyone():
    # Given a version item's REMOVE (TTL never removes versions, but a hand edit could)
    record = stored_version()
    removed = _event(version_item(record), name="REMOVE")
    # When each reader takes it
    # Then none sees a change
    assert statistics_changes(removed) == []
    assert export_requests(removed) == [] and import_chunks(removed) == []


def test_jobs_get_their_export_requests_and_import_chunks_in_stream_order():
    # Given a batch with an import chunk, an export job, and an export job without its id
    rows = (UploadRow(2, record_content()),)
    chunk = ImportChunk("job-1", 0, "320102000000001", rows)
    created = datetime(2026, 3, 2, tzinfo=UTC)
    records = _event(
        chunk_item(chunk, created),
        {"kind": "export_job", "job_id": "export-1"},
        {"kind": "export_job"},
    )
    # When the job readers take it
    exports, chunks = export_requests(records), import_chunks(records)
    # Then each gets its own kind, typed, with its sequence number
    assert [(c.delivery_id, c.change) for c in chunks] == [("500", chunk)]
    assert exports[0].delivery_id == "501" and exports[0].change == ExportRequested("export-1")
    assert isinstance(exports[1].change, Unreadable) and exports[1].delivery_id == "502"
