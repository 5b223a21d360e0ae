"""Boundary: a province's exchange credential at the ministry's `POST /v1/exchange/batch`.

The party: a province stack (Jiangsu, 320000). What it holds: its own exchange secret, hence
a province bearer token, and everything in its own table (its shops' records and registry
entries). It knows the public shape of the exchange contract and can compute every hash
(none needs a key). What it tries: to write anything that is not its own province's data at
the ministry: a storage key planted in a registry copy (an administrator's bearer token), a
version of another province's record, a version filed under another record's id or over a
head of another shop, a registry copy of another province or placed in it, unknown keys
anywhere. What must hold: each such item is answered `rejected` naming the field and rule,
and the ministry's table is unchanged, item for item (scanned before and after); the genuine
items of the same batch are applied. The last test mutates genuine items at random across
every one of these boundaries (hypothesis, derandomized; PROPERTY_EXAMPLES_STORAGE sets how
many, as for the other property test that runs against storage).

The only row a refused item may move is the sender's own "last heard from" status (kind
`province_status`): the batch did arrive. Scans leave that row out.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_records import DynamoRecordRepository
from chalicelib.config import get_settings
from chalicelib.domain.credentials import token_digest
from chalicelib.domain.record import Flag, record_id_for
from chalicelib.exchange.requests import envelope
from chalicelib.exchange.v1 import record_version_item
from tests.builders import record_payload, unique_code
from tests.exchange_items import chained, corrected, shop_change, stored_version

# Each example scans the table once (moto serialises a scan slowly: about 0.4 s here).
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES_STORAGE", "40"))

JIANGSU, HUBEI = "320000", "420000"
JS_SHOP, JS_OTHER_SHOP = "320102000000001", "320102000000002"
HB_SHOP = "420102000000001"
PLANTED_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "kind", "expires_at_epoch", "role")


# --- the door and the table ------------------------------------------------------------------


def _token(api, province: str) -> str:
    body = {"province_code": province, "secret": api.exchange_secrets[province]}
    answer = api.post("/v1/exchange/token", body)
    assert answer.status_code == 200, answer.json
    return str(answer.json["access_token"])


def _send(api, token: str, *items: Any) -> list[dict[str, Any]]:
    answer = api.post("/v1/exchange/batch", envelope(list(items)), token)
    assert answer.status_code == 200, answer.json
    return list(answer.json["results"])


def _table() -> list[dict[str, Any]]:
    """Every item of the ministry's table, raw, in key order (the sender's status row aside)."""
    client, items, request = boto3.client("dynamodb"), [], {"TableName": get_settings().table_name}
    while True:
        page = client.scan(**request)
        items += [i for i in page["Items"] if i.get("kind", {}).get("S") != "province_status"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _refused(answers: list[dict[str, Any]], rule: str, field: str | None = None) -> None:
    for answer in answers:
        assert (answer["result"], answer["rule"]) == ("rejected", rule), answer
        if field is not None:
            assert answer["field"] == field, answer
        assert answer["field"] in answer["reason"] and rule in answer["reason"], answer


@dataclasses.dataclass
class World:
    """What the ministry holds before each attack: both provinces' shops and records."""

    jiangsu: str
    hubei: str
    js_record: Any  # held at the ministry (v1), Jiangsu's shop
    js_second: Any  # another held record of the same shop
    hb_record: Any  # held at the ministry (v1), Hubei's shop


def _world(api) -> World:
    jiangsu, hubei = _token(api, JIANGSU), _token(api, HUBEI)
    flag = (Flag("vin_check_digit", "vin"),)
    js_record, js_second = stored_version(JS_SHOP, flags=flag), stored_version(JS_SHOP)
    hb_record = stored_version(HB_SHOP)
    js = _send(
        api,
        jiangsu,
        shop_change(JS_SHOP),
        shop_change(JS_OTHER_SHOP),
        record_version_item(js_record),
        record_version_item(js_second),
    )
    hb = _send(api, hubei, shop_change(HB_SHOP), record_version_item(hb_record))
    assert {a["result"] for a in js + hb} == {"applied"}, js + hb
    return World(jiangsu, hubei, js_record, js_second, hb_record)


@pytest.fixture
def world(ministry_api) -> World:
    return _world(ministry_api)


# --- the attacks -----------------------------------------------------------------------------


