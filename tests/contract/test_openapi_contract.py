"""schemathesis: generated requests for every operation of the served document, over HTTP.

For each operation, hypothesis generates valid requests, invalid ones (schemathesis'
negative mode) and valid ones aimed at seeded objects, with the right bearer token, and sends
them to a stack that serves the operation (`x-vmehr-stacks`): ministry-only operations to the
ministry stack, the others to the province. Every answer must be: not a 5xx, a status the
document declares, the declared content type, the declared headers (Retry-After,
WWW-Authenticate) and a body matching the declared schema.

`make test` runs CONTRACT_EXAMPLES (default 32) examples per operation with a derandomized
seed, so a run is repeatable and bounded; `make soak` runs more. The last test checks the
run generated at least CONTRACT_MIN_CASES cases in total (default 1,000).
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.errors import FailureGroup

from chalicelib.doors.kit.openapi import DOCUMENT_PATH, document

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "32"))
MIN_CASES = int(os.environ.get("CONTRACT_MIN_CASES", "1000"))
OPERATIONS = [
    (method.upper(), path) for path, methods in document()["paths"].items() for method in methods
]
CASES: dict[str, int] = {}  # generated cases by operation, over both stacks
STATUSES: dict[str, set[int]] = {}  # the answers each operation got


def _served_by_ministry_only(method: str, path: str) -> bool:
    return bool(document()["paths"][path][method.lower()]["x-vmehr-stacks"] == ["ministry"])


@pytest.fixture(scope="module")
def served_schema(contract_stack: Any) -> Any:
    import schemathesis

    # The document as the stack serves it (not as this process builds it).
    with urllib.request.urlopen(contract_stack.url + DOCUMENT_PATH, timeout=30) as response:
        served = json.loads(response.read())
    assert served == json.loads(json.dumps(document()))
    return schemathesis.openapi.from_dict(served)


@pytest.fixture(scope="module")
def session() -> Any:
    import requests

    with requests.Session() as http:
        yield http


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_document(method, path, served_schema, session, request):
    # Given the served document's operation, a stack that serves it, and its strategies
    stack = (
        "ministry_contract_stack" if _served_by_ministry_only(method, path) else "contract_stack"
    )
    contract_stack = request.getfixturevalue(stack)
    operation = served_schema[path][method]
    spec = document()["paths"][path][method.lower()]
    headers = _auth(spec, contract_stack.tokens)
    strategy = _cases(operation, path, contract_stack.seeds)
    failures: list[str] = []
    label = f"{method} {path}"

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def exercise(case: Any) -> None:
        CASES[label] = CASES.get(label, 0) + 1
        # When the case is sent over HTTP
        response = case.call(base_url=contract_stack.url, session=session, headers=headers)
        STATUSES.setdefault(label, set()).add(response.status_code)
        # Then the answer is what the document promises
        try:
            case.validate_response(response, checks=_checks(), headers=headers)
        except (AssertionError, FailureGroup) as exc:  # collect: one run reports them all
            failures.append(str(exc))

    exercise()
    assert not failures, f"{len(failures)} failing case(s); first:\n{failures[0]}"


def test_the_run_generated_enough_cases():
    # Then (after every operation above) the run sent at least MIN_CASES generated cases
    total = sum(CASES.values())
    ministry = sum(n for label, n in CASES.items() if _served_by_ministry_only(*label.split(" ")))
    print(
        f"\nschemathesis: {total} cases over {len(CASES)} operations "
        f"({ministry} of them to the ministry stack)"
    )
    assert len(CASES) == len(OPERATIONS)
    assert total >= MIN_CASES
    # and every ministry-only operation reached its code at least once (not only refusals
    # of a stack that does not serve it)
    refused = [
        label
        for label, statuses in STATUSES.items()
        if _served_by_ministry_only(*label.split(" ")) and statuses <= {404}
    ]
    assert refused == []


def _cases(operation: Any, path: str, seeds: Any) -> Any:
    from schemathesis import GenerationMode

    spec = document()["paths"][path][operation.method.lower()]
    names = {p["name"] for p in spec.get("parameters", []) if p["in"] == "path"}
    pinned = {name: seeds.pinned[name] for name in names if name in seeds.pinned} or None
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=pinned)
    ]
    if spec.get("parameters") or spec.get("requestBody"):
        strategies.append(
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=pinned)
        )
    seeded = {name: seeds.path[name] for name in names if name in seeds.path}
    if seeded or path in seeds.query:
        strategies.append(
            operation.as_strategy(
                generation_mode=GenerationMode.POSITIVE,
                path_parameters={**seeded, **(pinned or {})} or None,
                query=seeds.query.get(path),
            )
        )
    return st.one_of(strategies)


def _auth(spec: dict[str, Any], tokens: dict[str, str]) -> dict[str, str]:
    schemes = [name for requirement in spec["security"] for name in requirement]
    token = next((tokens[s] for s in schemes if s in tokens), None)
    return {"Authorization": f"Bearer {token}"} if token else {}


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
