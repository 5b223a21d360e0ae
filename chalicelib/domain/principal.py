"""Who is calling: a shop (by companycode) or a regulator, as resolved from a bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

PrincipalKind = Literal["shop", "regulator", "province"]


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    principal_id: str
    role: str
    generation: int
    expires_at: datetime
