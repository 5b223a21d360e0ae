"""A door: one audience's routes, the stacks that serve them, its error mapping and its docs.

Why: one codebase serves province stacks and the ministry stack, and every audience (shops'
DMSs, shop clerks, consumers, regulators, provinces, agencies, OEMs) has its own door. A door
declares once which stacks serve it, so a route of the other stack answers 404 without a
check in every view; it maps domain errors to its answers once (JSON bodies, or pages), so a
view has no `except`; and a JSON route states its OpenAPI contract at the route (`doc=`), so
`kit/openapi.py` documents exactly the routes that exist. `app.py` registers each door's
blueprint (`chalicelib/doors/__init__.py`).

    door = Door("shop_api", stacks=PROVINCE)

    @door.route("/v1/records/{record_id}", methods=["GET"], doc=Doc(...))
    def get_record(record_id: str) -> Response:
        shop = require_shop(door.request)
        return json_response(record_view(record_service().own(shop, record_id)))
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from chalice import Blueprint

from chalicelib.config import get_settings
from chalicelib.doors.kit.operations import Doc, Operation, Stack
from chalicelib.errors import NotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from chalice.app import Request

View = TypeVar("View", bound=Callable[..., Any])
ErrorMapper = Callable[[Callable[..., Any]], Callable[..., Any]]

_DOORS: list[Door] = []


class Door:
    """A Chalice blueprint with the stacks it serves, its error mappers and its operations."""

    def __init__(
        self,
        name: str,
        *,
        stacks: tuple[Stack, ...],
        json_errors: ErrorMapper | None = None,
        page_errors: ErrorMapper | None = None,
        templates: Path | None = None,
        template_prefix: str = "",
    ) -> None:
        """`templates`: the door's template folder; its names start with `template_prefix/`
        (none for the public pages, which keep their plain names)."""
        self.name = name
        self.stacks = stacks
        self.blueprint = Blueprint(f"chalicelib.doors.{name}")
        self.operations: list[Operation] = []
        self.page_routes: set[tuple[str, str]] = set()
        self._json_errors = json_errors
        self._page_errors = page_errors
        self.templates = templates
        self.template_prefix = template_prefix
        _DOORS.append(self)

    @property
    def request(self) -> Request:
        """The request being served (Chalice's `current_request` of this door's blueprint)."""
        return self.blueprint.current_request

    def route(
        self,
        path: str,
        *,
        methods: list[str],
        content_types: list[str] | None = None,
        stacks: tuple[Stack, ...] | None = None,
        doc: Doc | None = None,
        page: bool = False,
        errors: ErrorMapper | None = None,
    ) -> Callable[[View], View]:
        """Register a view: JSON routes state their `doc`; pages say `page=True`.

        `stacks` overrides the door's for one route; `errors` its error mapper (a page that
        answers a file, for example).
        """
        served = stacks or self.stacks
        mapper = errors or (self._page_errors if page else self._json_errors)
        if mapper is None:
            raise ValueError(f"door {self.name} has no error mapper for {path}")
        if not page and doc is None:
            raise ValueError(f"JSON route {' '.join(methods)} {path} states no doc")

        def decorate(view: View) -> View:
            @functools.wraps(view)
            def served_here(*args: Any, **kwargs: Any) -> Any:
                if get_settings().stack_role not in served:
                    raise NotFoundError("no such route on this stack")
                return view(*args, **kwargs)

            options: dict[str, Any] = {"methods": methods}
            if content_types is not None:
                options["content_types"] = content_types
            self.blueprint.route(path, **options)(mapper(served_here))
            for method in methods:
                if page:
                    self.page_routes.add((method, path))
                elif doc is not None:
                    self.operations.append(doc.at(method, path, served))
            return view

        return decorate


def doors() -> tuple[Door, ...]:
    """Every door created so far (each door package creates its own at import)."""
    return tuple(_DOORS)
