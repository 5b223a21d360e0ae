"""A regulator's account: name, role, districts and credentials (hash and sealed TOTP secret).

Why: the account is what a token is checked against on every regulator request. Its
`generation` grows with every change of credentials, role or status, so tokens issued before a
password reset, a TOTP reset or a disable stop working at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12


def normalize_username(value: str) -> str:
    return value.strip().lower()


@dataclass(frozen=True)
class RegulatorAccount:
    username: str
    role: str
    divisions: tuple[str, ...]
    password_hash: str
    totp_sealed: str
    generation: int
    disabled: bool
    created_at: datetime
    updated_at: datetime
    created_by: str = ""
    totp_last_step: int = 0

    def public_view(self) -> dict[str, object]:
        """What an account manager sees (never a hash or the sealed secret)."""
        return {
            "username": self.username,
            "role": self.role,
            "divisions": list(self.divisions),
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "created_by": self.created_by,
        }
