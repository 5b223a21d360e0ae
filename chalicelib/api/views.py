"""JSON views of domain objects: what each audience may see, and nothing more.

Why: the consumer history must never carry credentials, contacts or internal keys, and a shop
sees its own records with their versions. Building the views here keeps that rule reviewable.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.responses import HistoryEntryOut, conform
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import SHOP_CLASSES


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
