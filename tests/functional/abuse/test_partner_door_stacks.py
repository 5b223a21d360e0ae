"""Boundary: the partners' door (`chalicelib/doors/exchange/`) on the stack that does not serve
the route.

The door serves both stack kinds, each route one of them: a province's exchange (token,
batches) and the agencies' reads at the ministry; the OEM feed (token, batches) at a province.
The parties: at a province, an OEM of that province (its id, secret and token) and a shop
(its token), who know the ministry's routes from the public OpenAPI document; at the ministry,
a province (its exchange secret and token) and an agency (its API key), who know the
province's routes the same way. What they try: the other stack's partner routes with what they
hold: guessing a province's exchange secret at a province past the lockout limit, pushing a
forged exchange batch for the province's own shop into the province, reading a vehicle with an
agency key at a province; guessing an OEM's secret at the ministry, uploading an OEM batch at
the ministry with an exchange token or an agency key. What must hold: every such call answers
the same 404 `not_found` before any body, secret or key is looked at, and neither table
changes (no failure counted, nothing stored); the route's own party on its own stack still
works. The tests walk the door's routes, so a route added to the door later is tried too.
"""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.config import get_settings
from chalicelib.doors.kit.operations import Operation
from chalicelib.exchange.requests import envelope
from chalicelib.exchange.v1 import record_version_item
from tests.builders import record_payload, shop_application, unique_vin
from tests.exchange_items import SHOP_NAME, shop_change, stored_version
from tests.functional.sharing_support import agency_key, agency_read, ministry_vehicle

TRIES = 6  # one more than LOGIN_MAX_FAILURES: a counted failure would lock out the last one
NOT_FOUND = {"code": "not_found", "message": "no such route on this stack"}


def _door_operations() -> tuple[Operation, ...]:
    """The partners' door's operations, once app.py has registered every door."""
    import app  # noqa: F401
    from chalicelib.doors.exchange import door

    return tuple(door.operations)


def _not_served_on(stack: str) -> list[Operation]:
    return [o for o in _door_operations() if stack not in o.stacks]


def _tables() -> dict[str, list[dict[str, Any]]]:
    """Every item of the stack's tables, raw, in key order."""
    client, settings = boto3.client("dynamodb"), get_settings()
    return {name: _scan(client, name) for name in (settings.table_name, settings.stats_table_name)}


def _scan(client: Any, table: str) -> list[dict[str, Any]]:
    items, request = [], {"TableName": table}
    while True:
        page = client.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _try_everything(api, operations, tokens, bodies) -> dict[str, list[tuple[int, Any]]]:
    """Every operation with every credential held, TRIES times; the answers that were not the
    plain 404 of a route this stack does not serve."""
    wrong: dict[str, list[tuple[int, Any]]] = {}
    for operation in operations:
        path = operation.path.replace("{vin}", unique_vin())
        body = bodies.get(operation.path, {})
        for token in tokens:
            for _ in range(TRIES):
                answer = api.call(operation.method, path, body, token=token)
                if (answer.status_code, answer.json) != (404, NOT_FOUND):
                    wrong.setdefault(f"{operation.method} {path}", []).append(
                        (answer.status_code, answer.json)
                    )
    return wrong


def _oem(api, dealer: str) -> tuple[dict[str, Any], str]:
    body = {
        "name": "示范汽车（中国）有限公司",
        "uscc": shop_application()["uscc"],
        "dealers": [dealer],
    }
    account = api.post("/v1/oem/accounts", body, api.regulator_token())
    assert account.status_code == 201, account.json
    token = api.post(
        "/v1/oem/token", {"oem_id": account.json["oem_id"], "secret": account.json["secret"]}
    )
    assert token.status_code == 200, token.json
    return account.json, str(token.json["access_token"])


