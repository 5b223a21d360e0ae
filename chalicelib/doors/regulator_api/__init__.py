"""The regulators' door (province and ministry): the JSON API of regulators and their tools.

| module | routes | stacks |
|---|---|---|
| `tokens.py` | `POST /v1/admin/token` | both |
| `accounts.py` | `/v1/admin/accounts` (list, create, read, reset, disable, enable) | both |
| `audit.py` | `GET /v1/audit` | both |
| `search.py` | `/v1/search/records` and its exports | both |
| `shops.py` | `/v1/shops` (the registry: register, list, read, edit, secret, suspend) | province |
| `complaints.py` | `GET /v1/complaints`, `/v1/complaints/{id}` (photo, decisions) | province |
| `reminders.py` | `/v1/reminders` (send, sent with read counts) | province |
| `oems.py` | `/v1/oem/accounts` (register, list, read, dealers, secret) | province |
| `provinces.py` | `GET /v1/provinces`, `/v1/exchange/credentials` (issue, revoke) | ministry |
| `agencies.py` | `/v1/agencies` (register, keys, reads as a page or CSV parts) | ministry |
"""

from __future__ import annotations

from chalicelib.doors.regulator_api import (
    accounts,
    agencies,
    audit,
    complaints,
    oems,
    provinces,
    reminders,
    search,
    shops,
    tokens,
)
from chalicelib.doors.regulator_api.door import door

__all__ = [
    "accounts",
    "agencies",
    "audit",
    "complaints",
    "door",
    "oems",
    "provinces",
    "reminders",
    "search",
    "shops",
    "tokens",
]
