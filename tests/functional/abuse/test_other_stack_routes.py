"""Regulators' routes of the other stack kind: 404 before the token or the body is read.

The attacker is a regulator of one stack kind holding its own valid token as that stack's
administrator (the most a regulator holds there), or anyone holding no token at all. On its
own stack it calls the regulators' JSON routes that only the other stack kind serves: at the
ministry, the provinces' shop registry, complaint handling, reminders and OEM accounts, naming
a shop the ministry really holds (the registry copy its province sent); on a province, the
ministry's provinces report, the provinces' exchange credentials and agency administration.
Since issue 14 one check answers them all: the regulators' door declares each route's stacks
and refuses the other stack's before the view runs (`doors/kit/door.py`). What holds: every
call answers the same 404 `not_found`, with or without the token and whatever the body (so the
answer tells nothing about the token or the body), and the table is exactly as it was: no
registry copy changed, no credential or account made, not even an audit entry. The same
administrator's own stack's routes still serve it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3

from chalicelib.config import get_settings
from chalicelib.doors.kit.operations import Operation
from tests.functional.conftest import Api
from tests.functional.sharing_support import ministry_vehicle

MALFORMED = '{"version": 1, "name": '  # cut off: JSON no view could read


def test_at_the_ministry_the_provinces_regulator_routes_answer_404_and_write_nothing(
    ministry_api,
):
    # Given the ministry's administrator, signed in, and a shop whose registry copy its
    # province sent to the ministry
    token = ministry_api.regulator_token()
    companycode = ministry_vehicle(ministry_api)["companycode"]
    routes = _served_only_by("province")
    values = {"companycode": companycode, "complaint_id": "TS0000000000000001", "oem_id": "o1"}
    before = _table()
    # When it calls each province-only regulator route with its token, without one, and with
    # a body no view could read, naming that shop wherever a route names one
    answers = _call_each(ministry_api, routes, values, token, _bodies(companycode))
    # Then each answers the same 404, and nothing was written
    assert routes and set(answers.values()) == {(404, "not_found")}, answers
    assert ("PATCH", "/v1/shops/{companycode}") in {(o.method, o.path) for o in routes}
    assert _table() == before
    # And the administrator's own routes still serve it
    assert ministry_api.get("/v1/exchange/credentials", token).status_code == 200


def test_on_a_province_the_ministrys_regulator_routes_answer_404_and_write_nothing(api):
    # Given a province's administrator, signed in, and a shop of its registry
    token = api.regulator_token()
    shop = api.register_shop()
    routes = _served_only_by("ministry")
    values = {"province_code": "320000", "agency_id": "a1", "key_id": "k1"}
    before = _table()
    # When it calls each ministry-only regulator route with its token, without one, and with
    # a body no view could read: among them issuing its own province's exchange credential
    answers = _call_each(api, routes, values, token, {})
    # Then each answers the same 404, and nothing was written
    assert routes and set(answers.values()) == {(404, "not_found")}, answers
    issue = ("POST", "/v1/exchange/credentials/{province_code}")
    assert issue in {(o.method, o.path) for o in routes}
    assert _table() == before
    # And the administrator's own registry still serves it
    assert api.get(f"/v1/shops/{shop['companycode']}", token).status_code == 200


def _served_only_by(stack: str) -> list[Operation]:
    """The regulators' door's operations that the other stack kind does not serve."""
    import app  # noqa: F401  (registers every door's routes)
    from chalicelib.doors.regulator_api import door

    return [o for o in door.operations if o.stacks == (stack,)]


def _bodies(companycode: str) -> dict[tuple[str, str], dict[str, Any]]:
    """What a legitimate caller of the province's writes would send, naming the shop."""
    return {
        ("PATCH", "/v1/shops/{companycode}"): {"version": 1, "name": "冒名修改"},
        ("POST", "/v1/reminders"): {"companycodes": [companycode], "title": "t", "body": "b"},
        ("POST", "/v1/oem/accounts"): {
            "name": "冒名主机厂",
            "uscc": "91320000MA1XXXXXX1",
            "dealers": [companycode],
        },
    }


def _call_each(
    api: Api,
    routes: list[Operation],
    values: dict[str, str],
    token: str,
    bodies: dict[tuple[str, str], dict[str, Any]],
) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(method, path, caller) -> (status, code) for each route and each way of calling it."""
    answers = {}
    for operation in routes:
        path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], operation.path)
        body = json.dumps(bodies.get((operation.method, operation.path), {}))
        for caller, raw, bearer in (
            ("token", body, token),
            ("no token", body, None),
            ("malformed", MALFORMED, token),
        ):
            answer = api.call(operation.method, path, token=bearer, raw=raw)
            key = (operation.method, operation.path, caller)
            answers[key] = (answer.status_code, (answer.json or {}).get("code", ""))
    return answers


def _table() -> list[str]:
    """Every item of the stack's table, as sorted JSON text."""
    client = boto3.client("dynamodb")
    items: list[str] = []
    request: dict[str, Any] = {"TableName": get_settings().table_name}
    while True:
        page = client.scan(**request)
        items += [json.dumps(item, sort_keys=True) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return sorted(items)
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