def test_every_route_of_the_partner_door_is_served_by_exactly_one_stack():
    # Given the partners' door, which serves both stack kinds
    operations = _door_operations()
    # When the stacks each of its routes declares are read
    served = {(o.method, o.path): o.stacks for o in operations}
    # Then each route names one stack (none inherits the door's two), and both are served
    assert operations
    assert all(len(stacks) == 1 for stacks in served.values()), served
    assert {stack for stacks in served.values() for stack in stacks} == {"province", "ministry"}


def test_at_a_province_the_ministry_partner_routes_answer_404_to_what_its_partners_hold(api):
    # Given a province with a shop, an OEM representing it (so an OEM token) and the shop's
    # token; a forged exchange batch for the shop; a made-up agency key
    shop, shop_token = api.new_shop(name=SHOP_NAME)
    oem, oem_token = _oem(api, shop["companycode"])
    forged = stored_version(shop["companycode"], payload=record_payload(company_name=SHOP_NAME))
    bodies = {
        "/v1/exchange/token": {"province_code": "320000", "secret": "guessed-secret"},
        "/v1/exchange/batch": envelope(
            [shop_change(shop["companycode"]), record_version_item(forged)]
        ),
    }
    operations = _not_served_on("province")
    before = _tables()
    # When each of the ministry's partner routes is called with every credential held here
    wrong = _try_everything(api, operations, [None, oem_token, shop_token, "vmak_guess"], bodies)
    # Then each answers the plain 404 of a route this stack does not serve
    assert {o.path for o in operations} >= {
        "/v1/exchange/batch",
        "/v1/agency/vehicles/{vin}/history",
    }
    assert not wrong, wrong
    # And nothing was counted or stored
    assert _tables() == before
    # And the OEM's own feed still works here
    item = {"companycode": shop["companycode"], **record_payload(company_name=shop["name"])}
    answer = api.post("/v1/oem/records/batch", {"records": [item]}, oem_token)
    assert answer.status_code == 200, answer.json
    assert [r["status_code"] for r in answer.json["results"]] == [201]


def test_at_the_ministry_the_province_partner_routes_answer_404_to_what_its_partners_hold(
    ministry_api,
):
    # Given the ministry with a vehicle Jiangsu sent, Jiangsu's exchange token and a recall
    # authority's agency key
    api = ministry_api
    vehicle = ministry_vehicle(api)
    secret = api.exchange_secrets["320000"]
    token = api.post("/v1/exchange/token", {"province_code": "320000", "secret": secret})
    assert token.status_code == 200, token.json
    exchange_token = str(token.json["access_token"])
    key = agency_key(api, "国家市场监督管理总局缺陷产品管理中心", "recall", "recall_campaign")
    bodies = {
        "/v1/oem/token": {"oem_id": "OEM0000000000A1", "secret": "guessed-secret"},
        "/v1/oem/records/batch": {
            "records": [{"companycode": vehicle["companycode"], **record_payload()}]
        },
    }
    operations = _not_served_on("ministry")
    before = _tables()
    # When each of the provinces' partner routes is called with every credential held here
    wrong = _try_everything(api, operations, [None, exchange_token, key["key"]], bodies)
    # Then each answers the plain 404 of a route this stack does not serve
    assert {o.path for o in operations} >= {"/v1/oem/token", "/v1/oem/records/batch"}
    assert not wrong, wrong
    # And nothing was counted or stored
    assert _tables() == before
    # And the province's exchange and the agency's read still work here
    again = stored_version(
        vehicle["companycode"], payload=record_payload(company_name=SHOP_NAME), shop_name=SHOP_NAME
    )
    sent = api.post("/v1/exchange/batch", envelope([record_version_item(again)]), exchange_token)
    assert sent.status_code == 200, sent.json
    assert [r["result"] for r in sent.json["results"]] == ["applied"]
    read = agency_read(api, key["key"], vehicle["vin"])
    assert read.status_code == 200, read.json
    assert read.json["vin"] == vehicle["vin"]
