"""The consumers' door (both stacks): the query page, the history, feedback, the owner's grants.

| module | routes |
|---|---|
| `pages.py` | `/` (query page), `/vehicle`, `/vehicle/report.pdf`, `/verify/{code}`, `/static/*` |
| `vehicles.py` | `GET /v1/vehicles/{vin}/history`, `GET /v1/health` |
| `feedback.py` | `/v1/evaluations`, `/v1/complaints`, `/v1/complaints/follow`, `/v1/directory/*` |
| `feedback_pages.py` | `/evaluate`, `/complain`, `/complaints/follow`, `/shops` |
| `grant_pages.py` | `/grants`, `/grants/create`, `/grants/revoke` |

Feedback (the JSON routes and the pages) is the provinces' (they hold it); the owner's grants
to agencies are the ministry's; the rest is served by both stacks.
"""

from __future__ import annotations

from chalicelib.doors.public import feedback, feedback_pages, grant_pages, pages, vehicles
from chalicelib.doors.public.door import door

__all__ = ["door", "feedback", "feedback_pages", "grant_pages", "pages", "vehicles"]
