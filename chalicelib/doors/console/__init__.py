"""The regulators' door: the console's pages (province and ministry stacks).

| module | routes | stacks |
|---|---|---|
| `sign_in.py` | `/console/login` (form, sign in), `/console/logout`, `/console` (home) | both |
| `admin.py` | `/console/accounts` (list, create, reset, disable), `/console/audit` | both |
| `records.py` | `/console/records` (search), `/console/records/exports` (CSV export) | both |
| `monitoring.py` | `/console/coverage` (coverage, idle shops, error rates) | province |
| `registry.py` | `/console/shops` (list, register, edit, secret, suspend, reinstate) | province |
| `complaints.py` | `/console/complaints` (queue, one, photo, accept, reject, close) | province |
| `reminders.py` | `/console/reminders` (send, sent and read counts) | province |
| `provinces.py` | `/console/provinces` (national monitoring, exchange credentials) | ministry |
| `agencies.py` | `/console/agencies` (register, keys, reads as CSV) | both |

The agencies' pages answer on both stacks, as they always did: only ministry roles hold their
permissions, so a province's regulator is refused (403).
"""

from __future__ import annotations

from chalicelib.doors.console import (
    admin,
    agencies,
    complaints,
    monitoring,
    provinces,
    records,
    registry,
    reminders,
    sign_in,
)
from chalicelib.doors.console.door import door

__all__ = [
    "admin",
    "agencies",
    "complaints",
    "door",
    "monitoring",
    "provinces",
    "records",
    "registry",
    "reminders",
    "sign_in",
]
