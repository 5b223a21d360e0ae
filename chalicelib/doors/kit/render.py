"""Jinja2 rendering of the hosted pages, with autoescaping always on.

Why: server-side templates need no build step and no external assets. The environment is
created on first use (templates are read from the package, which `chalice package` ships).
Each door keeps its own templates (`doors/<door>/templates/`, named `<prefix>/<name>.html`
when the door has a prefix); the layouts and partials every door shares are the kit's.
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

    from chalicelib.doors.kit.door import doors

    prefixed = {
        door.template_prefix: jinja2.FileSystemLoader(str(door.templates))
        for door in doors()
        if door.templates is not None and door.template_prefix
    }
    plain = [
        jinja2.FileSystemLoader(str(door.templates))
        for door in doors()
        if door.templates is not None and not door.template_prefix
    ]
    loader = jinja2.ChoiceLoader(
        [jinja2.PrefixLoader(prefixed), *plain, jinja2.FileSystemLoader(str(TEMPLATES))]
    )
    return jinja2.Environment(
        loader=loader,
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
