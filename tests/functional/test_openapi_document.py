"""The served OpenAPI document: complete (every JSON route), valid, public and secret-free.

A route added later fails `test_every_json_route_is_documented` until it is described: in a
door, by the `doc=` of its route (`chalicelib/doors/kit/door.py`); an HTML page or form says
`page=True` instead, and is not in the document.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.doors.kit.openapi import DOCUMENT_PATH, document


def _app_routes() -> set[tuple[str, str]]:
    from app import app

    return {(method, path) for path, methods in app.routes.items() for method in methods}


def _json_routes() -> set[tuple[str, str]]:
    from chalicelib.doors import load

    pages = {route for door in load() for route in door.page_routes}
    return {
        (method, path)
        for (method, path) in _app_routes()
        if (method, path) not in pages and not path.startswith("/static/") and path != DOCUMENT_PATH
    }


def _documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in document()["paths"].items()
        for method in operations
    }


def test_every_json_route_is_documented():
    # Given the app's routes and the served document
    # When they are compared
    missing = _json_routes() - _documented()
    # Then no JSON route is missing
    assert not missing, f"document these routes (`doc=` at the route): {missing}"


def test_the_document_names_no_route_that_does_not_exist():
    # Given the document and the app's routes
    # When the document's operations are looked up among the routes
    stale = _documented() - _app_routes()
    # Then every documented operation is served
    assert not stale


def test_every_operation_says_which_stack_serves_it_and_what_it_answers():
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            assert set(operation["x-vmehr-stacks"]) <= {"province", "ministry"}, (method, path)
            assert operation["responses"], (method, path)
            assert "500" not in operation["responses"], (method, path)
            for status in ("429", "503"):
                if status in operation["responses"]:
                    assert "Retry-After" in operation["responses"][status]["headers"]


def test_schemathesis_accepts_the_document_as_openapi_3_1():
    import schemathesis

    # Given the document
    schema = schemathesis.openapi.from_dict(document())
    # When schemathesis reads every operation
    operations = [result.ok() for result in schema.get_all_operations()]
    # Then it finds them all, with their schemas resolved
    assert len(operations) == len(_documented())


def test_response_schemas_refuse_undeclared_fields():
    # Given every schema a response refers to, directly or nested
    schemas = document()["components"]["schemas"]
    answered = _referenced(
        [
            answer
            for operations in document()["paths"].values()
            for operation in operations.values()
            for answer in operation["responses"].values()
        ]
    )
    # Then none is a catch-all: each one closes its properties
    assert answered
    for name in answered:
        assert schemas[name].get("additionalProperties") is False, name


def _referenced(nodes: list) -> set[str]:
    """Names of the component schemas reachable from `nodes` through $ref."""
    schemas = document()["components"]["schemas"]
    seen: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.split("/")[-1] not in seen:
                seen.add(ref.split("/")[-1])
                stack.append(schemas[ref.split("/")[-1]])
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return seen


@pytest.mark.parametrize("secret", ["demo-shop-secret", "admin-demo-password", "signing-key"])
def test_the_document_holds_no_credentials(secret):
    assert secret not in json.dumps(document(), ensure_ascii=False).lower()


def test_the_document_is_served_without_credentials(api):
    # Given the running app
    # When anyone asks for the document
    response = api.get(DOCUMENT_PATH)
    # Then it is served as JSON, the same document the builder makes
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json == json.loads(json.dumps(document(), ensure_ascii=False))
