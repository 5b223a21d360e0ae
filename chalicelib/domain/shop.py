"""Repair shops (维修企业): classes, identity codes and the registry entry.

Why: a shop's companycode is the owner key of every record it uploads, so its format
(6-digit GB/T 2260 division code + 9-digit sequence) and the province binding are enforced in
one place. Secrets never live on this object: only the credential adapter sees hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SHOP_CLASSES: dict[str, str] = {
    "class_1": "一类",
    "class_2": "二类",
    "class_3": "三类",
    "quick_service": "快修",
    "specialised": "专项",
}
_LABEL_TO_CLASS = {label: code for code, label in SHOP_CLASSES.items()}

COMPANYCODE_PATTERN = re.compile(r"^\d{15}$")
DIVISION_PATTERN = re.compile(r"^\d{6}$")
SEQUENCE_DIGITS = 9

ShopStatus = Literal["active", "suspended"]


def parse_shop_class(value: str) -> str | None:
    """Accept the code (`class_2`) or the Chinese label (二类); None if it is neither."""
    value = value.strip()
    if value in SHOP_CLASSES:
        return value
    return _LABEL_TO_CLASS.get(value)


def division_name(division_code: str) -> str | None:
    """The GB/T 2260 name of a county-level division code, or None if the code is unknown.

    python-stdnum ships the division table it uses for resident identity numbers; codes that
    existed at any time are known, which is what a registry of long-lived shops needs.
    """
    if not DIVISION_PATTERN.match(division_code) or division_code.endswith("0000"):
        return None
    from stdnum import numdb  # imported here: the table is only needed when registering shops

    parts = numdb.get("cn/loc").info(division_code)
    if len(parts) < 2 or "county" not in parts[1][1]:
        return None
    return re.sub(r"^\[[^\]]*\]", "", parts[1][1]["county"])


def make_companycode(division_code: str, sequence: int) -> str:
    """Division code + zero-padded 9-digit sequence, e.g. 320102000000001."""
    if sequence < 1 or sequence >= 10**SEQUENCE_DIGITS:
        raise ValueError("sequence out of range")
    return f"{division_code}{sequence:0{SEQUENCE_DIGITS}d}"


@dataclass(frozen=True)
class Shop:
    """A registered shop as the province knows it (no secrets)."""

    companycode: str
    name: str
    uscc: str
    division_code: str
    shop_class: str
    address: str
    contact_name: str
    contact_phone: str
    status: ShopStatus
    created_at: datetime
    updated_at: datetime
    credential_generation: int = 1
    extra: dict[str, str] = field(default_factory=dict)
    # Optimistic version of the registry entry: every change of the profile raises it by one,
    # and a change is written only over the version it was made from.
    version: int = 1

    @property
    def province_code(self) -> str:
        return self.companycode[:2] + "0000"

    def public_view(self) -> dict[str, str]:
        """What consumers may see of a shop: never contacts, never internal state."""
        return {
            "companycode": self.companycode,
            "name": self.name,
            "shop_class": self.shop_class,
            "shop_class_label": SHOP_CLASSES.get(self.shop_class, self.shop_class),
        }


@dataclass(frozen=True)
class RegistryCopy:
    """A province's registry entry as the ministry holds it: identity, class and state only.

    Why: the national registry is a read-only copy (digest §4.1) and personal data stays in the
    province (§4.3), so the copy has no address, contacts or credential state.
    """

    companycode: str
    name: str
    uscc: str
    division_code: str
    shop_class: str
    status: ShopStatus
    created_at: datetime
    updated_at: datetime

    @property
    def province_code(self) -> str:
        return self.companycode[:2] + "0000"

    def counting_view(self) -> dict[str, str]:
        """What `active_count_deltas` reads of an entry."""
        return {"status": self.status, "shop_class": self.shop_class}


@dataclass(frozen=True)
class RegistryChange:
    """A shop's registry entry as of `updated_at` (ISO text), as far as 对接率 is concerned:
    the class a docked shop counts under, or "" when it is not counted (not active)."""

    companycode: str
    counted_class: str
    updated_at: str


def registry_change(entry: dict[str, Any]) -> RegistryChange:
    """The change an entry (province registry item or ministry copy) makes to docking."""
    return RegistryChange(
        companycode=str(entry["companycode"]),
        counted_class=counted_class(entry),
        updated_at=str(entry["updated_at"]),
    )


def counted_class(entry: dict[str, Any]) -> str:
    """The class an entry counts under (registered, docked), or "" if it is not active.
    The same rule as `active_count_deltas`: an entry without a status is active."""
    if entry.get("status", "active") != "active":
        return ""
    return str(entry.get("shop_class", ""))


def active_count_deltas(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, int]:
    """How a registry entry's change moves the count of active shops by class, e.g.
    {"class_2": 1} for a new active class-2 shop, {"class_2": -1, "class_1": 1} for a class
    change, {"class_3": -1} for a suspension. Keeps registered counts without a scan."""
    deltas: dict[str, int] = {}
    for entry, sign in ((before, -1), (after, 1)):
        if entry is not None and entry.get("status", "active") == "active":
            shop_class = str(entry.get("shop_class", ""))
            deltas[shop_class] = deltas.get(shop_class, 0) + sign
    return {k: v for k, v in deltas.items() if v}
