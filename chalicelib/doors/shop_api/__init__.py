"""The shops' door (province): tokens, records, the national interface, feedback, reminders.

| module | routes |
|---|---|
| `tokens.py` | `POST /v1/auth/token` |
| `records.py` | `/v1/records` (upload one or a batch, list, read, versions, void) |
| `national.py` | `/restservices/lcipprodatarest/.../query` (token, upload) |
| `feedback.py` | `/v1/shop/evaluations`, `/v1/shop/complaints` (read, mark read, reply) |
| `reminders.py` | `/v1/shop/reminders` (read, mark read) |
"""

from __future__ import annotations

from chalicelib.doors.shop_api import feedback, national, records, reminders, tokens
from chalicelib.doors.shop_api.door import door

__all__ = ["door", "feedback", "national", "records", "reminders", "tokens"]
