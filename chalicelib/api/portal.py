"""The shop portal (pages under /portal) for shops without a DMS: its blueprints in one place.

Why: `app.py` registers the whole portal with one line; the portal's pages are split by job
(sign-in, records, imports, quality, messages) and each module keeps its own blueprint.
"""

from __future__ import annotations

from chalicelib.api import (
    portal_access,
    portal_imports,
    portal_messages,
    portal_quality,
    portal_records,
)

BLUEPRINTS = tuple(
    m.bp for m in (portal_access, portal_records, portal_imports, portal_quality, portal_messages)
)