def test_a_registry_copy_carrying_storage_keys_plants_no_administrator_token(ministry_api, world):
    # Given the ministry administrator's genuine bearer token item (what a planted one copies)
    admin_token = ministry_api.regulator_token()
    table = get_settings().table_name
    genuine = boto3.client("dynamodb").get_item(
        TableName=table, Key=to_item(keys.key(keys.token_pk(token_digest(admin_token)), keys.TOKEN))
    )["Item"]
    chosen = "planted-" + "7" * 40
    planted = {**from_item(genuine), **keys.key(keys.token_pk(token_digest(chosen)), keys.TOKEN)}
    item = shop_change("320102000000077")  # a shop the ministry has no copy of yet
    item["shop"] = {**item["shop"], **planted}
    before = _table()
    # When Jiangsu sends a registry copy of its own province carrying those attributes and keys
    answers = _send(ministry_api, world.jiangsu, item)
    # Then it is refused for its unknown fields, nothing is written, and the chosen token
    # opens nothing: not the credential list, not a rotation of Hubei's credential
    _refused(answers, "unknown_field")
    assert _table() == before
    assert ministry_api.get("/v1/exchange/credentials", chosen).status_code == 401
    assert ministry_api.post("/v1/exchange/credentials/420000", None, chosen).status_code == 401
    assert _token(ministry_api, HUBEI)  # Hubei's credential still works
    assert ministry_api.get("/v1/exchange/credentials", admin_token).status_code == 200


def test_a_version_of_another_provinces_record_writes_nothing(ministry_api, world):
    # Given Hubei's record held at the ministry, and two versions Jiangsu makes of it (a
    # correction and a void), with every id, hash and chain link recomputed as Hubei would
    correction = corrected(world.hb_record, 2, repair_mileage=1)
    void = dataclasses.replace(correction, status="void", reason="作废")
    before = _table()
    # When Jiangsu sends them
    answers = _send(
        ministry_api,
        world.jiangsu,
        record_version_item(correction),
        record_version_item(chained(void, 2)),
    )
    # Then both are refused for their province and Hubei's record is as it was
    _refused(answers, "own_province", "record.companycode")
    assert _table() == before


def test_a_version_filed_under_a_record_id_not_derived_from_it_writes_nothing(ministry_api, world):
    # Given a genuine version of a Jiangsu shop, filed under Hubei's record id and under the
    # id of another Jiangsu record, each with a chain link made for that id
    own = stored_version(JS_SHOP)
    foreign_id = chained(dataclasses.replace(own, record_id=world.hb_record.record_id))
    other_id = chained(dataclasses.replace(own, record_id=world.js_second.record_id))
    before = _table()
    # When Jiangsu sends them
    answers = _send(
        ministry_api, world.jiangsu, record_version_item(foreign_id), record_version_item(other_id)
    )
    # Then they are refused: the record id must be record_id_for(companycode, settlement list)
    _refused(answers, "derived_id", "record.record_id")
    assert _table() == before


def test_a_swapped_version_writes_nothing(ministry_api, world):
    # Given Jiangsu's records A and B held at the ministry: A's next version under B's id,
    # B's settlement list code inside A's content (rehashed and rechained), A's version renumbered
    a, b = world.js_record, world.js_second
    a_under_b = chained(dataclasses.replace(corrected(a, 2), record_id=b.record_id), 2)
    b_code = b.content.settlement_list_code
    a_as_b = corrected(a, 2, settlement_list_code=b_code)
    renumbered = dataclasses.replace(corrected(a, 2), version=5)
    before = _table()
    # When Jiangsu sends them
    answers = _send(
        ministry_api,
        world.jiangsu,
        record_version_item(a_under_b),
        record_version_item(a_as_b),
        record_version_item(renumbered),
    )
    # Then each is refused for the rule it breaks, and A and B are as they were
    assert [(x["result"], x["rule"]) for x in answers] == [
        ("rejected", "derived_id"),
        ("rejected", "derived_id"),
        ("rejected", "chain_link"),
    ]
    assert _table() == before


