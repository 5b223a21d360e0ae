"""Raw DynamoDB stream records (Lambda's event shape) -> domain changes.

Why: the aggregators and the forwarder each need to know which stream records matter (a new
record version, a shop registry change) and ignore the rest (heads, vehicle entries, tokens,
audit), from the item's `kind` attribute. Parsing once here keeps that rule in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamo_codec import from_item
from chalicelib.domain.statistics import RecordChange

if TYPE_CHECKING:  # the forwarder's types (and the exchange models) load only where it runs
    from chalicelib.services.forward_changes import Change, Forwardable

KIND_VERSION = "record_version"
KIND_SHOP = "shop"
KIND_SHOP_COPY = "shop_copy"  # the ministry's copy of a province's registry entry


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


KIND_IMPORT_CHUNK = "import_chunk"


def is_import_chunk(item: StreamItem) -> bool:
    """A chunk of a spreadsheet import, written once: its INSERT is the work to do."""
    return item.event_name == "INSERT" and item.kind == KIND_IMPORT_CHUNK


def forwardable_changes(records: list[dict[str, Any]]) -> list[Forwardable]:
    """The changes the ministry needs, in stream order, as domain objects: each new record
    version (a StoredRecord) and each registry entry written (a Shop, contacts included: the
    exchange contract leaves them out). An image that cannot be read is kept as Unreadable,
    so the forwarder parks it with its reason instead of failing the batch for ever."""
    from chalicelib.adapters.dynamo_shops import shop_from
    from chalicelib.adapters.record_items import record_from
    from chalicelib.services.forward_changes import Forwardable, Unreadable

    changes = []
    for raw in records:
        item = stream_item(raw)
        read: Callable[[dict[str, Any]], Change]
        if is_record_version(item):
            read, identity = record_from, str(item.image.get("record_id", ""))
        elif is_shop_change(item):
            read, identity = shop_from, str(item.image.get("companycode", ""))
        else:
            continue
        change: Change
        try:
            change = read(item.image)
        except (KeyError, TypeError, ValueError) as exc:
            change = Unreadable(item.kind, identity, f"unreadable {item.kind} image: {exc!r}")
        changes.append(Forwardable(item.sequence_number, change))
    return changes
