"""JSON views of domain objects: what each audience may see, and nothing more.

Why: the consumer history must never carry credentials, contacts or internal keys, and a shop
sees its own records with their versions. Building the views here keeps that rule reviewable.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.responses import ShopOut, conform
from chalicelib.domain.shop import SHOP_CLASSES, Shop

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