def test_a_head_held_for_another_shop_is_never_replaced(ministry_api, world):
    # Given a head at the ministry whose id is Jiangsu's second shop's for a settlement list,
    # but which belongs to the first shop (written before ids were checked, by hand, or by a
    # restore: the ministry cannot tell)
    code = unique_code("OWN")
    squatted_id = record_id_for(JS_OTHER_SHOP, code)
    held = chained(
        dataclasses.replace(
            stored_version(JS_SHOP, payload=record_payload(settlement_list_code=code)),
            record_id=squatted_id,
        )
    )
    DynamoRecordRepository(get_settings().table_name, maintain_chain=False).create(held)
    genuine = corrected(
        stored_version(JS_OTHER_SHOP, payload=record_payload(settlement_list_code=code)), 2
    )
    assert genuine.record_id == squatted_id
    before = _table()
    # When the second shop's genuine version 2 of that settlement list arrives
    answers = _send(ministry_api, world.jiangsu, record_version_item(genuine))
    # Then it is refused as another shop's record, and the head is untouched
    _refused(answers, "owner", "record.record_id")
    assert _table() == before


def test_a_registry_copy_of_another_province_or_placed_in_it_writes_nothing(ministry_api, world):
    # Given Hubei's shop as Jiangsu sends it, and Jiangsu's shop stated in Hubei's province or
    # division (which would move it into Hubei's registry index and counts)
    later = datetime.now(UTC) + timedelta(days=1)
    foreign = shop_change(HB_SHOP, updated_at=later, status="suspended")
    moved = shop_change(JS_SHOP, updated_at=later)
    moved["shop"] = {**moved["shop"], "province_code": HUBEI}
    divided = shop_change(JS_SHOP, updated_at=later)
    divided["shop"] = {**divided["shop"], "division_code": "420102"}
    before = _table()
    # When Jiangsu sends them
    answers = _send(ministry_api, world.jiangsu, foreign, moved, divided)
    # Then each is refused, naming the field
    assert [(a["result"], a["field"], a["rule"]) for a in answers] == [
        ("rejected", "shop.companycode", "own_province"),
        ("rejected", "shop.province_code", "own_province"),
        ("rejected", "shop.division_code", "companycode_division"),
    ]
    assert _table() == before


def test_unknown_keys_anywhere_in_an_item_write_nothing(ministry_api, world):
    # Given a genuine correction of Jiangsu's flagged record and a registry change, each with
    # one key added at one level (item, record, content, repair item, part, flag, chain, shop)
    version = record_version_item(corrected(world.js_record, 2, repair_mileage=1))
    shop = shop_change(JS_SHOP, updated_at=datetime.now(UTC) + timedelta(days=1))
    paths = {
        "SK": (version, ()),
        "record.kind": (version, ("record",)),
        "record.content.GSI1PK": (version, ("record", "content")),
        "record.content.repair_items.0.PK": (version, ("record", "content", "repair_items", 0)),
        "record.content.parts.0.role": (version, ("record", "content", "parts", 0)),
        "record.flags.0.kind": (version, ("record", "flags", 0)),
        "record.chain.SK": (version, ("record", "chain")),
        "shop.expires_at_epoch": (shop, ("shop",)),
    }
    items = []
    for field, (base, path) in paths.items():
        item = copy.deepcopy(base)
        _at(item, path)[field.rsplit(".", 1)[-1]] = "planted"
        items.append(item)
    before = _table()
    # When Jiangsu sends them
    answers = _send(ministry_api, world.jiangsu, *items)
    # Then each is refused for the key it added, by its path
    assert [(a["field"], a["rule"]) for a in answers] == [(f, "unknown_field") for f in paths]
    assert _table() == before


def test_the_genuine_items_of_a_hostile_batch_are_applied(ministry_api, world):
    # Given a batch with Jiangsu's genuine new record between two hostile items
    genuine = stored_version(JS_SHOP)
    hostile = record_version_item(corrected(world.hb_record, 2))
    planted = shop_change(JS_SHOP)
    planted["shop"]["PK"] = "ADMIN#regulator"
    before = _table()
    # When it arrives
    answers = _send(ministry_api, world.jiangsu, hostile, record_version_item(genuine), planted)
    # Then only the genuine record is applied, and every item written is that record's
    assert [a["result"] for a in answers] == ["rejected", "applied", "rejected"]
    after = _table()
    written = [i for i in after if i not in before]
    assert written and all(from_item(i)["record_id"] == genuine.record_id for i in written)
    assert all(i in after for i in before)


# --- every boundary at random ----------------------------------------------------------------


