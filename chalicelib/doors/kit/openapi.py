"""`GET /openapi.json`: the OpenAPI 3.1 document of the JSON API, built on first request.

Why: DMS vendors, agencies and our own schema-driven tests (schemathesis) read the contract
from the running system rather than from a file that can fall behind. The document is built
from the operations each door states at its routes (`kit/operations.py`) and the pydantic
models the routes really use, once per process (cold start pays nothing until someone asks).
It is public and holds no secret: no account, key or example credential appears in it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.doors.kit.http import json_response

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

    from chalicelib.doors.kit.operations import Operation

bp = Blueprint(__name__)
DOCUMENT_PATH = "/openapi.json"
_REF = "#/components/schemas/{model}"

ERROR_DESCRIPTIONS = {
    400: (
        "Invalid input: malformed JSON (also when nested deeper than 64 levels: rule "
        "`max_depth`) or failing fields, each named with its rule; nothing was written"
    ),
    401: "Missing, invalid or expired credentials (one answer for every cause)",
    403: "Authenticated, but not allowed (suspended shop, read-only regulator role)",
    404: "Not found, not yours, or a route of the other stack kind",
    409: "Conflicts with the current state (voided record, workflow step, duplicate)",
    413: "Body too large (1 MB; 3 MB for a complaint with its photo)",
    415: "Body is not application/json",
    429: "Locked out after failed logins, or a public rate limit: retry after Retry-After",
    503: "Storage busy or failing: retry after Retry-After",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'always `Bearer realm="vmehr"`',
        "required": True,
        "schema": {"type": "string"},
    }
}
SECURITY_SCHEMES = {
    "shop": {
        "type": "http",
        "scheme": "bearer",
        "description": "a shop's token from POST /v1/auth/token (or the national token route)",
    },
    "regulator": {
        "type": "http",
        "scheme": "bearer",
        "description": "a regulator's token from POST /v1/admin/token",
    },
    "province": {
        "type": "http",
        "scheme": "bearer",
        "description": "a province's exchange token from POST /v1/exchange/token (ministry)",
    },
    "agency": {
        "type": "http",
        "scheme": "bearer",
        "description": "an agency's API key, issued by the ministry (never in the URL)",
    },
    "oem": {
        "type": "http",
        "scheme": "bearer",
        "description": "an OEM account's token from POST /v1/oem/token (province)",
    },
}


@bp.route(DOCUMENT_PATH, methods=["GET"])
def openapi_document() -> Response:
    return json_response(document(), headers={"Cache-Control": "public, max-age=300"})


def operations() -> tuple[Operation, ...]:
    """Every documented operation, as the doors state them at their routes."""
    from chalicelib.doors import load

    return tuple(op for door in load() for op in door.operations)


@functools.cache
def document() -> dict[str, Any]:
    """The whole document (cached: it depends only on the code)."""
    everything = operations()
    refs, schemas = _schemas(everything)
    paths: dict[str, dict[str, Any]] = {}
    for operation in everything:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "汽车维修电子健康档案系统 · Vehicle maintenance electronic health record API",
            "version": "1",
            "description": "One codebase serves province stacks and the ministry stack; each "
            "operation's `x-vmehr-stacks` says which serves it (the other answers 404). "
            "Errors of the REST door are `{code, message, errors[{code, field, rule, "
            "message}]}`; the national interface always answers HTTP 200 with its own `code`.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }


def _schemas(operations: tuple[Operation, ...]) -> tuple[dict[Any, str], dict[str, Any]]:
    """JSON Schemas of every model in use, under components, and each model's $ref."""
    from pydantic.json_schema import models_json_schema

    from chalicelib.doors.kit.models import ErrorResponse

    wanted: list[tuple[type[BaseModel], Any]] = [(ErrorResponse, "serialization")]
    for operation in operations:
        if operation.body is not None:
            wanted.append((operation.body, "validation"))
        wanted += [(model, "serialization") for model in operation.ok.values()]
    unique = list(dict.fromkeys(wanted))
    key_map, definitions = models_json_schema(unique, ref_template=_REF)
    refs = {key: value["$ref"] for key, value in key_map.items()}
    return refs, definitions.get("$defs", {})


def _operation(operation: Operation, refs: dict[Any, str]) -> dict[str, Any]:
    served = " and ".join(operation.stacks)
    spec: dict[str, Any] = {
        "operationId": _operation_id(operation),
        "summary": operation.summary,
        "description": " ".join(
            filter(None, [operation.description, f"Served by {served} stacks."])
        ),
        "tags": [operation.tag],
        "x-vmehr-stacks": list(operation.stacks),
        "security": [{operation.auth: []}] if operation.auth else [],
        "responses": _responses(operation, refs),
    }
    if operation.params:
        spec["parameters"] = [
            {
                "name": p.name,
                "in": p.where,
                "required": p.required,
                "schema": p.schema,
                **({"description": p.description} if p.description else {}),
            }
            for p in operation.params
        ]
    if operation.body is not None:
        ref = refs[(operation.body, "validation")]
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": ref}}},
        }
    return spec


def _responses(operation: Operation, refs: dict[Any, str]) -> dict[str, Any]:
    from chalicelib.doors.kit.models import ErrorResponse

    answers: dict[str, Any] = {}
    for status, model in operation.ok.items():
        answers[str(status)] = {
            "description": {201: "created", 202: "accepted: the job runs"}.get(status, "OK"),
            "content": {"application/json": {"schema": {"$ref": refs[(model, "serialization")]}}},
        }
    if operation.binary_ok:
        answers["200"] = {
            "description": "the file (an image as stored, or a CSV part)",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in operation.binary_ok
            },
        }
    error_ref = refs[(ErrorResponse, "serialization")]
    for status in sorted(operation.errors):
        answer: dict[str, Any] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": error_ref}}},
        }
        if status in (429, 503):
            answer["headers"] = _RETRY_AFTER
        if status == 401:
            answer["headers"] = _AUTHENTICATE
        answers[str(status)] = answer
    return answers


def _operation_id(operation: Operation) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", operation.path).strip("_")
    return f"{operation.method.lower()}_{words}"
