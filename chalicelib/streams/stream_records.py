"""Raw DynamoDB stream records (Lambda's event shape) -> typed domain changes.

Why: the aggregators, the forwarder and the job runners each need to know which stream records
matter (a new record version, a shop registry change, a new job) and ignore the rest (heads,
vehicle entries, tokens, audit), from the item's `kind` attribute. Deserialising images and
classifying them is a storage concern, so it happens here, at the edge, once per consumer;
the services are handed `Delivered` changes (chalicelib/domain/changes.py) and never see a
stream record, an image or a key. Each record's sequence number travels as the change's
opaque delivery id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from chalicelib.adapters.dynamo_codec import from_item
from chalicelib.domain.changes import (
    Delivered,
    ExportChange,
    ExportRequested,
    ForwardedChange,
    ImportChange,
    StatisticsChange,
    Unreadable,
)
from chalicelib.domain.shop import registry_change
from chalicelib.domain.statistics import RecordChange

KIND_VERSION = "record_version"
KIND_SHOP = "shop"
KIND_SHOP_COPY = "shop_copy"  # the ministry's copy of a province's registry entry
KIND_IMPORT_CHUNK = "import_chunk"
KIND_EXPORT_JOB = "export_job"

T = TypeVar("T")


@dataclass(frozen=True)
class StreamItem:
    """One stream record: its sequence number (the batch-failure id) and its new image."""

    sequence_number: str
    event_name: str
    kind: str
    image: dict[str, Any]


def stream_item(record: dict[str, Any]) -> StreamItem:
    dynamodb = record.get("dynamodb") or {}
    image = from_item(dynamodb.get("NewImage") or {})
    return StreamItem(
        sequence_number=str(dynamodb.get("SequenceNumber", "")),
        event_name=str(record.get("eventName", "")),
        kind=str(image.get("kind", "")),
        image=image,
    )


def is_record_version(item: StreamItem) -> bool:
    """Version items are immutable and written once: each INSERT is exactly one change."""
    return item.event_name == "INSERT" and item.kind == KIND_VERSION


def is_shop_change(item: StreamItem) -> bool:
    return item.event_name in ("INSERT", "MODIFY") and item.kind == KIND_SHOP


def is_registry_change(item: StreamItem) -> bool:
    """A registry entry written or changed: the province's own (`shop`) or, at the ministry,
    a province's entry copied (`shop_copy`). Both use the key SHOP#<companycode>/PROFILE."""
    return item.event_name in ("INSERT", "MODIFY") and item.kind in (KIND_SHOP, KIND_SHOP_COPY)


def is_import_chunk(item: StreamItem) -> bool:
    """A chunk of a spreadsheet import, written once: its INSERT is the work to do."""
    return item.event_name == "INSERT" and item.kind == KIND_IMPORT_CHUNK


def is_export_job(item: StreamItem) -> bool:
    return item.event_name == "INSERT" and item.kind == KIND_EXPORT_JOB


def record_change(image: dict[str, Any]) -> RecordChange:
    return RecordChange(
        record_id=image["record_id"],
        version=int(image["version"]),
        status=image["status"],
        companycode=image["companycode"],
        shop_class=image["shop_class"],
        settlement_date=date.fromisoformat(image["settlement_date"]),
        received_at=datetime.fromisoformat(image["received_at"]),
        changed_at=datetime.fromisoformat(image["updated_at"]),
        flag_codes=tuple(image.get("flag_codes") or ()),
        source=image.get("source") or None,
    )


def statistics_changes(records: Sequence[dict[str, Any]]) -> list[Delivered[StatisticsChange]]:
    """The record versions and registry changes of a batch, in stream order. An image the
    statistics cannot read is Unreadable: the aggregator reports it failed (retried)."""
    changes: list[Delivered[StatisticsChange]] = []
    for raw in records:
        item = stream_item(raw)
        if is_registry_change(item):
            read: Callable[[dict[str, Any]], StatisticsChange] = registry_change
        elif is_record_version(item):
            read = record_change
        else:
            continue
        changes.append(_read(item, read, "record_id", (KeyError, ValueError)))
    return changes


def forwardable_changes(records: Sequence[dict[str, Any]]) -> list[Delivered[ForwardedChange]]:
    """The changes the ministry needs, in stream order, as domain objects: each new record
    version (a StoredRecord) and each registry entry written (a Shop, contacts included: the
    exchange contract leaves them out). An image that cannot be read is kept as Unreadable,
    so the forwarder parks it with its reason instead of failing the batch for ever."""
    from chalicelib.adapters.dynamo_shops import shop_from
    from chalicelib.adapters.record_items import record_from

    changes: list[Delivered[ForwardedChange]] = []
    for raw in records:
        item = stream_item(raw)
        if is_record_version(item):
            changes.append(_read(item, record_from, "record_id"))
        elif is_shop_change(item):
            changes.append(_read(item, shop_from, "companycode"))
    return changes


def export_requests(records: Sequence[dict[str, Any]]) -> list[Delivered[ExportChange]]:
    """The export jobs a batch asks to run, in stream order."""

    def requested(image: dict[str, Any]) -> ExportRequested:
        return ExportRequested(str(image["job_id"]))

    return [
        _read(item, requested, "job_id", (Exception,))
        for item in map(stream_item, records)
        if is_export_job(item)
    ]


def import_chunks(records: Sequence[dict[str, Any]]) -> list[Delivered[ImportChange]]:
    """The spreadsheet import chunks a batch brings, in stream order."""
    from chalicelib.adapters.import_items import chunk_from

    return [
        _read(item, chunk_from, "job_id", (Exception,))
        for item in map(stream_item, records)
        if is_import_chunk(item)
    ]


def _read(
    item: StreamItem,
    read: Callable[[dict[str, Any]], T],
    identity: str,
    errors: tuple[type[Exception], ...] = (KeyError, TypeError, ValueError),
) -> Delivered[T | Unreadable]:
    change: T | Unreadable
    try:
        change = read(item.image)
    except errors as exc:
        reason = f"unreadable {item.kind} image: {exc!r}"
        change = Unreadable(item.kind, str(item.image.get(identity, "")), reason)
    return Delivered(item.sequence_number, change)
