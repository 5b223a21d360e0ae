"""The shop portal (province): pages under /portal for shops without a DMS.

| module | routes |
|---|---|
| `access.py` | `/portal/login` (sign-in form, sign in), `POST /portal/logout`, `/portal` (home) |
| `records.py` | `/portal/records` (enter by hand, list and search, read, correct, void) |
| `imports.py` | `/portal/imports` (upload, progress, results CSV), `/portal/templates/...` |
| `scorecard.py` | `/portal/scorecard` (data quality) |
| `messages.py` | `/portal/messages` (complaints and reminders; read, reply) |
"""

from __future__ import annotations

from chalicelib.doors.portal import access, imports, messages, records, scorecard
from chalicelib.doors.portal.door import door

__all__ = ["access", "door", "imports", "messages", "records", "scorecard"]
