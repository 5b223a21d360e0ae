"""What a JSON route tells its clients: the OpenAPI facts a door states at the route.

Why: a route's contract (request model, response model per status, who may call it, which
stacks serve it) belongs beside the route, not in a central table that every new route must
also edit. `Doc` is what the route states; the door adds the method, the path and the stacks
it already knows, making an `Operation`, and `kit/openapi.py` builds the document from every
door's operations, so the document cannot drift from the routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

Stack = Literal["province", "ministry"]
Auth = Literal["shop", "regulator", "province", "agency", "oem"]
PROVINCE: tuple[Stack, ...] = ("province",)
MINISTRY: tuple[Stack, ...] = ("ministry",)
BOTH: tuple[Stack, ...] = ("province", "ministry")

# Status sets shared by many operations (each operation lists its own; these only name them).
BODY = (400, 413, 415)  # malformed or invalid JSON, too large, not application/json
BUSY = (503,)  # storage throttled or failing: Retry-After


@dataclass(frozen=True)
class Param:
    name: str
    where: Literal["path", "query"]
    schema: dict[str, Any]
    description: str = ""

    @property
    def required(self) -> bool:
        return self.where == "path"


@dataclass(frozen=True)
class Doc:
    """A JSON route's contract as the route states it (everything but method, path, stacks)."""

    summary: str
    tag: str
    ok: dict[int, type[BaseModel]]
    errors: tuple[int, ...]
    auth: Auth | None = None
    body: type[BaseModel] | None = None
    params: tuple[Param, ...] = ()
    description: str = ""
    binary_ok: tuple[str, ...] = field(default=())

    def at(self, method: str, path: str, stacks: tuple[Stack, ...]) -> Operation:
        return Operation(
            method=method,
            path=path,
            summary=self.summary,
            tag=self.tag,
            stacks=stacks,
            ok=self.ok,
            errors=self.errors,
            auth=self.auth,
            body=self.body,
            params=self.params,
            description=self.description,
            binary_ok=self.binary_ok,
        )


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI document."""

    method: str
    path: str
    summary: str
    tag: str
    stacks: tuple[Stack, ...]
    ok: dict[int, type[BaseModel]]
    errors: tuple[int, ...]
    auth: Auth | None = None
    body: type[BaseModel] | None = None
    params: tuple[Param, ...] = ()
    description: str = ""
    binary_ok: tuple[str, ...] = field(default=())


def path_param(name: str, description: str = "") -> Param:
    return Param(name, "path", {"type": "string", "minLength": 1}, description)


def query_param(name: str, schema: dict[str, Any], description: str = "") -> Param:
    return Param(name, "query", schema, description)


LIMIT = query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "page size")
CURSOR = query_param("cursor", {"type": "string"}, "`next_cursor` of the previous page")
PAGE = (LIMIT, CURSOR)