def test_no_mutation_of_a_genuine_item_across_a_boundary_writes_anything(ministry_api, world):
    # Given the genuine items Jiangsu could send: a correction of its record, a registry change
    bases = {
        "version": record_version_item(corrected(world.js_record, 2, repair_mileage=1)),
        "shop": shop_change(JS_SHOP, updated_at=datetime.now(UTC) + timedelta(days=1)),
    }
    held, kinds_tried = _table(), set()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(data=st.data())
    def mutated_items_are_refused(data: st.DataObject) -> None:
        # When one mutation of a genuine item crosses a boundary (keys, types, codes, ids)
        kind, label, item = data.draw(_hostile(world, bases))
        kinds_tried.add(kind)
        answers = _send(ministry_api, world.jiangsu, item)
        # Then it is refused and the ministry's table is as it was, item for item
        assert answers[0]["result"] == "rejected", (label, answers)
        assert _table() == held, label

    mutated_items_are_refused()
    assert kinds_tried == set(MUTATIONS)  # (every boundary was crossed at least once)


MUTATIONS = (
    "extra_key", "retype", "foreign_code", "foreign_record", "foreign_id", "swapped",
    "renumbered", "foreign_shop",
)  # fmt: skip


@st.composite
def _hostile(draw: st.DrawFn, world: World, bases: dict[str, Any]) -> tuple[str, str, Any]:
    """(kind, what was done, the item): one genuine item mutated across one boundary."""
    kind = draw(st.sampled_from(MUTATIONS))
    label, item = _mutated(draw, kind, world, bases)
    return kind, label, item


def _mutated(draw: st.DrawFn, kind: str, world: World, bases: dict[str, Any]) -> tuple[str, Any]:
    base = copy.deepcopy(bases[draw(st.sampled_from(["version", "shop"]))])
    if kind == "extra_key":
        path = draw(st.sampled_from([p for p, v in _walk(base) if isinstance(v, dict)]))
        if path and path[-1] == "detail":  # a flag's detail is a free map of text: go up
            path = path[:-1]
        target = _at(base, path)
        name = draw(st.sampled_from(PLANTED_KEYS) | st.text(min_size=1, max_size=12))
        if name in target:
            name += "_planted"
        target[name] = draw(st.sampled_from(["x", 1, None, {"S": "TOKEN"}]))
        return f"extra key {name!r} at {path}", base
    if kind == "retype":
        path = draw(st.sampled_from([p for p, _ in _walk(base)]))
        value = _get(base, path)
        others = [v for v in (7, 1.5, True, "7", [], {"x": "1"}) if type(v) is not type(value)]
        if isinstance(value, str):
            others = [v for v in others if not isinstance(v, str)]
        replacement = draw(st.sampled_from(others))
        return f"{path} as {replacement!r}", _put(base, path, replacement)
    if kind == "foreign_shop":
        shop = bases["shop"]["shop"]
        change = draw(
            st.sampled_from(
                [{"companycode": HB_SHOP, "division_code": HB_SHOP[:6], "province_code": HUBEI},
                 {"province_code": HUBEI}, {"division_code": "420102"},
                 {"division_code": "320104"}, {"companycode": "330106000000001"}]
            )
        )  # fmt: skip
        return f"shop {change}", {"type": "shop", "shop": {**shop, **change}}
    return _foreign_version(draw, kind, world)


def _foreign_version(draw: st.DrawFn, kind: str, world: World) -> tuple[str, Any]:
    """A version that is not Jiangsu's to send, as genuine as a province can make it."""
    rechain = draw(st.booleans())
    if kind == "foreign_code":
        item = record_version_item(corrected(world.js_record, 2))
        item["record"]["companycode"] = HB_SHOP
        return "companycode of Hubei", item
    if kind == "foreign_record":
        return "Hubei's record, recomputed", record_version_item(corrected(world.hb_record, 2))
    if kind == "renumbered":
        version = draw(st.sampled_from([1, 3, 99]))
        renumbered = dataclasses.replace(corrected(world.js_record, 2), version=version)
        return f"renumbered to {version}", record_version_item(renumbered)
    source = corrected(world.js_record, 2)
    target = world.hb_record if kind == "foreign_id" else world.js_second
    moved = dataclasses.replace(source, record_id=target.record_id)
    moved = chained(moved, 2) if rechain else moved
    return f"{kind} (rechained: {rechain})", record_version_item(moved)


def _walk(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) in a JSON value, the value itself first."""
    found = [(path, value)]
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in list(children):
            found += _walk(child, (*path, key))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    return _at(value, path)


def _put(value: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    if not path:
        return replacement
    _at(value, path[:-1])[path[-1]] = replacement
    return value
