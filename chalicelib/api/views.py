"""JSON views of domain objects: what each audience may see, and nothing more.

Why: the consumer history must never carry credentials, contacts or internal keys, and a shop
sees its own records with their versions. Building the views here keeps that rule reviewable.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.responses import HistoryEntryOut, ReceiptOut, RecordOut, ShopOut, conform
from chalicelib.domain.record import Receipt, StoredRecord
from chalicelib.domain.shop import SHOP_CLASSES, Shop


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


def history_entry_view(record: StoredRecord) -> dict[str, Any]:
    """A consumer's view of one history entry: the work done and who did it, no internals.

    No plate: the caller proved the current one, and an entry's own plate would show the
    vehicle's earlier plates (previous owners, through vehicle registration) after a change.
    """
    content = record.content.to_dict()
    body = {
        "settlement_date": content["settlement_date"],
        "repair_date": content["repair_date"],
        "mileage": content["repair_mileage"],
        "fault_description": content["fault_description"],
        "repair_items": content["repair_items"],
        "parts": content["parts"],
        "shop": {
            "name": record.shop_name,
            "shop_class": record.shop_class,
            "shop_class_label": SHOP_CLASSES.get(record.shop_class, record.shop_class),
        },
        "province_code": record.companycode[:2] + "0000",
        "version": record.version,
        "corrected": record.version > 1,
        "flags": [_public_flag(f.to_dict()) for f in record.flags],
    }
    return conform(HistoryEntryOut, body)


def _public_flag(flag: dict[str, Any]) -> dict[str, Any]:
    flag["detail"] = {k: v for k, v in flag["detail"].items() if not k.endswith("_id")}
    return flag


MASK = "******"


def shop_view(shop: Shop, *, contacts: bool = True) -> dict[str, Any]:
    """A regulator's view of a registry entry (never the secret); contacts masked unless the
    role may see them (the contact person's name and phone are personal data)."""
    body = {
        "companycode": shop.companycode,
        "name": shop.name,
        "uscc": shop.uscc,
        "division_code": shop.division_code,
        "shop_class": shop.shop_class,
        "shop_class_label": SHOP_CLASSES.get(shop.shop_class, shop.shop_class),
        "address": shop.address,
        "contact_name": shop.contact_name if contacts else MASK,
        "contact_phone": shop.contact_phone if contacts else MASK,
        "status": shop.status,
        "created_at": shop.created_at.isoformat(),
        "updated_at": shop.updated_at.isoformat(),
        "version": shop.version,
    }
    return conform(ShopOut, body)
