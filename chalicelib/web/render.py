"""Jinja2 rendering of the hosted pages, with autoescaping always on.

Why: server-side templates need no build step and no external assets. The environment is
created on first use (templates are read from the package, which `chalice package` ships).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return str(_environment().get_template(template).render(**context))


def static_file(name: str) -> bytes | None:
    """A packaged asset by plain file name, or None (no paths, so no traversal)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = STATIC / name
    return path.read_bytes() if path.is_file() else None
