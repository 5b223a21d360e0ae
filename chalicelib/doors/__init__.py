"""The edge: one package per audience, each owning its routes, models, texts and templates.

Why: a newcomer looking for a behaviour starts at `app.py`, which registers the doors listed
here; each door's package says which stacks serve it and holds every route of its audience,
so the route (and the one service it calls) is one hop away. What every door shares (error
mapping, auth helpers, sessions and CSRF, rendering, the OpenAPI builder) is in `kit/`.

| door | audience | stacks |
|---|---|---|
| `shop_api` | shops' DMSs: the REST door and the national `lcippro` interface | province |
| `exchange` | partners: provinces, agencies (ministry routes), OEMs (province routes) | by route |
| `regulator_api` | regulators' JSON API: accounts, registry, complaints, search... | by route |
| `public` | consumers: the query page and history, feedback, the owner's grants | both |
| `portal` | shop clerks without a DMS: pages under `/portal` | province |
| `console` | regulators' pages: the console (some sections on one stack kind only) | both |
"""

from __future__ import annotations

import importlib

from chalicelib.doors.kit.door import Door, doors

# The door packages app.py registers, in order; each creates its Door at import.
ALL = ("shop_api", "exchange", "regulator_api", "public", "portal", "console")


def load() -> tuple[Door, ...]:
    """Import every door (registering its routes on its blueprint) and return them all."""
    for name in ALL:
        importlib.import_module(f"chalicelib.doors.{name}")
    return doors()
