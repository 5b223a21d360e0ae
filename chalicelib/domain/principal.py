"""Who is calling: a shop (by companycode) or a regulator, as resolved from a bearer token.

A regulator's principal carries its role, the province of the stack that issued it and, for a
district officer, its division codes: everything `domain.access_policy` needs to decide, with
no further lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

PrincipalKind = Literal["shop", "regulator", "province", "oem"]


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    principal_id: str
    role: str
    generation: int
    expires_at: datetime
    province: str = ""
    divisions: tuple[str, ...] = ()
