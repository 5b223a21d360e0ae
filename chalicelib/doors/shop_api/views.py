"""JSON views of what a shop reads about itself: receipts, its records, its reminders.

Why: a shop sees its own records with their versions and flags, and the receipt of an upload
is the same at both of its doors (REST and national); building them here keeps that reviewable.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.record import Receipt, StoredRecord
from chalicelib.domain.reminder import Delivery
from chalicelib.doors.kit.models import conform
from chalicelib.doors.kit.record_models import ReceiptOut
from chalicelib.doors.shop_api.models import DeliveryOut, RecordOut, RecordPage, ShopReminders


def receipt_view(receipt: Receipt) -> dict[str, Any]:
    """What the uploader gets back (both doors): id, version, outcome, flags, chain link."""
    return conform(ReceiptOut, receipt.to_dict())


def record_view(record: StoredRecord) -> dict[str, Any]:
    """A shop's view of its own record (current or one version)."""
    body = {
        "record_id": record.record_id,
        "version": record.version,
        "status": record.status,
        "reason": record.reason,
        "received_at": record.received_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "content_hash": record.content_hash,
        "flags": [f.to_dict() for f in record.flags],
        "source": record.source or "shop",
        **record.content.to_dict(),
    }
    return conform(RecordOut, body)


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    body = {
        "reminder_id": delivery.reminder_id,
        "title": delivery.title,
        "body": delivery.body,
        "created_at": delivery.created_at.isoformat(),
        "read_at": delivery.read_at.isoformat() if delivery.read_at else None,
    }
    return conform(DeliveryOut, body)


def record_page_view(records: list[StoredRecord], cursor: str | None) -> dict[str, Any]:
    """A page of the shop's own records, newest first, and the cursor of the next one."""
    body = {"records": [record_view(r) for r in records], "next_cursor": cursor}
    return conform(RecordPage, body)


def reminders_view(deliveries: list[Delivery], cursor: str | None) -> dict[str, Any]:
    """A page of the reminders a shop was sent, and how many of them it has not read."""
    body = {
        "reminders": [delivery_view(d) for d in deliveries],
        "unread": sum(1 for d in deliveries if d.read_at is None),
        "next_cursor": cursor,
    }
    return conform(ShopReminders, body)
