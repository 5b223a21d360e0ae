"""OEM accounts (汽车生产企业, 总对总): which dealers an OEM's head office uploads for.

Why: a carmaker's central system uploads the maintenance records of its dealer network (4S
shops) in bulk, "head office to head office" (digest §1.1, §1.9). Each record still belongs to
the dealer that did the work: it is uploaded as that dealer, counted for it, and marked with
its source so regulators can tell 总对总 uploads from a shop's own (非总对总). An OEM may act
only for the dealers the regulator listed on its account.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chalicelib.domain.shop import COMPANYCODE_PATTERN
from chalicelib.errors import FieldError, ValidationFailedError

OEM_ID_PATTERN = re.compile(r"^OEM[0-9A-F]{12}$")
MAX_DEALERS = 2000
SOURCE_PREFIX = "oem:"


def oem_id_for(uscc: str) -> str:
    """An OEM's account id, derived from its unified social credit code (one account each)."""
    return "OEM" + hashlib.sha256(uscc.encode("utf-8")).hexdigest()[:12].upper()


def source_of(oem_id: str) -> str:
    """The `source` a record version uploaded through this OEM carries."""
    return f"{SOURCE_PREFIX}{oem_id}"


def is_oem_source(source: str | None) -> bool:
    return bool(source) and str(source).startswith(SOURCE_PREFIX)


def may_overwrite(written_by: str | None, sender: str | None) -> bool:
    """Whether `sender` may put a new version over the one `written_by` sent (None: the shop).

    The record is the dealer's: the dealer overwrites anything. An OEM overwrites only the
    version it sent itself, never what the dealer (or another OEM) wrote last, so a head
    office's re-sent copy cannot undo the dealer's own upload or correction.
    """
    return not is_oem_source(sender) or written_by == sender


@dataclass(frozen=True)
class OemAccount:
    oem_id: str
    name: str
    uscc: str
    dealers: tuple[str, ...]
    status: Literal["active", "suspended"]
    generation: int
    created_at: datetime
    updated_at: datetime
    created_by: str = ""

    def represents(self, companycode: str) -> bool:
        return companycode in self.dealers

    def public_view(self) -> dict[str, Any]:
        return {
            "oem_id": self.oem_id,
            "name": self.name,
            "uscc": self.uscc,
            "dealers": list(self.dealers),
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def checked_dealers(dealers: list[str], province_code: str) -> tuple[str, ...]:
    """Sorted, de-duplicated companycodes of this province; ValidationFailedError otherwise."""
    codes = tuple(sorted({d.strip() for d in dealers}))
    if not 1 <= len(codes) <= MAX_DEALERS:
        raise ValidationFailedError(
            [FieldError("dealers", "count", f"an OEM represents 1 to {MAX_DEALERS} dealers")]
        )
    bad = [c for c in codes if not COMPANYCODE_PATTERN.match(c) or c[:2] != province_code[:2]]
    if bad:
        raise ValidationFailedError(
            [
                FieldError(
                    "dealers",
                    "companycode_this_province",
                    "not companycodes of this province: " + ", ".join(bad[:20]),
                )
            ]
        )
    return codes
